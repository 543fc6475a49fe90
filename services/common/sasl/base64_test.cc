#include "services/common/sasl/base64.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::sasl {
namespace {

// RFC 4648 section 10.
TEST(Base64Test, Rfc4648TestVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(EncodeBase64(plain), encoded);
    EXPECT_EQ(DecodeBase64(encoded), plain) << encoded;
  }
}

// RFC 5034 section 6: AUTH PLAIN with authzid "test", user "test", password "test".
TEST(Base64Test, SaslPlainExample) {
  EXPECT_EQ(DecodeBase64("dGVzdAB0ZXN0AHRlc3Q="), std::string("test\0test\0test", 14));
}

TEST(Base64Test, EveryByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t n = 0; n <= all.size(); ++n) {
    const std::string in = all.substr(all.size() - n);
    const std::string encoded = EncodeBase64(in);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(DecodeBase64(encoded), in);
  }
}

TEST(Base64Test, RejectsWhatIsNotCanonical) {
  for (const char* bad : {
           "Zg",        // missing padding
           "Zg=",       // short padding
           "Zg===",     // too much padding
           "=Zg=",      // padding first
           "Zg==Zg==",  // padding inside
           "Z===",      // three padding characters
           "Zh==",      // non-zero bits under the padding
           "Zm9=",      // non-zero bits under the padding
           "Zm9v\r\n",  // line break
           " Zm9v",     // space
           "Zm9v-_",    // base64url alphabet
           "Zm 9",      // space inside
           "*",         // SASL cancel is the caller's business
       }) {
    EXPECT_EQ(DecodeBase64(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(DecodeBase64(std::string("Zm9\0", 4)), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zm9\xc3\xa4"), std::nullopt);
}

}  // namespace
}  // namespace kurier::sasl
