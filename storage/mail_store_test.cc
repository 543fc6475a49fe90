// The store's rules, exercised through the library on a real RocksDB in a
// temporary directory.
#include "storage/mail_store.h"

#include <filesystem>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/credentials/scram.h"

namespace kurier::storage {
namespace {

namespace fs = std::filesystem;

class MailStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    Reopen();
    v1::CreateAccountRequest request;
    request.set_name("Alice@Example.org");
    request.set_password("secret one");
    request.add_aliases("al@example.org");
    ASSERT_TRUE(store_->CreateAccount(request).ok());
  }

  void Reopen(std::function<void(StoreOptions&)> configure = nullptr) {
    store_.reset();
    StoreOptions options;
    options.data_dir = (dir_ / "db").string();
    options.scrypt_n = 1024;  // fast for tests; production uses 16384
    options.max_message_bytes = 1 << 20;
    options.clock = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    if (configure) configure(options);
    auto store = MailStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  v1::DeliverResponse Deliver(std::vector<std::string> to, std::string content, std::string key = "") {
    v1::DeliverRequest request;
    for (auto& r : to) request.add_recipients(r);
    request.set_content(std::move(content));
    request.set_idempotency_key(key);
    auto response = store_->Deliver(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::DeliverResponse();
  }

  std::vector<v1::MessageInfo> Messages(const std::string& mailbox, const std::string& account = "alice@example.org") {
    v1::FetchMessagesRequest request;
    request.set_account(account);
    request.set_mailbox(mailbox);
    auto response = store_->FetchMessages(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? std::vector<v1::MessageInfo>(response->messages().begin(), response->messages().end())
                         : std::vector<v1::MessageInfo>();
  }

  void ExpectConsistent() {
    auto problems = store_->CheckConsistency();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front());
  }

  std::string Read(const std::string& mailbox, uint32_t uid, uint64_t offset = 0, uint64_t length = 0) {
    v1::ReadMessageRequest request;
    request.set_account("alice@example.org");
    request.set_mailbox(mailbox);
    request.set_uid(uid);
    request.set_offset(offset);
    request.set_length(length);
    uint64_t size = 0;
    auto data = store_->ReadMessage(request, &size);
    EXPECT_TRUE(data.ok()) << data.status();
    return data.ok() ? *data : "";
  }

  v1::UidRange Range(uint32_t first, uint32_t last) {
    v1::UidRange r;
    r.set_first(first);
    r.set_last(last);
    return r;
  }

  void Advance(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
  }
  absl::Time Now() {
    absl::MutexLock lock(&clock_mu_);
    return now_;
  }

  // The "pop3" lease of alice's account.
  std::string Pop3Lease(const std::string& holder = "pop3 test") {
    v1::AcquireLeaseRequest request;
    request.set_account("alice@example.org");
    request.set_name("pop3");
    request.set_holder(holder);
    auto lease = store_->AcquireLease(request);
    EXPECT_TRUE(lease.ok()) << lease.status();
    return lease.ok() ? lease->lease_id() : "";
  }

  absl::StatusOr<v1::Pop3CommitResponse> Pop3Commit(const std::string& lease_id, std::vector<uint32_t> uids,
                                                   const std::string& key = "") {
    v1::Pop3CommitRequest request;
    request.set_account("alice@example.org");
    request.set_lease_id(lease_id);
    for (uint32_t uid : uids) request.add_uids(uid);
    request.set_idempotency_key(key);
    return store_->Pop3Commit(request);
  }

  std::vector<uint32_t> Uids(const std::string& mailbox, bool pop3_visible_only = false) {
    v1::FetchMessagesRequest request;
    request.set_account("alice@example.org");
    request.set_mailbox(mailbox);
    request.set_pop3_visible_only(pop3_visible_only);
    auto response = store_->FetchMessages(request);
    EXPECT_TRUE(response.ok()) << response.status();
    std::vector<uint32_t> uids;
    if (response.ok()) {
      for (const auto& m : response->messages()) uids.push_back(m.uid());
    }
    return uids;
  }

  absl::StatusOr<v1::Account> SetPop3Policy(v1::Pop3Policy policy, uint32_t keep_days = 0) {
    v1::SetPop3PolicyRequest request;
    request.set_name("alice@example.org");
    request.set_policy(policy);
    request.set_keep_days(keep_days);
    return store_->SetPop3Policy(request);
  }

  fs::path dir_;
  std::unique_ptr<MailStore> store_;
  absl::Mutex clock_mu_;
  absl::Time now_ ABSL_GUARDED_BY(clock_mu_) = absl::Now();
};

TEST_F(MailStoreTest, NewAccountHasTheStandardMailboxes) {
  auto mailboxes = store_->ListMailboxes("alice@example.org");
  ASSERT_TRUE(mailboxes.ok());
  std::map<std::string, std::string> uses;
  for (const auto& m : *mailboxes) uses[m.name()] = m.special_use();
  EXPECT_EQ(uses, (std::map<std::string, std::string>{{"Archive", "Archive"},
                                                      {"Drafts", "Drafts"},
                                                      {"INBOX", ""},
                                                      {"Junk", "Junk"},
                                                      {"Sent", "Sent"},
                                                      {"Trash", "Trash"}}));
  EXPECT_EQ(store_->GetMailboxStatus("alice@example.org", "Trash")->max_age_days(), 30u);
}

TEST_F(MailStoreTest, AddressesResolveCaseInsensitivelyWithAliases) {
  EXPECT_EQ(*store_->ResolveAddress("ALICE@example.ORG"), "alice@example.org");
  EXPECT_EQ(*store_->ResolveAddress("Al@Example.org"), "alice@example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->ResolveAddress("bob@example.org").status()));
  v1::CreateAccountRequest dup;
  dup.set_name("al@example.org");
  dup.set_password("x");
  EXPECT_TRUE(absl::IsAlreadyExists(store_->CreateAccount(dup).status()));
}

TEST_F(MailStoreTest, PasswordsVerifyAndChangeAtOnce) {
  EXPECT_TRUE(store_->VerifyPassword("alice@example.org", "secret one")->ok());
  EXPECT_TRUE(store_->VerifyPassword("al@example.org", "secret one")->ok());  // cached path too
  EXPECT_FALSE(store_->VerifyPassword("alice@example.org", "wrong")->ok());
  EXPECT_FALSE(store_->VerifyPassword("nobody@example.org", "secret one")->ok());
  ASSERT_TRUE(store_->SetPassword("alice@example.org", "secret two").ok());
  EXPECT_FALSE(store_->VerifyPassword("alice@example.org", "secret one")->ok());
  EXPECT_TRUE(store_->VerifyPassword("alice@example.org", "secret two")->ok());
}

TEST_F(MailStoreTest, ScramSha256LogsInWithoutTheStoreRevealingAHash) {
  ScramClient client("alice@example.org", "secret one");
  auto start = store_->ScramStart(client.ClientFirst());
  ASSERT_TRUE(start.ok()) << start.status();
  auto client_final = client.ClientFinal(start->server_first());
  ASSERT_TRUE(client_final.ok());
  auto finish = store_->ScramFinish(start->exchange_id(), *client_final);
  ASSERT_TRUE(finish.ok()) << finish.status();
  EXPECT_TRUE(finish->ok());
  EXPECT_EQ(finish->account(), "alice@example.org");
  EXPECT_TRUE(client.VerifyServerFinal(finish->server_final()));
  // The exchange is used up.
  EXPECT_FALSE(store_->ScramFinish(start->exchange_id(), *client_final).ok());

  ScramClient wrong("alice@example.org", "not it");
  auto start2 = store_->ScramStart(wrong.ClientFirst());
  ASSERT_TRUE(start2.ok());
  auto finish2 = store_->ScramFinish(start2->exchange_id(), *wrong.ClientFinal(start2->server_first()));
  ASSERT_TRUE(finish2.ok());
  EXPECT_FALSE(finish2->ok());

  ScramClient unknown("nobody@example.org", "secret one");
  auto start3 = store_->ScramStart(unknown.ClientFirst());
  ASSERT_TRUE(start3.ok()) << "an unknown user must look like a known one";
  EXPECT_FALSE(store_->ScramFinish(start3->exchange_id(), *unknown.ClientFinal(start3->server_first()))->ok());
}

TEST_F(MailStoreTest, UidsStrictlyIncreaseAndAreNeverReused) {
  Deliver({"alice@example.org"}, "Subject: 1\r\n\r\none\r\n");
  Deliver({"alice@example.org"}, "Subject: 2\r\n\r\ntwo\r\n");
  auto before = Messages("INBOX");
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].uid(), 1u);
  EXPECT_EQ(before[1].uid(), 2u);
  EXPECT_LT(before[0].modseq(), before[1].modseq());

  v1::ExpungeRequest expunge;
  expunge.set_account("alice@example.org");
  expunge.set_mailbox("INBOX");
  *expunge.add_uids() = Range(2, 2);
  expunge.set_ignore_deleted_flag(true);
  ASSERT_TRUE(store_->Expunge(expunge).ok());
  Reopen();
  Deliver({"alice@example.org"}, "Subject: 3\r\n\r\nthree\r\n");
  auto after = Messages("INBOX");
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].uid(), 3u) << "UID 2 was expunged and must not come back";
  auto status = store_->GetMailboxStatus("alice@example.org", "inbox");
  EXPECT_EQ(status->uid_next(), 4u);
  EXPECT_EQ(status->messages(), 2u);
  EXPECT_EQ(status->unseen(), 2u);
  EXPECT_EQ(status->highest_modseq(), after[1].modseq());
  ExpectConsistent();
}

