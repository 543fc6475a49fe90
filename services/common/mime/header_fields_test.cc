#include "services/common/mime/header_fields.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace kurier::mime {
namespace {

std::string Show(const std::vector<v1::Address>& addresses) {
  std::string out;
  for (const v1::Address& a : addresses) {
    out += "(" + a.name() + "|" + a.adl() + "|" + a.mailbox() + "|" + a.host() + ")";
  }
  return out;
}

TEST(HeaderFieldReaderTest, FieldsWithFoldingAndOffsets) {
  const std::string message =
      "From: a@example.com\r\n"
      "Subject: hello\r\n"
      "\tworld\r\n"
      "Subject : second\n"
      "X-Empty:\r\n"
      "\r\n"
      "Body: not a field\r\n";
  std::vector<HeaderField> fields = HeaderFields(message);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].name, "From");
  EXPECT_EQ(fields[0].raw_value, " a@example.com");
  EXPECT_EQ(fields[0].offset, 0u);
  EXPECT_EQ(message.substr(fields[1].offset, fields[1].size), "Subject: hello\r\n\tworld\r\n");
  EXPECT_EQ(fields[1].raw_value, " hello\r\n\tworld");
  EXPECT_EQ(fields[2].name, "Subject");
  EXPECT_EQ(fields[2].raw_value, " second");
  EXPECT_EQ(fields[3].name, "X-Empty");
  EXPECT_EQ(fields[3].raw_value, "");
  EXPECT_EQ(UnfoldHeaderValue(fields[1].raw_value), "hello\tworld");

  HeaderFieldReader reader(message);
  HeaderField field;
  while (reader.Next(&field)) {
  }
  EXPECT_EQ(reader.body_offset(), message.find("Body:"));
  EXPECT_EQ(HeaderEnd(message), message.find("Body:"));
}

TEST(HeaderFieldReaderTest, SkipsLinesWithoutColonAndLeadingContinuations) {
  const std::string message = "  stray continuation\nFrom foo@bar Mon\nTo: x@y\n\n";
  std::vector<HeaderField> fields = HeaderFields(message);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "To");
  EXPECT_EQ(fields[0].raw_value, " x@y");
}

TEST(HeaderFieldReaderTest, FindIsCaseInsensitiveAndStopsAtBody) {
  const std::string message = "message-ID: <1@x>\r\n\r\nSubject: in body\r\n";
  std::optional<HeaderField> id = FindHeaderField(message, "Message-Id");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->raw_value, " <1@x>");
  EXPECT_FALSE(FindHeaderField(message, "subject").has_value());
}

TEST(HeaderEndTest, Shapes) {
  EXPECT_EQ(HeaderEnd(""), 0u);
  EXPECT_EQ(HeaderEnd("\r\nbody"), 2u);
  EXPECT_EQ(HeaderEnd("\nbody"), 1u);
  EXPECT_EQ(HeaderEnd("A: b\r\n"), 6u);  // no blank line: all header
  EXPECT_EQ(HeaderEnd("A: b\n\nc"), 6u);
  EXPECT_EQ(HeaderEnd("A: b\r\n\r"), 7u);  // a final lone CR ends the header too
}

TEST(DecodeEncodedWordsTest, Rfc2047Examples) {
  // RFC 2047 section 8.
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a?="), "a");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a?= b"), "a b");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a_b?="), "a b");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?="), "a b");
  EXPECT_EQ(DecodeEncodedWords("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"), "Keith Moore <moore@cs.utk.edu>");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?="), "Keld J\xC3\xB8rn Simonsen");
  EXPECT_EQ(DecodeEncodedWords("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?="), "If you can read this yo");
}

