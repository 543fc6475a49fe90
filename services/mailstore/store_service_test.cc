// The store service through real gRPC on a loopback port picked by the kernel.
#include "services/mailstore/store_service.h"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "services/common/testing/grpc_lifetime.h"

namespace kurier::mailstore {
namespace {

class StoreServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = std::filesystem::path(::testing::TempDir()) /
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir);
    storage::StoreOptions options;
    options.data_dir = dir.string();
    options.scrypt_n = 1024;
    options.max_message_bytes = 4 << 20;
    options.clock = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    auto store = storage::MailStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service_ = std::make_unique<StoreService>(store_.get(), &pool_, &metrics_);
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(8 << 20);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub_ = v1::MailStore::NewStub(channel_);
    grpc::ChannelArguments separate;
    separate.SetInt("kurier.test.other_client", 1);  // different arguments: no shared connection
    other_stub_ = v1::MailStore::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), separate));

    v1::CreateAccountRequest create;
    create.set_name("demo@localhost");
    create.set_password("pw");
    v1::Account account;
    ASSERT_TRUE(Call(&v1::MailStore::Stub::CreateAccount, create, &account).ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  template <typename Method, typename Req, typename Resp>
  grpc::Status Call(Method method, const Req& request, Resp* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return (stub_.get()->*method)(&context, request, response);
  }

  // A second, independent client on a channel of its own (another POP3
  // instance, say).
  template <typename Method, typename Req, typename Resp>
  grpc::Status CallFromOther(Method method, const Req& request, Resp* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return (other_stub_.get()->*method)(&context, request, response);
  }

  void Advance(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
  }

  absl::Mutex clock_mu_;
  absl::Time now_ ABSL_GUARDED_BY(clock_mu_) = absl::Now();
  ThreadPool pool_{8};
  Metrics metrics_;
  std::unique_ptr<storage::MailStore> store_;
  std::unique_ptr<StoreService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
  std::unique_ptr<v1::MailStore::Stub> other_stub_;
};

TEST_F(StoreServiceTest, DeliverThenReadBackByteExactInChunks) {
  std::string content = "Subject: big\r\n\r\n";
  for (int i = 0; content.size() < (1 << 20); ++i) content += "line " + std::to_string(i) + "\r\n";
  v1::DeliverRequest deliver;
  deliver.add_recipients("DEMO@localhost");
  deliver.set_content(content);
  v1::DeliverResponse delivered;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());
  ASSERT_EQ(delivered.results(0).outcome(), v1::RecipientResult::DELIVERED);

  grpc::ClientContext context;
  v1::ReadMessageRequest read;
  read.set_account("demo@localhost");
  read.set_mailbox("INBOX");
  read.set_uid(delivered.results(0).uid());
  auto reader = stub_->ReadMessage(&context, read);
  v1::ReadMessageChunk chunk;
  std::string got;
  int chunks = 0;
  uint64_t size = 0;
  while (reader->Read(&chunk)) {
    if (chunks++ == 0) size = chunk.size();
    got += chunk.data();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(got, content);
  EXPECT_EQ(size, content.size());
  EXPECT_GT(chunks, 1);
}

TEST_F(StoreServiceTest, ErrorsKeepTheirMeaning) {
  v1::Account account;
  v1::GetAccountRequest get;
  get.set_name("nobody@localhost");
  EXPECT_EQ(Call(&v1::MailStore::Stub::GetAccount, get, &account).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name("not an address");
  EXPECT_EQ(Call(&v1::MailStore::Stub::GetAccount, get, &account).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateAccountRequest create;
  create.set_name("demo@localhost");
  create.set_password("x");
  EXPECT_EQ(Call(&v1::MailStore::Stub::CreateAccount, create, &account).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  v1::DeliverRequest big;
  big.add_recipients("demo@localhost");
  big.set_content(std::string((4 << 20) + 1, 'x'));
  v1::DeliverResponse delivered;
  grpc::Status s = Call(&v1::MailStore::Stub::Deliver, big, &delivered);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("maximum"), std::string::npos) << s.error_message();
  v1::ResolveAddressRequest resolve;
  resolve.set_address("nobody@localhost");
  v1::ResolveAddressResponse resolved;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ResolveAddress, resolve, &resolved).ok());
  EXPECT_EQ(resolved.account(), "");
}

