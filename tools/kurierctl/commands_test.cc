// kurierctl's commands against an in-memory fake of the MailStore service,
// served over a real gRPC channel on a loopback port 0.
#include "tools/kurierctl/commands.h"

#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tools/kurierctl/command_line.h"

namespace kurier::kurierctl {
namespace {

namespace v1 = ::kurier::store::v1;
using ::testing::HasSubstr;
using ::testing::Not;

class FakeStore final : public v1::MailStore::Service {
 public:
  static constexpr uint64_t kDefaultQuota = uint64_t{1} << 30;
  static constexpr uint32_t kPageCap = 2;  // forces kurierctl to page

  grpc::Status CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest* request,
                             v1::Account* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.count(request->name()) > 0) return {grpc::StatusCode::ALREADY_EXISTS, "account exists"};
    v1::Account& a = accounts_[request->name()];
    a.set_id(accounts_.size());
    a.set_name(request->name());
    a.set_quota_bytes(request->quota_bytes() == 0 ? kDefaultQuota : request->quota_bytes());
    *a.mutable_aliases() = request->aliases();
    a.set_created_at(1700000000);
    passwords_[request->name()] = request->password();
    *response = a;
    return grpc::Status::OK;
  }

  grpc::Status DeleteAccount(grpc::ServerContext*, const v1::DeleteAccountRequest* request,
                             v1::DeleteAccountResponse*) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.erase(request->name()) == 0) return NotFound(request->name());
    return grpc::Status::OK;
  }

  grpc::Status GetAccount(grpc::ServerContext*, const v1::GetAccountRequest* request,
                          v1::Account* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(request->name());
    if (it == accounts_.end()) return NotFound(request->name());
    *response = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListAccounts(grpc::ServerContext*, const v1::ListAccountsRequest* request,
                            v1::ListAccountsResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++list_calls_;
    uint32_t limit = std::min(request->limit() == 0 ? 1000 : request->limit(), kPageCap);
    for (auto it = accounts_.upper_bound(request->after()); it != accounts_.end() && limit > 0; ++it, --limit) {
      *response->add_accounts() = it->second;
    }
    return grpc::Status::OK;
  }

  grpc::Status SetPassword(grpc::ServerContext*, const v1::SetPasswordRequest* request,
                           v1::SetPasswordResponse*) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.count(request->name()) == 0) return NotFound(request->name());
    passwords_[request->name()] = request->password();
    return grpc::Status::OK;
  }

  grpc::Status SetQuota(grpc::ServerContext*, const v1::SetQuotaRequest* request, v1::Account* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(request->name());
    if (it == accounts_.end()) return NotFound(request->name());
    it->second.set_quota_bytes(request->quota_bytes());
    *response = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListMailboxes(grpc::ServerContext*, const v1::ListMailboxesRequest* request,
                             v1::ListMailboxesResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.count(request->account()) == 0) return NotFound(request->account());
    for (const v1::Mailbox& m : mailboxes_[request->account()]) *response->add_mailboxes() = m;
    return grpc::Status::OK;
  }

  grpc::Status CreateMailbox(grpc::ServerContext*, const v1::CreateMailboxRequest* request,
                             v1::Mailbox* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.count(request->account()) == 0) return NotFound(request->account());
    v1::Mailbox m;
    m.set_name(request->name());
    m.set_special_use(request->special_use());
    m.set_uid_validity(4242);
    m.set_uid_next(1);
    mailboxes_[request->account()].push_back(m);
    *response = m;
    return grpc::Status::OK;
  }

  grpc::Status Backup(grpc::ServerContext*, const v1::BackupRequest* request, v1::BackupResponse* response) override {
    if (request->directory().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "backup directory is empty"};
    response->set_directory("/abs/" + request->directory());
    return grpc::Status::OK;
  }

  grpc::Status GetStats(grpc::ServerContext*, const v1::GetStatsRequest*, v1::Stats* response) override {
    response->set_accounts(3);
    response->set_deliveries(100);
    response->set_blobs(90);
    response->set_blob_bytes(5 << 20);
    response->set_commits(40);
    response->set_committed_writes(100);
    return grpc::Status::OK;
  }

  std::string Password(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return passwords_[name];
  }
  v1::Account Account(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return accounts_[name];
  }
  int list_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return list_calls_;
  }

 private:
  static grpc::Status NotFound(const std::string& name) {
    return {grpc::StatusCode::NOT_FOUND, "no account " + name};
  }

  std::mutex mu_;
  std::map<std::string, v1::Account> accounts_;
  std::map<std::string, std::string> passwords_;
  std::map<std::string, std::vector<v1::Mailbox>> mailboxes_;
  int list_calls_ = 0;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    stub_ = v1::MailStore::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  // Parses argv and runs it; returns stdout, and the status in *status.
  std::string Run(std::vector<std::string> argv, absl::Status* status = nullptr) {
    absl::StatusOr<Invocation> inv = ParseCommandLine(argv, "unused");
    EXPECT_TRUE(inv.ok()) << inv.status();
    if (!inv.ok()) return "";
    std::ostringstream out;
    CommandIo io{out, [this]() -> absl::StatusOr<std::string> {
                   ++password_reads_;
                   return stdin_password_;
                 }};
    absl::Status s = RunCommand(*inv, *stub_, io);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s;
    }
    return out.str();
  }

  FakeStore fake_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
  std::string stdin_password_ = "from-stdin";
  int password_reads_ = 0;
};