TEST_F(MailStoreTest, WireSizeCountsLinesAsCrlfTerminated) {
  Deliver({"alice@example.org"}, "Subject: ok\r\n\r\nbody\r\n");
  Deliver({"alice@example.org"}, "Subject: lf\n\nline one\n.dot\nend");  // 3 bare LF, no final line end
  Deliver({"alice@example.org"}, "a\rb\r\n");                          // one bare CR
  auto messages = Messages("INBOX");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].wire_size(), messages[0].size());
  EXPECT_EQ(messages[1].size(), 30u);
  EXPECT_EQ(messages[1].wire_size(), 30u + 4 + 2);
  EXPECT_EQ(messages[2].wire_size(), messages[2].size() + 1);
}

TEST_F(MailStoreTest, ReadMessagesReturnsWholeMessagesInOrderWithinTheByteBudget) {
  Deliver({"alice@example.org"}, "one");
  Deliver({"alice@example.org"}, "two!");
  Deliver({"alice@example.org"}, "three");
  v1::ReadMessagesRequest request;
  request.set_account("alice@example.org");
  request.set_mailbox("INBOX");
  for (uint32_t uid : {3u, 9u, 1u, 2u}) request.add_uids(uid);
  request.set_max_bytes(9);  // "three" + "one" fit; "two!" would pass the budget
  auto read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->messages_size(), 3);
  EXPECT_EQ(read->messages(0).data(), "three");
  EXPECT_FALSE(read->messages(1).found());
  EXPECT_EQ(read->messages(1).uid(), 9u);
  EXPECT_EQ(read->messages(2).data(), "one");

  request.set_max_bytes(1);  // the first message never fits: nothing, not an error
  read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->messages_size(), 0);

  request.set_mailbox("Nope");
  EXPECT_EQ(store_->ReadMessages(request).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MailStoreTest, ReadMessagesHeaderOnlyStopsOnceTheBudgetIsReached) {
  Deliver({"alice@example.org"}, "Subject: a\r\n\r\nbody a");
  Deliver({"alice@example.org"}, "Subject: bb\n\nbody b");
  Deliver({"alice@example.org"}, "Subject: ccc\r\n\r\nbody c");
  v1::ReadMessagesRequest request;
  request.set_account("alice@example.org");
  request.set_mailbox("INBOX");
  request.set_header_only(true);
  for (uint32_t uid : {0u, 2u, 2u, 1u, 3u}) request.add_uids(uid);
  request.set_max_bytes(26);  // two 13-byte headers reach the budget at the second "2"
  auto read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->messages_size(), 3);
  EXPECT_FALSE(read->messages(0).found());
  EXPECT_EQ(read->messages(1).data(), "Subject: bb\n\n");
  EXPECT_EQ(read->messages(2).data(), "Subject: bb\n\n");

  request.set_max_bytes(0);  // the default budget: every header
  read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->messages_size(), 5);
  EXPECT_EQ(read->messages(3).data(), "Subject: a\r\n\r\n");
  EXPECT_EQ(read->messages(4).data(), "Subject: ccc\r\n\r\n");
}

