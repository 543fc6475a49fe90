// The store service through real gRPC on a loopback port picked by the kernel.
#include "services/mailstore/store_service.h"

#include <filesystem>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"

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

  ThreadPool pool_{8};
  Metrics metrics_;
  std::unique_ptr<storage::MailStore> store_;
  std::unique_ptr<StoreService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
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
