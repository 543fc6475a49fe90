// What the store does for SMTP: local domains, ResolveRecipient and the
// outbound queue written by Deliver, through the library on a real RocksDB.
#include <algorithm>
#include <filesystem>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/mail_store.h"

namespace kurier::storage {
namespace {

namespace fs = std::filesystem;
using Outcome = v1::ResolveRecipientResponse;

class MailStoreSmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    Reopen();
    CreateAccount("Alice@Example.org", {"al@example.org"});
  }

  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.data_dir = (dir_ / "db").string();
    options.scrypt_n = 1024;
    options.max_message_bytes = 1 << 20;
    options.clock = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    auto store = MailStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void CreateAccount(const std::string& name, std::vector<std::string> aliases = {}) {
    v1::CreateAccountRequest request;
    request.set_name(name);
    request.set_password("pw");
    for (auto& a : aliases) request.add_aliases(a);
    auto account = store_->CreateAccount(request);
    ASSERT_TRUE(account.ok()) << account.status();
  }

  absl::StatusOr<v1::ResolveRecipientResponse> Resolve(const std::string& address, uint64_t size = 0,
                                                       bool exact_only = false) {
    v1::ResolveRecipientRequest request;
    request.set_address(address);
    request.set_message_size(size);
    request.set_exact_only(exact_only);
    return store_->ResolveRecipient(request);
  }

  Outcome::Outcome OutcomeOf(const std::string& address, bool exact_only = false) {
    auto r = Resolve(address, 0, exact_only);
    EXPECT_TRUE(r.ok()) << address << ": " << r.status();
    return r.ok() ? r->outcome() : Outcome::OUTCOME_UNSPECIFIED;
  }

  std::vector<std::string> DomainNames() {
    auto list = store_->ListDomains();
    EXPECT_TRUE(list.ok()) << list.status();
    std::vector<std::string> names;
    if (list.ok()) {
      for (const v1::Domain& d : list->domains()) names.push_back(d.name());
    }
    return names;
  }

  static v1::DeliverRequest Outbound(std::vector<std::string> local, std::string content,
                                     std::vector<std::string> remote, std::string key = "") {
    v1::DeliverRequest request;
    for (auto& r : local) request.add_recipients(r);
    request.set_content(std::move(content));
    request.set_idempotency_key(std::move(key));
    v1::OutboundMessage* out = request.mutable_outbound();
    out->set_envelope_from("alice@example.org");
    out->set_submitter("alice@example.org");
    for (auto& r : remote) out->add_recipients()->set_address(r);
    return request;
  }

  std::vector<v1::OutboundMessage> Queue(bool content = false, const std::string& after = "", uint32_t limit = 0) {
    v1::ListOutboundRequest request;
    request.set_after(after);
    request.set_limit(limit);
    request.set_include_content(content);
    auto list = store_->ListOutbound(request);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? std::vector<v1::OutboundMessage>(list->messages().begin(), list->messages().end())
                     : std::vector<v1::OutboundMessage>();
  }

  std::vector<v1::MessageInfo> Messages() {
    v1::FetchMessagesRequest request;
    request.set_account("alice@example.org");
    request.set_mailbox("INBOX");
    auto response = store_->FetchMessages(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? std::vector<v1::MessageInfo>(response->messages().begin(), response->messages().end())
                         : std::vector<v1::MessageInfo>();
  }

  uint64_t Blobs() {
    auto stats = store_->GetStats();
    EXPECT_TRUE(stats.ok());
    return stats.ok() ? stats->blobs() : 0;
  }

  void ExpectConsistent() {
    auto problems = store_->CheckConsistency();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front());
  }

  fs::path dir_;
  absl::Mutex clock_mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<MailStore> store_;
};

// --- Domains ---

TEST_F(MailStoreSmtpTest, CreateAccountMakesItsDomainsLocal) {
  EXPECT_EQ(DomainNames(), std::vector<std::string>{"example.org"});
  CreateAccount("bob@Second.example", {"robert@third.example", "bobby@example.org"});
  EXPECT_EQ(DomainNames(), (std::vector<std::string>{"example.org", "second.example", "third.example"}));
  auto list = store_->ListDomains();
  ASSERT_TRUE(list.ok());
  for (const v1::Domain& d : list->domains()) EXPECT_EQ(d.catch_all(), "") << d.name();
}

TEST_F(MailStoreSmtpTest, SetAliasesMakesTheAliasDomainsLocal) {
  ASSERT_TRUE(store_->SetAliases("alice@example.org", {"alice@Alias.example"}).ok());
  EXPECT_EQ(DomainNames(), (std::vector<std::string>{"alias.example", "example.org"}));
  EXPECT_EQ(OutcomeOf("alice@alias.example"), Outcome::LOCAL);
}

