// kurierctl's commands against an in-memory fake of the MailStore service,
// served over a real gRPC channel on a loopback port 0.
#include "tools/kurierctl/commands.h"

#include <algorithm>
#include <fstream>
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
#include "services/common/testing/grpc_lifetime.h"
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

  grpc::Status SetPop3Policy(grpc::ServerContext*, const v1::SetPop3PolicyRequest* request,
                             v1::Account* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(request->name());
    if (it == accounts_.end()) return NotFound(request->name());
    it->second.set_pop3_policy(request->policy());
    it->second.set_pop3_keep_days(request->keep_days());
    *response = it->second;
    return grpc::Status::OK;
  }

  // Every recipient that is an account gets the message in its INBOX, unless
  // its name starts with "full" (over quota).
  grpc::Status Deliver(grpc::ServerContext*, const v1::DeliverRequest* request, v1::DeliverResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++deliver_calls_;
    delivered_content_ = request->content();
    for (const std::string& recipient : request->recipients()) {
      v1::RecipientResult* result = response->add_results();
      result->set_recipient(recipient);
      std::string account = recipient == "alias@x" ? "demo@localhost" : recipient;
      if (accounts_.count(account) == 0) {
        result->set_outcome(v1::RecipientResult::UNKNOWN_RECIPIENT);
        continue;
      }
      if (account.rfind("full", 0) == 0) {
        result->set_outcome(v1::RecipientResult::OVER_QUOTA);
        continue;
      }
      auto& messages = messages_[{account, "INBOX"}];
      v1::MessageInfo m;
      m.set_uid(messages.empty() ? 1 : messages.rbegin()->first + 1);
      m.set_size(request->content().size());
      messages[m.uid()] = m;
      result->set_outcome(v1::RecipientResult::DELIVERED);
      result->set_account(account);
      result->set_uid(m.uid());
    }
    return grpc::Status::OK;
  }

  grpc::Status GetMailboxStatus(grpc::ServerContext*, const v1::GetMailboxStatusRequest* request,
                                v1::Mailbox* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.count(request->account()) == 0) return NotFound(request->account());
    auto it = messages_.find({request->account(), request->name()});
    if (it == messages_.end() && request->name() != "INBOX") return {grpc::StatusCode::NOT_FOUND, "no mailbox"};
    response->set_name(request->name());
    uint32_t uid_next = 1;
    if (it != messages_.end() && !it->second.empty()) uid_next = it->second.rbegin()->first + 1;
    response->set_uid_next(uid_next);
    return grpc::Status::OK;
  }

  // Refuses, like gRPC's size limit would, to answer with more than
  // max_fetch_ messages at once.
  grpc::Status FetchMessages(grpc::ServerContext*, const v1::FetchMessagesRequest* request,
                             v1::FetchMessagesResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++fetch_calls_;
    if (request->uids_size() != 1 || request->uids(0).last() == 0) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "kurierctl should ask for one bounded range"};
    }
    const auto& messages = messages_[{request->account(), request->mailbox()}];
    for (auto it = messages.lower_bound(request->uids(0).first());
         it != messages.end() && it->first <= request->uids(0).last(); ++it) {
      *response->add_messages() = it->second;
    }
    if (response->messages_size() > max_fetch_) return {grpc::StatusCode::RESOURCE_EXHAUSTED, "too large"};
    return grpc::Status::OK;
  }

  void AddMessage(const std::string& account, const std::string& mailbox, const v1::MessageInfo& m) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_[{account, mailbox}][m.uid()] = m;
  }
  std::string delivered_content() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_content_;
  }
  int deliver_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliver_calls_;
  }
  int fetch_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return fetch_calls_;
  }
  void set_max_fetch(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    max_fetch_ = n;
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

  grpc::Status SetDomain(grpc::ServerContext*, const v1::Domain* request, v1::Domain* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (request->name().find('.') == std::string::npos) return {grpc::StatusCode::INVALID_ARGUMENT, "bad domain"};
    if (!request->catch_all().empty() && accounts_.count(request->catch_all()) == 0) {
      return NotFound(request->catch_all());
    }
    *response = domains_[request->name()] = *request;
    return grpc::Status::OK;
  }

  grpc::Status DeleteDomain(grpc::ServerContext*, const v1::DeleteDomainRequest* request,
                            v1::DeleteDomainResponse*) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (domains_.erase(request->name()) == 0) return {grpc::StatusCode::NOT_FOUND, "no domain " + request->name()};
    return grpc::Status::OK;
  }

  grpc::Status ListDomains(grpc::ServerContext*, const v1::ListDomainsRequest*,
                           v1::ListDomainsResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, domain] : domains_) *response->add_domains() = domain;
    return grpc::Status::OK;
  }

  grpc::Status ListOutbound(grpc::ServerContext*, const v1::ListOutboundRequest* request,
                            v1::ListOutboundResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++outbound_calls_;
    uint32_t limit = std::min(request->limit() == 0 ? 100 : request->limit(), kPageCap);
    for (auto it = queue_.upper_bound(request->after()); it != queue_.end() && limit > 0; ++it, --limit) {
      v1::OutboundMessage* m = response->add_messages();
      *m = it->second;
      if (!request->include_content()) m->clear_content();
    }
    return grpc::Status::OK;
  }

  void Queue(const std::string& id, const std::string& from, std::vector<std::string> to, const std::string& content) {
    std::lock_guard<std::mutex> lock(mu_);
    v1::OutboundMessage& m = queue_[id];
    m.set_id(id);
    m.set_envelope_from(from);
    for (auto& r : to) m.add_recipients()->set_address(r);
    m.set_content(content);
    m.set_size(content.size());
    m.set_queued_at(1700000000);
  }
  int outbound_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return outbound_calls_;
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
  std::map<std::pair<std::string, std::string>, std::map<uint32_t, v1::MessageInfo>> messages_;
  std::string delivered_content_;
  std::map<std::string, v1::Domain> domains_;
  std::map<std::string, v1::OutboundMessage> queue_;
  int outbound_calls_ = 0;
  int list_calls_ = 0;
  int deliver_calls_ = 0;
  int fetch_calls_ = 0;
  int max_fetch_ = 100000;
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
    CommandIo io{out,
                 [this]() -> absl::StatusOr<std::string> {
                   ++password_reads_;
                   return stdin_password_;
                 },
                 [this]() -> absl::StatusOr<std::string> { return stdin_; }};
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
  std::string stdin_;
  int password_reads_ = 0;
};

