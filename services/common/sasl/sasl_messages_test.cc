#include "services/common/sasl/sasl_messages.h"

#include "gtest/gtest.h"

namespace kurier::sasl {
namespace {

using namespace std::string_literals;

TEST(SaslMessagesTest, PlaintextMechanismsOnlyWhenAllowed) {
  EXPECT_EQ(Mechanisms(false), std::vector<std::string>({"SCRAM-SHA-256"}));
  EXPECT_EQ(Mechanisms(true), std::vector<std::string>({"SCRAM-SHA-256", "PLAIN", "LOGIN"}));
  EXPECT_EQ(CanonicalMechanism("plain"), "PLAIN");
  EXPECT_EQ(CanonicalMechanism("scram-sha-256"), "SCRAM-SHA-256");
  EXPECT_EQ(CanonicalMechanism("CRAM-MD5"), "");
  EXPECT_TRUE(SendsPassword("LOGIN"));
  EXPECT_FALSE(SendsPassword("SCRAM-SHA-256"));
}

TEST(SaslMessagesTest, ParsesPlainPerRfc4616) {
  // RFC 4616 section 4's examples.
  auto plain = ParsePlain("\0tim\0tanstaaftanstaaf"s);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->authzid, "");
  EXPECT_EQ(plain->authcid, "tim");
  EXPECT_EQ(plain->password, "tanstaaftanstaaf");
  plain = ParsePlain("Ursel\0Kurt\0xipj3plmq"s);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->authzid, "Ursel");
  EXPECT_EQ(plain->authcid, "Kurt");
}

TEST(SaslMessagesTest, RejectsMalformedPlain) {
  EXPECT_FALSE(ParsePlain("").ok());
  EXPECT_FALSE(ParsePlain("user password").ok());
  EXPECT_FALSE(ParsePlain("\0user"s).ok());
  EXPECT_FALSE(ParsePlain("\0\0password"s).ok());
  EXPECT_FALSE(ParsePlain("\0user\0"s).ok());
  EXPECT_FALSE(ParsePlain("\0user\0pass\0word"s).ok());
  EXPECT_FALSE(ParsePlain("\0user\0"s + std::string(256, 'p')).ok());
}

TEST(SaslMessagesTest, ScramUserDecodesEscapes) {
  auto user = ScramUser("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, "user");
  user = ScramUser("n,a=x,n=a=2Cb=3Dc@example.org,r=abc");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, "a,b=c@example.org");
  EXPECT_FALSE(ScramUser("n,,n=a=2xb,r=abc").ok());
  EXPECT_FALSE(ScramUser("n,,r=abc").ok());
  EXPECT_FALSE(ScramUser("n,,n=user").ok());
  EXPECT_FALSE(ScramUser("garbage").ok());
  EXPECT_FALSE(ScramUser("n,,n=,r=abc").ok());
}

}  // namespace
}  // namespace kurier::sasl