TEST_F(MailStoreSmtpTest, SetDomainChecksNameAndCatchAll) {
  v1::Domain domain;
  domain.set_name("bad..name");
  EXPECT_EQ(store_->SetDomain(domain).status().code(), absl::StatusCode::kInvalidArgument);
  domain.set_name("[127.0.0.1]");
  EXPECT_EQ(store_->SetDomain(domain).status().code(), absl::StatusCode::kInvalidArgument);
  domain.set_name("Other.Example");
  domain.set_catch_all("nobody@example.org");
  EXPECT_EQ(store_->SetDomain(domain).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(DomainNames(), std::vector<std::string>{"example.org"});

  domain.set_catch_all("AL@example.org");  // an alias: stored as the primary name
  auto stored = store_->SetDomain(domain);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->name(), "other.example");
  EXPECT_EQ(stored->catch_all(), "alice@example.org");
  EXPECT_EQ(DomainNames(), (std::vector<std::string>{"example.org", "other.example"}));

  domain.clear_catch_all();  // replaces: no catch-all any more
  ASSERT_TRUE(store_->SetDomain(domain).ok());
  auto list = store_->ListDomains();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->domains(1).catch_all(), "");
}

TEST_F(MailStoreSmtpTest, DeleteDomainKeepsAccountsButMailIsNoLongerLocal) {
  EXPECT_EQ(store_->DeleteDomain("nowhere.example").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteDomain("Example.ORG").ok());
  EXPECT_TRUE(DomainNames().empty());
  EXPECT_TRUE(store_->GetAccount("alice@example.org").ok());
  EXPECT_EQ(OutcomeOf("alice@example.org"), Outcome::NOT_LOCAL);
  // Not brought back by the one-time backfill of old databases.
  Reopen();
  EXPECT_TRUE(DomainNames().empty());
}

TEST_F(MailStoreSmtpTest, DeletingTheCatchAllAccountClearsTheCatchAll) {
  CreateAccount("postmaster@example.org");
  v1::Domain domain;
  domain.set_name("example.org");
  domain.set_catch_all("postmaster@example.org");
  ASSERT_TRUE(store_->SetDomain(domain).ok());
  EXPECT_EQ(OutcomeOf("whoever@example.org"), Outcome::LOCAL);
  ASSERT_TRUE(store_->DeleteAccount("postmaster@example.org").ok());
  auto list = store_->ListDomains();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->domains_size(), 1);
  EXPECT_EQ(list->domains(0).catch_all(), "");
  EXPECT_EQ(OutcomeOf("whoever@example.org"), Outcome::UNKNOWN_USER);
}

// --- ResolveRecipient ---

TEST_F(MailStoreSmtpTest, ExactNamesAndAliasesAreLocal) {
  auto r = Resolve("  ALICE@example.ORG ");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), "alice@example.org");
  EXPECT_FALSE(r->catch_all() || r->subaddress() || r->over_quota());
  r = Resolve("Al@Example.org", 0, /*exact_only=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), "alice@example.org");
}

TEST_F(MailStoreSmtpTest, SubaddressResolvesUnlessExactOnly) {
  auto r = Resolve("Alice+News+Daily@example.org");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), "alice@example.org");
  EXPECT_TRUE(r->subaddress());
  EXPECT_EQ(OutcomeOf("al+x@example.org"), Outcome::LOCAL);
  EXPECT_EQ(OutcomeOf("alice+news@example.org", /*exact_only=*/true), Outcome::UNKNOWN_USER);
  EXPECT_EQ(OutcomeOf("+alice@example.org"), Outcome::UNKNOWN_USER);
  // An account whose own name has a '+' wins over the subaddress.
  CreateAccount("alice+news@example.org");
  r = Resolve("alice+news@example.org");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->account(), "alice+news@example.org");
  EXPECT_FALSE(r->subaddress());
}

TEST_F(MailStoreSmtpTest, CatchAllTakesUnknownAddressesOfItsDomain) {
  EXPECT_EQ(OutcomeOf("nobody@example.org"), Outcome::UNKNOWN_USER);
  v1::Domain domain;
  domain.set_name("example.org");
  domain.set_catch_all("alice@example.org");
  ASSERT_TRUE(store_->SetDomain(domain).ok());
  auto r = Resolve("nobody@example.org");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome(), Outcome::LOCAL);
  EXPECT_EQ(r->account(), "alice@example.org");
  EXPECT_TRUE(r->catch_all());
  EXPECT_FALSE(r->subaddress());
  EXPECT_EQ(OutcomeOf("nobody@example.org", /*exact_only=*/true), Outcome::UNKNOWN_USER);
  // The catch-all covers its own domain only.
  CreateAccount("carol@second.example");
  EXPECT_EQ(OutcomeOf("nobody@second.example"), Outcome::UNKNOWN_USER);
}

