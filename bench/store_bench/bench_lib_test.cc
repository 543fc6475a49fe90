#include "bench/store_bench/bench_lib.h"

#include <set>

#include "gtest/gtest.h"

namespace kurier::bench {
namespace {

TEST(MakeMessage, ExactSizeDeterministicAndDistinct) {
  for (uint64_t size : {1, 2, 50, 300, 301, 302, 303, 4096, 65536}) {
    std::set<std::string> seen;
    for (uint64_t index = 0; index < 20; ++index) {
      std::string m = MakeMessage(7, index, size, "a@b");
      EXPECT_EQ(m.size(), size);
      EXPECT_EQ(m, MakeMessage(7, index, size, "a@b"));
      if (size >= 20) {
        EXPECT_TRUE(seen.insert(m).second) << "size " << size << " index " << index;
      }
    }
  }
  EXPECT_NE(MakeMessage(1, 5, 4096, "a@b"), MakeMessage(2, 5, 4096, "a@b"));
  std::string m = MakeMessage(1, 42, 4096, "x@y");
  EXPECT_EQ(m.rfind("X-Bench-Seq: 42\r\n", 0), 0u);
  EXPECT_NE(m.find("\r\nTo: <x@y>\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\n\r\n"), std::string::npos);
  EXPECT_EQ(m.substr(m.size() - 2), "\r\n");
}

TEST(RecipientOf, InRangeAndSpread) {
  std::set<uint32_t> hit;
  for (uint64_t i = 0; i < 1000; ++i) {
    uint32_t r = RecipientOf(3, i, 10);
    ASSERT_LT(r, 10u);
    hit.insert(r);
  }
  EXPECT_EQ(hit.size(), 10u);
}

TEST(Summarize, NearestRank) {
  std::vector<uint32_t> micros;
  for (uint32_t i = 100; i >= 1; --i) micros.push_back(i * 1000);
  LatencySummary s = Summarize(micros);
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 50);
  EXPECT_DOUBLE_EQ(s.p99_ms, 99);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  std::vector<uint32_t> none;
  EXPECT_EQ(Summarize(none).count, 0u);
}

TEST(ParseBenchOptions, DefaultsAndValues) {
  absl::StatusOr<BenchOptions> o = ParseBenchOptions({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->accounts, 100u);
  EXPECT_EQ(o->clients, 32u);
  EXPECT_EQ(o->messages, 20000u);
  EXPECT_EQ(o->size, 4096u);
  EXPECT_TRUE(o->sync);
  o = ParseBenchOptions({"--store=h:1", "--sync=off", "--size=16K", "--clients=4", "--seconds=2.5", "--csv",
                         "--mailstore_arg=--store.worker_threads=8", "--mailstore_arg=--x=y"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->store, "h:1");
  EXPECT_FALSE(o->sync);
  EXPECT_EQ(o->size, 16384u);
  EXPECT_EQ(o->clients, 4u);
  EXPECT_DOUBLE_EQ(o->seconds, 2.5);
  EXPECT_TRUE(o->csv);
  EXPECT_EQ(o->mailstore_args.size(), 2u);
}

TEST(ParseBenchOptions, Rejects) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{"--nope"},
                                                                            {"positional"},
                                                                            {"--clients=0"},
                                                                            {"--clients=-1"},
                                                                            {"--clients"},
                                                                            {"--size=0"},
                                                                            {"--size=1G"},
                                                                            {"--sync=maybe"},
                                                                            {"--seconds=0"},
                                                                            {"--seconds=x"},
                                                                            {"--csv=1"},
                                                                            {"--messages=5", "--seconds=1"}}) {
    absl::StatusOr<BenchOptions> o = ParseBenchOptions(bad);
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << bad[0];
  }
}

}  // namespace
}  // namespace kurier::bench