TEST_F(MailStoreTest, ReadMessagesWithInfoSendsTheRecordsAlong) {
  v1::DeliverRequest deliver;
  deliver.add_recipients("alice@example.org");
  deliver.set_content("Subject: s\r\n\r\nbody");
  deliver.set_structure(std::string(100, 's'));
  ASSERT_TRUE(store_->Deliver(deliver).ok());
  Deliver({"alice@example.org"}, "two");
  v1::ReadMessagesRequest request;
  request.set_account("alice@example.org");
  request.set_mailbox("INBOX");
  for (uint32_t uid : {2u, 7u, 1u}) request.add_uids(uid);
  request.set_with_info(true);
  auto read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->messages_size(), 3);
  EXPECT_EQ(read->messages(0).info().uid(), 2u);
  EXPECT_EQ(read->messages(0).info().size(), 3u);
  EXPECT_FALSE(read->messages(1).has_info());
  EXPECT_EQ(read->messages(2).data(), "Subject: s\r\n\r\nbody");
  EXPECT_EQ(read->messages(2).info().structure(), std::string(100, 's'));
  EXPECT_FALSE(read->messages(2).info().blob_id().empty());

  request.set_without_structure(true);
  read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->messages(2).info().structure().empty());

  // The structure counts against the budget: message 2 (3 bytes) fits alone.
  request.set_without_structure(false);
  request.clear_uids();
  request.add_uids(2);
  request.add_uids(1);
  request.set_max_bytes(3 + 10);
  read = store_->ReadMessages(request);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->messages_size(), 1);
  EXPECT_EQ(read->messages(0).data(), "two");
}

TEST_F(MailStoreTest, UidValiditySurvivesReopen) {
  const uint32_t validity = store_->GetMailboxStatus("alice@example.org", "INBOX")->uid_validity();
  Reopen();
  EXPECT_EQ(store_->GetMailboxStatus("alice@example.org", "INBOX")->uid_validity(), validity);
  v1::ReadMessageRequest read;
  read.set_account("alice@example.org");
  read.set_mailbox("INBOX");
  read.set_uid(1);
  uint64_t size = 0;
  EXPECT_TRUE(absl::IsNotFound(store_->ReadMessage(read, &size).status())) << "no message yet";
}

TEST_F(MailStoreTest, FlagsChangeModseqAndCountersAndRespectUnchangedSince) {
  Deliver({"alice@example.org"}, "a");
  Deliver({"alice@example.org"}, "b");
  const uint64_t modseq_before = Messages("INBOX")[0].modseq();
  v1::StoreFlagsRequest store;
  store.set_account("alice@example.org");
  store.set_mailbox("INBOX");
  *store.add_uids() = Range(1, 1);
  store.set_mode(v1::StoreFlagsRequest::ADD);
  store.add_flags("\\seen");
  store.add_flags("$Important");
  auto response = store_->StoreFlags(store);
  ASSERT_TRUE(response.ok()) << response.status();
  auto messages = Messages("INBOX");
  EXPECT_EQ(std::vector<std::string>(messages[0].flags().begin(), messages[0].flags().end()),
            (std::vector<std::string>{"$Important", "\\Seen"}));
  EXPECT_GT(messages[0].modseq(), modseq_before);
  EXPECT_EQ(store_->GetMailboxStatus("alice@example.org", "INBOX")->unseen(), 1u);

  // UNCHANGEDSINCE below the message's MODSEQ: left alone and reported.
  store.set_unchanged_since(modseq_before);
  store.set_mode(v1::StoreFlagsRequest::REMOVE);
  response = store_->StoreFlags(store);
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->modified_uids_size(), 1);
  EXPECT_EQ(Messages("INBOX")[0].flags_size(), 2);

  store.set_unchanged_since(0);
  store.clear_flags();
  store.add_flags("\\Recent");
  EXPECT_TRUE(absl::IsInvalidArgument(store_->StoreFlags(store).status()));
}