TEST_F(StoreServiceTest, VerifyPasswordNeverReturnsAHash) {
  v1::VerifyPasswordRequest verify;
  verify.set_name("demo@localhost");
  verify.set_password("pw");
  v1::VerifyPasswordResponse verified;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::VerifyPassword, verify, &verified).ok());
  EXPECT_TRUE(verified.ok());
  v1::GetAccountRequest get;
  get.set_name("demo@localhost");
  v1::Account account;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::GetAccount, get, &account).ok());
  EXPECT_EQ(account.SerializeAsString().find("scrypt"), std::string::npos);
}

TEST_F(StoreServiceTest, WatchStreamsLogThenLiveChanges) {
  v1::DeliverRequest deliver;
  deliver.add_recipients("demo@localhost");
  deliver.set_content("first");
  v1::DeliverResponse delivered;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::WatchRequest watch;
  watch.set_account("demo@localhost");
  watch.set_since_modseq(1);  // everything after the account's creation
  auto reader = stub_->Watch(&context, watch);
  v1::Change change;
  std::vector<v1::Change::Kind> kinds;
  std::vector<uint64_t> modseqs;
  bool delivered_live = false;
  while (reader->Read(&change)) {
    kinds.push_back(change.kind());
    modseqs.push_back(change.modseq());
    if (change.kind() == v1::Change::MESSAGE_ADDED && change.uid() == 1 && !delivered_live) {
      delivered_live = true;
      deliver.set_content("second");  // arrives while the stream is open
      ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());
    }
    if (change.kind() == v1::Change::MESSAGE_ADDED && change.uid() == 2) break;
  }
  context.TryCancel();
  ASSERT_GE(kinds.size(), 2u);
  EXPECT_EQ(kinds.back(), v1::Change::MESSAGE_ADDED);
  EXPECT_TRUE(std::is_sorted(modseqs.begin(), modseqs.end()));
  EXPECT_EQ(change.account(), "demo@localhost");
}

TEST_F(StoreServiceTest, WatchAllAccountsStreamsEveryAccountsLiveChanges) {
  v1::CreateAccountRequest create;
  create.set_name("Other@Localhost");
  create.set_password("pw");
  v1::Account other;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::CreateAccount, create, &other).ok());
  v1::DeliverRequest before;
  before.add_recipients("demo@localhost");
  before.set_content("before the watch: not replayed");
  v1::DeliverResponse delivered;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, before, &delivered).ok());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::WatchRequest watch;
  watch.set_all_accounts(true);
  watch.set_account("ignored@localhost");
  watch.set_since_modseq(1);  // ignored too: live only
  auto reader = stub_->Watch(&context, watch);
  // The initial metadata comes once the store listens.
  reader->WaitForInitialMetadata();

  v1::DeliverRequest deliver;
  deliver.add_recipients("demo@localhost");
  deliver.add_recipients("other@localhost");
  deliver.set_content("to both");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());
  v1::DeliverRequest to_other;
  to_other.add_recipients("OTHER@localhost");
  to_other.set_content("to the other only");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, to_other, &delivered).ok());

  std::vector<std::pair<std::string, uint32_t>> added;  // account, uid
  v1::Change change;
  while (added.size() < 3 && reader->Read(&change)) {
    ASSERT_EQ(change.kind(), v1::Change::MESSAGE_ADDED) << change.ShortDebugString();
    added.emplace_back(change.account(), change.uid());
  }
  context.TryCancel();
  std::sort(added.begin(), added.end());
  const std::vector<std::pair<std::string, uint32_t>> want = {
      {"demo@localhost", 2}, {"other@localhost", 1}, {"other@localhost", 2}};
  EXPECT_EQ(added, want);
}