TEST(DecodeEncodedWordsTest, CharsetsAndLanguage) {
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?B?4oKs?="), "\xE2\x82\xAC");
  EXPECT_EQ(DecodeEncodedWords("=?windows-1252?Q?=80?="), "\xE2\x82\xAC");
  EXPECT_EQ(DecodeEncodedWords("=?US-ASCII*EN?Q?Keith?="), "Keith");
  EXPECT_EQ(DecodeEncodedWords("=?koi8-r?B?8NLJ18XU?="), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  // A UTF-8 character split between two words survives.
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?="), "\xE2\x82\xAC");
}

TEST(DecodeEncodedWordsTest, UndecodableStaysAsIs) {
  EXPECT_EQ(DecodeEncodedWords("=?x-unknown?Q?abc?="), "=?x-unknown?Q?abc?=");
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?B?!!!?="), "=?utf-8?B?!!!?=");
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?Q?=FF?="), "=?utf-8?Q?=FF?=");  // not UTF-8
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?Q?a b?="), "=?utf-8?Q?a b?=");
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(DecodeEncodedWords("a =? b ?= c"), "a =? b ?= c");
  EXPECT_EQ(DecodeEncodedWords("plain \xC3\xA9 text"), "plain \xC3\xA9 text");
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?Q?abc"), "=?utf-8?Q?abc");
  // Missing base64 padding is accepted.
  EXPECT_EQ(DecodeEncodedWords("=?utf-8?B?YWI?="), "ab");
}

TEST(DecodeRfc2231ValueTest, CharsetLanguageAndPercent) {
  EXPECT_EQ(DecodeRfc2231Value("utf-8'en'%E2%82%AC%20rates.pdf"), "\xE2\x82\xAC rates.pdf");
  EXPECT_EQ(DecodeRfc2231Value("iso-8859-1''caf%E9"), "caf\xC3\xA9");
  EXPECT_EQ(DecodeRfc2231Value("''a%20b"), "a b");
  EXPECT_EQ(DecodeRfc2231Value("no-quotes%21"), "no-quotes!");
  EXPECT_EQ(DecodeRfc2231Value("utf-8''100%"), "100%");
  EXPECT_EQ(DecodeRfc2231Value("utf-8''%zz%4"), "%zz%4");
  EXPECT_EQ(DecodeRfc2231Value("one'quote%41"), "one'quoteA");
}

TEST(DecodeRfc2231ValueTest, UndecodableCharsetKeepsTheDecodedBytes) {
  EXPECT_EQ(DecodeRfc2231Value("x-unknown''%41%E9"), "A\xE9");
  EXPECT_EQ(DecodeRfc2231Value("utf-8''%FF%41"),
            "\xFF"
            "A");  // not UTF-8
  EXPECT_EQ(DecodeRfc2231Value("bad charset''%41"), "A");
}

TEST(SplitRfc2231CharsetTest, CharsetLanguageText) {
  absl::string_view charset;
  absl::string_view text;
  EXPECT_TRUE(SplitRfc2231Charset("utf-8'en'a%20b", &charset, &text));
  EXPECT_EQ(charset, "utf-8");
  EXPECT_EQ(text, "a%20b");
  EXPECT_TRUE(SplitRfc2231Charset("''", &charset, &text));
  EXPECT_EQ(charset, "");
  EXPECT_EQ(text, "");
  EXPECT_FALSE(SplitRfc2231Charset("utf-8'a", &charset, &text));
  EXPECT_EQ(charset, "");
  EXPECT_EQ(text, "utf-8'a");
}

TEST(EncodeEncodedWordsTest, QWordsThatDecodeBack) {
  EXPECT_EQ(EncodeEncodedWords(""), "");
  EXPECT_EQ(EncodeEncodedWords("\xE2\x82\xAC rates \xC3\xBC"
                               "ber.txt"),
            "=?UTF-8?Q?=E2=82=AC_rates_=C3=BCber=2Etxt?=");
  EXPECT_EQ(EncodeEncodedWords("a\"b\\c=d?_"), "=?UTF-8?Q?a=22b=5Cc=3Dd=3F=5F?=");
  const std::string samples[] = {
      "\xE2\x82\xAC rates \xC3\xBC"
      "ber.txt",
      std::string(200, 'x'),
      // 3-byte characters (9 encoded bytes each) across many word ends.
      [] {
        std::string s;
        for (int i = 0; i < 60; ++i) s += "\xE2\x82\xAC";
        return s;
      }(),
  };
  for (const std::string& s : samples) {
    const std::string encoded = EncodeEncodedWords(s);
    EXPECT_EQ(DecodeEncodedWords(encoded), s);
    size_t words = 0;
    for (absl::string_view word : absl::StrSplit(encoded, ' ')) {
      ++words;
      EXPECT_LE(word.size(), 75u) << word;
      EXPECT_TRUE(absl::StartsWith(word, "=?UTF-8?Q?") && absl::EndsWith(word, "?=")) << word;
    }
    EXPECT_GT(words, s.size() > 60 ? 1u : 0u);
    for (char c : encoded) {
      EXPECT_TRUE((c >= 0x21 && c < 0x7F && c != '"' && c != '\\') || c == ' ') << encoded;
    }
  }
}

TEST(ParseAddressListTest, Rfc5322Appendix) {
  EXPECT_EQ(Show(ParseAddressList("John Doe <jdoe@machine.example>")), "(John Doe||jdoe|machine.example)");
  EXPECT_EQ(Show(ParseAddressList("Mary Smith <mary@example.net>, jdoe@example.org, Who? <one@y.test>")),
            "(Mary Smith||mary|example.net)(||jdoe|example.org)(Who?||one|y.test)");
  EXPECT_EQ(Show(ParseAddressList("\"Joe Q. Public\" <john.q.public@example.com>")),
            "(Joe Q. Public||john.q.public|example.com)");
  EXPECT_EQ(Show(ParseAddressList("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>")),
            "(||boss|nil.test)(Giant; \"Big\" Box||sysservices|example.net)");
  EXPECT_EQ(Show(ParseAddressList("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;")),
            "(||A Group|)(Ed Jones||c|a.test)(||joe|where.test)(John||jdoe|one.test)(|||)");
  EXPECT_EQ(Show(ParseAddressList("Undisclosed recipients:;")), "(||Undisclosed recipients|)(|||)");
  EXPECT_EQ(Show(ParseAddressList("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>")),
            "(Pete||pete|silly.test)");
  EXPECT_EQ(Show(ParseAddressList("Joe Q. Public <john.q.public@example.com>")),
            "(Joe Q. Public||john.q.public|example.com)");
  EXPECT_EQ(Show(ParseAddressList("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example")),
            "(Mary Smith|@node.test|mary|example.net)(||jdoe|test.example)");
  EXPECT_EQ(Show(ParseAddressList("John Doe <jdoe@machine(comment).  example>")),
            "(John Doe||jdoe|machine.example)");
  EXPECT_EQ(Show(ParseAddressList("<@a.test,@b.test:x@c.test>")), "(|@a.test,@b.test|x|c.test)");
}

TEST(ParseAddressListTest, RealWorldShapes) {
  EXPECT_EQ(Show(ParseAddressList("jdoe@example.org (John Doe)")), "(John Doe||jdoe|example.org)");
  EXPECT_EQ(Show(ParseAddressList("=?utf-8?Q?J=C3=B6rg?= <j@x.de>")), "(=?utf-8?Q?J=C3=B6rg?=||j|x.de)");
  EXPECT_EQ(Show(ParseAddressList("J\xC3\xB6rg <j@x.de>")), "(J\xC3\xB6rg||j|x.de)");
  EXPECT_EQ(Show(ParseAddressList("\"Doe, John\" <\"john doe\"@x.org>")), "(Doe, John||\"john doe\"|x.org)");
  EXPECT_EQ(Show(ParseAddressList("postmaster")), "(||postmaster|.MISSING-HOST-NAME.)");
  EXPECT_EQ(Show(ParseAddressList("<>")), "(||MISSING_MAILBOX|.MISSING-HOST-NAME.)");
  EXPECT_EQ(Show(ParseAddressList("a@[192.0.2.1]")), "(||a|[192.0.2.1])");
  EXPECT_EQ(Show(ParseAddressList("team: a@x")), "(||team|)(||a|x)(|||)");  // unterminated group
  EXPECT_EQ(Show(ParseAddressList("")), "");
  EXPECT_EQ(Show(ParseAddressList(" , ;, ")), "");
  EXPECT_EQ(Show(ParseAddressList("Name <a@b")), "(Name||a|b)");
  EXPECT_EQ(Show(ParseAddressList("\"unterminated <a@b>")), "(||\"unterminated <a@b>|.MISSING-HOST-NAME.)");
}

}  // namespace
}  // namespace kurier::mime