TEST_F(CommandsTest, EveryCommandHasAHandler) {
  for (const CommandSpec& spec : Commands()) EXPECT_TRUE(HasHandler(spec.name)) << spec.name;
}

TEST_F(CommandsTest, AccountAddGeneratesAndPrintsAPassword) {
  std::string out = Run({"account", "add", "demo@localhost"});
  EXPECT_THAT(out, HasSubstr("created account demo@localhost (id 1, quota 1.0 GiB)"));
  std::string stored = fake_.Password("demo@localhost");
  ASSERT_EQ(stored.size(), 16u);
  EXPECT_THAT(out, HasSubstr("password: " + stored + "\n"));
}

TEST_F(CommandsTest, AccountAddWithOptions) {
  std::string out = Run({"account", "add", "demo@localhost", "--password=pw", "--quota=10M", "--alias=a@x",
                         "--alias=b@y"});
  EXPECT_THAT(out, Not(HasSubstr("password")));
  EXPECT_THAT(out, HasSubstr("quota 10.0 MiB"));
  EXPECT_THAT(out, HasSubstr("aliases: a@x, b@y"));
  EXPECT_EQ(fake_.Password("demo@localhost"), "pw");
  v1::Account a = fake_.Account("demo@localhost");
  EXPECT_EQ(a.quota_bytes(), 10u << 20);
  ASSERT_EQ(a.aliases_size(), 2);
}

TEST_F(CommandsTest, AccountAddQuotaZeroMeansUnlimited) {
  std::string out = Run({"account", "add", "demo@localhost", "--password=pw", "--quota=0"});
  EXPECT_THAT(out, HasSubstr("quota unlimited"));
  EXPECT_EQ(fake_.Account("demo@localhost").quota_bytes(), 0u);
}

TEST_F(CommandsTest, AccountAddTwiceFailsWithTheStoreMessage) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  absl::Status status;
  Run({"account", "add", "demo@localhost", "--password=pw"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(), "account exists");
}

TEST_F(CommandsTest, AccountListPagesThroughEveryAccount) {
  EXPECT_EQ(Run({"account", "list"}), "no accounts\n");
  for (const char* name : {"e@x", "a@x", "c@x", "b@x", "d@x"}) Run({"account", "add", name, "--password=pw"});
  std::string out = Run({"account", "list"});
  EXPECT_EQ(out,
            "NAME  MESSAGES  USED  QUOTA    ALIASES\n"
            "a@x   0         0 B   1.0 GiB  -\n"
            "b@x   0         0 B   1.0 GiB  -\n"
            "c@x   0         0 B   1.0 GiB  -\n"
            "d@x   0         0 B   1.0 GiB  -\n"
            "e@x   0         0 B   1.0 GiB  -\n");
  EXPECT_GE(fake_.list_calls(), 4);  // 1 for the empty list, 3 pages of 2, 2 and 1 (+ an empty page)
}

