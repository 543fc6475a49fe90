#include "services/imap/search/message_text.h"

#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/search/text_fold.h"

namespace kurier::imap {
namespace {

TEST(TextFoldTest, FoldsAsciiLatinGreekCyrillic) {
  EXPECT_EQ(FoldCase("Hello WORLD 123"), "hello world 123");
  EXPECT_EQ(FoldCase("CAFÉ ÀÖØÞ ×"), "café àöøþ ×");
  EXPECT_EQ(FoldCase("ŁÓDŹ Ÿ İ"), "łódź ÿ i");
  EXPECT_EQ(FoldCase("ΑΘΉΝΑ ΟΔΥΣΣΕΎΣ"), "αθήνα οδυσσεύσ");  // final sigma folds to σ
  EXPECT_EQ(FoldCase("ОТПУСК Ёж"), "отпуск ёж");
  EXPECT_EQ(FoldCase("日本語 😀"), "日本語 😀");
  // Invalid UTF-8 is copied.
  EXPECT_EQ(FoldCase("A\xff\xc3"), "a\xff\xc3");
}

TEST(MessageTextTest, TransferEncodingAndCharset) {
  EXPECT_EQ(DecodeTransferEncoding("SGk=", " BASE64 "), "Hi");
  EXPECT_EQ(DecodeTransferEncoding("=48i", "Quoted-Printable"), "Hi");
  EXPECT_EQ(DecodeTransferEncoding("=48i", "8bit"), "=48i");
  EXPECT_EQ(TextToUtf8("caf\xe9", "ISO-8859-1"), "caf\xc3\xa9");
  EXPECT_EQ(TextToUtf8("caf\xe9", "x-unknown"), "caf\xe9");
  EXPECT_EQ(TextToUtf8("caf\xe9", ""), "caf\xe9");
}

TEST(MessageTextTest, HeaderText) {
  EXPECT_EQ(HeaderSearchText("Subject: =?utf-8?B?Q2Fmw6k=?=\r\n folded\r\nFrom: a@b\r\n\r\nbody: no\r\n"),
            "Subject: Café folded\nFrom: a@b\n");
}

TEST(MessageTextTest, BodyTextWalksParts) {
  const std::string message =
      "From: a@example.com\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "D=E9j=E0 vu\r\n"
      "--b1\r\n"
      "Content-Type: image/png\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "aW1hZ2UgYnl0ZXM=\r\n"
      "--b1\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "Subject: =?iso-8859-1?Q?inner_=E9?=\r\n"
      "\r\n"
      "inner body\r\n"
      "--b1--\r\n";
  const std::string text = BodySearchText(message, mime::ParseMessage(message));
  EXPECT_NE(text.find("Déjà vu"), std::string::npos) << text;
  EXPECT_EQ(text.find("image bytes"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: inner é"), std::string::npos) << text;
  EXPECT_NE(text.find("inner body"), std::string::npos) << text;
  EXPECT_EQ(text.find("From:"), std::string::npos) << text;
}

TEST(MessageTextTest, StructureOutsideTheBytesIsClamped) {
  mime::v1::MessageStructure structure;
  structure.mutable_body()->set_type("text");
  structure.mutable_body()->set_body_offset(5);
  structure.mutable_body()->set_body_size(1000);
  EXPECT_EQ(BodySearchText("0123456789", structure), "56789\n");
  structure.mutable_body()->set_body_offset(1000);
  EXPECT_EQ(BodySearchText("0123456789", structure), "\n");
}

}  // namespace
}  // namespace kurier::imap
