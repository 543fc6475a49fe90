// imap_bench: the IMAP load generator of bench/run (bench/README.md). Every
// subcommand runs one scenario against one server and prints its figures,
// ending in one "result,..." line for the driver:
//
//   fetch    N clients in N threads, each logs in to its own account, EXAMINEs
//            INBOX and FETCHes every message in batches, --rounds times
//            over (one session): --items=body
//            (BODY.PEEK[], each checked: checksum line and addressee) or
//            --items=meta ((FLAGS ENVELOPE BODYSTRUCTURE), each checked for
//            all three); messages/s and MB/s
//   search   one client, one account: --query (e.g. 'TEXT "quokka-7"')
//            --repeat times after --warmup; hits and latency percentiles
//   append   N clients, each APPENDs --messages corpus messages to its own
//            account; messages/s and MB/s
//   idle     opens N connections, each LOGIN, SELECT INBOX, IDLE; prints
//            "ready", holds them until standard input ends, then DONE and
//            LOGOUT each
//   latency  one client logged in once; each round is SELECT INBOX + FETCH 1
//            (FLAGS BODY.PEEK[]), timed; percentiles over --repeat rounds
//
// Accounts are <prefix><i>@<domain> for i in [0, --users).
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/common/bench_cli.h"
#include "bench/corpus/corpus_message.h"
#include "bench/imap_bench/imap_client.h"
#include "bench/pop3_bench/bench_message.h"

