// StoreClient's ResolveRecipient and Deliver against real mailstore binaries:
// one shard (the request goes through unchanged) and two shards (answers
// gathered across shards, deliveries split and merged).
#include <chrono>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bench/store_bench/store_process.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"
#include "services/common/store_client/store_client.h"

namespace kurier::store_client {
namespace {

namespace asio = boost::asio;
using Outcome = v1::ResolveRecipientResponse;

std::string MailstoreBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "kurier", "/services/mailstore/mailstore");
}

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

class StoreClientShardedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int i = 0; i < 2; ++i) {
      auto store = bench::StoreProcess::Start(MailstoreBinary(), ::testing::TempDir(), {"--store.scrypt_n=1024"}, false);
      ASSERT_TRUE(store.ok()) << store.status();
      stores_[i] = store->release();
      stubs_[i] = v1::MailStore::NewStub(
                      grpc::CreateChannel(stores_[i]->address(), grpc::InsecureChannelCredentials()))
                      .release();
    }
  }
  static void TearDownTestSuite() {
    for (int i = 0; i < 2; ++i) {
      delete stubs_[i];
      delete stores_[i];
    }
  }

  void SetUp() override {
    client_ = std::make_unique<StoreClient>(std::vector<std::string>{stores_[0]->address(), stores_[1]->address()},
                                            std::chrono::seconds(10));
  }

  // The store's shard index as the client's router sees it.
  size_t Shard(const std::string& address) { return client_->router().ShardFor(address); }
  v1::MailStore::Stub& StubOf(size_t shard) {
    // The router may order shards differently from stores_.
    return *stubs_[client_->router().shards()[shard] == stores_[0]->address() ? 0 : 1];
  }

  // A fresh address "<prefix>N@<domain>" on the given shard.
  std::string AddressOn(size_t shard, const std::string& prefix, const std::string& domain) {
    for (int i = 0;; ++i) {
      std::string address = absl::StrCat(prefix, i, "@", domain);
      if (Shard(address) == shard) return address;
    }
  }

  void CreateAccount(const std::string& name, std::vector<std::string> aliases = {}) {
    grpc::ClientContext context;
    v1::CreateAccountRequest create;
    create.set_name(name);
    create.set_password("secret");
    for (auto& a : aliases) create.add_aliases(a);
    v1::Account account;
    grpc::Status s = StubOf(Shard(name)).CreateAccount(&context, create, &account);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  absl::StatusOr<v1::ResolveRecipientResponse> Resolve(const std::string& address) {
    absl::StatusOr<v1::ResolveRecipientResponse> result = absl::UnknownError("not run");
    RunCoroutine([&]() -> asio::awaitable<void> {
      v1::ResolveRecipientRequest request;
      request.set_address(address);
      result = co_await client_->ResolveRecipient(request);
    });
    return result;
  }

  absl::StatusOr<v1::DeliverResponse> Deliver(const v1::DeliverRequest& request) {
    absl::StatusOr<v1::DeliverResponse> result = absl::UnknownError("not run");
    RunCoroutine([&]() -> asio::awaitable<void> { result = co_await client_->Deliver(request); });
    return result;
  }

  int QueueLength(size_t shard) {
    grpc::ClientContext context;
    v1::ListOutboundResponse queue;
    EXPECT_TRUE(StubOf(shard).ListOutbound(&context, v1::ListOutboundRequest(), &queue).ok());
    return queue.messages_size();
  }

  static bench::StoreProcess* stores_[2];
  static v1::MailStore::Stub* stubs_[2];
  std::unique_ptr<StoreClient> client_;
};

bench::StoreProcess* StoreClientShardedTest::stores_[2] = {nullptr, nullptr};
v1::MailStore::Stub* StoreClientShardedTest::stubs_[2] = {nullptr, nullptr};

TEST_F(StoreClientShardedTest, AliasOnAnotherShardIsFoundExactly) {
  const std::string owner = AddressOn(0, "owner", "alias.example");
  const std::string alias = AddressOn(1, "alias", "alias.example");
  CreateAccount(owner, {alias});
  // Shard 1 does not even know the domain; shard 0 has the alias.
  auto r = Resolve(alias);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), owner);
  EXPECT_FALSE(r->catch_all() || r->subaddress());
  // Nobody has it: the first shard's answer stands.
  EXPECT_EQ(Resolve(AddressOn(1, "nobody", "alias.example"))->outcome(), Outcome::NOT_LOCAL);
  EXPECT_EQ(Resolve(AddressOn(0, "nobody", "alias.example"))->outcome(), Outcome::UNKNOWN_USER);
  EXPECT_EQ(Resolve("not an address").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreClientShardedTest, ExactAddressElsewhereBeatsTheCatchAll) {
  const std::string catch_all = AddressOn(1, "postmaster", "catch.example");
  CreateAccount(catch_all);
  const std::string owner = AddressOn(0, "anna", "catch.example");
  CreateAccount(owner);
  const std::string alias = AddressOn(1, "anna-alias", "catch.example");
  {
    grpc::ClientContext context;
    v1::SetAliasesRequest set;
    set.set_name(owner);
    set.add_aliases(alias);
    v1::Account account;
    ASSERT_TRUE(StubOf(0).SetAliases(&context, set, &account).ok());
  }
  {
    grpc::ClientContext context;
    v1::Domain domain, stored;
    domain.set_name("catch.example");
    domain.set_catch_all(catch_all);
    ASSERT_TRUE(StubOf(1).SetDomain(&context, domain, &stored).ok());
  }
  auto r = Resolve(alias);  // shard 1 would take it by catch-all
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->account(), owner);
  EXPECT_FALSE(r->catch_all());
  r = Resolve(AddressOn(1, "unknown", "catch.example"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->account(), catch_all);
  EXPECT_TRUE(r->catch_all());
}

