#include "bench/store_bench/bench_lib.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kurier::bench {
namespace {

absl::Status Usage(const std::string& message) { return absl::InvalidArgumentError(message); }

// digits with an optional K or M suffix (powers of 1024)
bool ParseSize(const std::string& text, uint64_t* out) {
  std::string digits = text;
  uint64_t multiplier = 1;
  if (!digits.empty() && (digits.back() == 'K' || digits.back() == 'k')) multiplier = 1024;
  if (!digits.empty() && (digits.back() == 'M' || digits.back() == 'm')) multiplier = 1024 * 1024;
  if (multiplier != 1) digits.pop_back();
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(digits, &value) || value > std::numeric_limits<uint64_t>::max() / multiplier) return false;
  *out = value * multiplier;
  return true;
}

bool ParseCount(const std::string& text, uint64_t* out) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos && absl::SimpleAtoi(text, out);
}

}  // namespace

absl::StatusOr<BenchOptions> ParseBenchOptions(const std::vector<std::string>& argv) {
  BenchOptions o;
  bool messages_given = false;
  for (const std::string& arg : argv) {
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Usage(absl::StrCat("unexpected argument '", arg, "'"));
    size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const bool has_value = eq != std::string::npos;
    const std::string value = has_value ? arg.substr(eq + 1) : "";
    auto need_value = [&]() -> absl::Status {
      if (!has_value || value.empty()) return Usage(absl::StrCat("option '--", name, "' needs a value (--", name, "=...)"));
      return absl::OkStatus();
    };
    auto count = [&](uint64_t* out, uint64_t min) -> absl::Status {
      if (absl::Status s = need_value(); !s.ok()) return s;
      if (!ParseCount(value, out) || *out < min) {
        return Usage(absl::StrCat("option '--", name, "': expected a whole number >= ", min, ", got '", value, "'"));
      }
      return absl::OkStatus();
    };
    auto count32 = [&](uint32_t* out, uint64_t min) -> absl::Status {
      uint64_t v = 0;
      if (absl::Status s = count(&v, min); !s.ok()) return s;
      if (v > 1000000) return Usage(absl::StrCat("option '--", name, "': ", value, " is too many"));
      *out = static_cast<uint32_t>(v);
      return absl::OkStatus();
    };
    absl::Status s = absl::OkStatus();
    if (name == "store") {
      s = need_value();
      o.store = value;
    } else if (name == "mailstore_binary") {
      s = need_value();
      o.mailstore_binary = value;
    } else if (name == "mailstore_arg") {
      s = need_value();
      o.mailstore_args.push_back(value);
    } else if (name == "work_dir") {
      s = need_value();
      o.work_dir = value;
    } else if (name == "keep_data") {
      if (has_value) s = Usage("option '--keep_data' takes no value");
      o.keep_data = true;
    } else if (name == "sync") {
      s = need_value();
      if (s.ok() && value != "on" && value != "off") s = Usage(absl::StrCat("option '--sync': expected on or off, got '", value, "'"));
      o.sync = value == "on";
      o.sync_given = true;
    } else if (name == "accounts") {
      s = count32(&o.accounts, 1);
    } else if (name == "clients") {
      s = count32(&o.clients, 1);
    } else if (name == "channels") {
      s = count32(&o.channels, 1);
    } else if (name == "messages") {
      s = count(&o.messages, 1);
      messages_given = true;
    } else if (name == "seconds") {
      s = need_value();
      if (s.ok() && (!absl::SimpleAtod(value, &o.seconds) || !(o.seconds > 0) || !std::isfinite(o.seconds))) {
        s = Usage(absl::StrCat("option '--seconds': expected a positive number, got '", value, "'"));
      }
    } else if (name == "size") {
      s = need_value();
      if (s.ok() && (!ParseSize(value, &o.size) || o.size == 0)) {
        s = Usage(absl::StrCat("option '--size': expected bytes > 0 (K and M suffixes allowed), got '", value, "'"));
      }
    } else if (name == "warmup") {
      s = count(&o.warmup, 0);
    } else if (name == "seed") {
      s = count(&o.seed, 0);
    } else if (name == "csv") {
      if (has_value) s = Usage("option '--csv' takes no value");
      o.csv = true;
    } else {
      s = Usage(absl::StrCat("unknown option '--", name, "'"));
    }
    if (!s.ok()) return s;
  }
  if (messages_given && o.seconds > 0) return Usage("give --messages or --seconds, not both");
  return o;
}

