// ParseListCommand / ParseLsubCommand: the command forms of RFC 9051 6.3.9,
// RFC 5258, RFC 6154 and RFC 5819, read through the real codec, and bad
// input.
#include "services/imap/mailboxes/list_command.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/imap/mailboxes/mailboxes_test_util.h"

namespace kurier::imap {
namespace {

using testing::ReadCommand;

absl::StatusOr<ListCommand> Parse(absl::string_view line, bool utf8 = false) {
  Command command;
  if (!ReadCommand(line, &command)) return absl::InternalError("codec refused");
  if (command.name == "LSUB") return ParseLsubCommand(command.args, utf8);
  EXPECT_EQ(command.name, "LIST");
  return ParseListCommand(command.args, utf8);
}

ListCommand Parsed(absl::string_view line, bool utf8 = false) {
  absl::StatusOr<ListCommand> command = Parse(line, utf8);
  EXPECT_TRUE(command.ok()) << line << ": " << command.status();
  return command.ok() ? *command : ListCommand();
}

TEST(ListCommandTest, BasicList) {
  const ListCommand c = Parsed("A1 LIST \"\" %");
  EXPECT_FALSE(c.lsub);
  EXPECT_FALSE(c.extended);
  EXPECT_EQ(c.reference, "");
  EXPECT_EQ(c.patterns, std::vector<std::string>{"%"});
  EXPECT_FALSE(c.root_request);
  EXPECT_FALSE(c.select.subscribed || c.select.remote || c.select.recursive_match || c.select.special_use);
  EXPECT_FALSE(c.ret.subscribed || c.ret.children || c.ret.special_use || c.ret.status);

  const ListCommand quoted = Parsed("A202 LIST ~/Mail/ \"%\"");
  EXPECT_EQ(quoted.reference, "~/Mail/");
  EXPECT_EQ(quoted.patterns, std::vector<std::string>{"%"});
}

TEST(ListCommandTest, EmptyPatternAsksForTheRoot) {
  EXPECT_TRUE(Parsed("A101 LIST \"\" \"\"").root_request);
  EXPECT_TRUE(Parsed("A103 LIST /usr/staff/jones \"\"").root_request);
  EXPECT_TRUE(Parsed("A1 LIST () \"\" \"\" RETURN (CHILDREN)").root_request);
  // In a pattern list it is only a pattern; LSUB has no such request.
  EXPECT_FALSE(Parsed("A1 LIST \"\" (\"\")").root_request);
  EXPECT_FALSE(Parsed("A1 LSUB \"\" \"\"").root_request);
}

TEST(ListCommandTest, SelectionOptions) {
  const ListCommand c = Parsed("A1 LIST (subscribed Remote RECURSIVEMATCH special-use) \"\" *");
  EXPECT_TRUE(c.extended);
  EXPECT_TRUE(c.select.subscribed);
  EXPECT_TRUE(c.select.remote);
  EXPECT_TRUE(c.select.recursive_match);
  EXPECT_TRUE(c.select.special_use);
  // The selection options imply their return options.
  EXPECT_TRUE(c.ret.subscribed);
  EXPECT_TRUE(c.ret.special_use);
  EXPECT_FALSE(c.ret.children);

  const ListCommand empty = Parsed("A03 LIST () \"\" \"%\" RETURN (CHILDREN)");
  EXPECT_TRUE(empty.extended);
  EXPECT_TRUE(empty.ret.children);
  EXPECT_FALSE(empty.select.subscribed);

  // RFC 5258 3: an option given twice is as if given once.
  EXPECT_TRUE(Parsed("A1 LIST (SUBSCRIBED SUBSCRIBED) \"\" *").select.subscribed);
  EXPECT_TRUE(Parsed("A1 LIST (REMOTE) \"\" *").select.remote);
}

TEST(ListCommandTest, RecursiveMatchNeedsAnotherOption) {
  EXPECT_TRUE(Parsed("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"").select.recursive_match);
  EXPECT_TRUE(Parsed("A1 LIST (RECURSIVEMATCH SPECIAL-USE) \"\" *").select.recursive_match);
  EXPECT_TRUE(Parsed("A1 LIST (REMOTE RECURSIVEMATCH SUBSCRIBED) \"\" *").select.recursive_match);
  for (const char* line : {"A1 LIST (RECURSIVEMATCH) \"\" *", "A1 LIST (REMOTE RECURSIVEMATCH) \"\" *"}) {
    absl::StatusOr<ListCommand> c = Parse(line);
    ASSERT_FALSE(c.ok()) << line;
    EXPECT_EQ(c.status().message(), "RECURSIVEMATCH needs another selection option");
  }
}

TEST(ListCommandTest, ReturnOptions) {
  const ListCommand c = Parsed("A1 LIST \"\" % RETURN (SUBSCRIBED children SPECIAL-USE)");
  EXPECT_TRUE(c.extended);
  EXPECT_TRUE(c.ret.subscribed);
  EXPECT_TRUE(c.ret.children);
  EXPECT_TRUE(c.ret.special_use);
  EXPECT_FALSE(c.ret.status);
  EXPECT_TRUE(Parsed("A1 LIST \"\" % RETURN ()").extended);
}

// RFC 5819 section 2's commands.
TEST(ListCommandTest, ReturnStatus) {
  const ListCommand c = Parsed("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))");
  EXPECT_TRUE(c.ret.status);
  EXPECT_EQ(c.ret.status_items, (std::vector<StatusItem>{StatusItem::kMessages, StatusItem::kUnseen}));

  const ListCommand sub = Parsed("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (CHILDREN STATUS (MESSAGES))");
  EXPECT_TRUE(sub.ret.children);
  EXPECT_EQ(sub.ret.status_items, std::vector<StatusItem>{StatusItem::kMessages});

  // STATUS twice: once, with the items of both.
  const ListCommand twice = Parsed("A1 LIST \"\" % RETURN (STATUS (SIZE) STATUS (MESSAGES SIZE))");
  EXPECT_EQ(twice.ret.status_items, (std::vector<StatusItem>{StatusItem::kSize, StatusItem::kMessages}));
}

TEST(ListCommandTest, PatternLists) {
  // RFC 5258 example 7.
  const ListCommand c = Parsed("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")");
  EXPECT_TRUE(c.extended);
  EXPECT_EQ(c.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%"}));
  EXPECT_EQ(Parsed("a3.1 LIST \"\" (% music/rock)").patterns, (std::vector<std::string>{"%", "music/rock"}));
}

TEST(ListCommandTest, NamesAreDecoded) {
  // Modified UTF-7 for rev1 clients.
  const ListCommand utf7 = Parsed("A1 LIST Entw&APw-rfe/ &ZeVnLIqe-*");
  EXPECT_EQ(utf7.reference, "Entw\xc3\xbcrfe/");
  EXPECT_EQ(utf7.patterns, std::vector<std::string>{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e*"});
  // UTF-8 for IMAP4rev2 / UTF8=ACCEPT.
  const ListCommand utf8 = Parsed("A1 LIST \"Entw\xc3\xbcrfe/\" \"\xe6\x97\xa5*\"", true);
  EXPECT_EQ(utf8.reference, "Entw\xc3\xbcrfe/");
  EXPECT_EQ(utf8.patterns, std::vector<std::string>{"\xe6\x97\xa5*"});
  // In UTF-8 mode "&" is itself.
  EXPECT_EQ(Parsed("A1 LIST \"\" a&b", true).patterns, std::vector<std::string>{"a&b"});
  EXPECT_EQ(Parsed("A1 LIST \"\" a&-b").patterns, std::vector<std::string>{"a&b"});
  // A literal pattern.
  EXPECT_EQ(Parsed("A1 LIST \"\" {3}\r\nab%").patterns, std::vector<std::string>{"ab%"});
  // NIL is a name here.
  EXPECT_EQ(Parsed("A1 LIST \"\" NIL").patterns, std::vector<std::string>{"NIL"});
}

TEST(ListCommandTest, Lsub) {
  const ListCommand c = Parsed("A002 LSUB \"#news.\" \"comp.mail.*\"");
  EXPECT_TRUE(c.lsub);
  EXPECT_FALSE(c.extended);
  EXPECT_EQ(c.reference, "#news.");
  EXPECT_EQ(c.patterns, std::vector<std::string>{"comp.mail.*"});
}

TEST(ListCommandTest, BadArguments) {
  for (const char* line : {
           "A1 LIST",
           "A1 LIST \"\"",
           "A1 LIST ()",
           "A1 LIST () \"\"",
           "A1 LIST (FOO) \"\" *",             // unknown selection option
           "A1 LIST (\"SUBSCRIBED\") \"\" *",  // options are atoms
           "A1 LIST ((SUBSCRIBED)) \"\" *",
           "A1 LIST \"\" * RETURN (FOO)",     // unknown return option
           "A1 LIST \"\" * RETURN (STATUS)",  // STATUS without items
           "A1 LIST \"\" * RETURN (STATUS ())",
           "A1 LIST \"\" * RETURN (STATUS (FOO))",
           "A1 LIST \"\" * RETURN (STATUS MESSAGES)",
           "A1 LIST \"\" * RETURN",
           "A1 LIST \"\" * RETURN CHILDREN",
           "A1 LIST \"\" * RETURNS (CHILDREN)",
           "A1 LIST \"\" * RETURN (CHILDREN) x",
           "A1 LIST \"\" * x",
           "A1 LIST \"\" ()",  // empty pattern list
           "A1 LIST \"\" (a (b))",
           "A1 LIST (a) \"\" *",
           "A1 LIST (\"\") \"\" *",
           "A1 LIST \"\" &Jjo",  // bad modified UTF-7
           "A1 LIST &Jjo *",
           "A1 LIST \"\" \"\xc3\"",  // 8-bit in rev1
           "A1 LSUB \"\" (a b)",     // no pattern lists in LSUB
           "A1 LSUB \"\"",
           "A1 LSUB \"\" * x",
           "A1 LSUB (SUBSCRIBED) \"\" *",
       }) {
    absl::StatusOr<ListCommand> c = Parse(line);
    ASSERT_FALSE(c.ok()) << line;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << line << ": " << c.status();
    EXPECT_FALSE(c.status().message().empty());
    EXPECT_LT(c.status().message().size(), 64u);
  }
  // Invalid UTF-8, or a control character, from a UTF-8 client.
  EXPECT_FALSE(Parse("A1 LIST \"\" \"\xc3\"", true).ok());
  EXPECT_FALSE(Parse("A1 LIST \"\" {1}\r\n\x01", true).ok());
}

}  // namespace
}  // namespace kurier::imap