TEST_F(StoreServiceTest, LeaseIsExclusiveAcrossClientsAndExpires) {
  v1::AcquireLeaseRequest acquire;
  acquire.set_account("demo@localhost");
  acquire.set_name("pop3");
  acquire.set_holder("pop3-a session 1");
  acquire.set_ttl_ms(20000);
  v1::Lease first;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::AcquireLease, acquire, &first).ok());
  EXPECT_EQ(first.ttl_ms(), 20000u);

  acquire.set_holder("pop3-b session 7");
  v1::Lease second;
  grpc::Status refused = CallFromOther(&v1::MailStore::Stub::AcquireLease, acquire, &second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(refused.error_message().find("in use"), std::string::npos) << refused.error_message();
  EXPECT_EQ(Call(&v1::MailStore::Stub::AcquireLease, acquire, &second).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "the first client cannot take it twice either";

  v1::RenewLeaseRequest renew;
  renew.set_account("demo@localhost");
  renew.set_name("pop3");
  renew.set_lease_id(first.lease_id());
  renew.set_ttl_ms(3600 * 1000);
  v1::Lease renewed;
  Advance(absl::Seconds(15));
  ASSERT_TRUE(Call(&v1::MailStore::Stub::RenewLease, renew, &renewed).ok());
  EXPECT_EQ(renewed.lease_id(), first.lease_id());
  EXPECT_EQ(renewed.ttl_ms(), 600000u) << "capped at 10 minutes";
  Advance(absl::Minutes(10));
  EXPECT_EQ(Call(&v1::MailStore::Stub::RenewLease, renew, &renewed).error_code(), grpc::StatusCode::NOT_FOUND)
      << "expired: the holder died or stalled";
  ASSERT_TRUE(CallFromOther(&v1::MailStore::Stub::AcquireLease, acquire, &second).ok());
  EXPECT_NE(second.lease_id(), first.lease_id());

  v1::ReleaseLeaseRequest release;
  release.set_account("demo@localhost");
  release.set_name("pop3");
  release.set_lease_id(second.lease_id());
  v1::ReleaseLeaseResponse released;
  ASSERT_TRUE(CallFromOther(&v1::MailStore::Stub::ReleaseLease, release, &released).ok());
  ASSERT_TRUE(CallFromOther(&v1::MailStore::Stub::ReleaseLease, release, &released).ok()) << "idempotent";
  ASSERT_TRUE(Call(&v1::MailStore::Stub::AcquireLease, acquire, &first).ok());

  acquire.set_account("nobody@localhost");
  EXPECT_EQ(Call(&v1::MailStore::Stub::AcquireLease, acquire, &first).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(StoreServiceTest, Pop3CommitDeleteAndKeep) {
  for (const char* body : {"one", "two", "three", "four"}) {
    v1::DeliverRequest deliver;
    deliver.add_recipients("demo@localhost");
    deliver.set_content(body);
    v1::DeliverResponse delivered;
    ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());
  }
  auto uids = [this](bool pop3_visible_only) {
    v1::FetchMessagesRequest fetch;
    fetch.set_account("demo@localhost");
    fetch.set_mailbox("INBOX");
    fetch.set_pop3_visible_only(pop3_visible_only);
    v1::FetchMessagesResponse fetched;
    EXPECT_TRUE(Call(&v1::MailStore::Stub::FetchMessages, fetch, &fetched).ok());
    std::vector<uint32_t> out;
    for (const auto& m : fetched.messages()) out.push_back(m.uid());
    return out;
  };
  v1::AcquireLeaseRequest acquire;
  acquire.set_account("demo@localhost");
  acquire.set_name("pop3");
  v1::Lease lease;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::AcquireLease, acquire, &lease).ok());

  v1::Pop3CommitRequest commit;
  commit.set_account("demo@localhost");
  commit.set_lease_id("not-the-lease");
  commit.add_uids(1);
  v1::Pop3CommitResponse committed;
  EXPECT_EQ(Call(&v1::MailStore::Stub::Pop3Commit, commit, &committed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The store's default: DELETE.
  commit.set_lease_id(lease.lease_id());
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Pop3Commit, commit, &committed).ok());
  EXPECT_EQ(committed.policy(), v1::POP3_DELETE);
  EXPECT_EQ(uids(false), (std::vector<uint32_t>{2, 3, 4}));

  v1::SetPop3PolicyRequest policy;
  policy.set_name("demo@localhost");
  policy.set_policy(v1::POP3_KEEP);
  policy.set_keep_days(2);
  v1::Account account;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::SetPop3Policy, policy, &account).ok());
  EXPECT_EQ(account.pop3_policy(), v1::POP3_KEEP);
  v1::GetAccountRequest get;
  get.set_name("demo@localhost");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::GetAccount, get, &account).ok());
  EXPECT_EQ(account.pop3_keep_days(), 2u);

  commit.clear_uids();
  commit.add_uids(2);
  commit.add_uids(3);
  commit.set_idempotency_key("quit-2");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Pop3Commit, commit, &committed).ok());
  EXPECT_EQ(committed.policy(), v1::POP3_KEEP);
  EXPECT_EQ(committed.uids_size(), 2);
  EXPECT_EQ(uids(true), (std::vector<uint32_t>{4})) << "POP3 no longer lists them";
  EXPECT_EQ(uids(false), (std::vector<uint32_t>{2, 3, 4})) << "IMAP still does";

  ASSERT_TRUE(store_->RunRetention(absl::Now() + absl::Hours(24)).ok());
  EXPECT_EQ(uids(false).size(), 3u);
  auto expunged = store_->RunRetention(absl::Now() + absl::Hours(24 * 3));
  ASSERT_TRUE(expunged.ok());
  EXPECT_EQ(*expunged, 2u);
  EXPECT_EQ(uids(false), (std::vector<uint32_t>{4}));

  policy.set_policy(static_cast<v1::Pop3Policy>(7));
  EXPECT_EQ(Call(&v1::MailStore::Stub::SetPop3Policy, policy, &account).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StoreServiceTest, DomainsResolveRecipientAndOutboundQueue) {
  v1::ListDomainsResponse domains;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ListDomains, v1::ListDomainsRequest(), &domains).ok());
  ASSERT_EQ(domains.domains_size(), 1);
  EXPECT_EQ(domains.domains(0).name(), "localhost");

  v1::Domain domain, stored;
  domain.set_name("Example.ORG");
  domain.set_catch_all("nobody@localhost");
  EXPECT_EQ(Call(&v1::MailStore::Stub::SetDomain, domain, &stored).error_code(), grpc::StatusCode::NOT_FOUND);
  domain.set_catch_all("DEMO@localhost");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::SetDomain, domain, &stored).ok());
  EXPECT_EQ(stored.name(), "example.org");
  EXPECT_EQ(stored.catch_all(), "demo@localhost");

  v1::ResolveRecipientRequest resolve;
  resolve.set_address("anyone@example.org");
  v1::ResolveRecipientResponse resolved;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ResolveRecipient, resolve, &resolved).ok());
  EXPECT_EQ(resolved.outcome(), v1::ResolveRecipientResponse::LOCAL);
  EXPECT_EQ(resolved.account(), "demo@localhost");
  EXPECT_TRUE(resolved.catch_all());
  resolve.set_address("demo+tag@localhost");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ResolveRecipient, resolve, &resolved).ok());
  EXPECT_TRUE(resolved.subaddress());
  resolve.set_address("someone@elsewhere.example");
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ResolveRecipient, resolve, &resolved).ok());
  EXPECT_EQ(resolved.outcome(), v1::ResolveRecipientResponse::NOT_LOCAL);
  resolve.set_address("no at sign");
  EXPECT_EQ(Call(&v1::MailStore::Stub::ResolveRecipient, resolve, &resolved).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::DeleteDomainRequest remove;
  remove.set_name("example.org");
  v1::DeleteDomainResponse removed;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::DeleteDomain, remove, &removed).ok());
  EXPECT_EQ(Call(&v1::MailStore::Stub::DeleteDomain, remove, &removed).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::DeliverRequest deliver;
  deliver.add_recipients("demo@localhost");
  deliver.set_content("Subject: out\r\n\r\nbody\r\n");
  deliver.mutable_outbound()->set_envelope_from("demo@localhost");
  deliver.mutable_outbound()->add_recipients()->set_address("friend@elsewhere.example");
  v1::DeliverResponse delivered;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::Deliver, deliver, &delivered).ok());
  EXPECT_FALSE(delivered.outbound_id().empty());
  v1::ListOutboundRequest list;
  list.set_include_content(true);
  v1::ListOutboundResponse queue;
  ASSERT_TRUE(Call(&v1::MailStore::Stub::ListOutbound, list, &queue).ok());
  ASSERT_EQ(queue.messages_size(), 1);
  EXPECT_EQ(queue.messages(0).id(), delivered.outbound_id());
  EXPECT_EQ(queue.messages(0).content(), deliver.content());
}

TEST_F(StoreServiceTest, HealthCheckSaysServing) {
  // grpc.health.v1.Health/Check with an empty request; SERVING is field 1 = 1.
  grpc::GenericStub generic(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  auto call = generic.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace kurier::mailstore
