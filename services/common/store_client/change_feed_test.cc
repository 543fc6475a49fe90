// ChangeFeed against the real mailstore binary on a loopback port: dispatch
// by account, unsubscribing (also racing dispatch and from a callback), a
// store killed and restarted on the same port and data, a store that
// vanishes silently behind a black-holing proxy (keepalive), and destroying
// the feed under traffic.
#include "services/common/store_client/change_feed.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"

namespace kurier::store_client {
namespace {

std::string MailstoreBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "kurier", "/services/mailstore/mailstore");
}

// A mailstore child that can be killed (SIGKILL, as a crash) and started
// again on the same port and data directory.
class StoreServer {
 public:
  explicit StoreServer(std::string dir) : dir_(std::move(dir)) {}
  ~StoreServer() { Kill(); }

  // port 0: one the kernel picks. Waits until the store listens.
  absl::Status Start(int port) {
    const std::string port_file = dir_ + "/port";
    const std::string log_file = dir_ + "/mailstore.log";
    std::error_code ignored;
    std::filesystem::remove(port_file, ignored);
    std::vector<std::string> args = {MailstoreBinary(),
                                     "--store.data_dir=" + dir_ + "/data",
                                     absl::StrCat("--store.listen=127.0.0.1:", port),
                                     "--store.port_file=" + port_file,
                                     "--store.metrics_listen=off",
                                     "--store.scrypt_n=1024"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return absl::InternalError("fork failed");
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      std::ifstream in(port_file);
      std::string text;
      int read_port = 0;
      if (in && std::getline(in, text) && absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &read_port) &&
          read_port > 0) {
        port_ = read_port;
        return absl::OkStatus();
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::UnavailableError(absl::StrCat("mailstore exited (", status, "): ", LogTail()));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return absl::DeadlineExceededError(absl::StrCat("mailstore did not start: ", LogTail()));
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  std::string LogTail() const {
    std::ifstream in(dir_ + "/mailstore.log");
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string log = buffer.str();
    return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
  }

 private:
  const std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP proxy from a loopback port to the store that can black-hole its
// connections: stop moving bytes both ways without closing anything, as a
// network partition or a frozen host does. Bytes sent meanwhile wait in the
// kernel's buffers and move on when forwarding resumes; connections made
// meanwhile wait in the listen backlog. One thread polls everything.
class BlackholeProxy {
 public:
  explicit BlackholeProxy(int upstream_port) : upstream_port_(upstream_port) {}
  ~BlackholeProxy() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (const Conn& c : conns_) {
      close(c.client);
      close(c.upstream);
    }
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  absl::Status Start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 16) != 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return absl::InternalError("proxy: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  void SetBlackholed(bool on) { blackholed_ = on; }

  int accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }
  // Waits until the client side of `n` connections hung up (FIN or RST)
  // while they were black-holed: the client gave up on them by itself.
  bool WaitForHangups(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return hangups_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

 private:
  struct Conn {
    int client;
    int upstream;
    bool client_hung_up = false;  // noticed while black-holed
    bool closed = false;
  };

  // Moves what `from` has to `to`; false when the connection is over.
  static bool Forward(int from, int to) {
    char buffer[64 << 10];
    const ssize_t n = read(from, buffer, sizeof(buffer));
    if (n <= 0) return false;
    for (ssize_t sent = 0; sent < n;) {
      const ssize_t m = send(to, buffer + sent, n - sent, MSG_NOSIGNAL);
      if (m <= 0) return false;
      sent += m;
    }
    return true;
  }

  void Accept() {
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return;
    const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (upstream < 0 || connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(client);
      if (upstream >= 0) close(upstream);
      return;
    }
    conns_.push_back({client, upstream});
    absl::MutexLock lock(&mu_);
    ++accepted_;
  }

  void Run() {
    while (!stop_) {
      const bool hole = blackholed_;
      // While black-holed: nothing is read or accepted; only a client's
      // hang-up is noticed (POLLRDHUP comes with the FIN, unread data or not).
      std::vector<pollfd> fds = {{hole ? -1 : listen_fd_, POLLIN, 0}};
      for (const Conn& c : conns_) {
        if (hole) {
          fds.push_back({c.client_hung_up ? -1 : c.client, POLLRDHUP, 0});
          fds.push_back({-1, 0, 0});
        } else {
          fds.push_back({c.client, POLLIN, 0});
          fds.push_back({c.upstream, POLLIN, 0});
        }
      }
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      for (size_t i = 0; i < conns_.size(); ++i) {
        Conn& c = conns_[i];
        const short from_client = fds[1 + 2 * i].revents;
        const short from_upstream = fds[2 + 2 * i].revents;
        if (hole) {
          if (from_client != 0 && !c.client_hung_up) {
            c.client_hung_up = true;
            absl::MutexLock lock(&mu_);
            ++hangups_;
          }
          continue;
        }
        // POLLHUP/POLLERR: the read says how it ended.
        if ((from_client != 0 && !Forward(c.client, c.upstream)) ||
            (from_upstream != 0 && !Forward(c.upstream, c.client))) {
          c.closed = true;
        }
      }
      for (Conn& c : conns_) {
        if (!c.closed) continue;
        close(c.client);
        close(c.upstream);
      }
      conns_.erase(std::remove_if(conns_.begin(), conns_.end(), [](const Conn& c) { return c.closed; }), conns_.end());
      if (!hole && (fds[0].revents & POLLIN) != 0) Accept();
    }
  }

  const int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> blackholed_{false};
  std::atomic<bool> stop_{false};
  std::vector<Conn> conns_;  // the thread's
  std::thread thread_;
  absl::Mutex mu_;
  int accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int hangups_ ABSL_GUARDED_BY(mu_) = 0;
};

// What one subscription saw.
class Recorder {
 public:
  ChangeFeed::Listener Listener() {
    return {[this](const v1::Change& change) {
              absl::MutexLock lock(&mu_);
              changes_.push_back(change);
            },
            [this] {
              absl::MutexLock lock(&mu_);
              ++gaps_;
            }};
  }

  bool WaitForGaps(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return gaps_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  bool WaitForChanges(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return changes_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  std::vector<v1::Change> changes() {
    absl::MutexLock lock(&mu_);
    return changes_;
  }
  int gaps() {
    absl::MutexLock lock(&mu_);
    return gaps_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::Change> changes_ ABSL_GUARDED_BY(mu_);
  int gaps_ ABSL_GUARDED_BY(mu_) = 0;
};

constexpr absl::Duration kLive = absl::Seconds(10);    // a stream opens on loopback
constexpr absl::Duration kArrives = absl::Seconds(1);  // a change reaches its listener

class ChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/change_feed.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store_ = std::make_unique<StoreServer>(dir_);
    absl::Status started = store_->Start(0);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::MailStore::NewStub(grpc::CreateChannel(store_->address(), grpc::InsecureChannelCredentials()));
    for (const char* name : {"anna@localhost", "bert@localhost"}) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::CreateAccountRequest create;
      create.set_name(name);
      create.set_password("secret");
      v1::Account account;
      grpc::Status s = stub_->CreateAccount(&context, create, &account);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    client_ = std::make_unique<StoreClient>(std::vector<std::string>{store_->address()}, std::chrono::seconds(10));
  }

  void TearDown() override {
    client_.reset();
    stub_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Waits for the store (a restarted one too) up to 10 s.
  absl::Status Deliver(const std::string& to, const std::string& content = "Subject: hi\r\n\r\nhello\r\n") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.set_wait_for_ready(true);
    v1::DeliverRequest request;
    request.add_recipients(to);
    request.set_content(content);
    v1::DeliverResponse response;
    grpc::Status s = stub_->Deliver(&context, request, &response);
    if (!s.ok()) return absl::UnavailableError(s.error_message());
    if (response.results_size() != 1 || response.results(0).outcome() != v1::RecipientResult::DELIVERED) {
      return absl::InternalError(response.ShortDebugString());
    }
    return absl::OkStatus();
  }

  std::string dir_;
  std::unique_ptr<StoreServer> store_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
  std::unique_ptr<StoreClient> client_;
};

TEST_F(ChangeFeedTest, EachAccountsChangesReachOnlyItsListener) {
  ChangeFeed feed(client_.get());
  Recorder anna, bert;
  auto anna_sub = feed.Subscribe("anna@localhost", anna.Listener());
  auto bert_sub = feed.Subscribe("Bert@Localhost", bert.Listener());  // ASCII case is ignored
  // The shard's first stream: on_gap once it is live.
  ASSERT_TRUE(anna.WaitForGaps(1, kLive));
  ASSERT_TRUE(bert.WaitForGaps(1, kLive));

  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(anna.WaitForChanges(1, kArrives));
  ASSERT_TRUE(Deliver("bert@localhost").ok());
  ASSERT_TRUE(bert.WaitForChanges(1, kArrives));
  // One stream, in commit order: anna's change was dispatched before bert's.
  auto a = anna.changes();
  auto b = bert.changes();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].account(), "anna@localhost");
  EXPECT_EQ(a[0].kind(), v1::Change::MESSAGE_ADDED);
  EXPECT_EQ(a[0].mailbox(), "INBOX");
  EXPECT_EQ(b[0].account(), "bert@localhost");
  EXPECT_EQ(anna.gaps(), 1);
  EXPECT_EQ(bert.gaps(), 1);
}

TEST_F(ChangeFeedTest, UnsubscribedListenerGetsNothingAndALiveSubscribeNoGap) {
  ChangeFeed feed(client_.get());
  Recorder anna, bert;
  auto anna_sub = feed.Subscribe("anna@localhost", anna.Listener());
  auto bert_sub = feed.Subscribe("bert@localhost", bert.Listener());
  ASSERT_TRUE(anna.WaitForGaps(1, kLive));
  ASSERT_TRUE(bert.WaitForGaps(1, kLive));

  anna_sub.reset();
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(Deliver("bert@localhost").ok());
  ASSERT_TRUE(bert.WaitForChanges(1, kArrives));
  EXPECT_TRUE(anna.changes().empty());

  // Subscribing to a live stream: no on_gap, and what is committed after
  // Subscribe returns arrives.
  Recorder again;
  auto again_sub = feed.Subscribe("anna@localhost", again.Listener());
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(again.WaitForChanges(1, kArrives));
  EXPECT_EQ(again.gaps(), 0);
  EXPECT_TRUE(anna.changes().empty());
}

TEST_F(ChangeFeedTest, StoreRestartCallsOnGapThenChangesArriveAgain) {
  ChangeFeed feed(client_.get());
  Recorder anna;
  auto anna_sub = feed.Subscribe("anna@localhost", anna.Listener());
  ASSERT_TRUE(anna.WaitForGaps(1, kLive));
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(anna.WaitForChanges(1, kArrives));

  const int port = store_->port();
  store_->Kill();
  absl::SleepFor(absl::Milliseconds(300));  // the feed retries against a closed port meanwhile
  absl::Status restarted = store_->Start(port);
  ASSERT_TRUE(restarted.ok()) << restarted;
  // Reconnecting waits for the feed's retry (up to 5 s) and gRPC's own
  // reconnect backoff.
  ASSERT_TRUE(anna.WaitForGaps(2, absl::Seconds(30))) << store_->LogTail();
  EXPECT_EQ(anna.gaps(), 2);

  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(anna.WaitForChanges(2, kArrives));
  auto changes = anna.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].uid(), 2u) << "the store kept its data";
}