std::string BenchUsage() {
  return R"(Usage: store_bench [OPTIONS]

A gRPC load generator for the mailbox store: creates accounts, then has
--clients threads call Deliver (one message, one random account) until
--messages deliveries are done or --seconds have passed, and reports
throughput, latency and the store's group commit (writes per commit).

Options:
  --store=HOST:PORT        use a running store; without it store_bench starts
                           its own mailstore in a temp dir and stops it after
  --mailstore_binary=PATH  default bazel-bin/services/mailstore/mailstore
  --mailstore_arg=FLAG     extra flag for the self-started store (repeatable)
  --work_dir=DIR           where the temp dir goes (default $TEST_TMPDIR,
                           $TMPDIR or /tmp)
  --keep_data              leave the self-started store's temp dir behind
  --sync=on|off            self-started store: fsync every commit (on, the
                           default) or --store.durability=NO_SYNC (off)
  --accounts=N             accounts to create first (default 100)
  --clients=N              concurrent client threads (default 32)
  --channels=N             gRPC connections the clients share (default 1)
  --messages=N             deliveries to measure (default 20000)
  --seconds=S              measure for S seconds instead of --messages
  --size=BYTES             message size, K/M suffixes allowed (default 4096)
  --warmup=N               deliveries before measuring (default 0)
  --seed=N                 seed of message content and recipients (default 1)
  --csv                    also print one CSV line:
                           sync,clients,messages,size,elapsed_s,deliveries_per_s,
                           p50_ms,p99_ms,max_ms,commits,committed_writes,errors

Exit status: 0 when every delivery succeeded, 1 when any failed, 2 for a
usage error.
)";
}

uint32_t RecipientOf(uint64_t seed, uint64_t index, uint32_t accounts) {
  SplitMix64 rng(seed * 0x2545f4914f6cdd1dULL ^ index);
  return static_cast<uint32_t>(rng.Next() % accounts);
}

std::string MakeMessage(uint64_t seed, uint64_t index, uint64_t size, const std::string& to) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";  // 64
  std::string m = absl::StrCat("X-Bench-Seq: ", index,
                               "\r\n"
                               "From: store_bench <bench@store-bench.invalid>\r\n"
                               "To: <",
                               to,
                               ">\r\n"
                               "Subject: store_bench message ",
                               index,
                               "\r\n"
                               "Message-ID: <",
                               index, ".", seed,
                               "@store-bench.invalid>\r\n"
                               "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=us-ascii\r\n"
                               "\r\n");
  if (m.size() >= size) {
    m.resize(size);
    return m;
  }
  m.reserve(size);
  SplitMix64 rng(seed ^ (index * 0x9e3779b97f4a7c15ULL) ^ 0x5bd1e995ULL);
  uint64_t bits = 0;
  int left = 0;
  auto random_char = [&]() {
    if (left == 0) {
      bits = rng.Next();
      left = 10;  // 10 x 6 bits from 64
    }
    char c = kChars[bits & 63];
    bits >>= 6;
    --left;
    return c;
  };
  while (m.size() < size) {
    const uint64_t remaining = size - m.size();
    if (remaining <= 2) {
      while (m.size() < size) m.push_back(random_char());
      break;
    }
    const uint64_t line = std::min<uint64_t>(76, remaining - 2);
    for (uint64_t k = 0; k < line; ++k) m.push_back(random_char());
    m += "\r\n";
  }
  return m;
}

LatencySummary Summarize(std::vector<uint32_t>& micros) {
  LatencySummary s;
  s.count = micros.size();
  if (micros.empty()) return s;
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(micros.size())));
    k = std::clamp<size_t>(k, 1, micros.size()) - 1;
    std::nth_element(micros.begin(), micros.begin() + static_cast<std::ptrdiff_t>(k), micros.end());
    return micros[k] / 1000.0;
  };
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  s.max_ms = *std::max_element(micros.begin(), micros.end()) / 1000.0;
  return s;
}

}  // namespace kurier::bench