namespace kurier::bench::imap {
namespace {

using cli::Errors;
using cli::Options;
using cli::ParallelFor;
using Clock = std::chrono::steady_clock;

std::string Account(const Options& o, uint64_t i) {
  return absl::StrCat(o.Str("prefix", "u"), i, "@", o.Str("domain", "bench.invalid"));
}

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

absl::StatusOr<ImapClient> Open(const Options& o, size_t buffer_bytes) {
  return ImapClient::Connect(o.Str("host", "127.0.0.1"), static_cast<int>(o.Num("port", 0)),
                             std::chrono::seconds(o.Num("timeout", 120)), buffer_bytes);
}

// The number of messages an EXAMINE or SELECT reported ("* N EXISTS").
ImapClient::UntaggedFn CountExists(uint64_t* exists) {
  return [exists](const ImapResponse& r) {
    std::vector<std::string> words = absl::StrSplit(r.text, ' ');
    if (words.size() >= 3 && words[2] == "EXISTS") (void)absl::SimpleAtoi(words[1], exists);
    return absl::OkStatus();
  };
}

// Runs client(i, &messages, &bytes) on N threads that start together; prints
// the figures and the result line.
template <typename Fn>
int RunClients(const Options& o, const std::string& what, Fn client) {
  const uint64_t users = o.Num("users", 1);
  std::vector<uint64_t> messages(users, 0);
  std::vector<uint64_t> bytes(users, 0);
  Errors errors;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> waiting{users};
  std::atomic<bool> go{false};
  Clock::time_point start;
  const double cpu_before = cli::CpuSeconds();
  for (uint64_t i = 0; i < users; ++i) {
    threads.emplace_back([&, i] {
      if (--waiting == 0) {
        start = Clock::now();
        go = true;
      }
      while (!go) std::this_thread::yield();
      if (absl::Status s = client(i, &messages[i], &bytes[i]); !s.ok()) {
        errors.Add(absl::StrCat(Account(o, i), ": ", s.ToString()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double elapsed = Since(start);
  const double cpu = cli::CpuSeconds() - cpu_before;
  uint64_t total_messages = 0;
  uint64_t total_bytes = 0;
  for (uint64_t i = 0; i < users; ++i) {
    total_messages += messages[i];
    total_bytes += bytes[i];
  }
  const double rate = total_messages / elapsed;
  const double mb = static_cast<double>(total_bytes) / 1e6 / elapsed;
  std::cout << absl::StrFormat("%s: %u clients, %u messages, %u bytes, %.3f s, %.1f messages/s, %.2f MB/s, "
                               "client CPU %.2f s, %u errors\n",
                               what, users, total_messages, total_bytes, elapsed, rate, mb, cpu, errors.count())
            << absl::StrFormat("result,%s,%u,%u,%u,%.3f,%.1f,%.2f,%.3f,%u\n", o.Str("label", "-"), users,
                               total_messages, total_bytes, elapsed, rate, mb, cpu, errors.count())
            << std::flush;
  if (errors.count() > 0) {
    std::cerr << "imap_bench " << what << ": " << errors.count() << " clients failed; first: " << errors.first()
              << "\n";
    return 1;
  }
  return 0;
}

// --- fetch -------------------------------------------------------------------

absl::Status FetchClient(const Options& o, uint64_t i, uint64_t* messages, uint64_t* bytes) {
  const std::string account = Account(o, i);
  const bool body = o.Str("items", "body") == "body";
  const uint64_t batch = std::max<uint64_t>(1, o.Num("batch", 100));
  const uint64_t expect = o.Num("messages", 0);
  absl::StatusOr<ImapClient> client = Open(o, 256 * 1024);
  if (!client.ok()) return client.status();
  if (absl::Status s = client->Login(account, o.Str("password", "bench-password")); !s.ok()) return s;
  uint64_t exists = 0;
  if (absl::StatusOr<std::string> s = client->Command("EXAMINE INBOX", CountExists(&exists)); !s.ok()) {
    return s.status();
  }
  if (expect != 0 && exists != expect) {
    return absl::DataLossError(absl::StrCat("INBOX has ", exists, " messages, expected ", expect));
  }
  const std::string items = body ? "(BODY.PEEK[])" : "(FLAGS ENVELOPE BODYSTRUCTURE)";
  const uint64_t rounds = std::max<uint64_t>(1, o.Num("rounds", 1));
  // Batch j of the whole run covers messages lo..hi of round j / per_round.
  const uint64_t per_round = (exists + batch - 1) / batch;
  for (uint64_t j = 0; j < rounds * per_round; ++j) {
    const uint64_t lo = (j % per_round) * batch + 1;
    const uint64_t hi = std::min(exists, lo + batch - 1);
    uint64_t got = 0;
    auto check = [&](const ImapResponse& r) -> absl::Status {
      if (!absl::StrContains(r.text, " FETCH (")) return absl::OkStatus();
      ++got;
      if (body) {
        const std::string* message = r.LiteralAfter("BODY[]");
        if (message == nullptr) return absl::DataLossError(absl::StrCat("no BODY[] literal in: ", r.text));
        if (absl::Status s = pop3::VerifyBenchMessage(*message, account); !s.ok()) return s;
        *bytes += message->size();
      } else {
        if (!absl::StrContains(r.text, "FLAGS (") || !absl::StrContains(r.text, "ENVELOPE (") ||
            !absl::StrContains(r.text, "BODYSTRUCTURE (")) {
          return absl::DataLossError(absl::StrCat("FETCH response lacks an item: ", r.text.substr(0, 200)));
        }
        *bytes += r.text.size();
        for (const std::string& literal : r.literals) *bytes += literal.size();
      }
      return absl::OkStatus();
    };
    if (absl::StatusOr<std::string> s = client->Command(absl::StrCat("FETCH ", lo, ":", hi, " ", items), check);
        !s.ok()) {
      return s.status();
    }
    if (got != hi - lo + 1) {
      return absl::DataLossError(absl::StrCat("FETCH ", lo, ":", hi, " answered for ", got, " messages"));
    }
    *messages += got;
  }
  return client->Command("LOGOUT").status();
}

int Fetch(const Options& o) {
  if (o.Num("port", 0) == 0) {
    std::cerr << "imap_bench fetch: --port is required\n";
    return 2;
  }
  return RunClients(o, absl::StrCat("fetch ", o.Str("items", "body")),
                    [&](uint64_t i, uint64_t* m, uint64_t* b) { return FetchClient(o, i, m, b); });
}

// --- append ------------------------------------------------------------------

absl::Status AppendClient(const Options& o, uint64_t i, uint64_t* messages, uint64_t* bytes) {
  const std::string account = Account(o, i);
  const uint64_t count = o.Num("messages", 100);
  const uint64_t seed = corpus::AccountSeed(o.Num("seed", 1), account);
  absl::StatusOr<ImapClient> client = Open(o, 16 * 1024);
  if (!client.ok()) return client.status();
  if (absl::Status s = client->Login(account, o.Str("password", "bench-password")); !s.ok()) return s;
  for (uint64_t m = 0; m < count; ++m) {
    // Made before the timing would matter as little as a client composing it.
    const std::string message = corpus::MakeCorpusMessage(seed, account, o.Num("first", 0) + m);
    if (absl::StatusOr<std::string> s = client->Append(o.Str("mailbox", "INBOX"), message); !s.ok()) {
      return s.status();
    }
    ++*messages;
    *bytes += message.size();
  }
  return client->Command("LOGOUT").status();
}

int Append(const Options& o) {
  if (o.Num("port", 0) == 0) {
    std::cerr << "imap_bench append: --port is required\n";
    return 2;
  }
  return RunClients(o, "append", [&](uint64_t i, uint64_t* m, uint64_t* b) { return AppendClient(o, i, m, b); });
}

// --- search and latency: one client, timed rounds ----------------------------

// Prints "<what>: hits, rounds, p50, p99, max" and the result line:
// result,label,hits,rounds,p50_ms,p99_ms,max_ms.
void PrintLatency(const Options& o, const std::string& what, uint64_t hits, std::vector<double> ms) {
  const double p50 = cli::Percentile(ms, 0.50);
  const double p99 = cli::Percentile(ms, 0.99);
  const double max = cli::Percentile(ms, 1.0);
  std::cout << absl::StrFormat("%s: %u hits, %u rounds, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what, hits,
                               ms.size(), p50, p99, max)
            << absl::StrFormat("result,%s,%u,%u,%.3f,%.3f,%.3f\n", o.Str("label", "-"), hits, ms.size(), p50, p99,
                               max)
            << std::flush;
}

int Search(const Options& o) {
  const std::string query = o.Str("query", "");
  if (o.Num("port", 0) == 0 || query.empty()) {
    std::cerr << "imap_bench search: --port and --query are required\n";
    return 2;
  }
  const std::string account = Account(o, o.Num("user", 0));
  absl::StatusOr<ImapClient> client = Open(o, 64 * 1024);
  absl::Status s = client.ok() ? client->Login(account, o.Str("password", "bench-password")) : client.status();
  if (s.ok()) s = client->Command("EXAMINE INBOX").status();
  std::vector<double> ms;
  uint64_t hits = 0;
  const uint64_t warmup = o.Num("warmup", 1);
  const uint64_t rounds = o.Num("repeat", 10);
  for (uint64_t round = 0; s.ok() && round < warmup + rounds; ++round) {
    hits = 0;
    auto count = [&](const ImapResponse& r) {
      if (absl::StartsWith(r.text, "* SEARCH")) {
        for (absl::string_view word : absl::StrSplit(r.text.substr(8), ' ', absl::SkipEmpty())) {
          hits += !word.empty() && word[0] != '(';
        }
      }
      return absl::OkStatus();
    };
    const Clock::time_point start = Clock::now();
    s = client->Command(absl::StrCat("SEARCH ", query), count).status();
    if (round >= warmup) ms.push_back(Since(start) * 1000);
  }
  if (s.ok()) s = client->Command("LOGOUT").status();
  if (!s.ok()) {
    std::cerr << "imap_bench search: " << s << "\n";
    return 1;
  }
  PrintLatency(o, absl::StrCat("search ", query), hits, ms);
  return 0;
}

int Latency(const Options& o) {
  if (o.Num("port", 0) == 0) {
    std::cerr << "imap_bench latency: --port is required\n";
    return 2;
  }
  const std::string account = Account(o, o.Num("user", 0));
  absl::StatusOr<ImapClient> client = Open(o, 64 * 1024);
  absl::Status s = client.ok() ? client->Login(account, o.Str("password", "bench-password")) : client.status();
  std::vector<double> ms;
  const uint64_t warmup = o.Num("warmup", 20);
  const uint64_t rounds = o.Num("repeat", 300);
  for (uint64_t round = 0; s.ok() && round < warmup + rounds; ++round) {
    const Clock::time_point start = Clock::now();
    uint64_t exists = 0;
    s = client->Command("SELECT INBOX", CountExists(&exists)).status();
    if (s.ok() && exists == 0) s = absl::FailedPreconditionError("INBOX is empty");
    bool fetched = false;
    if (s.ok()) {
      s = client
              ->Command("FETCH 1 (FLAGS BODY.PEEK[])",
                        [&](const ImapResponse& r) {
                          if (const std::string* m = r.LiteralAfter("BODY[]"); m != nullptr) {
                            fetched = true;
                            return pop3::VerifyBenchMessage(*m, account);
                          }
                          return absl::OkStatus();
                        })
              .status();
    }
    if (s.ok() && !fetched) s = absl::DataLossError("FETCH 1 returned no BODY[]");
    if (round >= warmup) ms.push_back(Since(start) * 1000);
  }
  if (s.ok()) s = client->Command("LOGOUT").status();
  if (!s.ok()) {
    std::cerr << "imap_bench latency: " << s << "\n";
    return 1;
  }
  PrintLatency(o, "SELECT + FETCH 1", 0, ms);
  return 0;
}

// --- idle --------------------------------------------------------------------

int Idle(const Options& o) {
  const uint64_t users = o.Num("users", 1);
  const uint64_t concurrency = o.Num("concurrency", 32);
  if (o.Num("port", 0) == 0) {
    std::cerr << "imap_bench idle: --port is required\n";
    return 2;
  }
  std::vector<std::optional<ImapClient>> clients(users);
  Errors errors;
  const Clock::time_point start = Clock::now();
  ParallelFor(users, concurrency, [&](uint64_t i) {
    if (errors.count() > 0) return;  // one failure fails the run: stop early
    absl::StatusOr<ImapClient> client = Open(o, 1024);
    absl::Status s = client.ok() ? client->Login(Account(o, i), o.Str("password", "bench-password")) : client.status();
    if (s.ok()) s = client->Command("SELECT INBOX").status();
    if (s.ok()) s = client->StartIdle();
    if (!s.ok()) {
      errors.Add(absl::StrCat(Account(o, i), ": ", s.ToString()));
      return;
    }
    clients[i] = *std::move(client);
  });
  const double elapsed = Since(start);
  if (errors.count() > 0) {
    std::cerr << "imap_bench idle: " << errors.count() << " connections failed; first: " << errors.first() << "\n";
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
    if (!clients[i]->EndIdle().ok() || !clients[i]->Command("LOGOUT").ok()) ++lost;
    clients[i].reset();
  });
  std::cout << absl::StrFormat("closed: %u, lost while idle: %u\n", users, lost.load()) << std::flush;
  return lost > 0 ? 1 : 0;
}

constexpr char kUsage[] =
    "usage: imap_bench COMMAND --port=N [--name=value ...]\n"
    "  fetch    --prefix=P --users=N [--items=body|meta --messages=M (expected) --batch=100 --rounds=1]\n"
    "  append   --prefix=P --users=N --messages=M [--seed=1 --first=0 --mailbox=INBOX]\n"
    "  search   --prefix=P --user=I --query=KEYS [--repeat=10 --warmup=1]\n"
    "  latency  --prefix=P --user=I [--repeat=300 --warmup=20]\n"
    "  idle     --prefix=P --users=N [--concurrency=32]\n"
    "All take --host=127.0.0.1 --domain=bench.invalid --password=PW --timeout=120 --label=L.\n"
    "Accounts are <prefix><i>@<domain>. See bench/README.md.\n";

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  const std::vector<std::string> common = {"host", "port", "domain", "password", "timeout", "label", "prefix"};
  struct Entry {
    const char* name;
    std::vector<std::string> options;
    int (*run)(const Options&);
  };
  const std::vector<Entry> commands = {
      {"fetch", {"users", "items", "messages", "batch", "rounds"}, Fetch},
      {"append", {"users", "messages", "seed", "first", "mailbox"}, Append},
      {"search", {"user", "query", "repeat", "warmup"}, Search},
      {"latency", {"user", "repeat", "warmup"}, Latency},
      {"idle", {"users", "concurrency"}, Idle},
  };
  for (const Entry& entry : commands) {
    if (command != entry.name) continue;
    std::vector<std::string> known = entry.options;
    known.insert(known.end(), common.begin(), common.end());
    absl::StatusOr<Options> options = Options::Parse(args, known);
    if (!options.ok()) {
      std::cerr << "imap_bench " << command << ": " << options.status().message() << "\n" << kUsage;
      return 2;
    }
    return entry.run(*options);
  }
  const bool help = command == "--help" || command == "help";
  std::cerr << (help ? "" : "imap_bench: unknown command '" + command + "'\n") << kUsage;
  return help ? 0 : 2;
}

}  // namespace
}  // namespace kurier::bench::imap

int main(int argc, char** argv) { return kurier::bench::imap::Main(argc, argv); }
