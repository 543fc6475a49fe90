// corpus_tool: puts the benchmark's messages (corpus_message.h) where bench/run
// needs them, identically for Kurier and for Postfix/Dovecot:
//
//   setup-kurier   create accounts in a mailstore and deliver their messages
//                  (gRPC kurier.store.v1.MailStore: CreateAccount, SetQuota,
//                  Deliver)
//   setup-maildir  write the same messages as Maildir files for Dovecot
//   expect         what a set of accounts holds: messages, bytes, and how many
//                  carry each SEARCH marker
//   count-kurier   messages in the INBOXes of a set of accounts in a mailstore
//
// Accounts are <prefix><i>@<domain> for i in [0, --users); message m of an
// account is MakeCorpusMessage(AccountSeed(seed, account), account, m).
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/common/bench_cli.h"
#include "bench/corpus/corpus_message.h"
#include "bench/pop3_bench/bench_message.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "services/common/mime/mime_parser.h"

namespace kurier::bench::corpus {
namespace {

namespace v1 = ::kurier::store::v1;
using cli::Errors;
using cli::Options;
using cli::ParallelFor;
using Clock = std::chrono::steady_clock;

std::string Account(const Options& o, uint64_t i) {
  return absl::StrCat(o.Str("prefix", "u"), i, "@", o.Str("domain", "bench.invalid"));
}

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

std::unique_ptr<v1::MailStore::Stub> Connect(const std::string& store) {
  auto channel = grpc::CreateChannel(store, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) return nullptr;
  return v1::MailStore::NewStub(channel);
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
}

int SetupKurier(const Options& o) {
  const uint64_t users = o.Num("users", 1);
  const uint64_t messages = o.Num("messages", 0);
  const uint64_t seed = o.Num("seed", 1);
  const uint64_t threads = o.Num("threads", 16);
  const std::string password = o.Str("password", "bench-password");
  std::unique_ptr<v1::MailStore::Stub> stub = Connect(o.Str("store", ""));
  if (stub == nullptr) {
    std::cerr << "corpus_tool: cannot connect to the store at '" << o.Str("store", "") << "'\n";
    return 1;
  }
  Errors errors;
  const Clock::time_point start = Clock::now();
  // Accounts first (an existing one is fine), with no quota.
  ParallelFor(users, threads, [&](uint64_t i) {
    const std::string account = Account(o, i);
    v1::CreateAccountRequest create;
    create.set_name(account);
    create.set_password(password);
    create.set_idempotency_key(absl::StrCat("corpus_tool-account-", account));
    v1::Account created;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = stub->CreateAccount(&context, create, &created);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      errors.Add(absl::StrCat("CreateAccount ", account, ": ", Describe(s)));
      return;
    }
    v1::SetQuotaRequest quota;
    quota.set_name(account);
    quota.set_quota_bytes(0);
    grpc::ClientContext quota_context;
    SetDeadline(quota_context);
    if (grpc::Status q = stub->SetQuota(&quota_context, quota, &created); !q.ok()) {
      errors.Add(absl::StrCat("SetQuota ", account, ": ", Describe(q)));
    }
  });
  // Then every message, all accounts at once, so that group commit can
  // share the syncs (UIDs of one account need not follow the index).
  std::atomic<uint64_t> bytes{0};
  ParallelFor(users * messages, threads, [&](uint64_t k) {
    if (errors.count() > 0) return;
    const std::string account = Account(o, k / messages);
    const uint64_t m = k % messages;
    v1::DeliverRequest deliver;
    deliver.add_recipients(account);
    deliver.set_content(MakeCorpusMessage(AccountSeed(seed, account), account, m));
    // Parsed as SMTP does at delivery (Dovecot parses at LMTP delivery too).
    deliver.set_structure(mime::ParseMessage(deliver.content()).SerializeAsString());
    deliver.set_idempotency_key(absl::StrCat("corpus_tool-", seed, "-", account, "-", m));
    bytes += deliver.content().size();
    v1::DeliverResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    if (grpc::Status s = stub->Deliver(&context, deliver, &response); !s.ok()) {
      errors.Add(absl::StrCat("Deliver to ", account, ": ", Describe(s)));
    } else if (response.results_size() != 1 || response.results(0).outcome() != v1::RecipientResult::DELIVERED) {
      errors.Add(absl::StrCat("Deliver to ", account, ": not delivered"));
    }
  });
  std::cout << absl::StrFormat("setup-kurier: %u accounts, %u messages, %u bytes, %.1f s\n", users, users * messages,
                               bytes.load(), Since(start));
  if (errors.count() > 0) {
    std::cerr << "corpus_tool setup-kurier: " << errors.count() << " failures; first: " << errors.first() << "\n";
    return 1;
  }
  return 0;
}

bool WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

// Writes the messages as a delivery agent would: into new/, named
// <time>.M<n>P<pid>.corpus,S=<size>,W=<size> (CRLF line ends already, so the
// size is the virtual size and Dovecot need not read a file to know it).
int SetupMaildir(const Options& o) {
  const std::string root = o.Str("dir", "");
  const uint64_t users = o.Num("users", 1);
  const uint64_t messages = o.Num("messages", 0);
  const uint64_t seed = o.Num("seed", 1);
  const uint64_t threads = o.Num("threads", 4);
  if (root.empty()) {
    std::cerr << "corpus_tool setup-maildir: --dir=ROOT is required\n";
    return 2;
  }
  Errors errors;
  const Clock::time_point start = Clock::now();
  ParallelFor(users, threads, [&](uint64_t i) {
    const std::string account = Account(o, i);
    const std::filesystem::path maildir = std::filesystem::path(root) / account / "Maildir";
    std::error_code ec;
    for (const char* sub : {"cur", "new", "tmp"}) std::filesystem::create_directories(maildir / sub, ec);
    if (ec) {
      errors.Add(absl::StrCat("mkdir ", maildir.string(), ": ", ec.message()));
      return;
    }
  });
  constexpr uint64_t kBaseTime = 1795000000;  // in 2026; names sort in delivery order
  std::atomic<uint64_t> bytes{0};
  ParallelFor(users * messages, threads, [&](uint64_t k) {
    const std::string account = Account(o, k / messages);
    const uint64_t m = k % messages;
    const std::string content = MakeCorpusMessage(AccountSeed(seed, account), account, m);
    bytes += content.size();
    const std::filesystem::path path = std::filesystem::path(root) / account / "Maildir" / "new" /
                                       absl::StrCat(kBaseTime + m, ".M", m, "P", getpid(), ".corpus,S=",
                                                    content.size(), ",W=", content.size());
    if (!WriteFile(path, content)) errors.Add(absl::StrCat("write ", path.string()));
  });
  std::cout << absl::StrFormat("setup-maildir: %u accounts, %u messages, %u bytes, %.1f s\n", users,
                               users * messages, bytes.load(), Since(start));
  if (errors.count() > 0) {
    std::cerr << "corpus_tool setup-maildir: " << errors.count() << " failures; first: " << errors.first() << "\n";
    return 1;
  }
  return 0;
}

int Expect(const Options& o) {
  const uint64_t users = o.Num("users", 1);
  const uint64_t messages = o.Num("messages", 0);
  const uint64_t seed = o.Num("seed", 1);
  uint64_t bytes = 0;
  uint64_t text = 0;
  uint64_t subject = 0;
  for (uint64_t i = 0; i < users; ++i) {
    const std::string account = Account(o, i);
    const uint64_t account_seed = AccountSeed(seed, account);
    for (uint64_t m = 0; m < messages; ++m) {
      if (o.Num("bytes", 1) != 0) bytes += MakeCorpusMessage(account_seed, account, m).size();
      text += HasTextMarker(account_seed, m);
      subject += HasSubjectMarker(account_seed, m);
    }
  }
  std::cout << "messages " << users * messages << "\nbytes " << bytes << "\ntext_marker " << text
            << "\nsubject_marker " << subject << "\n";
  return 0;
}

int CountKurier(const Options& o) {
  const uint64_t users = o.Num("users", 1);
  std::unique_ptr<v1::MailStore::Stub> stub = Connect(o.Str("store", ""));
  if (stub == nullptr) {
    std::cerr << "corpus_tool: cannot connect to the store at '" << o.Str("store", "") << "'\n";
    return 1;
  }
  Errors errors;
  std::atomic<uint64_t> total{0};
  ParallelFor(users, 8, [&](uint64_t i) {
    v1::GetMailboxStatusRequest request;
    request.set_account(Account(o, i));
    request.set_name("INBOX");
    v1::Mailbox mailbox;
    grpc::ClientContext context;
    SetDeadline(context);
    if (grpc::Status s = stub->GetMailboxStatus(&context, request, &mailbox); !s.ok()) {
      errors.Add(absl::StrCat("GetMailboxStatus ", request.account(), ": ", Describe(s)));
      return;
    }
    total += mailbox.messages();
  });
  if (errors.count() > 0) {
    std::cerr << "corpus_tool count-kurier: " << errors.first() << "\n";
    return 1;
  }
  std::cout << total.load() << "\n";
  return 0;
}

constexpr char kUsage[] =
    "usage: corpus_tool COMMAND [--name=value ...]\n"
    "  setup-kurier  --store=HOST:PORT --prefix=P --users=N --messages=M [--domain=bench.invalid --seed=1\n"
    "                --password=PW --threads=16]\n"
    "  setup-maildir --dir=ROOT --prefix=P --users=N --messages=M [--domain --seed --threads=4]\n"
    "  expect        --prefix=P --users=N --messages=M [--domain --seed --bytes=1]\n"
    "  count-kurier  --store=HOST:PORT --prefix=P --users=N [--domain]\n"
    "Accounts are <prefix><i>@<domain>, i in [0, users). See bench/README.md.\n";

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
      {"setup-kurier",
       {"store", "prefix", "users", "messages", "domain", "seed", "password", "threads"},
       SetupKurier},
      {"setup-maildir", {"dir", "prefix", "users", "messages", "domain", "seed", "threads"}, SetupMaildir},
      {"expect", {"prefix", "users", "messages", "domain", "seed", "bytes"}, Expect},
      {"count-kurier", {"store", "prefix", "users", "domain"}, CountKurier},
  };
  for (const Entry& entry : commands) {
    if (command != entry.name) continue;
    absl::StatusOr<Options> options = Options::Parse(args, entry.options);
    if (!options.ok()) {
      std::cerr << "corpus_tool " << command << ": " << options.status().message() << "\n" << kUsage;
      return 2;
    }
    return entry.run(*options);
  }
  const bool help = command == "--help" || command == "help";
  std::cerr << (help ? "" : "corpus_tool: unknown command '" + command + "'\n") << kUsage;
  return help ? 0 : 2;
}

}  // namespace
}  // namespace kurier::bench::corpus

int main(int argc, char** argv) { return kurier::bench::corpus::Main(argc, argv); }
