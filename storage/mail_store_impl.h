// MailStore on RocksDB. Reads run on the caller's thread from a snapshot;
// writes run as operations of the GroupCommitWriter (group_commit.h). The
// methods are spread over files by area: mail_store_accounts.cc,
// mail_store_domains.cc (domains and ResolveRecipient),
// mail_store_mailboxes.cc, mail_store_messages.cc, mail_store_outbound.cc
// (the relay's queue), mail_store_pop3.cc (leases and the POP3 policy),
// mail_store_operations.cc.
#ifndef KURIER_STORAGE_MAIL_STORE_IMPL_H_
#define KURIER_STORAGE_MAIL_STORE_IMPL_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "storage/change_hub.h"
#include "storage/credentials/auth_cache.h"
#include "storage/credentials/scram.h"
#include "storage/group_commit.h"
#include "storage/lease_table.h"
#include "storage/mail_store.h"
#include "storage/store_records.h"

namespace kurier::storage {

// INVALID_ARGUMENT unless the outbound part of a DeliverRequest can be
// queued: at least one recipient, every address plausible.
absl::Status CheckOutbound(const v1::OutboundMessage& outbound);

class MailStoreImpl : public MailStore {
 public:
  MailStoreImpl(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> cfs);
  ~MailStoreImpl() override;

  absl::StatusOr<v1::Account> CreateAccount(const v1::CreateAccountRequest& request) override;
  absl::Status DeleteAccount(std::string_view name) override;
  absl::StatusOr<v1::Account> GetAccount(std::string_view name) override;
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(const v1::ListAccountsRequest& request) override;
  absl::Status SetPassword(std::string_view name, std::string_view password) override;
  absl::StatusOr<v1::Account> SetQuota(std::string_view name, uint64_t quota_bytes) override;
  absl::StatusOr<v1::Account> SetAliases(std::string_view name, const std::vector<std::string>& aliases) override;
  absl::StatusOr<std::string> ResolveAddress(std::string_view address) override;
  absl::StatusOr<v1::ResolveRecipientResponse> ResolveRecipient(const v1::ResolveRecipientRequest& request) override;
  absl::StatusOr<v1::VerifyPasswordResponse> VerifyPassword(std::string_view name, std::string_view password) override;
  absl::StatusOr<v1::ScramStartResponse> ScramStart(std::string_view client_first) override;
  absl::StatusOr<v1::ScramFinishResponse> ScramFinish(std::string_view exchange_id,
                                                      std::string_view client_final) override;
  absl::StatusOr<v1::Account> SetPop3Policy(const v1::SetPop3PolicyRequest& request) override;

  absl::StatusOr<v1::Domain> SetDomain(const v1::Domain& domain) override;
  absl::Status DeleteDomain(std::string_view name) override;
  absl::StatusOr<v1::ListDomainsResponse> ListDomains() override;
  absl::Status ForgetIdempotencyKeys(std::string_view method, const std::vector<std::string>& keys) override;

  absl::StatusOr<std::vector<v1::Mailbox>> ListMailboxes(std::string_view account) override;
  absl::StatusOr<v1::Mailbox> CreateMailbox(const v1::CreateMailboxRequest& request) override;
  absl::Status DeleteMailbox(std::string_view account, std::string_view name) override;
  absl::StatusOr<v1::Mailbox> RenameMailbox(std::string_view account, std::string_view from,
                                            std::string_view to) override;
  absl::StatusOr<v1::Mailbox> SetSubscribed(std::string_view account, std::string_view name, bool subscribed) override;
  absl::StatusOr<v1::Mailbox> GetMailboxStatus(std::string_view account, std::string_view name) override;

  absl::StatusOr<v1::DeliverResponse> Deliver(const v1::DeliverRequest& request) override;
  absl::StatusOr<v1::AppendResponse> Append(const v1::AppendRequest& request) override;
  absl::StatusOr<v1::FetchMessagesResponse> FetchMessages(const v1::FetchMessagesRequest& request) override;
  absl::StatusOr<std::string> ReadMessage(const v1::ReadMessageRequest& request, uint64_t* total_size) override;
  absl::StatusOr<v1::ReadMessagesResponse> ReadMessages(const v1::ReadMessagesRequest& request) override;
  absl::StatusOr<v1::StoreFlagsResponse> StoreFlags(const v1::StoreFlagsRequest& request) override;
  absl::StatusOr<v1::CopyMessagesResponse> CopyMessages(const v1::CopyMessagesRequest& request, bool move) override;
  absl::StatusOr<v1::ExpungeResponse> Expunge(const v1::ExpungeRequest& request) override;
  absl::StatusOr<v1::GetChangesResponse> GetChanges(const v1::GetChangesRequest& request) override;
  absl::StatusOr<std::unique_ptr<Subscription>> Watch(std::string_view account, ChangeListener listener) override;
  std::unique_ptr<Subscription> WatchAll(ChangeListener listener) override;

