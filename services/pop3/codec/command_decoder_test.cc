#include "services/pop3/codec/command_decoder.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/pop3/codec/test_util.h"

namespace kurier::pop3 {
namespace {

using testing::Chunkings;
using testing::DescribeChunking;
using testing::Escape;
using testing::ReadTestdata;
using testing::Unescape;

// Feeds the chunks one after another, taking every line after each; returns
// "L:<line>" per line and "TOO LONG" per over-long line, and checks the
// buffering bound on the way.
std::vector<std::string> DecodeLines(const std::vector<std::string>& chunks, size_t max) {
  LineDecoder decoder(max);
  std::vector<std::string> results;
  for (const std::string& chunk : chunks) {
    const size_t before = decoder.buffered_bytes();
    decoder.Feed(chunk);
    EXPECT_LE(decoder.buffered_bytes(), before + chunk.size());
    std::string line;
    for (;;) {
      const LineDecoder::Result result = decoder.Next(&line);
      if (result == LineDecoder::Result::kNeedMore) break;
      results.push_back(result == LineDecoder::Result::kLine ? "L:" + Escape(line) : "TOO LONG");
    }
    EXPECT_LT(decoder.buffered_bytes(), max);
  }
  return results;
}

// The same lines whatever the chunking.
void ExpectLines(absl::string_view input, size_t max, const std::vector<std::string>& expected) {
  for (const std::vector<std::string>& chunks : Chunkings(input)) {
    EXPECT_EQ(DecodeLines(chunks, max), expected) << DescribeChunking(chunks);
  }
}

TEST(LineDecoderTest, SplitsLinesAtCrlfAndBareLf) {
  ExpectLines("USER a\r\nPASS b c\nQUIT\r\n", 255, {"L:USER a", "L:PASS b c", "L:QUIT"});
}

TEST(LineDecoderTest, EmptyLinesAndLoneCarriageReturns) {
  // Only the CR right before LF belongs to the line end.
  ExpectLines("\r\n\nA\rB\r\n\r\r\nC", 255, {"L:", "L:", "L:A\\rB", "L:\\r"});
}

TEST(LineDecoderTest, IncompleteLineWaits) {
  LineDecoder decoder(255);
  std::string line;
  decoder.Feed("STA");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  decoder.Feed("T\r");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  EXPECT_EQ(decoder.buffered_bytes(), 5u);
  decoder.Feed("\n");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "STAT");
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
}

// RFC 2449 section 4: 255 octets including the CRLF.
TEST(LineDecoderTest, LimitIncludesTheLineEnd) {
  const std::string ok(253, 'a');
  const std::string too_long(254, 'b');
  ExpectLines(ok + "\r\n", 255, {"L:" + ok});
  ExpectLines(too_long + "\n", 255, {"L:" + too_long});  // 255 with a bare LF
  ExpectLines(too_long + "\r\nNOOP\r\n", 255, {"TOO LONG", "L:NOOP"});
  ExpectLines(std::string(255, 'c') + "\r\nNOOP\r\n", 255, {"TOO LONG", "L:NOOP"});
  ExpectLines(std::string(1000, 'd') + "\r\nA\r\n" + std::string(300, 'e') + "\nB\r\n", 255,
              {"TOO LONG", "L:A", "TOO LONG", "L:B"});
}

TEST(LineDecoderTest, OverlongLineIsReportedBeforeItsEndAndOnlyOnce) {
  LineDecoder decoder(255);
  std::string line;
  int too_long = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    decoder.Feed("x");
    const LineDecoder::Result result = decoder.Next(&line);
    ASSERT_NE(result, LineDecoder::Result::kLine);
    if (result == LineDecoder::Result::kTooLong) {
      ++too_long;
      // As soon as it is certain: 255 bytes and no LF.
      EXPECT_EQ(i, 254);
    }
    ASSERT_LT(decoder.buffered_bytes(), 255u);
  }
  EXPECT_EQ(too_long, 1);
  decoder.Feed(std::string(100'000, 'y'));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);  // dropped as it arrives
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  decoder.Feed("yyy\r\nNOOP\r\n");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "NOOP");
}

TEST(LineDecoderTest, LargerLimitForSaslLines) {
  LineDecoder decoder(255);
  std::string line;
  const std::string response(4000, 'Q');
  decoder.set_max_line_bytes(12 * 1024);
  decoder.Feed(response + "\r\nSTAT\r\n");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, response);
  decoder.set_max_line_bytes(255);
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "STAT");
}

