// The SASL exchanges against the real mailstore binary: PLAIN, LOGIN and
// SCRAM-SHA-256 driven by a scripted client.
#include "services/common/sasl/sasl_server.h"

#include <cstdlib>
#include <deque>
#include <functional>

#include "absl/strings/str_cat.h"
#include "bench/store_bench/store_process.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"
#include "storage/credentials/scram.h"

namespace kurier::sasl {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;
using Kind = Outcome::Kind;
using namespace std::string_literals;

// Answers each challenge with the next scripted function of it.
class ScriptedClient : public Challenger {
 public:
  using Step = std::function<absl::StatusOr<std::string>(const std::string& challenge)>;
  explicit ScriptedClient(std::deque<Step> steps) : steps_(std::move(steps)) {}
  asio::awaitable<absl::StatusOr<std::string>> Challenge(std::string data) override {
    challenges.push_back(data);
    if (steps_.empty()) co_return absl::UnavailableError("script ended");
    Step step = std::move(steps_.front());
    steps_.pop_front();
    co_return step(data);
  }
  std::vector<std::string> challenges;

 private:
  std::deque<Step> steps_;
};

ScriptedClient::Step Say(std::string text) {
  return [text](const std::string&) { return absl::StatusOr<std::string>(text); };
}

class SaslServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* srcdir = std::getenv("TEST_SRCDIR");
    const char* workspace = std::getenv("TEST_WORKSPACE");
    const std::string binary = absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "kurier",
                                            "/services/mailstore/mailstore");
    auto store = bench::StoreProcess::Start(binary, ::testing::TempDir(), {"--store.scrypt_n=1024"}, false);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = store->release();
    auto stub = v1::MailStore::NewStub(grpc::CreateChannel(store_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::CreateAccountRequest create;
    create.set_name("tim@example.org");
    create.set_password("tanstaaftanstaaf");
    create.add_aliases("timothy@example.org");
    v1::Account account;
    ASSERT_TRUE(stub->CreateAccount(&context, create, &account).ok());
  }
  static void TearDownTestSuite() { delete store_; }

  Outcome Run(absl::string_view mechanism, std::optional<std::string> initial, ScriptedClient& client) {
    store_client::StoreClient store({store_->address()}, std::chrono::seconds(10));
    asio::io_context io;
    Outcome outcome;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { outcome = co_await Authenticate(store, mechanism, initial, client); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
    return outcome;
  }

  static bench::StoreProcess* store_;
};

bench::StoreProcess* SaslServerTest::store_ = nullptr;

TEST_F(SaslServerTest, PlainWithInitialResponse) {
  ScriptedClient client({});
  Outcome outcome = Run("plain", "\0tim@example.org\0tanstaaftanstaaf"s, client);
  EXPECT_EQ(outcome.kind, Kind::kSuccess);
  EXPECT_EQ(outcome.account, "tim@example.org");
  EXPECT_TRUE(client.challenges.empty());
}

TEST_F(SaslServerTest, PlainAfterEmptyChallengeByAlias) {
  ScriptedClient client({Say("\0timothy@example.org\0tanstaaftanstaaf"s)});
  Outcome outcome = Run("PLAIN", std::nullopt, client);
  EXPECT_EQ(outcome.kind, Kind::kSuccess);
  EXPECT_EQ(outcome.account, "tim@example.org");
  EXPECT_EQ(client.challenges, std::vector<std::string>({""}));
}

TEST_F(SaslServerTest, PlainWrongPasswordAndUnknownUserLookTheSame) {
  ScriptedClient wrong({});
  EXPECT_EQ(Run("PLAIN", "\0tim@example.org\0nope"s, wrong).kind, Kind::kBadCredentials);
  ScriptedClient unknown({});
  Outcome outcome = Run("PLAIN", "\0nobody@example.org\0nope"s, unknown);
  EXPECT_EQ(outcome.kind, Kind::kBadCredentials);
  EXPECT_EQ(outcome.user, "nobody@example.org");
}

TEST_F(SaslServerTest, PlainRefusesActingAsSomeoneElse) {
  ScriptedClient client({});
  EXPECT_EQ(Run("PLAIN", "other@example.org\0tim@example.org\0tanstaaftanstaaf"s, client).kind,
            Kind::kBadCredentials);
}

TEST_F(SaslServerTest, MalformedAndCancelled) {
  ScriptedClient garbage({});
  EXPECT_EQ(Run("PLAIN", "no separators"s, garbage).kind, Kind::kMalformed);
  ScriptedClient cancel({[](const std::string&) { return absl::StatusOr<std::string>(absl::CancelledError()); }});
  EXPECT_EQ(Run("LOGIN", std::nullopt, cancel).kind, Kind::kCancelled);
  ScriptedClient none({});
  EXPECT_EQ(Run("CRAM-MD5", std::nullopt, none).kind, Kind::kUnsupported);
}

TEST_F(SaslServerTest, Login) {
  ScriptedClient client({Say("tim@example.org"), Say("tanstaaftanstaaf")});
  Outcome outcome = Run("LOGIN", std::nullopt, client);
  EXPECT_EQ(outcome.kind, Kind::kSuccess);
  EXPECT_EQ(client.challenges, std::vector<std::string>({"Username:", "Password:"}));
}

TEST_F(SaslServerTest, ScramSha256EndToEnd) {
  storage::ScramClient scram("tim@example.org", "tanstaaftanstaaf");
  bool server_verified = false;
  ScriptedClient client({
      [&](const std::string& server_first) { return scram.ClientFinal(server_first); },
      [&](const std::string& server_final) {
        server_verified = scram.VerifyServerFinal(server_final);
        return absl::StatusOr<std::string>("");
      },
  });
  Outcome outcome = Run("SCRAM-SHA-256", scram.ClientFirst(), client);
  EXPECT_EQ(outcome.kind, Kind::kSuccess);
  EXPECT_EQ(outcome.account, "tim@example.org");
  EXPECT_TRUE(server_verified);
}

TEST_F(SaslServerTest, ScramWrongPassword) {
  storage::ScramClient scram("tim@example.org", "wrong");
  ScriptedClient client({[&](const std::string& server_first) { return scram.ClientFinal(server_first); }});
  EXPECT_EQ(Run("SCRAM-SHA-256", scram.ClientFirst(), client).kind, Kind::kBadCredentials);
}

TEST_F(SaslServerTest, StoreDownIsTemporary) {
  store_client::StoreClient store({"127.0.0.1:1"}, std::chrono::milliseconds(500));
  asio::io_context io;
  Outcome outcome;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { outcome = co_await VerifyPassword(store, "tim@example.org", "x"); },
      asio::detached);
  io.run();
  EXPECT_EQ(outcome.kind, Kind::kTemporary);
}

}  // namespace
}  // namespace kurier::sasl