TEST_F(MailStoreTest, OneBlobForEveryRecipientAndCopyFreedWithTheLast) {
  v1::CreateAccountRequest bob;
  bob.set_name("bob@example.org");
  bob.set_password("pw");
  ASSERT_TRUE(store_->CreateAccount(bob).ok());
  auto delivered = Deliver({"alice@example.org", "bob@example.org", "AL@example.org", "nobody@example.org"}, "shared body");
  ASSERT_EQ(delivered.results_size(), 4);
  EXPECT_EQ(delivered.results(0).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_EQ(delivered.results(1).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_EQ(delivered.results(2).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_EQ(delivered.results(3).outcome(), v1::RecipientResult::UNKNOWN_RECIPIENT);
  EXPECT_EQ(Messages("INBOX").size(), 1u) << "an alias of the same account gets one copy";
  EXPECT_EQ(store_->GetStats()->blobs(), 1u);
  EXPECT_GT(store_->GetStats()->blob_bytes(), 0u);

  v1::CopyMessagesRequest copy;
  copy.set_account("alice@example.org");
  copy.set_mailbox("INBOX");
  copy.set_destination("Archive");
  auto copied = store_->CopyMessages(copy, /*move=*/false);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->destination_uids(0), 1u);
  EXPECT_EQ(Read("Archive", 1), "shared body");
  ExpectConsistent();

  v1::ExpungeRequest expunge;
  expunge.set_account("alice@example.org");
  expunge.set_ignore_deleted_flag(true);
  for (const char* mailbox : {"INBOX", "Archive"}) {
    expunge.set_mailbox(mailbox);
    ASSERT_TRUE(store_->Expunge(expunge).ok());
  }
  EXPECT_EQ(store_->GetStats()->blobs(), 1u) << "bob still has it";
  ASSERT_TRUE(store_->DeleteAccount("bob@example.org").ok());
  EXPECT_EQ(store_->GetStats()->blobs(), 0u);
  ExpectConsistent();
}

TEST_F(MailStoreTest, ExpungeTakesOnlyDeletedMessagesUnlessTold) {
  Deliver({"alice@example.org"}, "a");
  Deliver({"alice@example.org"}, "b");
  v1::StoreFlagsRequest store;
  store.set_account("alice@example.org");
  store.set_mailbox("INBOX");
  *store.add_uids() = Range(2, 0);  // 2:*
  store.set_mode(v1::StoreFlagsRequest::ADD);
  store.add_flags("\\Deleted");
  ASSERT_TRUE(store_->StoreFlags(store).ok());
  v1::ExpungeRequest expunge;
  expunge.set_account("alice@example.org");
  expunge.set_mailbox("INBOX");
  auto response = store_->Expunge(expunge);
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->expunged_uids_size(), 1);
  EXPECT_EQ(response->expunged_uids(0), 2u);
  EXPECT_EQ(Messages("INBOX").size(), 1u);
}

TEST_F(MailStoreTest, MoveKeepsOneCopyAndReportsUidPairs) {
  Deliver({"alice@example.org"}, "m1");
  Deliver({"alice@example.org"}, "m2");
  v1::CopyMessagesRequest move;
  move.set_account("alice@example.org");
  move.set_mailbox("INBOX");
  move.set_destination("Junk");
  *move.add_uids() = Range(1, 2);
  auto moved = store_->CopyMessages(move, /*move=*/true);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->source_uids_size(), 2);
  EXPECT_TRUE(Messages("INBOX").empty());
  EXPECT_EQ(Messages("Junk").size(), 2u);
  move.set_destination("Nope");
  EXPECT_TRUE(absl::IsNotFound(store_->CopyMessages(move, true).status()));
  ExpectConsistent();
}

TEST_F(MailStoreTest, QuotaAtTheExactEdge) {
  ASSERT_TRUE(store_->SetQuota("alice@example.org", 10).ok());
  EXPECT_EQ(Deliver({"alice@example.org"}, "12345").results(0).outcome(), v1::RecipientResult::DELIVERED);
  EXPECT_EQ(Deliver({"alice@example.org"}, "67890").results(0).outcome(), v1::RecipientResult::DELIVERED)
      << "exactly at the quota is allowed";
  EXPECT_EQ(Deliver({"alice@example.org"}, "x").results(0).outcome(), v1::RecipientResult::OVER_QUOTA);
  v1::AppendRequest append;
  append.set_account("alice@example.org");
  append.set_mailbox("Drafts");
  append.set_content("y");
  EXPECT_TRUE(absl::IsResourceExhausted(store_->Append(append).status()));
  v1::CopyMessagesRequest copy;
  copy.set_account("alice@example.org");
  copy.set_mailbox("INBOX");
  copy.set_destination("Archive");
  EXPECT_TRUE(absl::IsResourceExhausted(store_->CopyMessages(copy, false).status()));
  EXPECT_TRUE(Messages("Archive").empty()) << "a refused copy leaves nothing behind";
  EXPECT_EQ(store_->GetAccount("alice@example.org")->used_bytes(), 10u);
  ExpectConsistent();
}

