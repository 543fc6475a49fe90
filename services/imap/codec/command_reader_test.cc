#include "services/imap/codec/command_reader.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/imap/codec/test_util.h"

namespace kurier::imap {
namespace {

using testing::Chunkings;
using testing::DescribeChunking;
using testing::ReadEvents;
using testing::ReadTestdata;
using testing::Unescape;

using Options = CommandReader::Options;
using namespace std::string_literals;  // NOLINT

// The same events whatever the chunking (whole, cut in two at every
// position, one byte at a time, cut around every CR).
void ExpectEvents(absl::string_view input, const std::string& expected, const Options& options = Options()) {
  for (const std::vector<std::string>& chunks : Chunkings(input)) {
    ASSERT_EQ(ReadEvents(chunks, options), expected) << DescribeChunking(chunks);
  }
}

// Golden: testdata/<name>.in (client lines) -> testdata/<name>.ref.
void ExpectGolden(absl::string_view name) {
  std::string stream;
  for (absl::string_view line : absl::StrSplit(ReadTestdata(absl::StrCat(std::string(name), ".in")), '\n')) {
    if (line.empty() || line.front() == '#') continue;
    absl::StrAppend(&stream, line == "\\e" ? "" : Unescape(line), "\r\n");
  }
  const std::string ref_name = absl::StrCat(std::string(name), ".ref");
  const std::string actual = ReadEvents({stream}, Options());
  EXPECT_EQ(actual, ReadTestdata(ref_name));
  if (actual != ReadTestdata(ref_name)) testing::WriteActual(ref_name, actual);
  ExpectEvents(stream, actual);
}

TEST(CommandReaderGoldenTest, Rfc9051Examples) { ExpectGolden("rfc9051_commands"); }
TEST(CommandReaderGoldenTest, Rfc3501Examples) { ExpectGolden("rfc3501_commands"); }
TEST(CommandReaderGoldenTest, EdgeCasesAndBadInput) { ExpectGolden("edge_commands"); }

TEST(CommandReaderTest, SimpleCommand) {
  ExpectEvents("A1 NOOP\r\n", "C A1 NOOP\n");
  ExpectEvents("A1 NOOP\n", "C A1 NOOP\n");  // a bare LF ends a line too
}

TEST(CommandReaderTest, IncompleteCommandWaits) {
  CommandReader reader;
  Command command;
  ReadError error;
  reader.Feed("A023 LO");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  reader.Feed("GOUT\r");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  EXPECT_EQ(reader.buffered_bytes(), 12u);
  reader.Feed("\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  EXPECT_EQ(command.tag, "A023");
  EXPECT_EQ(command.name, "LOGOUT");
  EXPECT_FALSE(command.uid);
  EXPECT_TRUE(command.args.empty());
  EXPECT_EQ(reader.buffered_bytes(), 0u);
  EXPECT_TRUE(reader.at_command_start());
}

TEST(CommandReaderTest, ArgumentTree) {
  CommandReader reader;
  Command command;
  ReadError error;
  reader.Feed("x UID STORE 1:* +FLAGS (\\Seen \"a b\" NIL (c)) {3+}\r\nabc\r\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  EXPECT_TRUE(command.uid);
  EXPECT_EQ(command.name, "STORE");
  ASSERT_EQ(command.args.size(), 4u);
  EXPECT_TRUE(command.args[0].is_atom());
  EXPECT_EQ(command.args[0].value, "1:*");
  ASSERT_TRUE(command.args[2].is_list());
  ASSERT_EQ(command.args[2].list.size(), 4u);
  EXPECT_EQ(command.args[2].list[0].value, "\\Seen");
  EXPECT_TRUE(command.args[2].list[1].is_string());
  EXPECT_FALSE(command.args[2].list[1].literal);
  EXPECT_EQ(command.args[2].list[1].value, "a b");
  EXPECT_TRUE(command.args[2].list[2].is_nil());
  EXPECT_TRUE(command.args[2].list[3].is_list());
  EXPECT_TRUE(command.args[3].is_string());
  EXPECT_TRUE(command.args[3].literal);
  EXPECT_FALSE(command.args[3].literal8);
  EXPECT_EQ(command.args[3].value, "abc");
}

TEST(CommandReaderTest, SynchronizingLiteralAsksForContinuation) {
  ExpectEvents("A1 LOGIN {3}\r\nbob {6}\r\nsecret\r\nA2 NOOP\r\n",
               "+\n+\nC A1 LOGIN {3}\"bob\" {6}\"secret\"\n"
               "C A2 NOOP\n");
  // No continuation before the whole announcing line is there.
  CommandReader reader;
  Command command;
  ReadError error;
  reader.Feed("A1 LOGIN {3}\r");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  reader.Feed("\n");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kContinuation);
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  EXPECT_FALSE(reader.at_command_start());
  reader.Feed("bo");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  reader.Feed("b pass\r\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  ASSERT_EQ(command.args.size(), 2u);
  EXPECT_EQ(command.args[0].value, "bob");
  EXPECT_EQ(command.args[1].value, "pass");
}

TEST(CommandReaderTest, LiteralDataIsNotParsed) {
  // CRLF, parentheses, quotes and braces inside a literal are data.
  ExpectEvents("A1 APPEND x {11+}\r\n)\r\n\"{3}\r\n(\"\r\n", "C A1 APPEND x {11}\")\\r\\n\"{3}\\r\\n(\"\"\n");
}

TEST(CommandReaderTest, NonSynchronizingLiterals) {
  ExpectEvents("A1 LOGIN {3+}\r\nbob {0+}\r\n\r\n", "C A1 LOGIN {3}\"bob\" {0}\"\"\n");
  Options minus;
  minus.non_sync = CommandReader::NonSyncLiterals::kLiteralMinus;
  ExpectEvents(absl::StrCat("A1 APPEND x {4096+}\r\n", std::string(4096, 'm'), "\r\n"),
               absl::StrCat("C A1 APPEND x {4096}\"", std::string(4096, 'm'), "\"\n"), minus);
  // RFC 7888: over 4096 under LITERAL- is refused, its data skipped.
  ExpectEvents(absl::StrCat("A1 APPEND x {4097+}\r\n", std::string(4097, 'm'), " {2+}\r\nzz\r\nA2 NOOP\r\n"),
               "E literal-too-big A1: Non-synchronizing literal too big\nC A2 NOOP\n", minus);
  Options none;
  none.non_sync = CommandReader::NonSyncLiterals::kNone;
  ExpectEvents("A1 LOGIN {3+}\r\nbob x\r\nA2 NOOP\r\n",
               "E syntax A1: Non-synchronizing literals are not supported\nC A2 NOOP\n", none);
  // A synchronizing one is fine under LITERAL- whatever its size.
  ExpectEvents(absl::StrCat("A1 APPEND x {5000}\r\n", std::string(5000, 'm'), "\r\n"),
               absl::StrCat("+\nC A1 APPEND x {5000}\"", std::string(5000, 'm'), "\"\n"), minus);
}

TEST(CommandReaderTest, Literal8MayHoldNul) {
  ExpectEvents("A1 APPEND x ~{3}\r\na\0b\r\n"s, "+\nC A1 APPEND x ~{3}\"a\\0b\"\n");
  ExpectEvents("A1 APPEND x {3}\r\na\0b\r\nA2 NOOP\r\n"s,
               "+\nE syntax A1: NUL in a literal (only literal8 may hold NUL)\nC A2 NOOP\n");
}

TEST(CommandReaderTest, AppendUtf8AndMultiappend) {
  // RFC 6855 section 4: a literal8 inside "UTF8 (...)", synchronizing or not.
  ExpectEvents("A1 APPEND x UTF8 (~{3}\r\nabc)\r\n", "+\nC A1 APPEND x UTF8 (~{3}\"abc\")\n");
  ExpectEvents("A1 APPEND x (\\Seen) UTF8 (~{2+}\r\nab)\r\n", "C A1 APPEND x (\\\\Seen) UTF8 (~{2}\"ab\")\n");
  // RFC 3502: several messages, each literal read like the first.
  ExpectEvents("A1 APPEND x (\\Seen) {2}\r\nab (\\Draft) \"1-Jan-2026 10:00:00 +0000\" {1}\r\nc UTF8 (~{1+}\r\nd)\r\n",
               "+\n+\nC A1 APPEND x (\\\\Seen) {2}\"ab\" (\\\\Draft) \"1-Jan-2026 10:00:00 +0000\" {1}\"c\" UTF8 "
               "(~{1}\"d\")\n");
}

TEST(CommandReaderTest, TooBigLiteralIsRefusedBeforeItIsRead) {
  Options options;
  options.max_literal_bytes = 10;
  // Synchronizing: no continuation; the client sends nothing more for it.
  ExpectEvents("A1 APPEND x {11}\r\nA2 NOOP\r\n", "E literal-too-big A1: Literal too big\nC A2 NOOP\n", options);
  // Non-synchronizing: its data and the rest of its command are skipped.
  ExpectEvents("A1 APPEND x {11+}\r\n0123456789A (x) {1+}\r\nz\r\nA2 NOOP\r\n",
               "E literal-too-big A1: Literal too big\nC A2 NOOP\n", options);
  ExpectEvents("A1 APPEND x {10+}\r\n0123456789\r\n", "C A1 APPEND x {10}\"0123456789\"\n", options);
  // Absurd sizes are too big, not an overflow.
  ExpectEvents("A1 APPEND x {99999999999999999999999}\r\nA2 NOOP\r\n",
               "E syntax A1: Invalid literal\nC A2 NOOP\n", options);
  ExpectEvents("A1 APPEND x {99999999999999999999}\r\nA2 NOOP\r\n",
               "E literal-too-big A1: Literal too big\nC A2 NOOP\n", options);
  // All literals of one command together.
  options.max_literal_bytes = 100;
  options.max_total_literal_bytes = 8;
  ExpectEvents("A1 APPEND {5+}\r\n12345 {4+}\r\n1234\r\nA2 APPEND {5+}\r\n12345 {3+}\r\n123\r\n",
               "E literal-too-big A1: Literal too big\nC A2 APPEND {5}\"12345\" {3}\"123\"\n", options);
}

TEST(CommandReaderTest, LiteralsOfOtherCommandsCountAsCommandText) {
  Options options;
  options.max_line_bytes = 30;
  // "A1 LOGIN {10}\r\n" (15) + 10 + "\r\n" (2) = 27.
  ExpectEvents("A1 LOGIN {10}\r\n0123456789\r\n", "+\nC A1 LOGIN {10}\"0123456789\"\n", options);
  ExpectEvents("A1 LOGIN {16}\r\nA2 NOOP\r\n", "E literal-too-big A1: Literal too big\nC A2 NOOP\n", options);
  ExpectEvents("A1 LOGIN {10}\r\n0123456789 abcd\r\nA2 NOOP\r\n",
               "+\nE line-too-long A1: Command line too long\nC A2 NOOP\n", options);
  // Not so for APPEND.
  ExpectEvents(absl::StrCat("A1 APPEND x {100}\r\n", std::string(100, 'm'), "\r\n"),
               absl::StrCat("+\nC A1 APPEND x {100}\"", std::string(100, 'm'), "\"\n"), options);
  options.message_commands = {};
  ExpectEvents("A1 APPEND x {100}\r\nA2 NOOP\r\n", "E literal-too-big A1: Literal too big\nC A2 NOOP\n", options);
}

TEST(CommandReaderTest, TooBigLiteralDoesNotAllocate) {
  CommandReader reader;  // 50 MiB limit
  Command command;
  ReadError error;
  reader.Feed("A1 APPEND x {52428801}\r\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kError);
  EXPECT_EQ(error.kind, ReadError::Kind::kLiteralTooBig);
  EXPECT_EQ(error.tag, "A1");
  EXPECT_EQ(reader.command_bytes(), 0u);
  EXPECT_TRUE(reader.at_command_start());
  // A huge non-synchronizing one is skipped as it arrives.
  reader.Feed("A2 APPEND x {52428801+}\r\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kError);
  const std::string mib(1 << 20, 'x');
  for (int i = 0; i < 50; ++i) {
    reader.Feed(mib);
    EXPECT_EQ(reader.buffered_bytes(), 0u);
    EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  }
  reader.Feed("y\r\nA3 NOOP\r\n");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  EXPECT_EQ(command.tag, "A3");
}

TEST(CommandReaderTest, LongLinesAreDroppedAsTheyArrive) {
  Options options;
  options.max_line_bytes = 20;
  ExpectEvents("A1 LOGIN aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nA2 NOOP\r\n",
               "E line-too-long A1: Command line too long\nC A2 NOOP\n", options);
  // The tag is known only when it lies within the limit.
  ExpectEvents(absl::StrCat(std::string(30, 'T'), " NOOP\r\nA2 NOOP\r\n"),
               "E line-too-long *: Command line too long\nC A2 NOOP\n", options);
  // Exactly at the limit (line end included) is fine.
  ExpectEvents("A1 LOGIN aaaaaaaaa\r\n", "C A1 LOGIN aaaaaaaaa\n", options);
  ExpectEvents("A1 LOGIN aaaaaaaaaa\r\n", "E line-too-long A1: Command line too long\n", options);
  // The limit counts all lines of one command, not APPEND's literal data.
  ExpectEvents("A1 APPEND {9+}\r\nabcdefghi a\r\n", "C A1 APPEND {9}\"abcdefghi\" a\n", options);
  ExpectEvents("A1 APPEND {3+}\r\nabc abcdef\r\nA2 NOOP\r\n",
               "E line-too-long A1: Command line too long\nC A2 NOOP\n", options);
  // A non-synchronizing literal announced at the end of a dropped line is
  // skipped too, so its data is never read as commands.
  ExpectEvents("A1 LOGIN aaaaaaaaaaaaaaaaaaaaaaaaaa {8+}\r\nA9 NOOP\r\nA2 NOOP\r\n",
               "E line-too-long A1: Command line too long\nC A2 NOOP\n", options);

  // An endless line costs no memory.
  CommandReader reader(options);
  Command command;
  ReadError error;
  reader.Feed("A1 X ");
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  reader.Feed(std::string(100, 'a'));
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kError);
  for (int i = 0; i < 1000; ++i) {
    reader.Feed(std::string(1000, 'a'));
    EXPECT_EQ(reader.buffered_bytes(), 0u);
    EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kNeedMore);
  }
}

TEST(CommandReaderTest, DepthAndArgumentLimits) {
  Options options;
  options.max_depth = 3;
  options.max_args = 6;
  ExpectEvents("A1 X (((a)))\r\n", "C A1 X (((a)))\n", options);
  ExpectEvents("A1 X ((((a))))\r\nA2 NOOP\r\n", "E syntax A1: Lists nested too deeply\nC A2 NOOP\n", options);
  ExpectEvents("A1 X BODY[((((a))))]\r\n", "E syntax A1: Lists nested too deeply\n", options);
  ExpectEvents("A1 X a b c (d e)\r\n", "C A1 X a b c (d e)\n", options);
  ExpectEvents("A1 X a b c d e f g\r\nA2 NOOP\r\n", "E syntax A1: Too many arguments\nC A2 NOOP\n", options);
}

TEST(CommandReaderTest, RawLinesForIdleAndAuthenticate) {
  CommandReader reader;
  Command command;
  ReadError error;
  std::string line;
  reader.Feed("A1 IDLE\r\nDON");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  EXPECT_EQ(reader.NextLine(&line), CommandReader::LineResult::kNeedMore);
  reader.Feed("E\r\n(not a command\r\nA2 NOOP\r\n");
  ASSERT_EQ(reader.NextLine(&line), CommandReader::LineResult::kLine);
  EXPECT_EQ(line, "DONE");
  ASSERT_EQ(reader.NextLine(&line), CommandReader::LineResult::kLine);
  EXPECT_EQ(line, "(not a command");
  ASSERT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand);
  EXPECT_EQ(command.tag, "A2");

  // Too long: reported once, dropped through its LF; a literal-looking end
  // means nothing in a raw line.
  Options options;
  options.max_line_bytes = 8;
  CommandReader small(options);
  small.Feed("0123456789");
  EXPECT_EQ(small.NextLine(&line), CommandReader::LineResult::kTooLong);
  small.Feed("abc {2+}\r\n*\r\n");
  EXPECT_EQ(small.buffered_bytes(), 3u);
  ASSERT_EQ(small.NextLine(&line), CommandReader::LineResult::kLine);
  EXPECT_EQ(line, "*");
}

TEST(CommandReaderTest, TenThousandPipelinedCommands) {
  std::string input;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    absl::StrAppend(&input, "a", i, " UID FETCH ", i + 1, ":* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])\r\n");
    absl::StrAppend(&expected, "C a", i, " UID FETCH ", i + 1, ":* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])\n");
    if (i % 1000 == 0) {
      absl::StrAppend(&input, "b", i, " APPEND x {2}\r\nhi {1+}\r\n!\r\n");
      absl::StrAppend(&expected, "+\nC b", i, " APPEND x {2}\"hi\" {1}\"!\"\n");
    }
  }
  EXPECT_EQ(ReadEvents({input}, Options()), expected);
  std::vector<std::string> bytes;
  for (char c : input) bytes.emplace_back(1, c);
  EXPECT_EQ(ReadEvents(bytes, Options()), expected);
  std::vector<std::string> chunks;
  for (size_t i = 0; i < input.size(); i += 4096) chunks.push_back(input.substr(i, 4096));
  EXPECT_EQ(ReadEvents(chunks, Options()), expected);
}

}  // namespace
}  // namespace kurier::imap
