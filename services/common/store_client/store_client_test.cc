// StoreClient against the real mailstore binary on a loopback port: calls are
// awaited from a coroutine on an io_context, the way sessions use them.
#include "services/common/store_client/store_client.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "bench/store_bench/store_process.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"

namespace kurier::store_client {
namespace {

namespace asio = boost::asio;

std::string MailstoreBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "kurier", "/services/mailstore/mailstore");
}

// Runs `body` as a coroutine on a fresh io_context until it finishes.
template <typename Body>
void RunCoroutine(Body body) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await body();
        finished = true;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  ASSERT_TRUE(finished);
}

class StoreClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto store = bench::StoreProcess::Start(MailstoreBinary(), ::testing::TempDir(), {"--store.scrypt_n=1024"}, false);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = store->release();
    auto stub = v1::MailStore::NewStub(grpc::CreateChannel(store_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::CreateAccountRequest create;
    create.set_name("demo@localhost");
    create.set_password("secret");
    v1::Account account;
    ASSERT_TRUE(stub->CreateAccount(&context, create, &account).ok());

    content_ = "Subject: big\r\n\r\n";
    for (int i = 0; content_.size() < 700 * 1024; ++i) content_ += absl::StrCat("line ", i, "\r\n");
    grpc::ClientContext deliver_context;
    v1::DeliverRequest deliver;
    deliver.add_recipients("demo@localhost");
    deliver.set_content(content_);
    v1::DeliverResponse delivered;
    ASSERT_TRUE(stub->Deliver(&deliver_context, deliver, &delivered).ok());
    uid_ = delivered.results(0).uid();
  }
  static void TearDownTestSuite() { delete store_; }

  static bench::StoreProcess* store_;
  static std::string content_;
  static uint32_t uid_;
};

bench::StoreProcess* StoreClientTest::store_ = nullptr;
std::string StoreClientTest::content_;
uint32_t StoreClientTest::uid_ = 0;

TEST_F(StoreClientTest, VerifiesPasswordsThroughTheStore) {
  StoreClient client({store_->address()}, std::chrono::seconds(10));
  RunCoroutine([&]() -> asio::awaitable<void> {
    v1::VerifyPasswordRequest good;
    good.set_name("Demo@Localhost");
    good.set_password("secret");
    auto ok = co_await client.VerifyPassword(good);
    EXPECT_TRUE(ok.ok()) << ok.status();
    if (ok.ok()) {
      EXPECT_TRUE(ok->ok());
      EXPECT_EQ(ok->account(), "demo@localhost");
    }
    v1::VerifyPasswordRequest bad = good;
    bad.set_password("wrong");
    auto refused = co_await client.VerifyPassword(bad);
    EXPECT_TRUE(refused.ok() && !refused->ok());
  });
}

TEST_F(StoreClientTest, ReadsAMessageRangeByRangeByteExact) {
  StoreClient client({store_->address()}, std::chrono::seconds(10));
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::string assembled;
    uint64_t size = 0;
    constexpr uint64_t kRange = 256 * 1024 + 17;  // not a multiple of the store's chunk size
    for (uint64_t offset = 0; offset == 0 || offset < size; offset += kRange) {
      v1::ReadMessageRequest request;
      request.set_account("demo@localhost");
      request.set_mailbox("INBOX");
      request.set_uid(uid_);
      request.set_offset(offset);
      request.set_length(kRange);
      auto range = co_await client.ReadRange(request, &size);
      EXPECT_TRUE(range.ok()) << range.status();
      if (!range.ok()) co_return;
      EXPECT_LE(range->size(), kRange);
      assembled += *range;
    }
    EXPECT_EQ(size, content_.size());
    EXPECT_TRUE(assembled == content_);
  });
}

TEST_F(StoreClientTest, MissingMessageIsNotFound) {
  StoreClient client({store_->address()}, std::chrono::seconds(10));
  RunCoroutine([&]() -> asio::awaitable<void> {
    v1::ReadMessageRequest request;
    request.set_account("demo@localhost");
    request.set_mailbox("INBOX");
    request.set_uid(uid_ + 1000);
    request.set_length(10);
    auto range = co_await client.ReadRange(request);
    EXPECT_EQ(range.status().code(), absl::StatusCode::kNotFound) << range.status();
    EXPECT_FALSE(IsTemporary(range.status()));
  });
}

TEST_F(StoreClientTest, StoreThatDoesNotAnswerIsATemporaryErrorWithinTheDeadline) {
  // A listening socket that never speaks HTTP/2: the call can only end by
  // its deadline.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string address = absl::StrCat("127.0.0.1:", silent.local_endpoint().port());
  StoreClient client({address}, std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  RunCoroutine([&]() -> asio::awaitable<void> {
    v1::VerifyPasswordRequest request;
    request.set_name("demo@localhost");
    request.set_password("secret");
    auto result = co_await client.VerifyPassword(request);
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(IsTemporary(result.status())) << result.status();
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace kurier::store_client