TEST_F(MailStoreTest, OversizedMessageIsRefused) {
  v1::DeliverRequest request;
  request.add_recipients("alice@example.org");
  request.set_content(std::string((1 << 20) + 1, 'x'));
  EXPECT_TRUE(absl::IsResourceExhausted(store_->Deliver(request).status()));
}

TEST_F(MailStoreTest, RenameMovesChildrenAndInboxRenameMovesMessages) {
  for (const char* name : {"Projects", "Projects/Kurier", "Projects/Kurier/Bugs", "ProjectsX"}) {
    v1::CreateMailboxRequest create;
    create.set_account("alice@example.org");
    create.set_name(name);
    ASSERT_TRUE(store_->CreateMailbox(create).ok()) << name;
  }
  const uint32_t validity = store_->GetMailboxStatus("alice@example.org", "Projects/Kurier")->uid_validity();
  ASSERT_TRUE(store_->RenameMailbox("alice@example.org", "Projects", "Work").ok());
  auto renamed = store_->GetMailboxStatus("alice@example.org", "Work/Kurier");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->uid_validity(), validity);
  EXPECT_TRUE(store_->GetMailboxStatus("alice@example.org", "Work/Kurier/Bugs").ok());
  EXPECT_TRUE(store_->GetMailboxStatus("alice@example.org", "ProjectsX").ok()) << "not a child";
  EXPECT_TRUE(absl::IsNotFound(store_->GetMailboxStatus("alice@example.org", "Projects").status()));
  EXPECT_TRUE(absl::IsAlreadyExists(store_->RenameMailbox("alice@example.org", "Work", "Sent").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store_->RenameMailbox("alice@example.org", "Work", "Work/Sub").status()));

  Deliver({"alice@example.org"}, "old inbox mail");
  ASSERT_TRUE(store_->RenameMailbox("alice@example.org", "INBOX", "Old").ok());
  EXPECT_TRUE(Messages("INBOX").empty());
  ASSERT_EQ(Messages("Old").size(), 1u);
  EXPECT_EQ(Read("Old", Messages("Old")[0].uid()), "old inbox mail");
  ExpectConsistent();
}

TEST_F(MailStoreTest, MailboxNamesAndDeletionRules) {
  v1::CreateMailboxRequest create;
  create.set_account("alice@example.org");
  for (const char* bad : {"", "a//b", "/x", "x/"}) {
    create.set_name(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(store_->CreateMailbox(create).status())) << bad;
  }
  create.set_name("Sent");
  EXPECT_TRUE(absl::IsAlreadyExists(store_->CreateMailbox(create).status()));
  create.set_name("Parent/Child");
  ASSERT_TRUE(store_->CreateMailbox(create).ok());
  create.set_name("Parent");
  ASSERT_TRUE(store_->CreateMailbox(create).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->DeleteMailbox("alice@example.org", "Parent")));
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->DeleteMailbox("alice@example.org", "inbox")));
  EXPECT_TRUE(store_->DeleteMailbox("alice@example.org", "Parent/Child").ok());
  EXPECT_TRUE(store_->DeleteMailbox("alice@example.org", "Parent").ok());
  EXPECT_TRUE(absl::IsNotFound(store_->DeleteMailbox("alice@example.org", "Parent")));
  auto subscribed = store_->SetSubscribed("alice@example.org", "Junk", false);
  ASSERT_TRUE(subscribed.ok());
  EXPECT_FALSE(store_->GetMailboxStatus("alice@example.org", "Junk")->subscribed());
}

TEST_F(MailStoreTest, IdempotentRetryDeliversOnce) {
  auto first = Deliver({"alice@example.org"}, "once", "smtp-1234");
  auto retry = Deliver({"alice@example.org"}, "once", "smtp-1234");
  EXPECT_EQ(first.SerializeAsString(), retry.SerializeAsString());
  EXPECT_EQ(Messages("INBOX").size(), 1u);
  Reopen();
  Deliver({"alice@example.org"}, "once", "smtp-1234");
  EXPECT_EQ(Messages("INBOX").size(), 1u) << "the key survives a restart";
  Deliver({"alice@example.org"}, "once", "smtp-5678");
  EXPECT_EQ(Messages("INBOX").size(), 2u);
}

TEST_F(MailStoreTest, ConcurrentDeliveriesToOneMailboxGetDistinctUids) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) Deliver({"alice@example.org"}, "from " + std::to_string(t * 1000 + i));
    });
  }
  for (auto& t : threads) t.join();
  auto messages = Messages("INBOX");
  ASSERT_EQ(messages.size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(messages[i].uid(), i + 1);
  auto stats = store_->GetStats();
  EXPECT_LT(stats->commits(), stats->committed_writes()) << "concurrent writes should share commits";
  ExpectConsistent();
}

