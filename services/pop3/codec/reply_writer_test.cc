#include "services/pop3/codec/reply_writer.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/pop3/codec/test_util.h"

namespace kurier::pop3 {
namespace {

using testing::Chunkings;
using testing::DescribeChunking;
using testing::Escape;

TEST(ReplyWriterTest, StatusLines) {
  std::string out;
  AppendOk(&out, "2 320");
  AppendOk(&out, "");
  AppendErr(&out, "no such message");
  AppendErr(&out, "");
  AppendErr(&out, "IN-USE", "Do you have another POP session running?");
  AppendErr(&out, "SYS/TEMP", "");
  EXPECT_EQ(out,
            "+OK 2 320\r\n"
            "+OK\r\n"
            "-ERR no such message\r\n"
            "-ERR\r\n"
            "-ERR [IN-USE] Do you have another POP session running?\r\n"
            "-ERR [SYS/TEMP]\r\n");
}

TEST(ReplyWriterTest, TextCannotBreakTheLine) {
  std::string out;
  AppendOk(&out, "a\r\n.\r\n+OK forged");
  AppendErr(&out, "IN\r\nUSE", std::string("x\0y\nz", 5));
  AppendLine(&out, ".\r\n.");
  EXPECT_EQ(out,
            "+OK a  .  +OK forged\r\n"
            "-ERR [IN  USE] x y z\r\n"
            "..  .\r\n");
}

TEST(ReplyWriterTest, Continuation) {
  std::string out;
  AppendContinuation(&out, "");
  AppendContinuation(&out, EncodeBase64("challenge"));
  EXPECT_EQ(out, "+ \r\n+ Y2hhbGxlbmdl\r\n");
}

TEST(ReplyWriterTest, MultiLineReplyIsDotStuffed) {
  std::string out;
  AppendOk(&out, "Capability list follows");
  AppendLine(&out, "TOP");
  AppendLine(&out, "");
  AppendLine(&out, ".");
  AppendLine(&out, ".hidden");
  AppendTerminator(&out);
  EXPECT_EQ(out, "+OK Capability list follows\r\nTOP\r\n\r\n..\r\n..hidden\r\n.\r\n");
}

// The output of an encoder fed the chunks one after another, then finished.
std::string EncodeChunks(const std::vector<std::string>& chunks, std::optional<uint32_t> max_body_lines) {
  BodyEncoder encoder(max_body_lines);
  std::string out;
  for (const std::string& chunk : chunks) encoder.Encode(chunk, &out);
  encoder.Finish(&out);
  return out;
}

// Every chunking gives `expected`, which holds only CRLF lines and no line
// that starts with a lone '.'.
void ExpectBody(absl::string_view message, std::optional<uint32_t> max_body_lines, absl::string_view expected) {
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] == '\n') {
      ASSERT_TRUE(i > 0 && expected[i - 1] == '\r') << Escape(expected);
    }
    if (expected[i] == '\r') {
      ASSERT_TRUE(i + 1 < expected.size() && expected[i + 1] == '\n') << Escape(expected);
    }
    const bool line_start = i == 0 || expected[i - 1] == '\n';
    if (line_start && expected[i] == '.') {
      ASSERT_TRUE(i + 1 < expected.size() && expected[i + 1] == '.') << Escape(expected);
    }
  }
  for (const std::vector<std::string>& chunks : Chunkings(message)) {
    EXPECT_EQ(EncodeChunks(chunks, max_body_lines), expected) << DescribeChunking(chunks);
  }
}

TEST(BodyEncoderTest, CrlfPassesThrough) {
  ExpectBody("Subject: x\r\n\r\nbody\r\n", std::nullopt, "Subject: x\r\n\r\nbody\r\n");
}

TEST(BodyEncoderTest, BareLfAndBareCrBecomeCrlf) {
  ExpectBody("a\nb\rc\r\nd\n\re\r\r\n", std::nullopt, "a\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\n");
}

TEST(BodyEncoderTest, CrAtTheEndOfAChunk) {
  BodyEncoder encoder;
  std::string out;
  encoder.Encode("line\r", &out);
  EXPECT_EQ(out, "line\r\n");  // written at once, without waiting for the LF
  encoder.Encode("\n.next\r", &out);
  encoder.Encode("\n", &out);
  encoder.Finish(&out);
  EXPECT_EQ(out, "line\r\n..next\r\n");
}