TEST_F(CommandsTest, AccountDelAndShow) {
  Run({"account", "add", "demo@localhost", "--password=pw", "--alias=a@x"});
  std::string out = Run({"account", "show", "demo@localhost"});
  EXPECT_EQ(out,
            "name:      demo@localhost\n"
            "id:        1\n"
            "aliases:   a@x\n"
            "quota:     1.0 GiB (1073741824 bytes)\n"
            "used:      0 B\n"
            "messages:  0\n"
            "created:   2023-11-14 22:13:20 UTC\n");
  EXPECT_EQ(Run({"account", "del", "demo@localhost"}), "deleted account demo@localhost\n");
  absl::Status status;
  Run({"account", "show", "demo@localhost"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no account demo@localhost");
}

TEST_F(CommandsTest, AccountPasswdFromOptionOrReader) {
  Run({"account", "add", "demo@localhost", "--password=old"});
  EXPECT_EQ(Run({"account", "passwd", "demo@localhost", "--password=new"}), "password changed for demo@localhost\n");
  EXPECT_EQ(fake_.Password("demo@localhost"), "new");
  EXPECT_EQ(password_reads_, 0);
  Run({"account", "passwd", "demo@localhost"});
  EXPECT_EQ(password_reads_, 1);
  EXPECT_EQ(fake_.Password("demo@localhost"), "from-stdin");

  stdin_password_ = "";
  absl::Status status;
  Run({"account", "passwd", "demo@localhost"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fake_.Password("demo@localhost"), "from-stdin");
}

TEST_F(CommandsTest, AccountQuota) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  EXPECT_EQ(Run({"account", "quota", "demo@localhost", "2G"}),
            "quota of demo@localhost: 2.0 GiB (2147483648 bytes); used 0 B\n");
  EXPECT_EQ(Run({"account", "quota", "demo@localhost", "0"}), "quota of demo@localhost: unlimited; used 0 B\n");
  EXPECT_EQ(fake_.Account("demo@localhost").quota_bytes(), 0u);
}

TEST_F(CommandsTest, Mailboxes) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  EXPECT_EQ(Run({"mailbox", "create", "demo@localhost", "INBOX"}),
            "created mailbox INBOX for demo@localhost (uidvalidity 4242)\n");
  Run({"mailbox", "create", "demo@localhost", "Sent Items", "--special-use=\\Sent"});
  EXPECT_EQ(Run({"mailbox", "list", "demo@localhost"}),
            "NAME        SPECIAL-USE  MESSAGES  UNSEEN  SIZE  UIDVALIDITY  UIDNEXT\n"
            "INBOX       -            0         0       0 B   4242         1\n"
            "Sent Items  \\Sent        0         0       0 B   4242         1\n");
  absl::Status status;
  Run({"mailbox", "list", "nobody@x"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
}

TEST_F(CommandsTest, BackupPrintsThePathTheStoreWrote) {
  EXPECT_EQ(Run({"backup", "snap-1"}), "/abs/snap-1\n");
}

TEST_F(CommandsTest, Stats) {
  std::string out = Run({"stats"});
  EXPECT_THAT(out, HasSubstr("accounts:           3\n"));
  EXPECT_THAT(out, HasSubstr("committed writes:   100\n"));
  EXPECT_THAT(out, HasSubstr("writes per commit:  2.50\n"));
  EXPECT_THAT(out, HasSubstr("blob bytes:         5.0 MiB (5242880 bytes)\n"));
}

TEST_F(CommandsTest, UnreachableStoreIsAnError) {
  server_->Shutdown();
  absl::Status status;
  Run({"stats"}, &status);
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(status.message().empty());
}

TEST(GeneratePassword, SixteenAlphanumericCharacters) {
  absl::StatusOr<std::string> a = GeneratePassword();
  absl::StatusOr<std::string> b = GeneratePassword();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 16u);
  EXPECT_NE(*a, *b);
  for (char c : *a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_EQ(GeneratePassword(40)->size(), 40u);
}

}  // namespace
}  // namespace kurier::kurierctl
