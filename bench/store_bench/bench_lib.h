// The pure parts of store_bench: its options, the messages it sends and the
// latency summary. No gRPC, no processes.
#ifndef KURIER_BENCH_STORE_BENCH_BENCH_LIB_H_
#define KURIER_BENCH_STORE_BENCH_BENCH_LIB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kurier::bench {

struct BenchOptions {
  std::string store;  // empty: start a mailstore of our own
  std::string mailstore_binary = "bazel-bin/services/mailstore/mailstore";
  std::vector<std::string> mailstore_args;  // extra flags for a self-started store
  std::string work_dir;                     // parent of the temp dir; empty: $TEST_TMPDIR, $TMPDIR, /tmp
  bool keep_data = false;
  bool sync = true;
  bool sync_given = false;
  uint32_t accounts = 100;
  uint32_t clients = 32;
  uint32_t channels = 1;
  uint64_t messages = 20000;
  double seconds = 0;  // > 0: run for this long instead of a message count
  uint64_t size = 4096;
  uint64_t warmup = 0;
  uint64_t seed = 1;
  bool csv = false;
  bool help = false;
};

// Parses argv without the program name. A usage error is INVALID_ARGUMENT
// naming the option.
absl::StatusOr<BenchOptions> ParseBenchOptions(const std::vector<std::string>& argv);

std::string BenchUsage();

// splitmix64: a small, fast, well-mixed generator; the same seed always gives
// the same sequence.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Which of `accounts` accounts message `index` goes to; a function of
// (seed, index) only.
uint32_t RecipientOf(uint64_t seed, uint64_t index, uint32_t accounts);

// Message `index` of a run: an RFC 5322 message of exactly `size` bytes
// (headers cut short when size is smaller than they are) whose first header
// carries the index, with a random body drawn from (seed, index). Every index
// gives different bytes, so the store's content-addressed blobs never
// deduplicate two deliveries.
std::string MakeMessage(uint64_t seed, uint64_t index, uint64_t size, const std::string& to);

struct LatencySummary {
  uint64_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles of latencies in microseconds (reorders them).
LatencySummary Summarize(std::vector<uint32_t>& micros);

}  // namespace kurier::bench

#endif  // KURIER_BENCH_STORE_BENCH_BENCH_LIB_H_