TEST(BodyEncoderTest, DotStuffing) {
  ExpectBody(".\r\n..\r\n.x\r\nx.\r\n\r\n. \r\n...", std::nullopt,
             "..\r\n...\r\n..x\r\nx.\r\n\r\n.. \r\n....\r\n");
  ExpectBody(".", std::nullopt, "..\r\n");
  ExpectBody("a\n.\n", std::nullopt, "a\r\n..\r\n");
  ExpectBody("a\r.\r", std::nullopt, "a\r\n..\r\n");
}

TEST(BodyEncoderTest, BodyWithoutFinalLineEnd) {
  ExpectBody("Subject: x\r\n\r\nlast", std::nullopt, "Subject: x\r\n\r\nlast\r\n");
  ExpectBody("Subject: x\r\n\r\nlast", 5, "Subject: x\r\n\r\nlast\r\n");
}

TEST(BodyEncoderTest, EmptyMessageAndMessageWithoutBody) {
  ExpectBody("", std::nullopt, "");
  ExpectBody("", 0, "");
  ExpectBody("Subject: x\r\n\r\n", std::nullopt, "Subject: x\r\n\r\n");
  ExpectBody("Subject: x\r\n\r\n", 0, "Subject: x\r\n\r\n");
  ExpectBody("Subject: x\r\n\r\n", 3, "Subject: x\r\n\r\n");
  // No blank line: it is all header, and TOP sends all of it.
  ExpectBody("Subject: x\r\nFrom: y", 0, "Subject: x\r\nFrom: y\r\n");
}

TEST(BodyEncoderTest, TopZeroSendsHeaderAndBlankLine) {
  const char* message = "From: a\r\nSubject: b\r\n\r\n.body 1\r\nbody 2\r\n";
  ExpectBody(message, 0, "From: a\r\nSubject: b\r\n\r\n");
  BodyEncoder encoder(0);
  std::string out;
  encoder.Encode("From: a\r\n", &out);
  EXPECT_FALSE(encoder.done());
  encoder.Encode("\r\n", &out);
  EXPECT_TRUE(encoder.done());
  encoder.Encode("ignored\r\n", &out);
  encoder.Finish(&out);
  EXPECT_EQ(out, "From: a\r\n\r\n");
}

TEST(BodyEncoderTest, TopCountsBodyLines) {
  const char* message = "S: x\n\n1\n.2\r3\r\n\n5\n";
  ExpectBody(message, 1, "S: x\r\n\r\n1\r\n");
  ExpectBody(message, 2, "S: x\r\n\r\n1\r\n..2\r\n");
  ExpectBody(message, 4, "S: x\r\n\r\n1\r\n..2\r\n3\r\n\r\n");
  ExpectBody(message, 5, "S: x\r\n\r\n1\r\n..2\r\n3\r\n\r\n5\r\n");
  ExpectBody(message, 99, "S: x\r\n\r\n1\r\n..2\r\n3\r\n\r\n5\r\n");
  ExpectBody(message, std::nullopt, "S: x\r\n\r\n1\r\n..2\r\n3\r\n\r\n5\r\n");
}

TEST(BodyEncoderTest, DoneOnlyForTop) {
  BodyEncoder retr;
  std::string out;
  retr.Encode("a\r\n\r\n", &out);
  EXPECT_FALSE(retr.done());
  BodyEncoder top(1);
  top.Encode("a\r\n\r\nb", &out);
  EXPECT_FALSE(top.done());
  top.Encode("\r\n", &out);
  EXPECT_TRUE(top.done());
}

TEST(BodyEncoderTest, LargeChunks) {
  std::string message = "Subject: big\r\n\r\n";
  std::string expected = message;
  for (int i = 0; i < 100'000; ++i) {
    message += i % 7 == 0 ? ".dot line\n" : "0123456789 abcdefghij\r\n";
    expected += i % 7 == 0 ? "..dot line\r\n" : "0123456789 abcdefghij\r\n";
  }
  EXPECT_EQ(EncodeChunks({message}, std::nullopt), expected);
  EXPECT_EQ(EncodeChunks({message.substr(0, 1'000'001), message.substr(1'000'001)}, std::nullopt), expected);
}

}  // namespace
}  // namespace kurier::pop3