TEST_F(MailStoreSmtpTest, OtherDomainsAndDomainLiteralsAreNotLocal) {
  EXPECT_EQ(OutcomeOf("alice@example.com"), Outcome::NOT_LOCAL);
  EXPECT_EQ(OutcomeOf("alice@sub.example.org"), Outcome::NOT_LOCAL);
  EXPECT_EQ(OutcomeOf("alice@[127.0.0.1]"), Outcome::NOT_LOCAL);
  EXPECT_EQ(OutcomeOf("alice@[127.0.0.1]", /*exact_only=*/true), Outcome::NOT_LOCAL);
}

TEST_F(MailStoreSmtpTest, MalformedAddressesAreInvalidArguments) {
  for (const std::string& bad : {std::string(""), std::string("alice"), std::string("@example.org"),
                                 std::string("alice@"), std::string("a@b@example.org"),
                                 std::string(250, 'a') + "@example.org"}) {
    EXPECT_EQ(Resolve(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(MailStoreSmtpTest, OverQuotaCountsTheAnnouncedSize) {
  ASSERT_TRUE(store_->SetQuota("alice@example.org", 100).ok());
  EXPECT_FALSE(Resolve("alice@example.org", 100)->over_quota());
  EXPECT_TRUE(Resolve("alice@example.org", 101)->over_quota());
  EXPECT_TRUE(Resolve("alice+x@example.org", 101)->over_quota());
  v1::DeliverRequest request;
  request.add_recipients("alice@example.org");
  request.set_content(std::string(100, 'x'));
  ASSERT_TRUE(store_->Deliver(request).ok());
  EXPECT_TRUE(Resolve("alice@example.org", 0)->over_quota());  // full, size unknown
  ASSERT_TRUE(store_->SetQuota("alice@example.org", 0).ok());
  EXPECT_FALSE(Resolve("alice@example.org", 1 << 30)->over_quota());  // unlimited
}

// --- Outbound queue ---

TEST_F(MailStoreSmtpTest, DeliverQueuesOutboundInTheSameWriteWithOneBlob) {
  const std::string content = "Subject: hi\r\n\r\n" + std::string(5000, 'x') + "\r\n";
  auto response = store_->Deliver(Outbound({"alice@example.org"}, content, {"bob@remote.example", "c@d.example"}));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->results_size(), 1);
  EXPECT_EQ(response->results(0).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_EQ(response->outbound_id().size(), 24u);
  EXPECT_EQ(Blobs(), 1u);  // the local copy and the queue share the bytes
  // The queue is not the account's mail.
  EXPECT_EQ(store_->GetAccount("alice@example.org")->used_bytes(), content.size());

  std::vector<v1::OutboundMessage> queue = Queue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].id(), response->outbound_id());
  EXPECT_EQ(queue[0].size(), content.size());
  EXPECT_EQ(queue[0].queued_at(), 1700000000);
  EXPECT_EQ(queue[0].envelope_from(), "alice@example.org");
  ASSERT_EQ(queue[0].recipients_size(), 2);
  EXPECT_EQ(queue[0].recipients(1).address(), "c@d.example");
  EXPECT_TRUE(queue[0].content().empty());
  queue = Queue(/*content=*/true);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_TRUE(queue[0].content() == content);
  ExpectConsistent();
}

TEST_F(MailStoreSmtpTest, OutboundAloneAndItsOwnContent) {
  v1::DeliverRequest request = Outbound({}, "", {"bob@remote.example"});
  request.mutable_outbound()->set_content("relayed bytes\r\n");
  auto response = store_->Deliver(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->results_size(), 0);
  EXPECT_FALSE(response->outbound_id().empty());
  std::vector<v1::OutboundMessage> queue = Queue(true);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].content(), "relayed bytes\r\n");
  EXPECT_EQ(queue[0].size(), 15u);
  ExpectConsistent();
}

