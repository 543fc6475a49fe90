#include "services/imap/codec/mailbox_name.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

struct Pair {
  const char* utf8;
  const char* mutf7;
};

// RFC 3501 section 5.1.3 and other names checked against an independent
// encoder (Python's UTF-16 + base64).
constexpr Pair kPairs[] = {
    {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
    {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
    {"\xf0\x9f\x98\x80", "&2D3eAA-"},  // U+1F600, a surrogate pair
    {"a&b", "a&-b"},
    {"&", "&-"},
    {"\xc3\x84\x7f", "&AMQAfw-"},  // DEL is not printable: encoded
    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e &x", "&ZeVnLIqe- &-x"},
    {"", ""},
    {"INBOX", "INBOX"},
};

TEST(ModifiedUtf7Test, EncodesAndDecodesRfcExamples) {
  for (const Pair& pair : kPairs) {
    EXPECT_EQ(EncodeModifiedUtf7(pair.utf8).value(), pair.mutf7) << pair.mutf7;
    absl::StatusOr<std::string> decoded = DecodeModifiedUtf7(pair.mutf7);
    ASSERT_TRUE(decoded.ok()) << pair.mutf7;
    EXPECT_EQ(*decoded, pair.utf8) << pair.mutf7;
  }
}

TEST(ModifiedUtf7Test, DecodingIsStrict) {
  for (const char* bad : {
           "&Jjo!",                // RFC 3501: no shift back to US-ASCII
           "&U,BTFw-&ZeVnLIqe-",   // RFC 3501: two shifted sequences side by side
           "&",                    // unterminated
           "&U,BTFw",              // unterminated
           "&AGE-",                // "a" must be written directly
           "&ACY-",                // "&" must be written "&-"
           "&AMQ-x&-&AMQ=-",       // "=" is not modified base64
           "&AMQ/-",               // "/" is "," in modified base64
           "&AMR-",                // non-zero padding bits
           "&AMQA-",               // a spare base64 character
           "&2D0-",                // a lone high surrogate
           "&3gA-",                // a lone low surrogate
           "&2D3YPQ-",             // high surrogate followed by a high one
           "a\x80",                // 8-bit
           "a\tb",                 // control
           "\xc3\xa4",             // raw UTF-8 is not modified UTF-7
       }) {
    EXPECT_FALSE(DecodeModifiedUtf7(bad).ok()) << bad;
  }
}

TEST(ModifiedUtf7Test, EncodeRejectsInvalidUtf8) {
  EXPECT_FALSE(EncodeModifiedUtf7("\xc3").ok());
  EXPECT_FALSE(EncodeModifiedUtf7("\xed\xa0\x80").ok());  // a surrogate in UTF-8
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong "/"
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));          // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // 5 bytes
  EXPECT_FALSE(IsValidUtf8("\xc3"));                  // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));                  // lone continuation
}

TEST(MailboxNameTest, Utf8Names) {
  EXPECT_TRUE(CheckUtf8MailboxName("Entw\xc3\xbcrfe").ok());
  EXPECT_FALSE(CheckUtf8MailboxName("").ok());
  EXPECT_FALSE(CheckUtf8MailboxName("a\x01").ok());
  EXPECT_FALSE(CheckUtf8MailboxName("a\xc2\x85").ok());  // U+0085, a C1 control
  EXPECT_FALSE(CheckUtf8MailboxName("\xff").ok());
}

TEST(MailboxNameTest, FromAndToWire) {
  EXPECT_EQ(MailboxNameFromWire("inbox", false).value(), "INBOX");
  EXPECT_EQ(MailboxNameFromWire("InBoX", true).value(), "INBOX");
  EXPECT_EQ(MailboxNameFromWire("INBOX/a", false).value(), "INBOX/a");
  EXPECT_EQ(MailboxNameFromWire("Entw&APw-rfe", false).value(), "Entw\xc3\xbcrfe");
  // A UTF-8 client means what it sends: "&" is just "&".
  EXPECT_EQ(MailboxNameFromWire("Entw&APw-rfe", true).value(), "Entw&APw-rfe");
  EXPECT_EQ(MailboxNameFromWire("Entw\xc3\xbcrfe", true).value(), "Entw\xc3\xbcrfe");
  EXPECT_FALSE(MailboxNameFromWire("Entw\xc3\xbcrfe", false).ok());
  EXPECT_FALSE(MailboxNameFromWire("&Jjo!", false).ok());
  EXPECT_FALSE(MailboxNameFromWire("", false).ok());
  EXPECT_FALSE(MailboxNameFromWire("&AAE-", false).ok());  // U+0001
  EXPECT_EQ(MailboxNameToWire("Entw\xc3\xbcrfe", false).value(), "Entw&APw-rfe");
  EXPECT_EQ(MailboxNameToWire("Entw\xc3\xbcrfe", true).value(), "Entw\xc3\xbcrfe");
  EXPECT_FALSE(MailboxNameToWire("\xff", true).ok());
}

}  // namespace
}  // namespace kurier::imap