TEST_F(MailStoreTest, ChangesAndWatchSeeEveryChangeInOrder) {
  const uint64_t since = store_->GetChanges([] {
    v1::GetChangesRequest r;
    r.set_account("alice@example.org");
    return r;
  }())->highest_modseq();
  absl::Mutex mu;
  std::vector<v1::Change> seen;
  auto watch = store_->Watch("alice@example.org", [&](const v1::Change& c) {
    absl::MutexLock lock(&mu);
    seen.push_back(c);
  });
  ASSERT_TRUE(watch.ok());
  Deliver({"alice@example.org"}, "watched");
  v1::StoreFlagsRequest store;
  store.set_account("alice@example.org");
  store.set_mailbox("INBOX");
  store.set_mode(v1::StoreFlagsRequest::ADD);
  store.add_flags("\\Seen");
  ASSERT_TRUE(store_->StoreFlags(store).ok());

  v1::GetChangesRequest request;
  request.set_account("alice@example.org");
  request.set_since_modseq(since);
  auto changes = store_->GetChanges(request);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->changes_size(), 2);
  EXPECT_EQ(changes->changes(0).kind(), v1::Change::MESSAGE_ADDED);
  EXPECT_EQ(changes->changes(1).kind(), v1::Change::FLAGS_CHANGED);
  EXPECT_LT(changes->changes(0).modseq(), changes->changes(1).modseq());
  EXPECT_EQ(changes->changes(0).account(), "alice@example.org");
  absl::MutexLock lock(&mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].SerializeAsString(), changes->changes(1).SerializeAsString());
  EXPECT_EQ(seen[0].account(), "alice@example.org");
  watch->reset();
}

TEST_F(MailStoreTest, WatchAllSeesEveryAccountWithItsName) {
  v1::CreateAccountRequest bob;
  bob.set_name("Bob@Example.ORG");
  bob.set_password("secret two");
  ASSERT_TRUE(store_->CreateAccount(bob).ok());
  absl::Mutex mu;
  std::vector<v1::Change> seen;
  auto watch = store_->WatchAll([&](const v1::Change& c) {
    absl::MutexLock lock(&mu);
    seen.push_back(c);
  });
  Deliver({"al@example.org"}, "to alice by her alias");
  Deliver({"BOB@example.org"}, "to bob");
  v1::CreateMailboxRequest create;
  create.set_account("bob@example.org");
  create.set_name("Projects");
  ASSERT_TRUE(store_->CreateMailbox(create).ok());
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].kind(), v1::Change::MESSAGE_ADDED);
    EXPECT_EQ(seen[0].account(), "alice@example.org");
    EXPECT_EQ(seen[1].kind(), v1::Change::MESSAGE_ADDED);
    EXPECT_EQ(seen[1].account(), "bob@example.org");
    EXPECT_EQ(seen[2].kind(), v1::Change::MAILBOX_CREATED);
    EXPECT_EQ(seen[2].account(), "bob@example.org");
    EXPECT_EQ(seen[2].mailbox(), "Projects");
  }
  watch.reset();
  Deliver({"alice@example.org"}, "after the watch ended");
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(MailStoreTest, RetentionExpungesOldMailInTrashOnly) {
  v1::AppendRequest append;
  append.set_account("alice@example.org");
  append.set_content("old");
  append.set_internal_date(absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * 40)));
  for (const char* mailbox : {"Trash", "Archive"}) {
    append.set_mailbox(mailbox);
    ASSERT_TRUE(store_->Append(append).ok());
  }
  append.set_mailbox("Trash");
  append.set_content("recent");
  append.set_internal_date(0);
  ASSERT_TRUE(store_->Append(append).ok());
  auto expunged = store_->RunRetention(absl::Now());
  ASSERT_TRUE(expunged.ok());
  EXPECT_EQ(*expunged, 1u);
  EXPECT_EQ(Messages("Trash").size(), 1u);
  EXPECT_EQ(Messages("Archive").size(), 1u);
  ExpectConsistent();
}

TEST_F(MailStoreTest, ByteRangesAndBackup) {
  Deliver({"alice@example.org"}, "0123456789");
  EXPECT_EQ(Read("INBOX", 1, 2, 3), "234");
  EXPECT_EQ(Read("INBOX", 1, 8, 100), "89");
  const fs::path backup = dir_ / "backup";
  ASSERT_TRUE(store_->Backup(backup.string()).ok());
  EXPECT_FALSE(store_->Backup(backup.string()).ok()) << "an existing directory is refused";
  StoreOptions options;
  options.data_dir = backup.string();
  auto copy = MailStore::Open(options);
  ASSERT_TRUE(copy.ok());
  v1::FetchMessagesRequest fetch;
  fetch.set_account("alice@example.org");
  fetch.set_mailbox("INBOX");
  EXPECT_EQ((*copy)->FetchMessages(fetch)->messages_size(), 1);
}

TEST_F(MailStoreTest, BadRequestsGetPreciseErrors) {
  EXPECT_TRUE(absl::IsNotFound(store_->GetAccount("nobody@example.org").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store_->GetAccount("not an address").status()));
  v1::FetchMessagesRequest fetch;
  fetch.set_account("alice@example.org");
  fetch.set_mailbox("INBOX");
  *fetch.add_uids() = Range(0, 5);
  EXPECT_TRUE(absl::IsInvalidArgument(store_->FetchMessages(fetch).status()));
  fetch.clear_uids();
  *fetch.add_uids() = Range(100, 0);  // 100:* on an empty mailbox
  EXPECT_EQ(store_->FetchMessages(fetch)->messages_size(), 0);
  fetch.set_mailbox("Nope");
  EXPECT_TRUE(absl::IsNotFound(store_->FetchMessages(fetch).status()));
  v1::DeliverRequest empty;
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Deliver(empty).status()));
}