// A store that vanishes without closing the connection (the proxy stops
// moving bytes, as a partition does): keepalive notices it within its time +
// timeout and ends the stream; once the path is back the feed reconnects,
// calls on_gap (a change was committed meanwhile), and changes arrive again.
// Without keepalive the Watch stream would wait on the dead connection for
// as long as TCP lets it, and the listener would hear nothing.
TEST_F(ChangeFeedTest, SilentlyVanishedStoreIsNoticedByKeepaliveAndTheFeedReconnects) {
  BlackholeProxy proxy(store_->port());
  ASSERT_TRUE(proxy.Start().ok());
  // The smallest keepalive a StoreClient allows.
  StoreClient client({proxy.address()}, std::chrono::seconds(10),
                     {.time = kMinKeepaliveTime, .timeout = kMinKeepaliveTimeout});
  ChangeFeed feed(&client);
  Recorder anna;
  auto anna_sub = feed.Subscribe("anna@localhost", anna.Listener());
  ASSERT_TRUE(anna.WaitForGaps(1, kLive));

  // A ping every second on the idle stream: the store accepts them. Were it
  // to count them as strikes (gRPC's default minimum interval is 5 minutes),
  // its GOAWAY "too_many_pings" after the third strike, at the fourth ping,
  // would end the stream, reopened with a second on_gap.
  EXPECT_FALSE(anna.WaitForGaps(2, absl::Seconds(6)));
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(anna.WaitForChanges(1, kArrives));
  EXPECT_EQ(proxy.accepted(), 1);

  proxy.SetBlackholed(true);
  // The ping goes out within 1 s and is given up on 1 s later.
  ASSERT_TRUE(proxy.WaitForHangups(1, absl::Seconds(5))) << "the client kept the dead connection";
  ASSERT_TRUE(Deliver("anna@localhost").ok());  // the feed cannot see this one
  proxy.SetBlackholed(false);
  // The feed's retry (200 ms, doubling) and gRPC's reconnect (up to 2 s).
  ASSERT_TRUE(anna.WaitForGaps(2, absl::Seconds(8)));
  EXPECT_EQ(anna.changes().size(), 1u);

  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(anna.WaitForChanges(2, kArrives));
  auto changes = anna.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].uid(), 3u) << "the second change the listener sees is of the third message";
}

