#include "services/imap/codec/response_writer.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap {
namespace {

using namespace std::string_literals;  // NOLINT

template <typename F>
std::string Write(F f) {
  std::string out;
  f(&out);
  return out;
}

TEST(ResponseWriterTest, StatusResponses) {
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A003", Condition::kOk, "APPENDUID 38505 3955", "APPEND completed"); }),
            "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A1", Condition::kNo, "TRYCREATE", "No such mailbox"); }),
            "A1 NO [TRYCREATE] No such mailbox\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A1", Condition::kBad, "", "Syntax error"); }),
            "A1 BAD Syntax error\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "", Condition::kBad, "", "Invalid tag"); }),
            "* BAD Invalid tag\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A1", Condition::kOk, "", ""); }), "A1 OK\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendUntaggedStatus(o, Condition::kOk, "", "IMAP4rev2 server ready"); }),
            "* OK IMAP4rev2 server ready\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendUntaggedStatus(o, Condition::kBye, "", "Logging out"); }),
            "* BYE Logging out\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendUntaggedStatus(o, Condition::kPreauth, "", "Hi"); }), "* PREAUTH Hi\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendUntagged(o, "23 EXISTS"); }), "* 23 EXISTS\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendContinuation(o, "Ready for literal data"); }), "+ Ready for literal data\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendContinuation(o, ""); }), "+ \r\n");
}

TEST(ResponseWriterTest, TextCannotBreakTheResponse) {
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A1", Condition::kOk, "X]\r\n", "a\r\n* BYE\0b"s); }),
            "A1 OK [X   ] a  * BYE b\r\n");
  // A text starting with "[" cannot pose as a response code.
  EXPECT_EQ(Write([](std::string* o) { AppendTagged(o, "A1", Condition::kOk, "", "[READ-ONLY] x"); }),
            "A1 OK  [READ-ONLY] x\r\n");
  // Invalid UTF-8 in a text becomes "?"; valid UTF-8 stays.
  EXPECT_EQ(Write([](std::string* o) { AppendUntagged(o, "a\xff"); }), "* a?\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendUntagged(o, "\xc3\xa4"); }), "* \xc3\xa4\r\n");
  EXPECT_EQ(Write([](std::string* o) { AppendContinuation(o, "x\ny"); }), "+ x y\r\n");
}

TEST(ResponseWriterTest, Strings) {
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "abc"); }), "\"abc\"");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, ""); }), "\"\"");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "a\"b\\c"); }), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "a\r\nb"); }), "{4}\r\na\r\nb");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "\xc3\xa4"); }), "{2}\r\n\xc3\xa4");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "\xc3\xa4", true); }), "\"\xc3\xa4\"");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "\xff", true); }), "{1}\r\n\xff");
  EXPECT_EQ(Write([](std::string* o) { AppendString(o, "a\0b"s); }), "{3}\r\na\x80" "b");
  const std::string long_value(kMaxQuotedBytes + 1, 'x');
  EXPECT_EQ(Write([&](std::string* o) { AppendString(o, long_value); }), absl::StrCat("{1025}\r\n", long_value));
  EXPECT_EQ(Write([](std::string* o) { AppendLiteral8(o, "a\0b"s); }), "~{3}\r\na\0b"s);
  EXPECT_EQ(Write([](std::string* o) { AppendLiteral(o, "xy"); }), "{2}\r\nxy");
}

TEST(ResponseWriterTest, AStringsNStringsAndLists) {
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, "INBOX"); }), "INBOX");
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, "[Gmail]/Sent"); }), "\"[Gmail]/Sent\"");
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, "a b"); }), "\"a b\"");
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, ""); }), "\"\"");
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, "nil"); }), "\"nil\"");
  EXPECT_EQ(Write([](std::string* o) { AppendAString(o, "a*"); }), "\"a*\"");
  EXPECT_EQ(Write([](std::string* o) { AppendNString(o, std::nullopt); }), "NIL");
  EXPECT_EQ(Write([](std::string* o) { AppendNString(o, "NIL"); }), "\"NIL\"");
  EXPECT_EQ(Write([](std::string* o) { AppendFlagList(o, {"\\Seen", "\\*", "$Junk", "bad flag", "\\"}); }),
            "(\\Seen \\* $Junk \"bad flag\" \"\\\\\")");
  EXPECT_EQ(Write([](std::string* o) { AppendFlagList(o, {}); }), "()");
}

TEST(ResponseWriterTest, MailboxNames) {
  const std::string name = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  EXPECT_EQ(Write([&](std::string* o) { ASSERT_TRUE(AppendMailbox(o, name, false).ok()); }),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(Write([&](std::string* o) { ASSERT_TRUE(AppendMailbox(o, name, true).ok()); }),
            absl::StrCat("\"", name, "\""));
  EXPECT_EQ(Write([](std::string* o) { ASSERT_TRUE(AppendMailbox(o, "Sent Items", false).ok()); }),
            "\"Sent Items\"");
  std::string out;
  EXPECT_FALSE(AppendMailbox(&out, "\xff", false).ok());
  EXPECT_EQ(out, "");
}

// What the writer writes as an astring or string, the reader reads back to
// the same bytes.
TEST(ResponseWriterTest, RoundTripsThroughTheReader) {
  const std::vector<std::string> values = {
      "", "a", "NIL", "a b", "\"", "\\", "(", ")", "{3}", "~{3}", "\r\n", "a\rb", "\xc3\xa4", "\xff\xfe",
      std::string(2000, 'q'), "\t", "]", "[", "BODY[", "*", "%", "\\Seen",
  };
  for (bool utf8 : {false, true}) {
    for (const std::string& value : values) {
      for (int as_astring = 0; as_astring < 2; ++as_astring) {
        std::string out = "T1 X ";
        if (as_astring) {
          AppendAString(&out, value, utf8);
        } else {
          AppendString(&out, value, utf8);
        }
        out += "\r\n";
        CommandReader reader;
        reader.Feed(out);
        Command command;
        ReadError error;
        CommandReader::Result result = reader.Next(&command, &error);
        if (result == CommandReader::Result::kContinuation) result = reader.Next(&command, &error);
        ASSERT_EQ(result, CommandReader::Result::kCommand) << out << error.message;
        ASSERT_EQ(command.args.size(), 1u) << out;
        EXPECT_TRUE(command.args[0].is_astring());
        EXPECT_EQ(command.args[0].value, value) << out;
        EXPECT_EQ(command.args[0].is_atom(), as_astring && out == absl::StrCat("T1 X ", value, "\r\n"));
      }
    }
  }
}

}  // namespace
}  // namespace kurier::imap