TEST_F(MailStoreTest, LeasesAreExclusiveExpireAndRenew) {
  v1::AcquireLeaseRequest acquire;
  acquire.set_account("AL@example.org");  // any address of the account
  acquire.set_name("pop3");
  acquire.set_holder("pop3-a session 1");
  acquire.set_ttl_ms(10000);
  auto first = store_->AcquireLease(acquire);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->ttl_ms(), 10000u);
  EXPECT_EQ(first->lease_id().size(), 32u);

  acquire.set_account("alice@example.org");
  acquire.set_holder("pop3-b session 2");
  auto second = store_->AcquireLease(acquire);
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  EXPECT_NE(second.status().message().find("pop3-a session 1"), std::string::npos);

  v1::RenewLeaseRequest renew;
  renew.set_account("alice@example.org");
  renew.set_name("pop3");
  renew.set_lease_id(first->lease_id());
  Advance(absl::Seconds(9));
  ASSERT_TRUE(store_->RenewLease(renew).ok());
  EXPECT_EQ(store_->RenewLease(renew)->ttl_ms(), 30000u) << "ttl 0 means 30 s";
  Advance(absl::Seconds(29));
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->AcquireLease(acquire).status())) << "renewed, so still held";
  Advance(absl::Seconds(1));
  EXPECT_TRUE(absl::IsNotFound(store_->RenewLease(renew).status())) << "expired";
  auto taken = store_->AcquireLease(acquire);
  ASSERT_TRUE(taken.ok()) << taken.status();

  v1::ReleaseLeaseRequest release;
  release.set_account("alice@example.org");
  release.set_name("pop3");
  release.set_lease_id(first->lease_id());
  ASSERT_TRUE(store_->ReleaseLease(release).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->AcquireLease(acquire).status())) << "a stale id releases nothing";
  release.set_lease_id(taken->lease_id());
  ASSERT_TRUE(store_->ReleaseLease(release).ok());
  ASSERT_TRUE(store_->ReleaseLease(release).ok()) << "idempotent";
  EXPECT_TRUE(store_->AcquireLease(acquire).ok());

  acquire.set_account("nobody@example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->AcquireLease(acquire).status()));
  renew.set_account("nobody@example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->RenewLease(renew).status()));
  release.set_account("nobody@example.org");
  EXPECT_TRUE(store_->ReleaseLease(release).ok());
  acquire.set_account("alice@example.org");
  acquire.set_name("");
  EXPECT_TRUE(absl::IsInvalidArgument(store_->AcquireLease(acquire).status()));
}

TEST_F(MailStoreTest, Pop3PolicyIsStoredAndShownOnTheAccount) {
  EXPECT_EQ(store_->GetAccount("alice@example.org")->pop3_policy(), v1::POP3_POLICY_UNSPECIFIED);
  auto set = SetPop3Policy(v1::POP3_KEEP, 7);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->pop3_policy(), v1::POP3_KEEP);
  Reopen();
  auto account = store_->GetAccount("al@example.org");
  EXPECT_EQ(account->pop3_policy(), v1::POP3_KEEP);
  EXPECT_EQ(account->pop3_keep_days(), 7u);
  EXPECT_TRUE(absl::IsInvalidArgument(SetPop3Policy(static_cast<v1::Pop3Policy>(9)).status()));
  v1::SetPop3PolicyRequest unknown;
  unknown.set_name("nobody@example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->SetPop3Policy(unknown).status()));
}

TEST_F(MailStoreTest, Pop3CommitNeedsTheLivePop3Lease) {
  Deliver({"alice@example.org"}, "one");
  EXPECT_TRUE(absl::IsFailedPrecondition(Pop3Commit("", {1}).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(Pop3Commit("0123456789abcdef0123456789abcdef", {1}).status()));
  v1::AcquireLeaseRequest other;
  other.set_account("alice@example.org");
  other.set_name("not-pop3");
  auto wrong_name = store_->AcquireLease(other);
  ASSERT_TRUE(wrong_name.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Pop3Commit(wrong_name->lease_id(), {1}).status()))
      << "only the \"pop3\" lease counts";
  const std::string lease = Pop3Lease();
  Advance(absl::Seconds(31));
  EXPECT_TRUE(absl::IsFailedPrecondition(Pop3Commit(lease, {1}).status())) << "expired";
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{1})) << "a refused commit changes nothing";
  v1::Pop3CommitRequest unknown;
  unknown.set_account("nobody@example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->Pop3Commit(unknown).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Pop3Commit(Pop3Lease(), {0}).status()));
}

TEST_F(MailStoreTest, Pop3CommitUnderDeleteExpungesWhateverTheFlags) {
  for (const char* body : {"one", "two", "three"}) Deliver({"alice@example.org"}, body);
  v1::CopyMessagesRequest copy;  // another mailbox's UID 2 must stay
  copy.set_account("alice@example.org");
  copy.set_mailbox("INBOX");
  copy.set_destination("Archive");
  *copy.add_uids() = Range(1, 2);
  ASSERT_TRUE(store_->CopyMessages(copy, false).ok());
  v1::GetChangesRequest changes;
  changes.set_account("alice@example.org");
  const uint64_t since = store_->GetChanges(changes)->highest_modseq();

  const std::string lease = Pop3Lease();
  auto committed = Pop3Commit(lease, {3, 1, 3, 99});
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->policy(), v1::POP3_DELETE) << "the store's default";
  EXPECT_EQ(std::vector<uint32_t>(committed->uids().begin(), committed->uids().end()),
            (std::vector<uint32_t>{1, 3})) << "99 never existed";
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{2}));
  EXPECT_EQ(Uids("Archive"), (std::vector<uint32_t>{1, 2}));

  changes.set_since_modseq(since);
  auto log = store_->GetChanges(changes);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->changes_size(), 2);
  for (const auto& c : log->changes()) EXPECT_EQ(c.kind(), v1::Change::MESSAGE_EXPUNGED);
  EXPECT_EQ(store_->GetMailboxStatus("alice@example.org", "INBOX")->messages(), 1u);
  ExpectConsistent();

  auto empty = Pop3Commit(lease, {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->uids_size(), 0);
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{2})) << "no UIDs is not every UID";
}