TEST_F(ChangeFeedTest, DestroyingTheFeedUnderTrafficWithLiveSubscriptionsIsClean) {
  auto feed = std::make_unique<ChangeFeed>(client_.get());
  std::atomic<bool> feed_gone{false};
  std::atomic<int> late{0};
  std::atomic<int> seen{0};
  ChangeFeed::Listener listener{[&](const v1::Change&) {
                                  if (feed_gone.load()) ++late;
                                  ++seen;
                                },
                                [&] {
                                  if (feed_gone.load()) ++late;
                                }};
  Recorder bert;
  auto anna_sub = feed->Subscribe("anna@localhost", listener);
  auto bert_sub = feed->Subscribe("bert@localhost", bert.Listener());
  ASSERT_TRUE(bert.WaitForGaps(1, kLive));

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !stop.load(); ++i) {
      if (!Deliver("anna@localhost").ok()) return;
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (seen.load() < 3 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_GE(seen.load(), 3);
  feed.reset();  // changes are still arriving
  feed_gone = true;
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  writer.join();
  EXPECT_EQ(late.load(), 0) << "a callback ran after ~ChangeFeed returned";
  // The subscriptions outlive the feed; ending them now is safe.
  anna_sub.reset();
  bert_sub.reset();
}

TEST_F(ChangeFeedTest, UnsubscribingWhileChangesAreDispatchedStopsCallbacksAtOnce) {
  ChangeFeed feed(client_.get());
  Recorder bert;
  auto bert_sub = feed.Subscribe("bert@localhost", bert.Listener());
  ASSERT_TRUE(bert.WaitForGaps(1, kLive));

  std::atomic<bool> stop{false};
  std::atomic<int> delivered{0};
  std::thread writer([&] {
    while (!stop.load()) {
      if (Deliver("anna@localhost").ok()) ++delivered;
    }
  });
  std::atomic<int> violations{0};
  std::atomic<int> calls{0};
  for (int i = 0; i < 300; ++i) {
    auto alive = std::make_shared<std::atomic<bool>>(true);
    ChangeFeed::Listener listener{[alive, &violations, &calls](const v1::Change&) {
                                    if (!alive->load()) ++violations;
                                    absl::SleepFor(absl::Microseconds(200));  // widen the window
                                    if (!alive->load()) ++violations;
                                    ++calls;
                                  },
                                  {}};
    auto sub = feed.Subscribe("anna@localhost", std::move(listener));
    absl::SleepFor(absl::Microseconds(100 * (i % 20)));
    sub.reset();
    *alive = false;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(delivered.load(), 0);
  std::cerr << delivered.load() << " deliveries, " << calls.load() << " callbacks during 300 subscriptions\n";
}

TEST_F(ChangeFeedTest, ASubscriptionMayEndItselfFromItsCallback) {
  ChangeFeed feed(client_.get());
  Recorder bert;
  auto bert_sub = feed.Subscribe("bert@localhost", bert.Listener());
  ASSERT_TRUE(bert.WaitForGaps(1, kLive));

  struct Holder {
    absl::Mutex mu;
    std::unique_ptr<ChangeFeed::Subscription> sub ABSL_GUARDED_BY(mu);
    int calls ABSL_GUARDED_BY(mu) = 0;
  };
  Holder holder;
  {
    absl::MutexLock lock(&holder.mu);
    holder.sub = feed.Subscribe("anna@localhost", {[h = &holder](const v1::Change&) {
                                                     std::unique_ptr<ChangeFeed::Subscription> self;
                                                     {
                                                       absl::MutexLock lock(&h->mu);
                                                       ++h->calls;
                                                       self = std::move(h->sub);
                                                     }
                                                     self.reset();  // returns at once
                                                   },
                                                   {}});
  }
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(Deliver("anna@localhost").ok());
  ASSERT_TRUE(Deliver("bert@localhost").ok());
  ASSERT_TRUE(bert.WaitForChanges(1, kArrives));  // anna's two were dispatched before
  absl::MutexLock lock(&holder.mu);
  EXPECT_EQ(holder.calls, 1);
  EXPECT_TRUE(holder.sub == nullptr);
}

}  // namespace
}  // namespace kurier::store_client