TEST(LineDecoderTest, LoweredLimitAppliesToThePartialLine) {
  LineDecoder decoder(1000);
  std::string line;
  decoder.Feed(std::string(300, 'a'));
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  decoder.set_max_line_bytes(255);
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kTooLong);
  decoder.Feed("a\r\nSTAT\r\n");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "STAT");
}

TEST(LineDecoderTest, TenThousandPipelinedCommandsInOneFeed) {
  std::string input;
  for (int i = 1; i <= 10'000; ++i) absl::StrAppend(&input, "RETR ", i, "\r\n");
  input += "QU";  // and a partial one
  LineDecoder decoder(255);
  decoder.Feed(input);
  EXPECT_EQ(decoder.buffered_bytes(), input.size());
  std::string line;
  for (int i = 1; i <= 10'000; ++i) {
    ASSERT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
    absl::StatusOr<Command> command = ParseCommand(line);
    ASSERT_TRUE(command.ok()) << command.status();
    ASSERT_EQ(command->verb, Verb::kRetr);
    ASSERT_EQ(ParseMessageNumber(command->args[0]), static_cast<uint32_t>(i));
  }
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  EXPECT_EQ(decoder.buffered_bytes(), 2u);
  decoder.Feed("IT\r\n");
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "QUIT");
}

TEST(LineDecoderTest, BinaryGarbage) {
  std::mt19937 random(1939);
  std::string garbage;
  for (int i = 0; i < 20'000; ++i) garbage.push_back(static_cast<char>(random() % 256));
  // Lines of garbage are never valid commands unless they happen to be; the
  // decoder stays bounded and the parser never accepts a control byte.
  for (size_t max : {size_t{1}, size_t{2}, size_t{16}, size_t{255}}) {
    LineDecoder decoder(max);
    size_t offset = 0;
    while (offset < garbage.size()) {
      const size_t n = std::min<size_t>(random() % 600, garbage.size() - offset);
      decoder.Feed(absl::string_view(garbage).substr(offset, n));
      offset += n;
      std::string line;
      LineDecoder::Result result;
      while ((result = decoder.Next(&line)) != LineDecoder::Result::kNeedMore) {
        if (result != LineDecoder::Result::kLine) continue;
        ASSERT_LT(line.size() + 1, max + 1);
        absl::StatusOr<Command> command = ParseCommand(line);
        if (!command.ok()) continue;
        for (char c : command->rest) ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f);
      }
      ASSERT_LT(decoder.buffered_bytes(), max);
    }
  }
}

TEST(ParseCommandTest, KnownVerbs) {
  absl::StatusOr<Command> command = ParseCommand("top 7 0");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->verb, Verb::kTop);
  EXPECT_EQ(command->keyword, "TOP");
  EXPECT_EQ(command->args, (std::vector<std::string>{"7", "0"}));
  EXPECT_EQ(command->rest, "7 0");

  command = ParseCommand("PASS  two  spaces ");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->verb, Verb::kPass);
  EXPECT_EQ(command->rest, " two  spaces ");
  EXPECT_EQ(command->args, (std::vector<std::string>{"two", "spaces"}));

  command = ParseCommand("StLs");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->verb, Verb::kStls);
  EXPECT_TRUE(command->args.empty());
  EXPECT_EQ(command->rest, "");
}

TEST(ParseCommandTest, UnknownKeywordIsNotAnError) {
  absl::StatusOr<Command> command = ParseCommand("xtnd xmit");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->verb, Verb::kUnknown);
  EXPECT_EQ(command->keyword, "XTND");
  EXPECT_EQ(VerbName(command->verb), "UNKNOWN");
  EXPECT_EQ(VerbName(Verb::kRetr), "RETR");
}

