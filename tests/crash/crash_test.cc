// Crash test: a delivery the store acknowledged is never lost.
//
// Runs the real mailstore binary on a data directory under $TEST_TMPDIR and
// loads it from many client threads with Deliver calls (distinct messages of
// 100 B to 64 KB, some to several recipients, some with an idempotency key),
// with StoreFlags and Expunge calls mixed in. At a random moment the server
// gets SIGKILL. It is restarted on the same data, and over gRPC:
//   - every acknowledged delivery is there, at the UID it was acknowledged
//     with, byte for byte; acknowledged flags are set, acknowledged expunges
//     stay expunged;
//   - a write that was in flight at the kill happened completely or not at
//     all (a Deliver to several recipients reaches all of them or none);
//   - no UID holds two messages, no message is there twice, UIDNEXT is above
//     every UID ever handed out, UIDVALIDITY never changes;
//   - a Deliver retried with its idempotency key returns the UIDs of the
//     first call and adds nothing.
// Then the server is stopped with SIGTERM, and the storage library opened on
// the same directory must find the blob reference counts, mailbox counters
// and quota usage consistent with the message index. Five rounds, each killed
// at a different moment, continue on the same data.
//
// KURIER_CRASH_SEED=<n> repeats a run's random choices (kill points, message
// sizes, recipients; not the thread interleaving). KURIER_MAILSTORE_BIN
// overrides the binary found in the runfiles.
#include <fcntl.h>
#include <openssl/sha.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "storage/mail_store.h"

extern char** environ;

namespace kurier::crash_test {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::kurier::store::v1;
using Clock = std::chrono::steady_clock;
using Stub = v1::MailStore::Stub;

constexpr int kRounds = 5;
constexpr int kAccounts = 5;
constexpr int kClientThreads = 12;
constexpr int kVerifyThreads = 4;
constexpr int kMinKillMs = 50;
constexpr int kMaxKillMs = 1500;
constexpr double kMinBodyBytes = 100;
constexpr double kMaxBodyBytes = 64 * 1024;
// Acknowledged deliveries with a key that are sent again after each restart.
constexpr int kRetriesPerRound = 25;
constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kStopTimeout = std::chrono::seconds(20);
constexpr auto kRpcTimeout = std::chrono::seconds(20);
// Detailed problems printed per round; the count is always given.
constexpr size_t kMaxProblemsShown = 30;

const char* const kFlagChoices[] = {"\\Seen", "\\Flagged", "\\Answered", "$Crash", "$Label1"};

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// A message body: a header naming its id, then random bytes of every value,
// which the store must keep exactly.
std::string MakeBody(uint64_t id, size_t size, std::mt19937_64& rng) {
  std::string body = absl::StrCat("X-Crash-Id: ", id, "\r\nSubject: crash test message ", id, "\r\n\r\n");
  body.reserve(std::max(size, body.size()));
  while (body.size() < size) {
    uint64_t r = rng();
    for (int i = 0; i < 8 && body.size() < size; ++i, r >>= 8) body.push_back(static_cast<char>(r & 0xff));
  }
  return body;
}

// The id in a body made by MakeBody, or 0.
uint64_t BodyId(const std::string& body) {
  static const std::string kPrefix = "X-Crash-Id: ";
  if (body.compare(0, kPrefix.size(), kPrefix) != 0) return 0;
  uint64_t id = 0;
  const char* begin = body.data() + kPrefix.size();
  auto [end, ec] = std::from_chars(begin, body.data() + body.size(), id);
  if (ec != std::errc() || end == begin || static_cast<size_t>(end - body.data()) + 1 >= body.size() ||
      end[0] != '\r') {
    return 0;
  }
  return id;
}

std::string Describe(const grpc::Status& status) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) + ": " + status.error_message();
}

std::chrono::system_clock::time_point Deadline() { return std::chrono::system_clock::now() + kRpcTimeout; }

std::string TailOfFile(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return text.size() > max_bytes ? "..." + text.substr(text.size() - max_bytes) : text;
}

// ------------------------------------------------------------------------------------------------
// The mailstore process.

class ServerProcess {
 public:
  ServerProcess(std::string binary, fs::path data_dir, fs::path work_dir, int generation)
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        port_file_(work_dir / absl::StrCat("port-", generation)),
        log_file_(work_dir / absl::StrCat("mailstore-", generation, ".log")) {}
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Starts the binary on port 0 and waits until it has written its port file
  // and answers a call.
  ::testing::AssertionResult Start() {
    fs::remove(port_file_);
    std::vector<std::string> args = {
        binary_,
        "--store.data_dir=" + data_dir_.string(),
        "--store.listen=127.0.0.1:0",
        "--store.port_file=" + port_file_.string(),
        "--store.metrics_listen=off",
        "--store.scrypt_n=1024",
    };
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // posix_spawn rather than fork: no fork handlers run in this process,
    // which has gRPC threads. Output goes to a log, shown on failure.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
      pid_ = -1;
      return ::testing::AssertionFailure() << "cannot start " << binary_ << ": " << strerror(error);
    }