// Bytes a text-mode reader, a line-based reader or a C string would change.
std::string AwkwardMessage() {
  std::string m = "From: a@x\r\nSubject: bytes\r\n\r\nline\rCR only\nLF only\r\n";
  m += std::string("\0nul\0", 5);
  for (int c = 128; c < 256; ++c) m += static_cast<char>(c);
  m += "\r\n.\r\n..dot\r\nno final newline";
  return m;
}

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
            "created:   2023-11-14 22:13:20 UTC\n"
            "pop3:      store default\n");
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

TEST_F(CommandsTest, AccountPop3SetsThePolicyAndShowPrintsIt) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  EXPECT_EQ(Run({"account", "pop3", "demo@localhost", "keep", "30"}),
            "POP3 policy of demo@localhost: keep (hidden mail kept 30 days)\n");
  v1::Account a = fake_.Account("demo@localhost");
  EXPECT_EQ(a.pop3_policy(), v1::POP3_KEEP);
  EXPECT_EQ(a.pop3_keep_days(), 30u);
  EXPECT_THAT(Run({"account", "show", "demo@localhost"}), HasSubstr("pop3:      keep (hidden mail kept 30 days)\n"));

  EXPECT_EQ(Run({"account", "pop3", "demo@localhost", "keep"}),
            "POP3 policy of demo@localhost: keep (hidden mail kept the store's default number of days)\n");
  EXPECT_EQ(fake_.Account("demo@localhost").pop3_keep_days(), 0u);
  EXPECT_EQ(Run({"account", "pop3", "demo@localhost", "delete"}), "POP3 policy of demo@localhost: delete\n");
  EXPECT_EQ(fake_.Account("demo@localhost").pop3_policy(), v1::POP3_DELETE);
  EXPECT_EQ(Run({"account", "pop3", "demo@localhost", "default", "7"}),
            "POP3 policy of demo@localhost: store default (under keep, hidden mail kept 7 days)\n");
  EXPECT_EQ(fake_.Account("demo@localhost").pop3_policy(), v1::POP3_POLICY_UNSPECIFIED);

  absl::Status status;
  Run({"account", "pop3", "nobody@x", "keep"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
}

TEST_F(CommandsTest, DeliverFromStdinIsByteExact) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  stdin_ = AwkwardMessage();
  EXPECT_EQ(Run({"deliver", "demo@localhost"}), "delivered demo@localhost uid 1\n");
  EXPECT_EQ(fake_.delivered_content(), AwkwardMessage());
  EXPECT_EQ(Run({"deliver", "demo@localhost", "--file=-"}), "delivered demo@localhost uid 2\n");
  EXPECT_EQ(fake_.delivered_content(), AwkwardMessage());
}