TEST(ParseCommandTest, Errors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty command"},
      {std::string("STAT\0", 5), "invalid character in command"},
      {"NOOP\t", "invalid character in command"},
      {"LONGER", "invalid command keyword"},
      {"RETR", "syntax: RETR msg"},
      {"LIST 1 2", "syntax: LIST [msg]"},
      {"TOP 1", "syntax: TOP msg n"},
      {"RETR " + std::string(41, '1'), "argument too long"},
  };
  for (const auto& [line, message] : cases) {
    absl::StatusOr<Command> command = ParseCommand(line);
    ASSERT_FALSE(command.ok()) << Escape(line);
    EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(command.status().message(), message) << Escape(line);
  }
}

TEST(ParseMessageNumberTest, Rfc1939Numbers) {
  EXPECT_EQ(ParseMessageNumber("1"), 1u);
  EXPECT_EQ(ParseMessageNumber("007"), 7u);
  EXPECT_EQ(ParseMessageNumber("2147483647"), 2147483647u);
  for (const char* bad : {"", "0", "000", "-1", "+1", " 1", "1 ", "1a", "0x1", "2147483648",
                          "4294967297", "99999999999999999999999999999999999999"}) {
    EXPECT_EQ(ParseMessageNumber(bad), std::nullopt) << bad;
  }
}

TEST(ParseLineCountTest, NonNegativeDecimal) {
  EXPECT_EQ(ParseLineCount("0"), 0u);
  EXPECT_EQ(ParseLineCount("10"), 10u);
  EXPECT_EQ(ParseLineCount("4294967295"), 4294967295u);
  EXPECT_EQ(ParseLineCount("4294967296"), 4294967295u);  // clamped: the whole body
  EXPECT_EQ(ParseLineCount("99999999999999999999999999999999999999"), 4294967295u);
  for (const char* bad : {"", "-1", "+1", "1.5", " 3", "ten"}) {
    EXPECT_EQ(ParseLineCount(bad), std::nullopt) << bad;
  }
}

// What the codec makes of a client stream, one block per line, as in
// testdata/commands.ref.
std::string DumpCommands(const std::vector<std::string>& chunks, size_t max) {
  LineDecoder decoder(max);
  std::string out;
  for (const std::string& chunk : chunks) {
    decoder.Feed(chunk);
    std::string line;
    LineDecoder::Result result;
    while ((result = decoder.Next(&line)) != LineDecoder::Result::kNeedMore) {
      if (result == LineDecoder::Result::kTooLong) {
        out += "*** line too long\n";
        continue;
      }
      absl::StrAppend(&out, line.empty() ? ">>>" : ">>> ", Escape(line), "\n");
      absl::StatusOr<Command> command = ParseCommand(line);
      if (!command.ok()) {
        absl::StrAppend(&out, "error: ", command.status().message(), "\n");
        continue;
      }
      std::vector<std::string> args;
      for (const std::string& arg : command->args) args.push_back(absl::StrCat("\"", Escape(arg), "\""));
      absl::StrAppend(&out, VerbName(command->verb), " keyword=", command->keyword, " args=[",
                      absl::StrJoin(args, ", "), "] rest=\"", Escape(command->rest), "\"\n");
    }
  }
  return out;
}

// Golden: testdata/commands.in (client lines) -> testdata/commands.ref.
TEST(CommandsGoldenTest, MatchesRef) {
  std::string crlf_stream;
  std::string lf_stream;
  for (absl::string_view line : absl::StrSplit(ReadTestdata("commands.in"), '\n', absl::SkipEmpty())) {
    if (line.front() == '#') continue;
    // An empty client line is written as "\e".
    const std::string bytes = line == "\\e" ? "" : Unescape(line);
    absl::StrAppend(&crlf_stream, bytes, "\r\n");
    absl::StrAppend(&lf_stream, bytes, "\n");
  }
  const std::string ref = ReadTestdata("commands.ref");
  const std::string actual = DumpCommands({crlf_stream}, kMaxCommandLineBytes);
  EXPECT_EQ(actual, ref);
  if (actual != ref) testing::WriteActual("commands.ref", actual);
  // With bare LF the same lines are one octet shorter.
  EXPECT_EQ(DumpCommands({lf_stream}, kMaxCommandLineBytes - 1), ref);
  for (const std::vector<std::string>& chunks : Chunkings(crlf_stream)) {
    ASSERT_EQ(DumpCommands(chunks, kMaxCommandLineBytes), ref) << DescribeChunking(chunks);
  }
}

}  // namespace
}  // namespace kurier::pop3