    const auto deadline = Clock::now() + kStartTimeout;
    std::string last;
    while (true) {
      int wstatus = 0;
      if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure()
               << "mailstore exited while starting (" << ExitText(wstatus) << "); its log:\n"
               << LogTail();
      }
      // The port counts once two reads a moment apart agree, so a file that
      // is still being written is not taken for a port.
      std::string content;
      {
        std::ifstream in(port_file_);
        std::getline(in, content);
      }
      int port = 0;
      auto [end, ec] = std::from_chars(content.data(), content.data() + content.size(), port);
      if (!content.empty() && content == last && ec == std::errc() && port > 0 && port < 65536) {
        port_ = port;
        break;
      }
      last = content;
      if (Clock::now() > deadline) {
        return ::testing::AssertionFailure()
               << "mailstore wrote no port file in " << kStartTimeout.count() << " s; its log:\n"
               << LogTail();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    grpc::ChannelArguments channel_args;
    channel_args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    channel_ =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials(), channel_args);
    stub_ = v1::MailStore::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kStartTimeout);
    context.set_wait_for_ready(true);
    v1::Stats stats;
    grpc::Status status = stub_->GetStats(&context, v1::GetStatsRequest(), &stats);
    if (!status.ok()) {
      return ::testing::AssertionFailure()
             << "mailstore on port " << port_ << " does not answer: " << Describe(status) << "; its log:\n"
             << LogTail();
    }
    return ::testing::AssertionSuccess();
  }

  // SIGKILL, and reaps the process.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // SIGTERM; the process must exit cleanly within the timeout.
  ::testing::AssertionResult Stop() {
    if (pid_ <= 0) return ::testing::AssertionFailure() << "mailstore is not running";
    // Our idle connection would hold up the server's graceful shutdown for
    // seconds (gRPC waits for the client to answer its GOAWAY ping).
    stub_.reset();
    channel_.reset();
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopTimeout;
    int wstatus = 0;
    while (waitpid(pid_, &wstatus, WNOHANG) != pid_) {
      if (Clock::now() > deadline) {
        Kill();
        return ::testing::AssertionFailure()
               << "mailstore did not exit within " << kStopTimeout.count() << " s of SIGTERM; its log:\n"
               << LogTail();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      return ::testing::AssertionFailure()
             << "mailstore stopped by SIGTERM ended with " << ExitText(wstatus) << "; its log:\n"
             << LogTail();
    }
    return ::testing::AssertionSuccess();
  }

  Stub* stub() const { return stub_.get(); }
  int port() const { return port_; }
  std::string LogTail() const { return TailOfFile(log_file_, 3000); }

 private:
  static std::string ExitText(int wstatus) {
    if (WIFEXITED(wstatus)) return absl::StrCat("exit status ", WEXITSTATUS(wstatus));
    if (WIFSIGNALED(wstatus)) return absl::StrCat("signal ", WTERMSIG(wstatus));
    return "unknown status";
  }

  const std::string binary_;
  const fs::path data_dir_;
  const fs::path port_file_;
  const fs::path log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
};

// ------------------------------------------------------------------------------------------------
// What the clients were told, and what may or may not have happened.

enum class Outcome {
  kSending,    // the call has not returned
  kAcked,      // acknowledged, or found after the restart
  kInDoubt,    // the call failed at the kill; resolved by the next check
  kNotStored,  // in doubt, and not there after the restart: must never appear
};

struct Message {
  uint64_t id = 0;
  int round = 0;
  std::string content;
  std::string blob_id;                 // hex SHA-256 of content
  std::vector<int> accounts;           // distinct account indexes
  std::vector<std::string> addresses;  // as sent: primary, alias or other case
  std::string idempotency_key;         // empty: sent without one
  Outcome outcome = Outcome::kSending;
  bool recovered = false;        // in doubt, then found after the restart
  std::map<int, uint32_t> uids;  // account -> UID, once known
};

enum class CopyState { kPresent, kExpunging, kExpunged };

// One message in one account's INBOX.
struct Copy {
  uint64_t message_id = 0;
  CopyState state = CopyState::kPresent;
  std::set<std::string> flags;          // acknowledged
  std::set<std::string> pending_flags;  // sent, not acknowledged
};

struct Account {
  std::string name;           // primary, as the store returned it
  uint32_t uid_validity = 0;  // of INBOX; 0 until known
  uint32_t highest_uid = 0;   // highest UID ever handed out or seen
  std::map<uint32_t, Copy> copies;
};

struct CopyRef {
  int account;
  uint32_t uid;
};

struct RoundCounters {
  std::atomic<uint64_t> delivered{0};  // acknowledged Deliver calls
  std::atomic<uint64_t> copies{0};     // acknowledged (account, UID) pairs
  std::atomic<uint64_t> flagged{0};
  std::atomic<uint64_t> expunged{0};
  std::atomic<uint64_t> in_doubt{0};  // calls that failed at the kill
};