TEST_F(CommandsTest, DeliverFromAFileIsByteExact) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  const std::string path = ::testing::TempDir() + "/kurierctl-deliver.eml";
  {
    std::ofstream file(path, std::ios::binary);
    file << AwkwardMessage();
  }
  stdin_ = "not this";
  EXPECT_EQ(Run({"deliver", "--file=" + path, "demo@localhost"}), "delivered demo@localhost uid 1\n");
  EXPECT_EQ(fake_.delivered_content(), AwkwardMessage());

  absl::Status status;
  Run({"deliver", "demo@localhost", "--file=/nonexistent/m.eml"}, &status);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/m.eml"));
  EXPECT_EQ(fake_.deliver_calls(), 1) << "nothing is sent when the file cannot be read";
}

TEST_F(CommandsTest, DeliverReportsEveryRecipientInOneCall) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  Run({"account", "add", "full@x", "--password=pw"});
  stdin_ = "Subject: hi\r\n\r\nhi\r\n";
  absl::Status status;
  std::string out = Run({"deliver", "demo@localhost", "nobody@x", "full@x", "alias@x"}, &status);
  EXPECT_EQ(out,
            "delivered demo@localhost uid 1\n"
            "unknown recipient nobody@x\n"
            "over quota full@x\n"
            "delivered alias@x uid 2 (account demo@localhost)\n");
  EXPECT_EQ(fake_.deliver_calls(), 1);
  EXPECT_FALSE(status.ok()) << "not every recipient got it: the exit status says so";
  EXPECT_EQ(status.message(), "2 of 4 recipients not delivered");

  Run({"deliver", "demo@localhost"}, &status);
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(CommandsTest, MessageListShowsFlagsAndPop3Hidden) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  EXPECT_EQ(Run({"message", "list", "demo@localhost"}), "no messages in INBOX\n");
  v1::MessageInfo m;
  m.set_uid(3);
  m.set_size(1234);
  m.set_internal_date(1700000000);
  m.add_flags("$Junk");
  m.add_flags("\\Seen");
  fake_.AddMessage("demo@localhost", "INBOX", m);
  m.set_uid(12);
  m.set_size(5);
  m.clear_flags();
  m.set_pop3_hidden_at(1700000100);
  fake_.AddMessage("demo@localhost", "INBOX", m);
  EXPECT_EQ(Run({"message", "list", "demo@localhost"}),
            "UID  SIZE  DATE                     FLAGS\n"
            "3    1234  2023-11-14 22:13:20 UTC  $Junk \\Seen\n"
            "12   5     2023-11-14 22:13:20 UTC  -            pop3-hidden\n");
  fake_.AddMessage("demo@localhost", "Archive", m);
  EXPECT_THAT(Run({"message", "list", "demo@localhost", "Archive"}), HasSubstr("12   5"));
  absl::Status status;
  Run({"message", "list", "demo@localhost", "Nope"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
}

TEST_F(CommandsTest, MessageListPagesThroughLargeAndSparseMailboxes) {
  Run({"account", "add", "demo@localhost", "--password=pw"});
  v1::MessageInfo m;
  for (uint32_t uid = 1; uid <= 3000; ++uid) {
    m.set_uid(uid);
    fake_.AddMessage("demo@localhost", "INBOX", m);
  }
  m.set_uid(50'000'000);  // far beyond: windows over the empty stretch must grow
  fake_.AddMessage("demo@localhost", "INBOX", m);
  fake_.set_max_fetch(500);  // responses over 500 messages are "too large"
  std::string out = Run({"message", "list", "demo@localhost"});
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1 + 3001);
  EXPECT_THAT(out, HasSubstr("\n3000 "));
  EXPECT_THAT(out, HasSubstr("\n50000000 "));
  EXPECT_LT(fake_.fetch_calls(), 60);
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

TEST_F(CommandsTest, DomainsAddListRemove) {
  EXPECT_EQ(Run({"domain", "list"}), "no domains\n");
  Run({"account", "add", "alice@example.org", "--password=pw"});
  EXPECT_EQ(Run({"domain", "add", "example.org"}), "local domain example.org, no catch-all\n");
  EXPECT_EQ(Run({"domain", "add", "example.org", "--catch-all=alice@example.org"}),
            "local domain example.org, catch-all alice@example.org\n");
  Run({"domain", "add", "b.example"});
  EXPECT_EQ(Run({"domain", "list"}),
            "DOMAIN       CATCH-ALL\n"
            "b.example    -\n"
            "example.org  alice@example.org\n");
  absl::Status status;
  Run({"domain", "add", "c.example", "--catch-all=nobody@example.org"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Run({"domain", "remove", "b.example"}), "removed domain b.example\n");
  Run({"domain", "remove", "b.example"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Run({"domain", "list"}), Not(HasSubstr("b.example")));
}

TEST_F(CommandsTest, QueueListPagesAndShowsContentOnRequest) {
  EXPECT_EQ(Run({"queue", "list"}), "queue is empty\n");
  fake_.Queue("0001", "alice@example.org", {"x@remote.example", "y@remote.example"}, "Subject: one\r\n\r\nbody\r\n");
  fake_.Queue("0002", "", {"bounce@remote.example"}, "no newline");
  fake_.Queue("0003", "bob@example.org", {"z@remote.example"}, "three\n");
  const std::string table = Run({"queue", "list"});
  EXPECT_THAT(table, HasSubstr("ID    QUEUED"));
  EXPECT_THAT(table, HasSubstr("0001  2023-11-14 22:13:20 UTC  22    alice@example.org  x@remote.example,y@remote.example"));
  EXPECT_THAT(table, HasSubstr("0002  2023-11-14 22:13:20 UTC  10    <>"));
  EXPECT_THAT(table, HasSubstr("0003"));
  EXPECT_THAT(table, Not(HasSubstr("body")));
  EXPECT_GE(fake_.outbound_calls(), 2);  // the fake answers two per page
  const std::string with_content = Run({"queue", "list", "--content"});
  EXPECT_THAT(with_content, HasSubstr("id:         0001\n"));
  EXPECT_THAT(with_content, HasSubstr("\n\nSubject: one\r\n\r\nbody\r\n\nid:"));
  EXPECT_THAT(with_content, HasSubstr("no newline\n"));
  EXPECT_THAT(with_content, HasSubstr("\n\nthree\n"));
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
