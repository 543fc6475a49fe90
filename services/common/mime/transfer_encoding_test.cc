#include "services/common/mime/transfer_encoding.h"

#include "gtest/gtest.h"

namespace kurier::mime {
namespace {

TEST(TransferEncodingTest, Classify) {
  EXPECT_EQ(ClassifyTransferEncoding(""), TransferEncoding::k7Bit);
  EXPECT_EQ(ClassifyTransferEncoding(" Base64 "), TransferEncoding::kBase64);
  EXPECT_EQ(ClassifyTransferEncoding("QUOTED-PRINTABLE"), TransferEncoding::kQuotedPrintable);
  EXPECT_EQ(ClassifyTransferEncoding("x-uuencode"), TransferEncoding::kUnknown);
}

TEST(TransferEncodingTest, Base64SkipsWhatIsNotInTheAlphabet) {
  EXPECT_EQ(DecodeBase64("SGVsbG8sIHdvcmxkIQ=="), "Hello, world!");
  EXPECT_EQ(DecodeBase64("SGVs\r\nbG8s IHdv*cmxkIQ"), "Hello, world!");
  EXPECT_EQ(DecodeBase64(""), "");
}

TEST(TransferEncodingTest, QuotedPrintable) {
  EXPECT_EQ(DecodeQuotedPrintable("caf=C3=A9 =e9t=E9"), "caf\xc3\xa9 \xe9t\xe9");
  EXPECT_EQ(DecodeQuotedPrintable("soft=\r\nbreak=  \r\nhere"), "softbreakhere");
  EXPECT_EQ(DecodeQuotedPrintable("a=zz b=4"), "a=zz b=4");
}

}  // namespace
}  // namespace kurier::mime
