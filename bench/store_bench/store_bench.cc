// store_bench: a gRPC load generator for the mailbox store.
//
// Creates --accounts accounts, then --clients threads each loop on Deliver
// (one message to one random account) until --messages deliveries are done
// or --seconds have passed. Reports throughput, latency percentiles, and the
// store's GetStats commits against committed writes over the measured phase:
// with sync on, writes per commit shows how many deliveries shared one WAL
// fsync (group commit). See bench/README.md and `store_bench --help`.
//
// Not a test: bench/store_bench:store_bench_smoke_test only checks it runs.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/store_bench/bench_lib.h"
#include "bench/store_bench/store_process.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"

namespace kurier::bench {
namespace {

namespace v1 = ::kurier::store::v1;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kCallDeadline{30};

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), ": ",
                      status.error_message());
}

std::string RandomHex(size_t digits) {
  std::random_device device;
  std::string out;
  while (out.size() < digits) out += absl::StrFormat("%08x", device());
  out.resize(digits);
  return out;
}

// Counts failures and keeps the first few messages to show.
class Errors {
 public:
  void Add(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    if (samples_.size() < 5) samples_.push_back(message);
  }
  uint64_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::vector<std::string> samples() {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_;
  }

 private:
  std::mutex mu_;
  uint64_t count_ = 0;
  std::vector<std::string> samples_;
};

struct Run {
  const BenchOptions* options;
  std::vector<std::unique_ptr<v1::MailStore::Stub>> stubs;  // one per channel
  std::vector<std::string> accounts;
  std::string run_id;
  Errors errors;
  std::atomic<uint64_t> next_index{0};
};

v1::MailStore::Stub& StubFor(Run& run, size_t client) { return *run.stubs[client % run.stubs.size()]; }