TEST_F(MailStoreSmtpTest, DeliverRefusesWhatCannotBeQueued) {
  v1::DeliverRequest nothing;
  nothing.set_content("x");
  EXPECT_EQ(store_->Deliver(nothing).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Deliver(Outbound({"alice@example.org"}, "x", {})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Deliver(Outbound({}, "x", {"bob\r\n@remote.example"})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Deliver(Outbound({}, std::string(2 << 20, 'x'), {"bob@remote.example"})).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Queue().empty());
  EXPECT_TRUE(Messages().empty());
}

TEST_F(MailStoreSmtpTest, IdempotentRetryWithOutboundQueuesOnce) {
  v1::DeliverRequest request = Outbound({"alice@example.org"}, "Subject: once\r\n\r\n", {"bob@remote.example"}, "k1");
  auto first = store_->Deliver(request);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = store_->Deliver(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(Queue().size(), 1u);
  EXPECT_EQ(Messages().size(), 1u);
  ExpectConsistent();
}

TEST_F(MailStoreSmtpTest, ForgottenKeyMakesTheSameMessageNewWork) {
  v1::DeliverRequest request = Outbound({"alice@example.org"}, "Subject: twice\r\n\r\n", {}, "k2");
  request.clear_outbound();
  ASSERT_TRUE(store_->Deliver(request).ok());
  // Forgetting another method's key, or an unknown key, changes nothing.
  ASSERT_TRUE(store_->ForgetIdempotencyKeys("Append", {"k2"}).ok());
  ASSERT_TRUE(store_->ForgetIdempotencyKeys("Deliver", {"unknown", ""}).ok());
  ASSERT_TRUE(store_->Deliver(request).ok());
  EXPECT_EQ(Messages().size(), 1u);
  // Once the answer reached the client, the same bytes are a new message.
  ASSERT_TRUE(store_->ForgetIdempotencyKeys("Deliver", {"k2"}).ok());
  ASSERT_TRUE(store_->Deliver(request).ok());
  EXPECT_EQ(Messages().size(), 2u);
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->ForgetIdempotencyKeys("Deliver", std::vector<std::string>(10001, "k"))));
  ExpectConsistent();
}

TEST_F(MailStoreSmtpTest, DeliverForgetsEarlierKeysBeforeCheckingItsOwn) {
  v1::DeliverRequest request = Outbound({"alice@example.org"}, "Subject: piggyback\r\n\r\n", {}, "k3");
  request.clear_outbound();
  ASSERT_TRUE(store_->Deliver(request).ok());
  ASSERT_TRUE(store_->Deliver(request).ok());  // a retry: nothing new
  EXPECT_EQ(Messages().size(), 1u);
  // The same bytes again, after the first answer reached the client.
  request.add_forget_idempotency_keys("k3");
  ASSERT_TRUE(store_->Deliver(request).ok());
  EXPECT_EQ(Messages().size(), 2u);
  ExpectConsistent();
}

TEST_F(MailStoreSmtpTest, QueueIsOldestFirstAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    {
      absl::MutexLock lock(&clock_mu_);
      if (i == 3) now_ -= absl::Seconds(10);  // a clock set back keeps the order
    }
    auto response = store_->Deliver(Outbound({}, "m" + std::to_string(i), {"bob@remote.example"}));
    ASSERT_TRUE(response.ok()) << response.status();
    ids.push_back(response->outbound_id());
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  std::vector<v1::OutboundMessage> all = Queue();
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(all[i].id(), ids[i]);
  std::vector<v1::OutboundMessage> page = Queue(false, ids[1], 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id(), ids[2]);
  EXPECT_EQ(page[1].id(), ids[3]);
  EXPECT_TRUE(Queue(false, ids[4]).empty());
  // Ids stay unique after a restart with the same (fake) clock.
  Reopen();
  auto response = store_->Deliver(Outbound({}, "m5", {"bob@remote.example"}));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Queue().size(), 6u);
}

TEST_F(MailStoreSmtpTest, DeleteOutboundDropsItsBlobReference) {
  const std::string content = "Subject: shared\r\n\r\nbody\r\n";
  auto response = store_->Deliver(Outbound({"alice@example.org"}, content, {"bob@remote.example"}));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(store_->DeleteOutbound("0000").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteOutbound(response->outbound_id()).ok());
  EXPECT_EQ(store_->DeleteOutbound(response->outbound_id()).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Queue().empty());
  EXPECT_EQ(Blobs(), 1u);  // the local copy still holds it
  ExpectConsistent();
  ASSERT_EQ(Messages().size(), 1u);

  // Queue-only content goes with its entry.
  auto alone = store_->Deliver(Outbound({}, "only queued", {"bob@remote.example"}));
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(Blobs(), 2u);
  ExpectConsistent();
  ASSERT_TRUE(store_->DeleteOutbound(alone->outbound_id()).ok());
  EXPECT_EQ(Blobs(), 1u);
  ExpectConsistent();
}

}  // namespace
}  // namespace kurier::storage
