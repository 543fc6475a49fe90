#include "tools/kurierctl/output.h"

#include "gtest/gtest.h"

namespace kurier::kurierctl {
namespace {

TEST(FormatBytes, PicksAUnit) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(20u << 20), "20.0 MiB");
  EXPECT_EQ(FormatBytes(uint64_t{3} << 30), "3.0 GiB");
  EXPECT_EQ(FormatBytes(uint64_t{1} << 40), "1.0 TiB");
}

TEST(FormatQuota, ZeroIsUnlimited) {
  EXPECT_EQ(FormatQuota(0), "unlimited");
  EXPECT_EQ(FormatQuota(1u << 20), "1.0 MiB");
}

TEST(FormatTime, UtcOrDash) {
  EXPECT_EQ(FormatTime(0), "-");
  EXPECT_EQ(FormatTime(1700000000), "2023-11-14 22:13:20 UTC");
}

TEST(FormatTable, AlignsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(FormatTable({{"NAME", "N"}, {"a-long-name", "1"}, {"b", "22"}}),
            "NAME         N\n"
            "a-long-name  1\n"
            "b            22\n");
  EXPECT_EQ(FormatTable({{"x", ""}, {"yy", "z"}}), "x\nyy  z\n");
  EXPECT_EQ(FormatTable({}), "");
}

}  // namespace
}  // namespace kurier::kurierctl