  absl::StatusOr<v1::ListOutboundResponse> ListOutbound(const v1::ListOutboundRequest& request) override;
  absl::Status DeleteOutbound(std::string_view id) override;

  absl::StatusOr<v1::Lease> AcquireLease(const v1::AcquireLeaseRequest& request) override;
  absl::StatusOr<v1::Lease> RenewLease(const v1::RenewLeaseRequest& request) override;
  absl::Status ReleaseLease(const v1::ReleaseLeaseRequest& request) override;
  absl::StatusOr<v1::Pop3CommitResponse> Pop3Commit(const v1::Pop3CommitRequest& request) override;

  absl::Status Backup(std::string_view directory) override;
  absl::StatusOr<v1::Stats> GetStats() override;
  absl::StatusOr<uint64_t> RunRetention(absl::Time now) override;
  absl::StatusOr<std::vector<std::string>> CheckConsistency() override;

  // Once per database, called by Open: makes the domains of the accounts
  // that existed before domains were kept local domains.
  absl::Status BackfillDomains();

 private:
  // An AccountWriter whose changes are published to this store's watchers,
  // with Change.account set (the log on disk does not repeat the name).
  AccountWriter Writer(WriteTxn& txn, AccountRecord record);
  // Runs op as a write; if key is set and was seen before for this method,
  // response gets the stored answer and op does not run.
  // `forget`: keys of the same method to drop first, in the same write
  // (DeliverRequest.forget_idempotency_keys).
  absl::Status RunIdempotent(std::string_view method, std::string_view key, google::protobuf::Message* response,
                             std::function<absl::Status(WriteTxn&)> op,
                             const google::protobuf::RepeatedPtrField<std::string>* forget = nullptr);
  // Loads the account by address inside a write and runs fn with its writer;
  // saves the account if fn succeeds.
  absl::Status WithAccount(WriteTxn& txn, std::string_view name, const std::function<absl::Status(AccountWriter&)>& fn);
  absl::Status ExpungeIn(AccountWriter& writer, v1::Mailbox& mailbox,
                         const google::protobuf::RepeatedPtrField<v1::UidRange>& uids, bool ignore_deleted_flag,
                         std::vector<uint32_t>* expunged);
  absl::StatusOr<v1::Mailbox> NewMailbox(AccountWriter& writer, const std::string& name, std::string_view special_use,
                                         uint32_t max_age_days);
  // Makes the domains of these normalized addresses local domains (no
  // catch-all) where they are not yet; addresses whose domain is not a valid
  // domain name (a literal, say) are skipped.
  absl::Status AddDomainsOf(WriteTxn& txn, const std::vector<std::string>& addresses);
  // Inside DeleteAccount: domains whose catch-all was this account (primary
  // name) lose their catch-all.
  absl::Status ClearCatchAll(WriteTxn& txn, std::string_view account);
  // Puts `outbound` (already checked) on the queue inside a Deliver write,
  // with content as its bytes; returns its new id.
  absl::StatusOr<std::string> QueueOutbound(WriteTxn& txn, v1::OutboundMessage outbound, const std::string& content,
                                            const std::string& blob_id);
  // options_.clock, else absl::Now.
  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }
  // The account's POP3 policy, else the store's (never UNSPECIFIED).
  v1::Pop3Policy EffectivePop3Policy(const v1::Account& account) const;
  // The account's POP3 keep days, else the store's; 0 keeps hidden mail.
  uint32_t EffectivePop3KeepDays(const v1::Account& account) const;
  // The retention of mail hidden from POP3: expunges INBOX messages hidden
  // for longer than their account's keep days. Returns how many.
  absl::StatusOr<uint64_t> ExpireHiddenPop3Mail(absl::Time now);

  const StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  ChangeHub hub_;
  AuthCache auth_cache_;
  const std::string scram_secret_;  // makes fake SCRAM salts for unknown users stable
  std::atomic<uint64_t> deliveries_{0};
  // Outbound ids: the time in microseconds, never below the last one given
  // (only the writer thread touches it), then a per-process counter.
  uint64_t last_outbound_micros_ = 0;
  uint32_t outbound_counter_ = 0;

  struct ScramExchange {
    ScramServer server;
    std::string account;  // empty for an unknown user: the exchange fails at the end
    absl::Time expires;
  };
  absl::Mutex scram_mu_;
  std::map<std::string, ScramExchange> scram_exchanges_ ABSL_GUARDED_BY(scram_mu_);

  LeaseTable leases_;

  // Last: its destructor drains queued writes while the rest is still alive.
  std::unique_ptr<GroupCommitWriter> writer_;
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_MAIL_STORE_IMPL_H_