// Found in an account's INBOX after the restart.
struct Found {
  int account = 0;
  v1::MessageInfo info;
  uint64_t message_id = 0;  // from the body; 0 if not a body of this test
  bool content_matches = false;
  uint64_t bytes = 0;
  std::string error;  // a failed read
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* bin = std::getenv("KURIER_MAILSTORE_BIN")) {
      binary_ = bin;
    } else {
      const char* srcdir = std::getenv("TEST_SRCDIR");
      const char* workspace = std::getenv("TEST_WORKSPACE");
      binary_ =
          absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "kurier", "/services/mailstore/mailstore");
    }
    ASSERT_TRUE(fs::exists(binary_)) << "no mailstore binary at " << binary_;
    seed_ = std::random_device()();
    if (const char* s = std::getenv("KURIER_CRASH_SEED")) seed_ = std::strtoull(s, nullptr, 10);
    work_dir_ = fs::path(::testing::TempDir()) / "crash_test";
    fs::remove_all(work_dir_);
    data_dir_ = work_dir_ / "data";
    fs::create_directories(data_dir_);
    std::printf("crash test: seed %llu (KURIER_CRASH_SEED=%llu repeats it), data in %s\n",
                static_cast<unsigned long long>(seed_), static_cast<unsigned long long>(seed_), data_dir_.c_str());
  }

  // Kill points spread over [kMinKillMs, kMaxKillMs]: one per slice, in a
  // random order.
  std::vector<int> KillPoints() {
    std::mt19937_64 rng(seed_);
    const int slice = (kMaxKillMs - kMinKillMs) / kRounds;
    std::vector<int> points;
    for (int r = 0; r < kRounds; ++r) {
      points.push_back(kMinKillMs + r * slice + std::uniform_int_distribution<int>(0, slice)(rng));
    }
    std::shuffle(points.begin(), points.end(), rng);
    return points;
  }

  void Problem(std::string text) {
    absl::MutexLock lock(&mu_);
    ProblemLocked(std::move(text));
  }
  void ProblemLocked(std::string text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { problems_.push_back(std::move(text)); }

  // Fails the test with the problems found so far, if any.
  bool ReportProblems(const std::string& when, const std::vector<const ServerProcess*>& servers) {
    absl::MutexLock lock(&mu_);
    if (problems_.empty()) return true;
    std::string text = absl::StrCat(problems_.size(), " problem(s) ", when, ":\n");
    for (size_t i = 0; i < problems_.size() && i < kMaxProblemsShown; ++i)
      absl::StrAppend(&text, "  ", problems_[i], "\n");
    for (const ServerProcess* s : servers)
      absl::StrAppend(&text, "--- log of the server on port ", s->port(), ":\n", s->LogTail(), "\n");
    ADD_FAILURE() << text;
    problems_.clear();
    return false;
  }

  void CreateAccounts(Stub* stub) {
    for (int i = 0; i < kAccounts; ++i) {
      v1::CreateAccountRequest request;
      request.set_name(absl::StrCat("Crash", i, "@Kurier.Test"));
      request.set_password(absl::StrCat("password ", i));
      request.add_aliases(absl::StrCat("alias", i, "@kurier.test"));
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      v1::Account account;
      grpc::Status status = stub->CreateAccount(&context, request, &account);
      ASSERT_TRUE(status.ok()) << "CreateAccount: " << Describe(status);
      absl::MutexLock lock(&mu_);
      accounts_.push_back(Account{account.name()});
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Load.

  std::unique_ptr<Message> NewMessage(int round, std::mt19937_64& rng) {
    auto m = std::make_unique<Message>();
    m->id = next_message_id_.fetch_add(1);
    m->round = round;
    const double size =
        std::exp(std::uniform_real_distribution<double>(std::log(kMinBodyBytes), std::log(kMaxBodyBytes))(rng));
    m->content = MakeBody(m->id, static_cast<size_t>(size), rng);
    m->blob_id = Sha256Hex(m->content);
    const int p = std::uniform_int_distribution<int>(0, 99)(rng);
    const int recipients = p < 70 ? 1 : p < 90 ? 2 : 3;
    std::vector<int> order(kAccounts);
    for (int i = 0; i < kAccounts; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (int i = 0; i < recipients; ++i) {
      const int a = order[i];
      m->accounts.push_back(a);
      switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
        case 0:
          m->addresses.push_back(absl::StrCat("crash", a, "@kurier.test"));
          break;
        case 1:
          m->addresses.push_back(absl::StrCat("CRASH", a, "@KURIER.test"));
          break;
        default:
          m->addresses.push_back(absl::StrCat("alias", a, "@kurier.test"));
      }
    }
    if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
      m->idempotency_key = absl::StrCat("crash-", seed_, "-", m->id);
    }
    return m;
  }

  // A new (account, UID) for message m. False if the UID was taken.
  bool RecordCopyLocked(int a, uint32_t uid, uint32_t uid_validity, Message* m, const std::string& how)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Account& account = accounts_[a];
    if (uid == 0) {
      ProblemLocked(absl::StrCat(how, ": message ", m->id, " to ", account.name, " got UID 0"));
      return false;
    }
    if (account.uid_validity == 0) account.uid_validity = uid_validity;
    if (uid_validity != account.uid_validity) {
      ProblemLocked(absl::StrCat(how, ": UIDVALIDITY of ", account.name, "'s INBOX changed from ", account.uid_validity,
                                 " to ", uid_validity));
    }
    auto [it, inserted] = account.copies.try_emplace(uid, Copy{m->id});
    if (!inserted) {
      ProblemLocked(absl::StrCat(how, ": UID ", uid, " of ", account.name, " handed out twice, to messages ",
                                 it->second.message_id, " and ", m->id));
      return false;
    }
    m->uids[a] = uid;
    account.highest_uid = std::max(account.highest_uid, uid);
    return true;
  }

  // Records an acknowledged Deliver; the new copies go to *mine.
  void AckDelivery(Message* m, const v1::DeliverResponse& response, std::vector<CopyRef>* mine,
                   RoundCounters* counters) {
    absl::MutexLock lock(&mu_);
    m->outcome = Outcome::kAcked;
    if (static_cast<size_t>(response.results_size()) != m->accounts.size()) {
      ProblemLocked(absl::StrCat("Deliver of message ", m->id, " to ", m->accounts.size(), " recipients returned ",
                                 response.results_size(), " results"));
      return;
    }
    for (size_t i = 0; i < m->accounts.size(); ++i) {
      const v1::RecipientResult& r = response.results(static_cast<int>(i));
      const int a = m->accounts[i];
      if (r.outcome() != v1::RecipientResult::DELIVERED || r.account() != accounts_[a].name) {
        ProblemLocked(absl::StrCat("Deliver of message ", m->id, " to ", m->addresses[i], ": ", r.ShortDebugString()));
        continue;
      }
      if (RecordCopyLocked(a, r.uid(), r.uid_validity(), m, "Deliver")) {
        mine->push_back(CopyRef{a, r.uid()});
        counters->copies.fetch_add(1);
      }
    }
    counters->delivered.fetch_add(1);
  }

  // A failed call: expected once the server is being killed, a problem before.
  void CallFailed(const char* method, const grpc::Status& status, const std::atomic<bool>& killed,
                  RoundCounters* counters) {
    counters->in_doubt.fetch_add(1);
    if (!killed.load()) Problem(absl::StrCat(method, " failed before the kill: ", Describe(status)));
  }

  // Returns false when the thread should stop (its call failed).
  bool DeliverOne(int round, std::mt19937_64& rng, Stub* stub, std::vector<CopyRef>* mine,
                  const std::atomic<bool>& killed, RoundCounters* counters) {
    std::unique_ptr<Message> owned = NewMessage(round, rng);
    Message* m = owned.get();
    v1::DeliverRequest request;
    for (const std::string& address : m->addresses) request.add_recipients(address);
    request.set_content(m->content);
    request.set_idempotency_key(m->idempotency_key);
    {
      absl::MutexLock lock(&mu_);
      messages_[m->id] = std::move(owned);
    }
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    v1::DeliverResponse response;
    grpc::Status status = stub->Deliver(&context, request, &response);
    if (status.ok()) {
      AckDelivery(m, response, mine, counters);
      return true;
    }
    {
      absl::MutexLock lock(&mu_);
      m->outcome = Outcome::kInDoubt;
    }
    CallFailed("Deliver", status, killed, counters);
    return false;
  }

  bool AddFlag(const CopyRef& ref, const std::string& flag, std::mt19937_64& rng, Stub* stub,
               const std::atomic<bool>& killed, RoundCounters* counters) {
    {
      absl::MutexLock lock(&mu_);
      accounts_[ref.account].copies[ref.uid].pending_flags.insert(flag);
    }
    v1::StoreFlagsRequest request;
    request.set_account(AccountName(ref.account));
    request.set_mailbox("INBOX");
    v1::UidRange* range = request.add_uids();
    range->set_first(ref.uid);
    range->set_last(ref.uid);
    request.set_mode(v1::StoreFlagsRequest::ADD);
    request.add_flags(flag);
    if (rng() % 4 == 0) request.set_idempotency_key(absl::StrCat("flag-", seed_, "-", rng()));
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    v1::StoreFlagsResponse response;
    grpc::Status status = stub->StoreFlags(&context, request, &response);
    if (!status.ok()) {
      CallFailed("StoreFlags", status, killed, counters);
      return false;
    }
    absl::MutexLock lock(&mu_);
    Copy& copy = accounts_[ref.account].copies[ref.uid];
    copy.pending_flags.erase(flag);
    copy.flags.insert(flag);
    if (response.messages_size() != 1 || response.messages(0).uid() != ref.uid) {
      ProblemLocked(absl::StrCat("StoreFlags on UID ", ref.uid, " of ", accounts_[ref.account].name, " answered for ",
                                 response.messages_size(), " messages"));
    }
    counters->flagged.fetch_add(1);
    return true;
  }

  bool ExpungeOne(const CopyRef& ref, std::mt19937_64& rng, Stub* stub, const std::atomic<bool>& killed,
                  RoundCounters* counters) {
    if (!AddFlag(ref, "\\Deleted", rng, stub, killed, counters)) return false;
    {
      absl::MutexLock lock(&mu_);
      accounts_[ref.account].copies[ref.uid].state = CopyState::kExpunging;
    }
    v1::ExpungeRequest request;
    request.set_account(AccountName(ref.account));
    request.set_mailbox("INBOX");
    v1::UidRange* range = request.add_uids();
    range->set_first(ref.uid);
    range->set_last(ref.uid);
    if (rng() % 2 == 0) request.set_idempotency_key(absl::StrCat("expunge-", seed_, "-", rng()));
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    v1::ExpungeResponse response;
    grpc::Status status = stub->Expunge(&context, request, &response);
    if (!status.ok()) {
      CallFailed("Expunge", status, killed, counters);
      return false;
    }
    absl::MutexLock lock(&mu_);
    accounts_[ref.account].copies[ref.uid].state = CopyState::kExpunged;
    if (response.expunged_uids_size() != 1 || response.expunged_uids(0) != ref.uid) {
      ProblemLocked(absl::StrCat("Expunge of UID ", ref.uid, " (flagged \\Deleted) of ", accounts_[ref.account].name,
                                 " expunged [", absl::StrJoin(response.expunged_uids(), ","), "]"));
    }
    counters->expunged.fetch_add(1);
    return true;
  }

  std::string AccountName(int a) {
    absl::MutexLock lock(&mu_);
    return accounts_[a].name;
  }

  // One client: mostly deliveries; now and then a flag or an expunge on a
  // message only this thread touches. Stops at its first failed call.
  void Client(int round, uint64_t seed, Stub* stub, std::vector<CopyRef> mine, const std::atomic<bool>* stop,
              const std::atomic<bool>* killed, RoundCounters* counters) {
    std::mt19937_64 rng(seed);
    while (!stop->load()) {
      const int p = std::uniform_int_distribution<int>(0, 99)(rng);
      bool ok;
      if (p < 8 && !mine.empty()) {
        const CopyRef ref = mine[rng() % mine.size()];
        ok = AddFlag(ref, kFlagChoices[rng() % std::size(kFlagChoices)], rng, stub, *killed, counters);
      } else if (p < 12 && !mine.empty()) {
        const size_t i = rng() % mine.size();
        const CopyRef ref = mine[i];
        mine[i] = mine.back();
        mine.pop_back();
        ok = ExpungeOne(ref, rng, stub, *killed, counters);
      } else {
        ok = DeliverOne(round, rng, stub, &mine, *killed, counters);
      }
      if (!ok) return;
    }
  }

  // The present copies, dealt out to the client threads.
  std::vector<std::vector<CopyRef>> DealCopies(std::mt19937_64& rng) {
    std::vector<std::vector<CopyRef>> dealt(kClientThreads);
    absl::MutexLock lock(&mu_);
    for (int a = 0; a < static_cast<int>(accounts_.size()); ++a) {
      for (const auto& [uid, copy] : accounts_[a].copies) {
        if (copy.state == CopyState::kPresent) dealt[rng() % kClientThreads].push_back(CopyRef{a, uid});
      }
    }
    return dealt;
  }

  // ----------------------------------------------------------------------------------------------
  // Checks after the restart.

  // Reads one message and compares it with what was sent.
  void ReadAndCompare(Stub* stub, Found* found) {
    v1::ReadMessageRequest request;
    request.set_account(AccountName(found->account));
    request.set_mailbox("INBOX");
    request.set_uid(found->info.uid());
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    std::unique_ptr<grpc::ClientReader<v1::ReadMessageChunk>> reader = stub->ReadMessage(&context, request);
    std::string content;
    uint64_t size = 0;
    bool first = true;
    v1::ReadMessageChunk chunk;
    while (reader->Read(&chunk)) {
      if (first) size = chunk.size();
      first = false;
      content += chunk.data();
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) {
      found->error = absl::StrCat("ReadMessage: ", Describe(status));
      return;
    }
    found->bytes = content.size();
    if (size != content.size() || size != found->info.size()) {
      found->error = absl::StrCat("ReadMessage returned ", content.size(), " bytes, announced ", size,
                                  ", FetchMessages says ", found->info.size());
    }
    found->message_id = BodyId(content);
    absl::ReaderMutexLock lock(&mu_);
    auto it = messages_.find(found->message_id);
    found->content_matches = it != messages_.end() && it->second->content == content;
  }

  // Everything in every INBOX against the model; adopts in-doubt deliveries
  // that were stored. Returns the number of messages and bytes checked.
  std::pair<uint64_t, uint64_t> CheckMailboxes(Stub* stub) {
    std::vector<Found> found;
    std::vector<v1::Mailbox> status(kAccounts);
    for (int a = 0; a < kAccounts; ++a) {
      {
        v1::GetMailboxStatusRequest request;
        request.set_account(AccountName(a));
        request.set_name("INBOX");
        grpc::ClientContext context;
        context.set_deadline(Deadline());
        grpc::Status s = stub->GetMailboxStatus(&context, request, &status[a]);
        if (!s.ok()) Problem(absl::StrCat("GetMailboxStatus of ", request.account(), ": ", Describe(s)));
      }
      v1::FetchMessagesRequest request;
      request.set_account(AccountName(a));
      request.set_mailbox("INBOX");
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      v1::FetchMessagesResponse response;
      grpc::Status s = stub->FetchMessages(&context, request, &response);
      if (!s.ok()) {
        Problem(absl::StrCat("FetchMessages of ", request.account(), ": ", Describe(s)));
        continue;
      }
      if (response.uid_validity() != status[a].uid_validity()) {
        Problem(absl::StrCat("FetchMessages and GetMailboxStatus disagree on UIDVALIDITY of ", request.account()));
      }
      for (const v1::MessageInfo& info : response.messages()) {
        found.emplace_back();
        found.back().account = a;
        found.back().info = info;
      }
    }

    std::vector<std::thread> readers;
    for (int t = 0; t < kVerifyThreads; ++t) {
      readers.emplace_back([&, t] {
        for (size_t i = t; i < found.size(); i += kVerifyThreads) ReadAndCompare(stub, &found[i]);
      });
    }
    for (std::thread& t : readers) t.join();

    uint64_t bytes = 0;
    absl::MutexLock lock(&mu_);
    std::vector<std::set<uint32_t>> present(kAccounts);
    std::vector<std::set<uint64_t>> ids(kAccounts);
    for (const Found& f : found) {
      bytes += f.bytes;
      Account& account = accounts_[f.account];
      const uint32_t uid = f.info.uid();
      const std::string where = absl::StrCat("UID ", uid, " of ", account.name);
      if (!present[f.account].insert(uid).second) {
        ProblemLocked(absl::StrCat(where, " is listed twice"));
        continue;
      }
      account.highest_uid = std::max(account.highest_uid, uid);
      if (!f.error.empty()) {
        ProblemLocked(absl::StrCat(where, ": ", f.error));
        continue;
      }
      auto mit = messages_.find(f.message_id);
      if (mit == messages_.end()) {
        ProblemLocked(absl::StrCat(where, " holds a message this test never sent"));
        continue;
      }
      Message& m = *mit->second;
      const std::string what = absl::StrCat(where, " (message ", m.id, " of round ", m.round, ")");
      if (!f.content_matches) ProblemLocked(absl::StrCat(what, ": the content differs from what was sent"));
      if (f.info.blob_id() != m.blob_id)
        ProblemLocked(absl::StrCat(what, ": blob_id is not the SHA-256 of the content"));
      if (std::find(m.accounts.begin(), m.accounts.end(), f.account) == m.accounts.end()) {
        ProblemLocked(absl::StrCat(what, ": the message was not sent to this account"));
        continue;
      }
      if (!ids[f.account].insert(m.id).second) {
        ProblemLocked(absl::StrCat(what, ": the message is in the mailbox twice"));
        continue;
      }
      std::set<std::string> flags(f.info.flags().begin(), f.info.flags().end());
      auto cit = account.copies.find(uid);
      if (cit == account.copies.end()) {
        // Not acknowledged at this UID: only a delivery in flight at the kill
        // may have left it.
        if (m.outcome != Outcome::kInDoubt || m.uids.count(f.account) != 0) {
          ProblemLocked(absl::StrCat(what, " was not expected there: the message is ",
                                     m.outcome == Outcome::kNotStored ? "one found missing after an earlier restart"
                                     : m.uids.count(f.account) != 0   ? absl::StrCat("at UID ", m.uids[f.account])
                                                                      : "acknowledged elsewhere"));
          continue;
        }
        RecordCopyLocked(f.account, uid, status[f.account].uid_validity(), &m, "after the restart");
        account.copies[uid].flags = flags;
        m.recovered = true;
        continue;
      }
      Copy& copy = cit->second;
      if (copy.message_id != m.id) {
        ProblemLocked(absl::StrCat(what, ": acknowledged for message ", copy.message_id));
        continue;
      }
      if (copy.state == CopyState::kExpunged) {
        ProblemLocked(absl::StrCat(what, ": its expunge was acknowledged, yet it is back"));
        continue;
      }
      for (const std::string& flag : copy.flags) {
        if (flags.count(flag) == 0) ProblemLocked(absl::StrCat(what, ": acknowledged flag ", flag, " is lost"));
      }
      for (const std::string& flag : flags) {
        if (copy.flags.count(flag) == 0 && copy.pending_flags.count(flag) == 0) {
          ProblemLocked(absl::StrCat(what, ": has flag ", flag, " that was never stored"));
        }
      }
      copy.flags = flags;
      copy.pending_flags.clear();
      copy.state = CopyState::kPresent;  // an expunge in flight did not happen
    }

    for (int a = 0; a < kAccounts; ++a) {
      Account& account = accounts_[a];
      for (auto& [uid, copy] : account.copies) {
        if (present[a].count(uid) != 0) continue;
        if (copy.state == CopyState::kPresent) {
          const Message& m = *messages_[copy.message_id];
          ProblemLocked(absl::StrCat("LOST: UID ", uid, " of ", account.name, " (message ", m.id, ", ",
                                     m.content.size(), " bytes, ", m.recovered ? "recovered after" : "acknowledged in",
                                     " round ", m.round, ") is missing"));
        }
        copy.state = CopyState::kExpunged;  // an expunge in flight happened
        copy.pending_flags.clear();
      }
      const v1::Mailbox& s = status[a];
      if (s.uid_validity() != account.uid_validity && account.uid_validity != 0) {
        ProblemLocked(absl::StrCat("UIDVALIDITY of ", account.name, "'s INBOX changed from ", account.uid_validity,
                                   " to ", s.uid_validity()));
      }
      if (s.uid_next() <= account.highest_uid) {
        ProblemLocked(absl::StrCat("UIDNEXT of ", account.name, "'s INBOX is ", s.uid_next(), ", but UID ",
                                   account.highest_uid, " was handed out"));
      }
      if (s.messages() != present[a].size()) {
        ProblemLocked(absl::StrCat(account.name, "'s INBOX counts ", s.messages(), " messages, FetchMessages lists ",
                                   present[a].size()));
      }
    }
    return {found.size(), bytes};
  }

  // Deliveries that failed at the kill: stored for every recipient or for
  // none. Those with a key are sent again, and must come back with the UIDs
  // found (or be delivered now). Returns {stored, not stored, resent}.
  std::tuple<int, int, int> ResolveInDoubt(Stub* stub) {
    int stored = 0, not_stored = 0, resent = 0;
    std::vector<Message*> retry;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, m] : messages_) {
        if (m->outcome != Outcome::kInDoubt) continue;
        if (m->uids.size() == m->accounts.size()) {
          m->outcome = Outcome::kAcked;
          ++stored;
        } else if (!m->uids.empty()) {
          ProblemLocked(absl::StrCat("message ", m->id, " to ", m->accounts.size(),
                                     " recipients, in flight at the kill,"
                                     " reached only ",
                                     m->uids.size(), " of them"));
          m->outcome = Outcome::kAcked;
        } else {
          ++not_stored;
          m->outcome = Outcome::kNotStored;
        }
        if (!m->idempotency_key.empty()) retry.push_back(m.get());
      }
    }
    for (Message* m : retry) {
      v1::DeliverResponse response;
      if (!Redeliver(stub, m, &response)) continue;
      ++resent;
      absl::MutexLock lock(&mu_);
      if (m->outcome == Outcome::kNotStored) {
        // It was not stored, so this call delivers it.
        m->outcome = Outcome::kAcked;
        for (size_t i = 0; i < m->accounts.size(); ++i) {
          const v1::RecipientResult& r = response.results(static_cast<int>(i));
          if (r.outcome() != v1::RecipientResult::DELIVERED) {
            ProblemLocked(absl::StrCat("message ", m->id, " resent with its key to ", m->addresses[i], ": ",
                                       r.ShortDebugString()));
            continue;
          }
          RecordCopyLocked(m->accounts[i], r.uid(), r.uid_validity(), m, "resent with its key");
        }
      } else {
        CompareRedeliveryLocked(*m, response, "resent with its key after the kill");
      }
    }
    return {stored, not_stored, resent};
  }

  bool Redeliver(Stub* stub, const Message* m, v1::DeliverResponse* response) {
    v1::DeliverRequest request;
    for (const std::string& address : m->addresses) request.add_recipients(address);
    request.set_content(m->content);
    request.set_idempotency_key(m->idempotency_key);
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    grpc::Status status = stub->Deliver(&context, request, response);
    if (!status.ok()) {
      Problem(absl::StrCat("Deliver of message ", m->id, " again with its key: ", Describe(status)));
      return false;
    }
    if (static_cast<size_t>(response->results_size()) != m->accounts.size()) {
      Problem(absl::StrCat("Deliver of message ", m->id, " again with its key: ", response->results_size(),
                           " results for ", m->accounts.size(), " recipients"));
      return false;
    }
    return true;
  }

  void CompareRedeliveryLocked(const Message& m, const v1::DeliverResponse& response, const std::string& when)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (size_t i = 0; i < m.accounts.size(); ++i) {
      const v1::RecipientResult& r = response.results(static_cast<int>(i));
      auto it = m.uids.find(m.accounts[i]);
      const uint32_t want = it == m.uids.end() ? 0 : it->second;
      if (r.outcome() != v1::RecipientResult::DELIVERED || r.uid() != want) {
        ProblemLocked(absl::StrCat("message ", m.id, " ", when, ": ", m.addresses[i], " got UID ", r.uid(), " (",
                                   v1::RecipientResult::Outcome_Name(r.outcome()), "), first call UID ", want));
      }
    }
  }

  // INBOX UIDNEXT and message count of every account.
  std::vector<std::pair<uint32_t, uint32_t>> InboxCounters(Stub* stub) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (int a = 0; a < kAccounts; ++a) {
      v1::GetMailboxStatusRequest request;
      request.set_account(AccountName(a));
      request.set_name("INBOX");
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      v1::Mailbox mailbox;
      grpc::Status s = stub->GetMailboxStatus(&context, request, &mailbox);
      if (!s.ok()) Problem(absl::StrCat("GetMailboxStatus of ", request.account(), ": ", Describe(s)));
      out.emplace_back(mailbox.uid_next(), mailbox.messages());
    }
    return out;
  }

  // Acknowledged deliveries with a key, sent again: the same UIDs, nothing
  // added. Prefers this round's. Returns how many were sent.
  int RetryAcknowledged(Stub* stub, int round, std::mt19937_64& rng) {
    std::vector<Message*> candidates, older;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, m] : messages_) {
        if (m->outcome != Outcome::kAcked || m->idempotency_key.empty() || m->uids.size() != m->accounts.size()) {
          continue;
        }
        (m->round == round ? candidates : older).push_back(m.get());
      }
    }
    std::shuffle(candidates.begin(), candidates.end(), rng);
    std::shuffle(older.begin(), older.end(), rng);
    candidates.insert(candidates.end(), older.begin(), older.end());
    if (candidates.size() > kRetriesPerRound) candidates.resize(kRetriesPerRound);
    const auto before = InboxCounters(stub);
    for (Message* m : candidates) {
      v1::DeliverResponse response;
      if (!Redeliver(stub, m, &response)) continue;
      absl::MutexLock lock(&mu_);
      CompareRedeliveryLocked(*m, response, "resent with its key after the restart");
    }
    const auto after = InboxCounters(stub);
    for (int a = 0; a < kAccounts; ++a) {
      if (before[a] != after[a]) {
        Problem(absl::StrCat("resending acknowledged deliveries with their keys changed ", AccountName(a),
                             "'s INBOX: UIDNEXT ", before[a].first, " -> ", after[a].first, ", messages ",
                             before[a].second, " -> ", after[a].second));
      }
    }
    return static_cast<int>(candidates.size());
  }

  // The data directory through the storage library, with no server running.
  void CheckWithLibrary() {
    storage::StoreOptions options;
    options.data_dir = data_dir_.string();
    options.scrypt_n = 1024;
    auto store = storage::MailStore::Open(options);
    if (!store.ok()) {
      Problem(absl::StrCat("the storage library cannot open the data: ", store.status().ToString()));
      return;
    }
    auto problems = (*store)->CheckConsistency();
    if (!problems.ok()) {
      Problem(absl::StrCat("CheckConsistency: ", problems.status().ToString()));
    } else {
      for (const std::string& p : *problems) Problem(absl::StrCat("CheckConsistency: ", p));
    }
    absl::MutexLock lock(&mu_);
    for (const Account& account : accounts_) {
      auto status = (*store)->GetMailboxStatus(account.name, "INBOX");
      if (!status.ok()) {
        ProblemLocked(absl::StrCat("library GetMailboxStatus of ", account.name, ": ", status.status().ToString()));
        continue;
      }
      size_t present = 0;
      for (const auto& [uid, copy] : account.copies) present += copy.state == CopyState::kPresent ? 1 : 0;
      if (status->messages() != present || status->uid_next() <= account.highest_uid) {
        ProblemLocked(absl::StrCat("library view of ", account.name, "'s INBOX: ", status->messages(),
                                   " messages and UIDNEXT ", status->uid_next(), "; expected ", present,
                                   " messages and UIDNEXT above ", account.highest_uid));
      }
    }
  }

  std::string binary_;
  uint64_t seed_ = 0;
  fs::path work_dir_;
  fs::path data_dir_;
  int generation_ = 0;
  std::atomic<uint64_t> next_message_id_{1};

  absl::Mutex mu_;
  std::vector<Account> accounts_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::unique_ptr<Message>> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> problems_ ABSL_GUARDED_BY(mu_);
};