TEST_F(MailStoreTest, Pop3CommitUnderKeepHidesFromPop3OnlyUntilRetention) {
  ASSERT_TRUE(SetPop3Policy(v1::POP3_KEEP, 3).ok());
  for (const char* body : {"one", "two", "three"}) Deliver({"alice@example.org"}, body);
  const auto before = Messages("INBOX");
  std::string lease = Pop3Lease();
  auto committed = Pop3Commit(lease, {1, 2});
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->policy(), v1::POP3_KEEP);
  EXPECT_EQ(committed->uids_size(), 2);
  EXPECT_EQ(Uids("INBOX", /*pop3_visible_only=*/true), (std::vector<uint32_t>{3}));
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{1, 2, 3})) << "IMAP still sees them";
  const auto after = Messages("INBOX");
  EXPECT_EQ(after[0].pop3_hidden_at(), absl::ToUnixSeconds(Now()));
  EXPECT_EQ(after[2].pop3_hidden_at(), 0);
  EXPECT_EQ(after[0].modseq(), before[0].modseq()) << "POP3-only state leaves the MODSEQ alone";
  EXPECT_EQ(after[0].flags_size(), before[0].flags_size());
  ExpectConsistent();

  // Hiding again stamps nothing new: retention counts from the first time.
  Advance(absl::Hours(24));
  lease = Pop3Lease("the next day's session");  // the first one has long expired
  auto again = Pop3Commit(lease, {1, 3});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::vector<uint32_t>(again->uids().begin(), again->uids().end()), (std::vector<uint32_t>{3}));

  // Day 3 from the first hiding: kept (the account's 3 days, not the store's 30).
  auto kept = store_->RunRetention(Now() + absl::Hours(48) - absl::Seconds(1));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept, 0u);
  auto expunged = store_->RunRetention(Now() + absl::Hours(48) + absl::Seconds(1));
  ASSERT_TRUE(expunged.ok()) << expunged.status();
  EXPECT_EQ(*expunged, 2u);
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{3}));
  ExpectConsistent();
  expunged = store_->RunRetention(Now() + absl::Hours(24 * 5));
  EXPECT_EQ(*expunged, 1u) << "UID 3, hidden a day later";
  EXPECT_TRUE(Uids("INBOX").empty());
  ExpectConsistent();
}

TEST_F(MailStoreTest, StoreDefaultPop3PolicyAndKeepDaysApply) {
  Reopen([](StoreOptions& options) {
    options.pop3_policy = v1::POP3_KEEP;
    options.pop3_keep_days = 10;
  });
  Deliver({"alice@example.org"}, "one");
  Deliver({"alice@example.org"}, "two");
  auto committed = Pop3Commit(Pop3Lease(), {1});
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(committed->policy(), v1::POP3_KEEP);
  EXPECT_EQ(*store_->RunRetention(Now() + absl::Hours(24 * 9)), 0u);
  EXPECT_EQ(*store_->RunRetention(Now() + absl::Hours(24 * 11)), 1u);

  // The account's own policy wins over the store's.
  ASSERT_TRUE(SetPop3Policy(v1::POP3_DELETE).ok());
  Advance(absl::Minutes(1));
  committed = Pop3Commit(Pop3Lease("next session"), {2});
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->policy(), v1::POP3_DELETE);
  EXPECT_TRUE(Uids("INBOX").empty());
  ExpectConsistent();
}

TEST_F(MailStoreTest, HiddenMailMovedOutOfInboxIsVisibleAndKeptThere) {
  ASSERT_TRUE(SetPop3Policy(v1::POP3_KEEP, 1).ok());
  Deliver({"alice@example.org"}, "one");
  ASSERT_TRUE(Pop3Commit(Pop3Lease(), {1}).ok());
  v1::CopyMessagesRequest move;
  move.set_account("alice@example.org");
  move.set_mailbox("INBOX");
  move.set_destination("Archive");
  ASSERT_TRUE(store_->CopyMessages(move, /*move=*/true).ok());
  EXPECT_EQ(Messages("Archive")[0].pop3_hidden_at(), 0);
  ExpectConsistent();
  EXPECT_EQ(*store_->RunRetention(Now() + absl::Hours(24 * 7)), 0u);
  EXPECT_EQ(Uids("Archive").size(), 1u) << "IMAP filed it; retention of POP3-hidden mail does not reach it";
}

TEST_F(MailStoreTest, Pop3CommitIsIdempotent) {
  Deliver({"alice@example.org"}, "one");
  Deliver({"alice@example.org"}, "two");
  const std::string lease = Pop3Lease();
  auto first = Pop3Commit(lease, {1}, "quit-1");
  ASSERT_TRUE(first.ok());
  v1::ReleaseLeaseRequest release;
  release.set_account("alice@example.org");
  release.set_name("pop3");
  release.set_lease_id(lease);
  ASSERT_TRUE(store_->ReleaseLease(release).ok());
  auto retry = Pop3Commit(lease, {1}, "quit-1");
  ASSERT_TRUE(retry.ok()) << "a retry gets the first answer, even after the lease ended: " << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(Uids("INBOX"), (std::vector<uint32_t>{2}));
}

}  // namespace
}  // namespace kurier::storage
