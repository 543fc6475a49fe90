#include "bench/pop3_bench/bench_message.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::bench::pop3 {
namespace {

TEST(BenchMessageTest, HasTheExactSizeForEverySize) {
  for (uint64_t size = kMinMessageSize; size < kMinMessageSize + 300; ++size) {
    EXPECT_EQ(MakeBenchMessage(1, "r0@pop3-bench.invalid", 3, size).size(), size) << size;
  }
  EXPECT_EQ(MakeBenchMessage(1, "r0@pop3-bench.invalid", 3, 20480).size(), 20480u);
}

TEST(BenchMessageTest, IsDeterministicAndDiffersPerUserAndIndex) {
  const std::string a = MakeBenchMessage(7, "a@x.invalid", 1, 4096);
  EXPECT_EQ(a, MakeBenchMessage(7, "a@x.invalid", 1, 4096));
  EXPECT_NE(a, MakeBenchMessage(7, "a@x.invalid", 2, 4096));
  EXPECT_NE(a, MakeBenchMessage(7, "b@x.invalid", 1, 4096));
  EXPECT_NE(a, MakeBenchMessage(8, "a@x.invalid", 1, 4096));
}

TEST(BenchMessageTest, HasCrlfLinesOfAtMost78CharactersAndDotLines) {
  const std::string m = MakeBenchMessage(1, "r0@pop3-bench.invalid", 0, 20480);
  size_t start = 0;
  bool lone_dot = false;
  bool leading_dot = false;
  while (start < m.size()) {
    const size_t end = m.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    const std::string line = m.substr(start, end - start);
    EXPECT_LE(line.size(), 78u);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos);
    lone_dot |= line == ".";
    leading_dot |= line.size() > 1 && line[0] == '.';
    start = end + 2;
  }
  EXPECT_TRUE(lone_dot);
  EXPECT_TRUE(leading_dot);
}

TEST(BenchMessageTest, VerifiesItsOwnMessages) {
  const std::string m = MakeBenchMessage(1, "r0@pop3-bench.invalid", 5, 20480);
  EXPECT_TRUE(VerifyBenchMessage(m, "r0@pop3-bench.invalid").ok());
}

TEST(BenchMessageTest, RejectsDamage) {
  const std::string m = MakeBenchMessage(1, "r0@pop3-bench.invalid", 5, 8192);
  EXPECT_FALSE(VerifyBenchMessage(m, "r1@pop3-bench.invalid").ok());  // another account's
  std::string flipped = m;
  flipped[1000] ^= 1;
  EXPECT_FALSE(VerifyBenchMessage(flipped, "r0@pop3-bench.invalid").ok());
  EXPECT_FALSE(VerifyBenchMessage(m.substr(0, m.size() - 1), "r0@pop3-bench.invalid").ok());
  std::string stuffed = m;  // dot-stuffing left in place
  stuffed.insert(stuffed.find("\r\n.") + 2, ".");
  EXPECT_FALSE(VerifyBenchMessage(stuffed, "r0@pop3-bench.invalid").ok());
  EXPECT_FALSE(VerifyBenchMessage("", "r0@pop3-bench.invalid").ok());
}

TEST(BenchMessageTest, ChecksumCoversEveryByteAndTheTail) {
  EXPECT_NE(Checksum64("abcdefgh1"), Checksum64("abcdefgh2"));
  EXPECT_NE(Checksum64("abcdefgh"), Checksum64("abcdefgi"));
  EXPECT_NE(Checksum64(""), Checksum64(std::string(1, '\0')));
}

}  // namespace
}  // namespace kurier::bench::pop3
