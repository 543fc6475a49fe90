// CRLF conversion, HEADER.FIELDS filtering and the BINARY decoders.
#include <string>

#include "gtest/gtest.h"
#include "services/imap/fetch/content_transforms.h"

namespace kurier::imap {
namespace {

std::string Crlf(absl::string_view in) {
  std::string out;
  bool after_cr = false;
  AppendCrlfConverted(&out, in, &after_cr);
  return out;
}

TEST(Crlf, ConvertsBareLfsOnly) {
  EXPECT_EQ(Crlf(""), "");
  EXPECT_EQ(Crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
  EXPECT_EQ(Crlf("\n\n"), "\r\n\r\n");
  EXPECT_EQ(Crlf("a\rb\r"), "a\rb\r");  // a lone CR stays
  EXPECT_EQ(CountBareLfs("a\nb\r\nc\n\n"), 3u);
}

TEST(Crlf, SameResultInChunks) {
  const std::string in = "x\r\ny\nz\r\r\n\n\r";
  const std::string whole = Crlf(in);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    std::string out;
    bool after_cr = false;
    AppendCrlfConverted(&out, in.substr(0, cut), &after_cr);
    AppendCrlfConverted(&out, in.substr(cut), &after_cr);
    EXPECT_EQ(out, whole) << cut;
  }
  EXPECT_EQ(whole.size(), in.size() + CountBareLfs(in));
}

TEST(HeaderFields, IncludeKeepsFoldedLinesAndAddsBlankLine) {
  const std::string header =
      "Received: from a\r\n\tby b\r\n"
      "From: Alice <a@example.com>\r\n"
      "Subject: Lunch\r\n on Friday?\r\n"
      "X-Other: 1\r\n"
      "subject: second\r\n"
      "\r\n";
  EXPECT_EQ(FilterHeaderFields(header, {"SUBJECT", "from"}, false),
            "From: Alice <a@example.com>\r\nSubject: Lunch\r\n on Friday?\r\nsubject: second\r\n\r\n");
  EXPECT_EQ(FilterHeaderFields(header, {"Subject", "X-Other"}, true),
            "Received: from a\r\n\tby b\r\nFrom: Alice <a@example.com>\r\n\r\n");
  EXPECT_EQ(FilterHeaderFields(header, {"Nothing"}, false), "\r\n");
  // A name is matched whole: "From" is not "From-X", nor a prefix.
  EXPECT_EQ(FilterHeaderFields("From-X: 1\r\nFro: 2\r\n\r\n", {"From"}, false), "\r\n");
}

TEST(HeaderFields, BareLfAndNoBlankLine) {
  EXPECT_EQ(FilterHeaderFields("To: a\nSubject: x\n y\n\nbody\n", {"subject"}, false), "Subject: x\r\n y\r\n\r\n");
  // The header ends without a line end (a header-only message).
  EXPECT_EQ(FilterHeaderFields("To: a\r\nSubject: last", {"subject"}, false), "Subject: last\r\n\r\n");
  EXPECT_EQ(FilterHeaderFields("", {"subject"}, true), "\r\n");
  // Space before the colon.
  EXPECT_EQ(FilterHeaderFields("Subject : x\r\n\r\n", {"subject"}, false), "Subject : x\r\n\r\n");
}

TEST(TransferEncoding, Classify) {
  EXPECT_EQ(ClassifyTransferEncoding(""), TransferEncoding::k7Bit);
  EXPECT_EQ(ClassifyTransferEncoding("7BIT"), TransferEncoding::k7Bit);
  EXPECT_EQ(ClassifyTransferEncoding("8bit"), TransferEncoding::k7Bit);
  EXPECT_EQ(ClassifyTransferEncoding(" Binary "), TransferEncoding::kBinary);
  EXPECT_EQ(ClassifyTransferEncoding("BASE64"), TransferEncoding::kBase64);
  EXPECT_EQ(ClassifyTransferEncoding("Quoted-Printable"), TransferEncoding::kQuotedPrintable);
  EXPECT_EQ(ClassifyTransferEncoding("x-uuencode"), TransferEncoding::kUnknown);
}

TEST(Base64, Decodes) {
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("SGVsbG8="), "Hello");
  EXPECT_EQ(DecodeBase64("SGVsbA=="), "Hell");
  EXPECT_EQ(DecodeBase64("SGVs"), "Hel");
  EXPECT_EQ(DecodeBase64("SGVs\r\nbG8=\r\n"), "Hello");
  EXPECT_EQ(DecodeBase64("AAEC"), std::string("\0\1\2", 3));
  // RFC 2045 6.8: characters outside the alphabet are ignored.
  EXPECT_EQ(DecodeBase64("S!G V*s"), "Hel");
  // Without padding, a trailing partial quantum keeps its whole bytes.
  EXPECT_EQ(DecodeBase64("SGVsbG8"), "Hello");
  EXPECT_EQ(DecodeBase64("SGVsbA"), "Hell");
  EXPECT_EQ(DecodeBase64("SGVsb"), "Hel");  // a lone sextet holds no byte
  EXPECT_EQ(DecodeBase64("S"), "");
  // Concatenated encodings.
  EXPECT_EQ(DecodeBase64("SGk=SGk="), "HiHi");
  EXPECT_EQ(DecodeBase64("RnJvbTogYUBiDQoNCmhp"), "From: a@b\r\n\r\nhi");
}

TEST(QuotedPrintable, Decodes) {
  EXPECT_EQ(DecodeQuotedPrintable(""), "");
  EXPECT_EQ(DecodeQuotedPrintable("Sale! 50% off =E2=80=94 now\r\n"), "Sale! 50% off \xE2\x80\x94 now\r\n");
  EXPECT_EQ(DecodeQuotedPrintable("caf=c3=a9"), "caf\xc3\xa9");  // lower-case hex
  EXPECT_EQ(DecodeQuotedPrintable("soft=\r\nbreak=\nhere"), "softbreakhere");
  EXPECT_EQ(DecodeQuotedPrintable("soft= \t\r\nbreak"), "softbreak");
  EXPECT_EQ(DecodeQuotedPrintable("trailing  \t\r\nspace"), "trailing\r\nspace");
  EXPECT_EQ(DecodeQuotedPrintable("bare\nlf\n"), "bare\r\nlf\r\n");
  EXPECT_EQ(DecodeQuotedPrintable("a=3Db =ZZ =4"), "a=b =ZZ =4");
  EXPECT_EQ(DecodeQuotedPrintable("=00"), std::string("\0", 1));
  EXPECT_EQ(DecodeQuotedPrintable("end="), "end");
  EXPECT_EQ(DecodeQuotedPrintable("3D=3D"), "3D=");
}

TEST(UnknownCte, Status) {
  EXPECT_TRUE(IsUnknownCte(absl::UnimplementedError("UNKNOWN-CTE x")));
  EXPECT_FALSE(IsUnknownCte(absl::UnimplementedError("other")));
  EXPECT_FALSE(IsUnknownCte(absl::InvalidArgumentError("UNKNOWN-CTE")));
}

}  // namespace
}  // namespace kurier::imap
