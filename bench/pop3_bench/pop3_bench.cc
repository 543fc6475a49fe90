// pop3_bench: the load generator and data loader of the POP3 benchmark
// (bench/README.md, "POP3"). run_pop3_bench.sh drives it; each subcommand is
// one step:
//
//   setup-kurier   create accounts in a mailstore and deliver the messages
//                  (gRPC kurier.store.v1.MailStore)
//   setup-maildir  write the same messages as Maildir files for Dovecot
//   retr           N clients in N threads, each logs in to its own account,
//                  LISTs, RETRs every message, checks each (size as LISTed,
//                  checksum, addressee), DELEs it too with --delete=1,
//                  QUITs; reports messages/s and MB/s
//   idle           opens and logs in N connections, prints "ready", holds
//                  them until standard input ends, then QUITs them
//   free-port      prints a TCP port on 127.0.0.1 that is free right now
//
// Accounts are <prefix><i>@pop3-bench.invalid for i in [0, --users) (another
// domain with --domain; bench/run uses bench.invalid).
// Not a test: //bench/pop3_bench:pop3_bench_smoke_test only checks it runs.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/pop3_bench/bench_message.h"
#include "bench/common/bench_cli.h"
#include "bench/pop3_bench/pop3_client.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"

namespace kurier::bench::pop3 {
namespace {

namespace v1 = ::kurier::store::v1;
using Clock = std::chrono::steady_clock;

// The accounts' domain; --domain changes it (bench/run uses its own).
std::string& Domain() {
  static std::string domain = "pop3-bench.invalid";
  return domain;
}

// --- Options: bench/common/bench_cli.h ---------------------------------------

using cli::Options;

std::string UserName(const std::string& prefix, uint64_t i) { return absl::StrCat(prefix, i, "@", Domain()); }

// Keeps the first error message and counts the rest.
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

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// --- setup-kurier --------------------------------------------------------------

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

int SetupKurier(const Options& o) {
  const std::string store = o.Str("store", "");
  const std::string prefix = o.Str("prefix", "u");
  const std::string password = o.Str("password", "bench-password");
  const uint64_t users = o.Num("users", 1);
  const uint64_t messages = o.Num("messages", 0);
  const uint64_t size = o.Num("size", 20480);
  const uint64_t seed = o.Num("seed", 1);
  const uint64_t threads = o.Num("threads", 8);
  if (store.empty()) {
    std::cerr << "pop3_bench setup-kurier: --store=HOST:PORT is required\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(store, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::cerr << "pop3_bench: cannot connect to the store at " << store << "\n";
    return 1;
  }
  std::unique_ptr<v1::MailStore::Stub> stub = v1::MailStore::NewStub(channel);
  auto deadline = [](grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  };

  Errors errors;
  const Clock::time_point start = Clock::now();
  // One account per task: create it, lift a quota if the store sets one,
  // then deliver its messages in order (so UIDs follow the index).
  ParallelFor(users, threads, [&](uint64_t i) {
    const std::string user = UserName(prefix, i);
    v1::CreateAccountRequest create;
    create.set_name(user);
    create.set_password(password);
    create.set_idempotency_key(absl::StrCat("pop3_bench-account-", user));
    v1::Account account;
    {
      grpc::ClientContext context;
      deadline(context);
      if (grpc::Status s = stub->CreateAccount(&context, create, &account); !s.ok()) {
        errors.Add(absl::StrCat("CreateAccount ", user, ": ", Describe(s)));
        return;
      }
    }
    if (account.quota_bytes() != 0) {
      v1::SetQuotaRequest quota;
      quota.set_name(user);
      quota.set_quota_bytes(0);
      grpc::ClientContext context;
      deadline(context);
      if (grpc::Status s = stub->SetQuota(&context, quota, &account); !s.ok()) {
        errors.Add(absl::StrCat("SetQuota ", user, ": ", Describe(s)));
        return;
      }
    }
    for (uint64_t m = 0; m < messages; ++m) {
      v1::DeliverRequest deliver;
      deliver.add_recipients(user);
      deliver.set_content(MakeBenchMessage(seed, user, static_cast<uint32_t>(m), size));
      deliver.set_idempotency_key(absl::StrCat("pop3_bench-", seed, "-", user, "-", m));
      v1::DeliverResponse response;
      grpc::ClientContext context;
      deadline(context);
      if (grpc::Status s = stub->Deliver(&context, deliver, &response); !s.ok()) {
        errors.Add(absl::StrCat("Deliver to ", user, ": ", Describe(s)));
        return;
      }
      if (response.results_size() != 1 || response.results(0).outcome() != v1::RecipientResult::DELIVERED) {
        errors.Add(absl::StrCat("Deliver to ", user, ": not delivered"));
        return;
      }
    }
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << absl::StrFormat("setup-kurier: %u accounts, %u messages each of %u bytes, %.1f s\n", users, messages,
                               size, elapsed);
  if (errors.count() > 0) {
    std::cerr << "pop3_bench setup-kurier: " << errors.count() << " failures; first: " << errors.first() << "\n";
    return 1;
  }
  return 0;
}

// --- setup-maildir -------------------------------------------------------------

// Writes the messages the way a delivery agent would: into new/, named
// <time>.M<n>P<pid>.<host>,S=<size>,W=<size> (the file already has CRLF line
// ends, so its size is its virtual size and Dovecot need not read it to LIST).
int SetupMaildir(const Options& o) {
  const std::string root = o.Str("dir", "");
  const std::string prefix = o.Str("prefix", "u");
  const uint64_t users = o.Num("users", 1);
  const uint64_t messages = o.Num("messages", 0);
  const uint64_t size = o.Num("size", 20480);
  const uint64_t seed = o.Num("seed", 1);
  const uint64_t threads = o.Num("threads", 4);
  if (root.empty()) {
    std::cerr << "pop3_bench setup-maildir: --dir=ROOT is required\n";
    return 2;
  }
  Errors errors;
  const Clock::time_point start = Clock::now();
  constexpr uint64_t kBaseTime = 1795000000;  // in 2026; the order of the names is the delivery order
  ParallelFor(users, threads, [&](uint64_t i) {
    const std::string user = UserName(prefix, i);
    const std::filesystem::path maildir = std::filesystem::path(root) / user / "Maildir";
    std::error_code ec;
    for (const char* sub : {"cur", "new", "tmp"}) std::filesystem::create_directories(maildir / sub, ec);
    if (ec) {
      errors.Add(absl::StrCat("mkdir ", maildir.string(), ": ", ec.message()));
      return;
    }
    for (uint64_t m = 0; m < messages; ++m) {
      const std::string content = MakeBenchMessage(seed, user, static_cast<uint32_t>(m), size);
      const std::string name =
          absl::StrCat(kBaseTime + m, ".M", m, "P", getpid(), ".pop3bench,S=", content.size(), ",W=", content.size());
      std::ofstream out(maildir / "new" / name, std::ios::binary | std::ios::trunc);
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
      if (!out) {
        errors.Add(absl::StrCat("write ", (maildir / "new" / name).string()));
        return;
      }
    }
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << absl::StrFormat("setup-maildir: %u users, %u messages each of %u bytes, %.1f s\n", users, messages, size,
                               elapsed);
  if (errors.count() > 0) {
    std::cerr << "pop3_bench setup-maildir: " << errors.count() << " failures; first: " << errors.first() << "\n";
    return 1;
  }
  return 0;
}

// --- retr ----------------------------------------------------------------------

struct ClientResult {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

// One client: login, LIST, RETR 1..n with checks (each followed by DELE when
// `dele`), QUIT.
absl::Status RetrClient(const std::string& host, int port, const std::string& user, const std::string& password,
                        uint64_t expect_messages, bool dele, ClientResult* result) {
  absl::StatusOr<Pop3Client> client = Pop3Client::Connect(host, port, std::chrono::seconds(60), 64 * 1024);
  if (!client.ok()) return client.status();
  if (absl::Status s = client->Login(user, password); !s.ok()) return s;
  absl::StatusOr<std::vector<uint64_t>> sizes = client->List();
  if (!sizes.ok()) return sizes.status();
  if (expect_messages != 0 && sizes->size() != expect_messages) {
    return absl::DataLossError(absl::StrCat("LIST shows ", sizes->size(), " messages, expected ", expect_messages));
  }
  std::string message;
  for (size_t n = 1; n <= sizes->size(); ++n) {
    absl::StatusOr<std::string> ok = client->Command(absl::StrCat("RETR ", n));
    if (!ok.ok()) return ok.status();
    message.clear();
    if (absl::Status s = client->ReadMultiLine(&message); !s.ok()) return s;
    if (message.size() != (*sizes)[n - 1]) {
      return absl::DataLossError(
          absl::StrCat("message ", n, " has ", message.size(), " bytes, LIST said ", (*sizes)[n - 1]));
    }
    if (absl::Status s = VerifyBenchMessage(message, user); !s.ok()) {
      return absl::DataLossError(absl::StrCat("message ", n, ": ", s.message()));
    }
    if (dele) {
      if (absl::StatusOr<std::string> deleted = client->Command(absl::StrCat("DELE ", n)); !deleted.ok()) {
        return deleted.status();
      }
    }
    ++result->messages;
    result->bytes += message.size();
  }
  // After DELE, QUIT's +OK says the messages are gone (RFC 1939 UPDATE state).
  if (absl::StatusOr<std::string> bye = client->Command("QUIT"); !bye.ok()) return bye.status();
  return absl::OkStatus();
}

int Retr(const Options& o) {
  const std::string host = o.Str("host", "127.0.0.1");
  const int port = static_cast<int>(o.Num("port", 0));
  const std::string prefix = o.Str("prefix", "u");
  const std::string password = o.Str("password", "bench-password");
  const uint64_t users = o.Num("users", 1);
  const uint64_t expect = o.Num("messages", 0);
  const std::string label = o.Str("label", "-");
  const bool dele = o.Num("delete", 0) != 0;
  if (port == 0) {
    std::cerr << "pop3_bench retr: --port is required\n";
    return 2;
  }
  std::vector<ClientResult> results(users);
  Errors errors;
  std::vector<std::thread> threads;
  // Every thread waits for the same start, so connection setup is measured too.
  std::atomic<uint64_t> waiting{users};
  std::atomic<bool> go{false};
  Clock::time_point start;
  const double cpu_before = CpuSeconds();
  for (uint64_t i = 0; i < users; ++i) {
    threads.emplace_back([&, i] {
      if (--waiting == 0) {
        start = Clock::now();
        go = true;
      }
      while (!go) std::this_thread::yield();
      if (absl::Status s = RetrClient(host, port, UserName(prefix, i), password, expect, dele, &results[i]); !s.ok()) {
        errors.Add(absl::StrCat(UserName(prefix, i), ": ", s.ToString()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_before;
  ClientResult total;
  for (const ClientResult& r : results) {
    total.messages += r.messages;
    total.bytes += r.bytes;
  }
  const double rate = total.messages / elapsed;
  const double mb_rate = static_cast<double>(total.bytes) / 1e6 / elapsed;
  std::cout << absl::StrFormat("clients:        %u\n", users) << absl::StrFormat("messages:       %u\n", total.messages)
            << absl::StrFormat("bytes:          %u\n", total.bytes)
            << absl::StrFormat("errors:         %u\n", errors.count())
            << absl::StrFormat("elapsed_s:      %.3f\n", elapsed) << absl::StrFormat("messages/s:     %.1f\n", rate)
            << absl::StrFormat("MB/s:           %.2f\n", mb_rate)
            << absl::StrFormat("client_cpu_s:   %.3f (%.0f%% of one core)\n", cpu, 100 * cpu / elapsed)
            << absl::StrFormat("result,%s,%u,%u,%u,%.3f,%.1f,%.2f,%.3f,%u\n", label, users, total.messages, total.bytes,
                               elapsed, rate, mb_rate, cpu, errors.count())
            << std::flush;
  if (errors.count() > 0) {
    std::cerr << "pop3_bench retr: " << errors.count() << " clients failed; first: " << errors.first() << "\n";
    return 1;
  }
  return 0;
}

// --- idle ----------------------------------------------------------------------

int Idle(const Options& o) {
  const std::string host = o.Str("host", "127.0.0.1");
  const int port = static_cast<int>(o.Num("port", 0));
  const std::string prefix = o.Str("prefix", "u");
  const std::string password = o.Str("password", "bench-password");
  const uint64_t users = o.Num("users", 1);
  const uint64_t concurrency = o.Num("concurrency", 32);
  if (port == 0) {
    std::cerr << "pop3_bench idle: --port is required\n";
    return 2;
  }
  std::vector<std::optional<Pop3Client>> clients(users);
  Errors errors;
  const Clock::time_point start = Clock::now();
  ParallelFor(users, concurrency, [&](uint64_t i) {
    if (errors.count() > 0) return;  // one failure fails the run: stop early
    absl::StatusOr<Pop3Client> client = Pop3Client::Connect(host, port, std::chrono::seconds(60), 1024);
    if (!client.ok()) {
      errors.Add(absl::StrCat("connect ", i, ": ", client.status().ToString()));
      return;
    }
    if (absl::Status s = client->Login(UserName(prefix, i), password); !s.ok()) {
      errors.Add(absl::StrCat("login ", UserName(prefix, i), ": ", s.ToString()));
      return;
    }
    clients[i] = *std::move(client);
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (errors.count() > 0) {
    std::cerr << "pop3_bench idle: " << errors.count() << " connections failed; first: " << errors.first() << "\n";
    std::cout << "failed\n" << std::flush;
    return 1;
  }
  std::cout << absl::StrFormat("logged_in: %u in %.2f s (%.0f logins/s)\n", users, elapsed, users / elapsed)
            << "ready\n"
            << std::flush;

  // Hold until the driver closes our standard input.
  std::string ignored;
  while (std::getline(std::cin, ignored)) {
  }

  std::atomic<uint64_t> lost{0};
  ParallelFor(users, concurrency, [&](uint64_t i) {
    if (!clients[i].has_value()) return;
    // A connection the server dropped while idle shows here.
    if (!clients[i]->Command("QUIT").ok()) ++lost;
    clients[i].reset();
  });
  std::cout << absl::StrFormat("closed: %u, lost while idle: %u\n", users, lost.load()) << std::flush;
  return lost > 0 ? 1 : 0;
}

// --- free-port -----------------------------------------------------------------

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("pop3_bench free-port");
    return 1;
  }
  std::cout << ntohs(address.sin_port) << "\n";
  close(fd);
  return 0;
}

constexpr char kUsage[] =
    "usage: pop3_bench COMMAND [--name=value ...]\n"
    "  setup-kurier  --store=HOST:PORT --prefix=P --users=N --messages=M [--size=20480 --seed=1 --password=PW "
    "--threads=8]\n"
    "  setup-maildir --dir=ROOT --prefix=P --users=N --messages=M [--size=20480 --seed=1 --threads=4]\n"
    "  retr          --port=N --prefix=P --users=N [--messages=M (expected) --host=127.0.0.1 --password=PW "
    "--label=L --delete=0|1]\n"
    "  idle          --port=N --prefix=P --users=N [--concurrency=32 --host=127.0.0.1 --password=PW]\n"
    "  free-port\n"
    "Accounts are <prefix><i>@pop3-bench.invalid, i in [0, users); every command takes --domain=D to change\n"
    "the domain. See bench/README.md.\n";

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  struct Entry {
    const char* name;
    std::vector<std::string> options;
    int (*run)(const Options&);
  };
  const std::vector<Entry> commands = {
      {"setup-kurier", {"store", "prefix", "users", "messages", "size", "seed", "password", "threads"}, SetupKurier},
      {"setup-maildir", {"dir", "prefix", "users", "messages", "size", "seed", "threads"}, SetupMaildir},
      {"retr", {"host", "port", "prefix", "users", "messages", "password", "label", "delete"}, Retr},
      {"idle", {"host", "port", "prefix", "users", "password", "concurrency"}, Idle},
      {"free-port", {}, [](const Options&) { return FreePort(); }},
  };
  for (const Entry& entry : commands) {
    if (command != entry.name) continue;
    std::vector<std::string> known = entry.options;
    known.push_back("domain");
    absl::StatusOr<Options> options = Options::Parse(args, known);
    if (!options.ok()) {
      std::cerr << "pop3_bench " << command << ": " << options.status().message() << "\n" << kUsage;
      return 2;
    }
    Domain() = options->Str("domain", Domain());
    return entry.run(*options);
  }
  std::cerr << (command == "--help" || command == "help" ? "" : "pop3_bench: unknown command '" + command + "'\n")
            << kUsage;
  return command == "--help" || command == "help" ? 0 : 2;
}

}  // namespace
}  // namespace kurier::bench::pop3

int main(int argc, char** argv) { return kurier::bench::pop3::Main(argc, argv); }
