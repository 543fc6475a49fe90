#include "services/common/codec/line_decoder.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::codec {
namespace {

TEST(LineDecoderTest, TakeBufferedHandsOverWhatFollowsTheLastLine) {
  LineDecoder decoder(100);
  decoder.Feed("DATA\r\nSubject: x\r\n\r\nbody");
  std::string line;
  ASSERT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "DATA");
  EXPECT_EQ(decoder.TakeBuffered(), "Subject: x\r\n\r\nbody");
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kNeedMore);
  decoder.Feed("QUIT\r\n");
  ASSERT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "QUIT");
}

TEST(LineDecoderTest, TakeBufferedEndsDiscardingAnOverlongLine) {
  LineDecoder decoder(10);
  decoder.Feed(std::string(50, 'x'));
  std::string line;
  EXPECT_EQ(decoder.Next(&line), LineDecoder::Result::kTooLong);
  EXPECT_EQ(decoder.TakeBuffered(), "");
  decoder.Feed("NOOP\r\n");
  ASSERT_EQ(decoder.Next(&line), LineDecoder::Result::kLine);
  EXPECT_EQ(line, "NOOP");
}

}  // namespace
}  // namespace kurier::codec
