#include "storage/names.h"

#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

TEST(NormalizeAddress, LowercasesAndTrims) {
  EXPECT_EQ(*NormalizeAddress("  Demo@LocalHost "), "demo@localhost");
}

TEST(NormalizeAddress, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"", "demo", "@localhost", "demo@", "a b@c", "a@b@c", "<a@b>", "a\x01@b"}) {
    EXPECT_FALSE(NormalizeAddress(bad).ok()) << bad;
  }
  EXPECT_FALSE(NormalizeAddress(std::string(250, 'a') + "@b.cc").ok());
}

TEST(NormalizeDomain, LowercasesAndChecksLabels) {
  EXPECT_EQ(*NormalizeDomain(" Example.ORG "), "example.org");
  EXPECT_EQ(*NormalizeDomain("localhost"), "localhost");
  EXPECT_EQ(*NormalizeDomain("b\xc3\xbc" "cher.de"), "b\xc3\xbc" "cher.de");
  for (const char* bad : {"", ".", "a..b", ".a", "a.", "-a.b", "a-.b", "[127.0.0.1]", "a b", "a@b", "a/b"}) {
    EXPECT_FALSE(NormalizeDomain(bad).ok()) << bad;
  }
  EXPECT_FALSE(NormalizeDomain(std::string(64, 'a') + ".org").ok());
  EXPECT_TRUE(NormalizeDomain(std::string(63, 'a') + ".org").ok());
  EXPECT_FALSE(NormalizeDomain(std::string(250, 'a') + ".org").ok());
}

TEST(WithoutSubaddress, StripsFromTheFirstPlusToTheAt) {
  EXPECT_EQ(WithoutSubaddress("anna+news@x.org"), "anna@x.org");
  EXPECT_EQ(WithoutSubaddress("anna+a+b@x.org"), "anna@x.org");
  EXPECT_EQ(WithoutSubaddress("anna@x.org"), "");
  EXPECT_EQ(WithoutSubaddress("+news@x.org"), "");
  EXPECT_EQ(DomainOfAddress("anna@x.org"), "x.org");
}

TEST(NormalizeMailboxName, InboxInAnyCaseIsInbox) {
  EXPECT_EQ(*NormalizeMailboxName("inbox"), "INBOX");
  EXPECT_EQ(*NormalizeMailboxName("InBoX/Sub"), "INBOX/Sub");
  EXPECT_EQ(*NormalizeMailboxName("Inboxes"), "Inboxes");
}

TEST(NormalizeMailboxName, RefusesBadNames) {
  for (const char* bad : {"", "/a", "a/", "a//b", "a\tb", "\xff\xfe", "a\xc3"}) {
    EXPECT_FALSE(NormalizeMailboxName(bad).ok()) << bad;
  }
  EXPECT_TRUE(NormalizeMailboxName("Entw\xc3\xbcrfe").ok());
  EXPECT_FALSE(NormalizeMailboxName(std::string(513, 'a')).ok());
}

TEST(IsBelow, OnlyRealChildren) {
  EXPECT_TRUE(IsBelow("a/b", "a"));
  EXPECT_TRUE(IsBelow("a/b/c", "a"));
  EXPECT_FALSE(IsBelow("ab", "a"));
  EXPECT_FALSE(IsBelow("a", "a"));
}

TEST(NormalizeFlags, CanonicalSortedUnique) {
  auto flags = NormalizeFlags({"\\seen", "$Forwarded", "\\SEEN", "\\Flagged"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags, (std::vector<std::string>{"$Forwarded", "\\Flagged", "\\Seen"}));
}

TEST(NormalizeFlags, RefusesRecentAndBadKeywords) {
  EXPECT_FALSE(NormalizeFlags({"\\Recent"}).ok());
  EXPECT_FALSE(NormalizeFlags({"a b"}).ok());
  EXPECT_FALSE(NormalizeFlags({"(x"}).ok());
  EXPECT_FALSE(NormalizeFlags({""}).ok());
}

}  // namespace
}  // namespace kurier::storage
