#include "storage/credentials/password_hash.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

// Low cost keeps the suite fast; the format and code paths are the same.
constexpr uint32_t kTestN = 1024;

TEST(PasswordHashTest, RoundTrip) {
  absl::StatusOr<std::string> hash = HashPassword("correct horse", kTestN);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(VerifyPasswordHash("correct horse", *hash));
  EXPECT_FALSE(VerifyPasswordHash("correct horsE", *hash));
  EXPECT_FALSE(VerifyPasswordHash("", *hash));
}

TEST(PasswordHashTest, Format) {
  absl::StatusOr<std::string> hash = HashPassword("pw", kTestN);
  ASSERT_TRUE(hash.ok()) << hash.status();
  // "$scrypt$ln=10,r=8,p=1$" + 22 chars (16-byte salt) + "$" + 43 chars (32-byte hash).
  const std::string prefix = "$scrypt$ln=10,r=8,p=1$";
  ASSERT_EQ(hash->substr(0, prefix.size()), prefix);
  EXPECT_EQ(hash->size(), prefix.size() + 22 + 1 + 43);
  EXPECT_EQ((*hash)[prefix.size() + 22], '$');
}

TEST(PasswordHashTest, SaltIsRandom) {
  absl::StatusOr<std::string> a = HashPassword("same", kTestN);
  absl::StatusOr<std::string> b = HashPassword("same", kTestN);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordHashTest, EmptyAndBinaryPasswords) {
  const std::string binary("a\0b\xff", 4);
  for (const std::string& password : {std::string(), binary}) {
    absl::StatusOr<std::string> hash = HashPassword(password, kTestN);
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_TRUE(VerifyPasswordHash(password, *hash));
  }
  absl::StatusOr<std::string> hash = HashPassword(binary, kTestN);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifyPasswordHash("a", *hash));  // no truncation at NUL
}

TEST(PasswordHashTest, RejectsBadN) {
  for (uint32_t n : {0u, 1u, 3u, 1000u, 1025u, (1u << 20) + 1, 1u << 21, 1u << 31, 0xffffffffu}) {
    EXPECT_EQ(HashPassword("pw", n).status().code(), absl::StatusCode::kInvalidArgument) << n;
  }
  EXPECT_TRUE(HashPassword("pw", 2).ok());
}

// Known answers computed elsewhere, not by this code.
TEST(PasswordHashTest, VerifiesPasslibHash) {
  // From the Passlib documentation for passlib.hash.scrypt.
  const std::string passlib =
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ";
  EXPECT_TRUE(VerifyPasswordHash("password", passlib));
  EXPECT_FALSE(VerifyPasswordHash("Password", passlib));
}

TEST(PasswordHashTest, VerifiesRfc7914Vector) {
  // RFC 7914 section 12: scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64).
  const std::string rfc =
      "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/"
      "xCSedmDDaxyevuUqD7m2DYMvfoswGQA";
  EXPECT_TRUE(VerifyPasswordHash("password", rfc));
  EXPECT_FALSE(VerifyPasswordHash("passwore", rfc));
}

TEST(PasswordHashTest, RejectsMalformed) {
  const std::string good =
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ";
  ASSERT_TRUE(VerifyPasswordHash("password", good));
  const std::string salt = "WKs1xljLudd6z9kbY0wpJQ";
  const std::string hash = "yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ";
  const std::vector<std::string> bad = {
      "",
      "$scrypt$",
      "password",
      "$scrypt$ln=8,r=8,p=1$" + salt,
      "$scrypt$ln=8,r=8,p=1$" + salt + "$",
      "$scrypt$ln=8,r=8,p=1$$" + hash,
      "$scrypt$ln=8,r=8,p=1$" + salt + "$" + hash + "$",
      "$scrypt$ln=8,r=8$" + salt + "$" + hash,
      "$scrypt$ln=8,r=8,p=1,x=1$" + salt + "$" + hash,
      "$scrypt$r=8,ln=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=08,r=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=+8,r=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=0,r=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=21,r=8,p=1$" + salt + "$" + hash,    // over the memory bound
      "$scrypt$ln=64,r=8,p=1$" + salt + "$" + hash,    // would overflow a shift
      "$scrypt$ln=999999,r=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=9999999999,r=8,p=1$" + salt + "$" + hash,
      "$scrypt$ln=8,r=0,p=1$" + salt + "$" + hash,
      "$scrypt$ln=8,r=8,p=0$" + salt + "$" + hash,
      "$scrypt$ln=8,r=33,p=1$" + salt + "$" + hash,
      "$scrypt$ln=8,r=8,p=17$" + salt + "$" + hash,
      "$scrypt$ln=20,r=32,p=1$" + salt + "$" + hash,   // 4 GiB
      "$scrypt$ln=8,r=8,p=1$" + salt + "==$" + hash,   // padding is not used
      "$scrypt$ln=8,r=8,p=1$" + salt + "$" + hash + "=",
      "$scrypt$ln=8,r=8,p=1$" + salt + "$" + hash.substr(0, 20),  // hash too short
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJ$" + hash,       // bad length
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJR$" + hash,      // non-zero spare bits
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0w_JQ$" + hash,      // base64url
      "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kb Y0wpJQ$" + hash,
      "$SCRYPT$ln=8,r=8,p=1$" + salt + "$" + hash,
      "$7$ln=8,r=8,p=1$" + salt + "$" + hash,
      std::string("$scrypt$ln=8,r=8,p=1$") + salt + "$" + hash + std::string("\0", 1),
  };
  for (const std::string& encoded : bad) {
    EXPECT_FALSE(VerifyPasswordHash("password", encoded)) << encoded;
  }
  // Every truncation of a valid hash is rejected, and none crashes.
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_FALSE(VerifyPasswordHash("password", good.substr(0, i))) << i;
  }
}

}  // namespace
}  // namespace kurier::storage
