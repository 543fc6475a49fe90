#include "services/common/log/log.h"

#include "gtest/gtest.h"

namespace kurier::log {
namespace {

TEST(LogTest, FormatsLogfmtWithQuotingOfUnsafeValues) {
  const std::string line =
      Format(Level::kInfo, "pop3", "login failed", {{"session", "42"}, {"user", "a b\"c\x01"}, {"empty", ""}});
  EXPECT_NE(line.find(" level=info svc=pop3 msg=\"login failed\" session=42 user=\"a b\\\"c\\x01\" empty=\"\"\n"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("ts=", 0), 0u);
}

TEST(LogTest, LevelFilters) {
  ASSERT_TRUE(SetLevel("warning"));
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  EXPECT_FALSE(SetLevel("verbose"));
  ASSERT_TRUE(SetLevel("info"));
  EXPECT_TRUE(Enabled(Level::kInfo));
}

}  // namespace
}  // namespace kurier::log
