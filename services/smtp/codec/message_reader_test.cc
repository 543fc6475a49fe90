#include "services/smtp/codec/message_reader.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::smtp {
namespace {

using Framing = MessageReader::Framing;
using Defect = MessageReader::Defect;

struct Read {
  std::string content;
  Defect defect;
  size_t consumed;
  bool done;
  uint64_t size;
};

// Reads `input` fed in pieces of `chunk` bytes.
Read ReadAll(Framing framing, const std::string& input, size_t chunk, uint64_t limit = 1 << 20) {
  MessageReader reader(framing, limit);
  size_t consumed = 0;
  for (size_t i = 0; i < input.size() && !reader.done(); i += chunk) {
    consumed += reader.Feed(absl::string_view(input).substr(i, chunk));
  }
  if (framing == Framing::kChunked) reader.FinishChunks();
  return {reader.content(), reader.defect(), consumed, reader.done(), reader.size()};
}

// The same result however the input is split, down to one byte at a time.
Read ReadEverySplit(Framing framing, const std::string& input, uint64_t limit = 1 << 20) {
  const Read whole = ReadAll(framing, input, input.size() + 1, limit);
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    const Read split = ReadAll(framing, input, chunk, limit);
    EXPECT_EQ(split.content, whole.content) << "chunk " << chunk;
    EXPECT_EQ(split.defect, whole.defect) << "chunk " << chunk;
    EXPECT_EQ(split.consumed, whole.consumed) << "chunk " << chunk;
    EXPECT_EQ(split.done, whole.done) << "chunk " << chunk;
  }
  return whole;
}

TEST(MessageReaderTest, DataEndsAtCrlfDotCrlfAndLeavesTheRest) {
  const std::string input = "Subject: hi\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@b>\r\n";
  const Read read = ReadEverySplit(Framing::kDotStuffed, input);
  EXPECT_TRUE(read.done);
  EXPECT_EQ(read.content, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(input.substr(read.consumed), "MAIL FROM:<a@b>\r\n");
  EXPECT_EQ(read.defect, Defect::kNone);
}

TEST(MessageReaderTest, EmptyMessage) {
  const Read read = ReadEverySplit(Framing::kDotStuffed, ".\r\nQUIT\r\n");
  EXPECT_TRUE(read.done);
  EXPECT_EQ(read.content, "");
  EXPECT_EQ(read.consumed, 3u);
}

TEST(MessageReaderTest, LeadingDotsAreUnstuffed) {
  const Read read = ReadEverySplit(Framing::kDotStuffed, "..\r\n...x\r\n.y\r\na.b\r\n.\r\n");
  EXPECT_EQ(read.content, ".\r\n..x\r\ny\r\na.b\r\n");
  EXPECT_EQ(read.defect, Defect::kNone);
}

TEST(MessageReaderTest, NeedsMoreUntilTheMarker) {
  const Read read = ReadEverySplit(Framing::kDotStuffed, "line\r\n.");
  EXPECT_FALSE(read.done);
  EXPECT_EQ(read.consumed, 7u);
}

// SMTP smuggling: none of these end the data, and each is refused.
TEST(MessageReaderTest, SmugglingProbesNeitherEndTheDataNorPass) {
  for (const std::string probe : {"\n.\n", "\r.\r\n", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\n", "\n.\r"}) {
    const std::string input = "Subject: a\r\n\r\nfirst" + probe + "MAIL FROM:<x@y>\r\nRCPT TO:<z@w>\r\nDATA\r\n" +
                              "Subject: smuggled\r\n\r\nsecond\r\n.\r\nQUIT\r\n";
    const Read read = ReadEverySplit(Framing::kDotStuffed, input);
    EXPECT_TRUE(read.done);
    EXPECT_EQ(input.substr(read.consumed), "QUIT\r\n") << "probe " << testing::PrintToString(probe);
    EXPECT_EQ(read.defect, Defect::kBareLineEnd) << "probe " << testing::PrintToString(probe);
  }
}

TEST(MessageReaderTest, BareCrAndLfAreDefects) {
  EXPECT_EQ(ReadEverySplit(Framing::kDotStuffed, "a\nb\r\n.\r\n").defect, Defect::kBareLineEnd);
  EXPECT_EQ(ReadEverySplit(Framing::kDotStuffed, "a\rb\r\n.\r\n").defect, Defect::kBareLineEnd);
  EXPECT_EQ(ReadEverySplit(Framing::kDotStuffed, "a\r\r\n.\r\n").defect, Defect::kBareLineEnd);
  EXPECT_EQ(ReadEverySplit(Framing::kChunked, "a\nb").defect, Defect::kBareLineEnd);
  EXPECT_EQ(ReadEverySplit(Framing::kChunked, "ab\r").defect, Defect::kBareLineEnd);
  EXPECT_EQ(ReadEverySplit(Framing::kChunked, "a\r\nb").defect, Defect::kNone);
}

TEST(MessageReaderTest, LineLengthLimitIncludesCrlf) {
  const std::string ok(998, 'x');
  EXPECT_EQ(ReadEverySplit(Framing::kDotStuffed, ok + "\r\n.\r\n").defect, Defect::kNone);
  EXPECT_EQ(ReadAll(Framing::kDotStuffed, ok + "x\r\n.\r\n", 7).defect, Defect::kLineTooLong);
  // A stuffed dot counts: it is on the wire.
  EXPECT_EQ(ReadAll(Framing::kDotStuffed, "." + ok + "\r\n.\r\n", 7).defect, Defect::kLineTooLong);
  EXPECT_EQ(ReadAll(Framing::kChunked, ok + "x\r\n", 7).defect, Defect::kLineTooLong);
}

TEST(MessageReaderTest, OversizedContentIsCountedNotKept) {
  const std::string input = std::string(50, 'a') + "\r\n.\r\n";
  const Read read = ReadEverySplit(Framing::kDotStuffed, input, 10);
  EXPECT_TRUE(read.done);
  EXPECT_EQ(read.size, 52u);
  EXPECT_EQ(read.content, std::string(10, 'a'));
}

TEST(MessageReaderTest, ChunksAreExactOctets) {
  const std::string input = "Subject: x\r\n\r\n.leading dot\r\n";
  const Read read = ReadEverySplit(Framing::kChunked, input);
  EXPECT_EQ(read.content, input);
  EXPECT_EQ(read.consumed, input.size());
  EXPECT_FALSE(read.done);
}

}  // namespace
}  // namespace kurier::smtp
