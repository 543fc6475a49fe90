// What the load generators of bench/ share: --name=value options, a
// first-error collector, a parallel loop, the process's CPU time and
// latency percentiles. Header-only; no I/O beyond std::cerr for usage errors.
#ifndef KURIER_BENCH_COMMON_BENCH_CLI_H_
#define KURIER_BENCH_COMMON_BENCH_CLI_H_

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kurier::bench::cli {

class Options {
 public:
  // Parses --name=value arguments; every name must be in `known`.
  static absl::StatusOr<Options> Parse(const std::vector<std::string>& args, const std::vector<std::string>& known) {
    Options o;
    for (const std::string& arg : args) {
      const size_t eq = arg.find('=');
      if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("expected --name=value, got '", arg, "'"));
      }
      const std::string name = arg.substr(2, eq - 2);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
      }
      o.values_[name] = arg.substr(eq + 1);
    }
    return o;
  }

  std::string Str(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  // A whole number; exits with status 2 when it is not one.
  uint64_t Num(const std::string& name, uint64_t fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    uint64_t value = 0;
    if (!absl::SimpleAtoi(it->second, &value)) {
      std::cerr << "--" << name << " wants a whole number, got '" << it->second << "'\n";
      std::exit(2);
    }
    return value;
  }

 private:
  std::map<std::string, std::string> values_;
};

// Keeps the first error message and counts the rest. Thread-safe.
class Errors {
 public:
  void Add(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (count_++ == 0) first_ = message;
  }
  uint64_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  uint64_t count_ = 0;
  std::string first_;
};

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void ParallelFor(uint64_t n, uint64_t threads, Fn fn) {
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> pool;
  for (uint64_t t = 0; t < std::max<uint64_t>(1, std::min(threads, n)); ++t) {
    pool.emplace_back([&] {
      for (uint64_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

// User plus system CPU seconds of this process so far.
inline double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Nearest-rank percentile `p` (0 < p <= 1) of `values`, which it reorders;
// 0 for none.
inline double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  k = std::clamp<size_t>(k, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace kurier::bench::cli

#endif  // KURIER_BENCH_COMMON_BENCH_CLI_H_