// Accounts are created by up to --clients threads at once, each with a random
// password, and then made unlimited so a long run never meets a quota.
absl::Status CreateAccounts(Run& run) {
  const BenchOptions& o = *run.options;
  for (uint32_t i = 0; i < o.accounts; ++i) {
    run.accounts.push_back(absl::StrCat("bench", run.run_id, "-", i, "@store-bench.invalid"));
  }
  std::atomic<uint32_t> next{0};
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < std::min(o.clients, o.accounts); ++t) {
    threads.emplace_back([&run, &next, t] {
      v1::MailStore::Stub& stub = StubFor(run, t);
      for (uint32_t i = next++; i < run.accounts.size(); i = next++) {
        v1::CreateAccountRequest create;
        create.set_name(run.accounts[i]);
        create.set_password(RandomHex(24));
        create.set_idempotency_key(absl::StrCat("store_bench-", run.run_id, "-account-", i));
        v1::Account account;
        grpc::ClientContext context;
        SetDeadline(context);
        if (grpc::Status s = stub.CreateAccount(&context, create, &account); !s.ok()) {
          run.errors.Add(absl::StrCat("CreateAccount ", run.accounts[i], ": ", Describe(s)));
          continue;
        }
        if (account.quota_bytes() == 0) continue;
        v1::SetQuotaRequest quota;
        quota.set_name(run.accounts[i]);
        quota.set_quota_bytes(0);
        grpc::ClientContext quota_context;
        SetDeadline(quota_context);
        if (grpc::Status s = stub.SetQuota(&quota_context, quota, &account); !s.ok()) {
          run.errors.Add(absl::StrCat("SetQuota ", run.accounts[i], ": ", Describe(s)));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (uint64_t failed = run.errors.count(); failed > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed, " of ", o.accounts, " accounts could not be created; first: ", run.errors.samples()[0]));
  }
  return absl::OkStatus();
}

// One client thread: Deliver until the phase is over. Messages are numbered
// across the whole run (warmup included) so that every delivery differs.
void Client(Run& run, size_t client, uint64_t phase_end, Clock::time_point deadline, bool timed,
            std::vector<uint32_t>* latencies) {
  const BenchOptions& o = *run.options;
  v1::MailStore::Stub& stub = StubFor(run, client);
  for (;;) {
    if (timed && Clock::now() >= deadline) return;
    const uint64_t index = run.next_index++;
    if (!timed && index >= phase_end) return;
    const std::string& to = run.accounts[RecipientOf(o.seed, index, static_cast<uint32_t>(run.accounts.size()))];
    v1::DeliverRequest request;
    request.add_recipients(to);
    request.set_content(MakeMessage(o.seed, index, o.size, to));
    request.set_idempotency_key(absl::StrCat("store_bench-", run.run_id, "-", index));
    v1::DeliverResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    const Clock::time_point start = Clock::now();
    const grpc::Status status = stub.Deliver(&context, request, &response);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    if (!status.ok()) {
      run.errors.Add(absl::StrCat("Deliver: ", Describe(status)));
    } else if (response.results_size() != 1 || response.results(0).outcome() != v1::RecipientResult::DELIVERED) {
      run.errors.Add(absl::StrCat("Deliver to ", to, ": outcome ",
                                  response.results_size() == 0
                                      ? std::string("missing")
                                      : v1::RecipientResult::Outcome_Name(response.results(0).outcome())));
    } else if (latencies != nullptr) {
      latencies->push_back(static_cast<uint32_t>(micros));
    }
  }
}

// Runs one phase on every client; returns the latencies of the successful
// deliveries.
std::vector<uint32_t> RunPhase(Run& run, uint64_t messages, double seconds, bool measure) {
  const BenchOptions& o = *run.options;
  const bool timed = seconds > 0;
  const uint64_t phase_end = run.next_index.load() + messages;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::vector<uint32_t>> per_client(o.clients);
  std::vector<std::thread> threads;
  for (size_t c = 0; c < o.clients; ++c) {
    if (measure && !timed) per_client[c].reserve(messages / o.clients + 1);
    threads.emplace_back(Client, std::ref(run), c, phase_end, deadline, timed, measure ? &per_client[c] : nullptr);
  }
  for (std::thread& t : threads) t.join();
  std::vector<uint32_t> all;
  for (const auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  return all;
}

absl::StatusOr<v1::Stats> GetStats(Run& run) {
  v1::Stats stats;
  grpc::ClientContext context;
  SetDeadline(context);
  if (grpc::Status s = StubFor(run, 0).GetStats(&context, v1::GetStatsRequest(), &stats); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("GetStats: ", Describe(s)));
  }
  return stats;
}

std::string TempParent(const BenchOptions& o) {
  std::string dir = o.work_dir;
  for (const char* env : {"TEST_TMPDIR", "TMPDIR"}) {
    if (dir.empty() && std::getenv(env) != nullptr) dir = std::getenv(env);
  }
  if (dir.empty()) dir = "/tmp";
  std::error_code ignored;
  std::filesystem::path absolute = std::filesystem::absolute(dir, ignored);
  return absolute.empty() ? dir : absolute.string();
}

int Main(const std::vector<std::string>& argv) {
  absl::StatusOr<BenchOptions> parsed = ParseBenchOptions(argv);
  if (!parsed.ok()) {
    std::cerr << "store_bench: " << parsed.status().message() << "\n(store_bench --help lists the options)\n";
    return 2;
  }
  const BenchOptions& o = *parsed;
  if (o.help) {
    std::cout << BenchUsage();
    return 0;
  }
  const bool self_started = o.store.empty();
  if (!self_started && o.sync_given) {
    std::cerr << "store_bench: warning: --sync applies only to a self-started store; the store at " << o.store
              << " keeps its own durability setting\n";
  }

  std::unique_ptr<StoreProcess> process;
  std::string address = o.store;
  if (self_started) {
    std::vector<std::string> args = {"--store.scrypt_n=1024"};
    if (!o.sync) args.push_back("--store.durability=NO_SYNC");
    args.insert(args.end(), o.mailstore_args.begin(), o.mailstore_args.end());
    absl::StatusOr<std::unique_ptr<StoreProcess>> started =
        StoreProcess::Start(o.mailstore_binary, TempParent(o), args, o.keep_data);
    if (!started.ok()) {
      std::cerr << "store_bench: " << started.status().message() << "\n";
      return 1;
    }
    process = *std::move(started);
    address = process->address();
  }

  Run run;
  run.options = &o;
  run.run_id = RandomHex(8);
  for (uint32_t c = 0; c < o.channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
    auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::cerr << "store_bench: cannot connect to the store at " << address << "\n";
      if (process) std::cerr << process->LogTail();
      return 1;
    }
    run.stubs.push_back(v1::MailStore::NewStub(channel));
  }

  std::cout << "store:            " << address
            << (self_started ? absl::StrCat(" (self-started, sync ", o.sync ? "on" : "off", ", data in ",
                                            process->dir(), ")")
                             : std::string(" (external)"))
            << "\n"
            << std::flush;

  const Clock::time_point setup_start = Clock::now();
  if (absl::Status s = CreateAccounts(run); !s.ok()) {
    std::cerr << "store_bench: " << s.message() << "\n";
    return 1;
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  std::cout << absl::StrFormat("accounts:         %u (created in %.2f s)\n", o.accounts, setup_s) << std::flush;

  if (o.warmup > 0) {
    RunPhase(run, o.warmup, 0, /*measure=*/false);
    if (uint64_t failed = run.errors.count(); failed > 0) {
      std::cerr << "store_bench: " << failed << " warmup deliveries failed; first: " << run.errors.samples()[0]
                << "\n";
      return 1;
    }
  }

  absl::StatusOr<v1::Stats> before = GetStats(run);
  if (!before.ok()) {
    std::cerr << "store_bench: " << before.status().message() << "\n";
    return 1;
  }
  const Clock::time_point start = Clock::now();
  std::vector<uint32_t> latencies = RunPhase(run, o.messages, o.seconds, /*measure=*/true);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  absl::StatusOr<v1::Stats> after = GetStats(run);
  if (!after.ok()) {
    std::cerr << "store_bench: " << after.status().message() << "\n";
    return 1;
  }

  const uint64_t errors = run.errors.count();
  const LatencySummary summary = Summarize(latencies);
  const double rate = elapsed > 0 ? static_cast<double>(summary.count) / elapsed : 0;
  const uint64_t commits = after->commits() - before->commits();
  const uint64_t writes = after->committed_writes() - before->committed_writes();
  const std::string sync = self_started ? (o.sync ? "on" : "off") : "external";

  std::cout << absl::StrFormat("clients:          %u (on %u gRPC channel%s)\n", o.clients, o.channels,
                               o.channels == 1 ? "" : "s")
            << absl::StrFormat("messages:         %u delivered x %u bytes (warmup %u)\n", summary.count, o.size,
                               o.warmup)
            << absl::StrFormat("errors:           %u\n", errors)
            << absl::StrFormat("elapsed:          %.3f s\n", elapsed)
            << absl::StrFormat("deliveries/s:     %.1f\n", rate)
            << absl::StrFormat("latency p50:      %.3f ms\n", summary.p50_ms)
            << absl::StrFormat("latency p99:      %.3f ms\n", summary.p99_ms)
            << absl::StrFormat("latency max:      %.3f ms\n", summary.max_ms)
            << absl::StrFormat("commits:          %u (store GetStats, measured phase)\n", commits)
            << absl::StrFormat("committed_writes: %u\n", writes)
            << absl::StrFormat("writes/commit:    %s\n",
                               commits == 0 ? std::string("-")
                                            : absl::StrFormat("%.2f", static_cast<double>(writes) /
                                                                          static_cast<double>(commits)));
  if (o.csv) {
    std::cout << absl::StrFormat("%s,%u,%u,%u,%.3f,%.1f,%.3f,%.3f,%.3f,%u,%u,%u\n", sync, o.clients, summary.count,
                                 o.size, elapsed, rate, summary.p50_ms, summary.p99_ms, summary.max_ms, commits, writes,
                                 errors);
  }
  std::cout << std::flush;
  if (errors > 0) {
    for (const std::string& sample : run.errors.samples()) std::cerr << "store_bench: " << sample << "\n";
    std::cerr << "store_bench: " << errors << " deliveries failed\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace kurier::bench

int main(int argc, char** argv) { return kurier::bench::Main(std::vector<std::string>(argv + 1, argv + argc)); }
