#include "services/smtp/codec/reply_writer.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::smtp {
namespace {

TEST(ReplyWriterTest, EnhancedCodeBetweenCodeAndText) {
  std::string out;
  AppendReply(&out, 250, "2.1.0", "Sender OK");
  AppendReply(&out, 354, "", "End data with <CR><LF>.<CR><LF>");
  EXPECT_EQ(out, "250 2.1.0 Sender OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
}

TEST(ReplyWriterTest, TextCannotEndTheLine) {
  std::string out;
  AppendReply(&out, 550, "5.1.1", std::string("a\r\n250 b\0c", 10));
  EXPECT_EQ(out, "550 5.1.1 a  250 b c\r\n");
}

TEST(ReplyWriterTest, MultilineUsesDashesBeforeTheLastLine) {
  std::string out;
  AppendMultiline(&out, 250, "", {"mx.test", "PIPELINING", "SIZE 100"});
  EXPECT_EQ(out, "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
  out.clear();
  AppendMultiline(&out, 214, "2.0.0", {"a", "b"});
  EXPECT_EQ(out, "214-2.0.0 a\r\n214 2.0.0 b\r\n");
  out.clear();
  AppendMultiline(&out, 250, "", {});
  EXPECT_EQ(out, "250 \r\n");
}

}  // namespace
}  // namespace kurier::smtp