TEST_F(CrashTest, AcknowledgedDeliveriesSurviveSigkill) {
  const auto test_start = Clock::now();
  const std::vector<int> kill_points = KillPoints();
  std::mt19937_64 rng(seed_ ^ 0x9e3779b97f4a7c15ull);
  int rounds_done = 0;

  for (int round = 0; round < kRounds; ++round) {
    const auto round_start = Clock::now();

    // Load, then SIGKILL.
    ServerProcess loaded(binary_, data_dir_, work_dir_, generation_++);
    ASSERT_TRUE(loaded.Start());
    if (round == 0) {
      CreateAccounts(loaded.stub());
      ASSERT_FALSE(HasFatalFailure());
    }
    RoundCounters counters;
    std::atomic<bool> stop{false}, killed{false};
    std::vector<std::vector<CopyRef>> dealt = DealCopies(rng);
    std::vector<std::thread> clients;
    const auto load_start = Clock::now();
    for (int t = 0; t < kClientThreads; ++t) {
      clients.emplace_back(
          [this, round, seed = rng(), stub = loaded.stub(), mine = std::move(dealt[t]), &stop, &killed,
           &counters]() mutable { Client(round, seed, stub, std::move(mine), &stop, &killed, &counters); });
    }
    std::this_thread::sleep_until(load_start + std::chrono::milliseconds(kill_points[round]));
    killed.store(true);
    loaded.Kill();
    stop.store(true);
    for (std::thread& t : clients) t.join();

    // Restart, check over gRPC, stop cleanly, check through the library.
    ServerProcess restarted(binary_, data_dir_, work_dir_, generation_++);
    ASSERT_TRUE(restarted.Start());
    const auto check_start = Clock::now();
    const auto [messages, bytes] = CheckMailboxes(restarted.stub());
    const auto [stored, not_stored, resent] = ResolveInDoubt(restarted.stub());
    const int retried = RetryAcknowledged(restarted.stub(), round, rng);
    const double check_s = std::chrono::duration<double>(Clock::now() - check_start).count();
    EXPECT_TRUE(restarted.Stop());
    CheckWithLibrary();

    std::printf(
        "round %d: SIGKILL %d ms into the load; acknowledged: %llu deliveries (%llu copies), %llu flag stores, "
        "%llu expunges; cut off by the kill: %llu calls, of them %d deliveries (%d stored, %d not; %d resent by "
        "key); %d acknowledged deliveries resent by key; verified %llu messages (%.1f MB) in %.1f s; round %.1f s\n",
        round + 1, kill_points[round], static_cast<unsigned long long>(counters.delivered.load()),
        static_cast<unsigned long long>(counters.copies.load()),
        static_cast<unsigned long long>(counters.flagged.load()),
        static_cast<unsigned long long>(counters.expunged.load()),
        static_cast<unsigned long long>(counters.in_doubt.load()), stored + not_stored, stored, not_stored, resent,
        retried, static_cast<unsigned long long>(messages), bytes / 1e6, check_s,
        std::chrono::duration<double>(Clock::now() - round_start).count());
    std::fflush(stdout);
    ++rounds_done;
    if (!ReportProblems(
            absl::StrCat("in round ", round + 1, " (seed ", seed_, ", kill at ", kill_points[round], " ms)"),
            {&loaded, &restarted})) {
      break;
    }
  }
  std::printf("crash test: %d of %d rounds in %.1f s\n", rounds_done, kRounds,
              std::chrono::duration<double>(Clock::now() - test_start).count());
}

}  // namespace
}  // namespace kurier::crash_test