TEST_F(StoreClientShardedTest, SubaddressOfAnAccountOnAnotherShard) {
  const std::string owner = AddressOn(0, "sub", "sub.example");
  CreateAccount(owner);
  const std::string local = owner.substr(0, owner.find('@'));
  std::string tagged;
  for (int i = 0; tagged.empty(); ++i) {
    std::string candidate = absl::StrCat(local, "+tag", i, "@sub.example");
    if (Shard(candidate) == 1) tagged = candidate;
  }
  auto r = Resolve(tagged);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), owner);
  EXPECT_TRUE(r->subaddress());
}

TEST_F(StoreClientShardedTest, DeliverSplitsByShardAndQueuesWithTheSubmitter) {
  const std::string a = AddressOn(0, "da", "deliver.example");
  const std::string b = AddressOn(1, "db", "deliver.example");
  const std::string c = AddressOn(0, "dc", "deliver.example");
  CreateAccount(a);
  CreateAccount(b);
  CreateAccount(c);
  const int queued0 = QueueLength(0), queued1 = QueueLength(1);
  v1::DeliverRequest request;
  request.add_recipients(b);
  request.add_recipients(a);
  request.add_recipients(AddressOn(1, "ghost", "deliver.example"));
  request.add_recipients(c);
  request.set_content("Subject: split\r\n\r\nbody\r\n");
  request.set_idempotency_key("split-1");
  request.mutable_outbound()->set_submitter(b);
  request.mutable_outbound()->set_envelope_from(b);
  request.mutable_outbound()->add_recipients()->set_address("far@remote.example");
  auto r = Deliver(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->results_size(), 4);
  EXPECT_EQ(r->results(0).account(), b);
  EXPECT_EQ(r->results(1).account(), a);
  EXPECT_EQ(r->results(2).outcome(), v1::RecipientResult::UNKNOWN_RECIPIENT);
  EXPECT_EQ(r->results(3).account(), c);
  for (int i : {0, 1, 3}) EXPECT_EQ(r->results(i).outcome(), v1::RecipientResult::DELIVERED) << i;
  EXPECT_FALSE(r->outbound_id().empty());
  EXPECT_EQ(QueueLength(0), queued0);
  EXPECT_EQ(QueueLength(1), queued1 + 1);

  auto again = Deliver(request);  // a retry delivers and queues nothing twice
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), r->SerializeAsString());
  EXPECT_EQ(QueueLength(1), queued1 + 1);
}

TEST_F(StoreClientShardedTest, OutboundGoesToTheSubmittersShardWithoutLocalRecipients) {
  const std::string submitter = AddressOn(1, "sender", "deliver.example");
  const std::string local = AddressOn(0, "reader", "deliver.example");
  CreateAccount(submitter);
  CreateAccount(local);
  const int queued1 = QueueLength(1);
  v1::DeliverRequest request;
  request.add_recipients(local);
  request.set_content("Subject: both\r\n\r\nbody\r\n");
  request.mutable_outbound()->set_submitter(submitter);
  request.mutable_outbound()->add_recipients()->set_address("far@remote.example");
  auto r = Deliver(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->results_size(), 1);
  EXPECT_EQ(r->results(0).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_FALSE(r->outbound_id().empty());
  ASSERT_EQ(QueueLength(1), queued1 + 1);
  grpc::ClientContext context;
  v1::ListOutboundRequest list;
  list.set_include_content(true);
  v1::ListOutboundResponse queue;
  ASSERT_TRUE(StubOf(1).ListOutbound(&context, list, &queue).ok());
  EXPECT_EQ(queue.messages(queue.messages_size() - 1).content(), request.content());
}

TEST_F(StoreClientShardedTest, OneShardPassesTheRequestUnchanged) {
  StoreClient single({stores_[0]->address()}, std::chrono::seconds(10));
  const std::string account = "single@one.example";
  {
    grpc::ClientContext context;
    v1::CreateAccountRequest create;
    create.set_name(account);
    create.set_password("secret");
    v1::Account created;
    ASSERT_TRUE(stubs_[0]->CreateAccount(&context, create, &created).ok());
  }
  v1::DeliverRequest request;
  request.add_recipients(account);
  request.set_content("Subject: one\r\n\r\n");
  request.set_idempotency_key("single-1");
  request.mutable_outbound()->add_recipients()->set_address("far@remote.example");
  absl::StatusOr<v1::DeliverResponse> r = absl::UnknownError("not run");
  absl::StatusOr<v1::ResolveRecipientResponse> resolved = absl::UnknownError("not run");
  RunCoroutine([&]() -> asio::awaitable<void> {
    r = co_await single.Deliver(request);
    v1::ResolveRecipientRequest resolve;
    resolve.set_address("Single+x@One.example");
    resolved = co_await single.ResolveRecipient(resolve);
  });
  ASSERT_TRUE(r.ok()) << r.status();
  // The same key straight to the store: the store saw it unchanged.
  grpc::ClientContext context;
  v1::DeliverResponse direct;
  ASSERT_TRUE(stubs_[0]->Deliver(&context, request, &direct).ok());
  EXPECT_EQ(direct.SerializeAsString(), r->SerializeAsString());
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->account(), account);
  EXPECT_TRUE(resolved->subaddress());
}

}  // namespace
}  // namespace kurier::store_client
