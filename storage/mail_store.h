// The mailbox store as a library: accounts, mailboxes, messages, blobs,
// quota, credentials and the change log, on RocksDB. services/mailstore wraps
// it in gRPC; tests use it directly.
//
// Contract of every method: on error nothing was changed, and the status code
// says what the caller should do (see proto/kurier/store/v1/store.proto).
// Writes return only after they are durable (a synced WAL write unless the
// store was opened with sync off). All methods are thread-safe and block; do
// not call them from a thread that must stay responsive.
#ifndef KURIER_STORAGE_MAIL_STORE_H_
#define KURIER_STORAGE_MAIL_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/kurier/store/v1/store.pb.h"

namespace kurier::storage {

namespace v1 = ::kurier::store::v1;

struct StoreOptions {
  std::string data_dir;
  bool sync = true;
  uint64_t max_message_bytes = 50ull << 20;
  uint64_t default_quota_bytes = 0;  // 0: unlimited
  uint32_t scrypt_n = 16384;
  // RocksDB caches (see StoreConfig.block_cache_mb, blob_cache_mb).
  uint64_t block_cache_bytes = 128ull << 20;
  uint64_t blob_cache_bytes = 256ull << 20;
  absl::Duration auth_cache_ttl = absl::Seconds(60);
  absl::Duration idempotency_ttl = absl::Hours(24);
  // What POP3's DELE does to the mail of accounts whose own policy is
  // POP3_POLICY_UNSPECIFIED (UNSPECIFIED here means POP3_DELETE).
  v1::Pop3Policy pop3_policy = v1::POP3_DELETE;
  // Days an INBOX message hidden from POP3 under POP3_KEEP stays for IMAP,
  // for accounts without keep days of their own. 0: kept until deleted.
  uint32_t pop3_keep_days = 30;
  // The time leases expire by and POP3 hiding is stamped with; tests inject
  // a fake. Null: absl::Now.
  std::function<absl::Time()> clock;
};

// Receives an account's changes after they are durable, on the store's
// writer thread; Change.account is set. Must not block. It may be called
// once more while its subscription is being destroyed.
using ChangeListener = std::function<void(const v1::Change&)>;

class MailStore {
 public:
  // Opens (creating if needed) the store in options.data_dir.
  static absl::StatusOr<std::unique_ptr<MailStore>> Open(const StoreOptions& options);
  virtual ~MailStore() = default;

  // --- Accounts. `name` arguments accept any address of the account. ---
  // Creates the account with INBOX, Sent, Drafts, Trash, Junk and Archive.
  // The domains of its name and aliases become local domains (without a
  // catch-all) in the same write when they are not yet.
  virtual absl::StatusOr<v1::Account> CreateAccount(const v1::CreateAccountRequest& request) = 0;
  // Removes the account, its mail and its addresses.
  virtual absl::Status DeleteAccount(std::string_view name) = 0;
  virtual absl::StatusOr<v1::Account> GetAccount(std::string_view name) = 0;
  virtual absl::StatusOr<v1::ListAccountsResponse> ListAccounts(const v1::ListAccountsRequest& request) = 0;
  // Takes effect at once: cached verifications of the old password are dropped.
  virtual absl::Status SetPassword(std::string_view name, std::string_view password) = 0;
  virtual absl::StatusOr<v1::Account> SetQuota(std::string_view name, uint64_t quota_bytes) = 0;
  // Replaces the account's aliases; their domains become local domains as in
  // CreateAccount.
  virtual absl::StatusOr<v1::Account> SetAliases(std::string_view name, const std::vector<std::string>& aliases) = 0;
  // The primary name of the account with this address, or NOT_FOUND.
  virtual absl::StatusOr<std::string> ResolveAddress(std::string_view address) = 0;
  // What mail for request.address becomes (SMTP RCPT), from a snapshot:
  // NOT_LOCAL unless the address's domain is a local domain (a domain
  // literal never is); LOCAL for an account's name or alias; unless
  // exact_only, LOCAL with subaddress for "user+detail@domain" when
  // "user@domain" is an address of an account, else LOCAL with catch_all
  // for the domain's catch-all account; else UNKNOWN_USER. over_quota when
  // LOCAL and the account's quota is used up or would be by message_size.
  // INVALID_ARGUMENT for a malformed address.
  virtual absl::StatusOr<v1::ResolveRecipientResponse> ResolveRecipient(
      const v1::ResolveRecipientRequest& request) = 0;
  virtual absl::StatusOr<v1::VerifyPasswordResponse> VerifyPassword(std::string_view name,
                                                                    std::string_view password) = 0;
  virtual absl::StatusOr<v1::ScramStartResponse> ScramStart(std::string_view client_first) = 0;
  virtual absl::StatusOr<v1::ScramFinishResponse> ScramFinish(std::string_view exchange_id,
                                                              std::string_view client_final) = 0;
  // Stores the account's POP3 policy and keep days (0: the store's default);
  // POP3_POLICY_UNSPECIFIED follows StoreOptions::pop3_policy. INVALID_ARGUMENT
  // for a policy value the API does not define.
  virtual absl::StatusOr<v1::Account> SetPop3Policy(const v1::SetPop3PolicyRequest& request) = 0;

  // --- Domains: the domains this store receives mail for. ---
  // Creates or replaces the domain (name lower-cased). A catch_all must be
  // an address of an existing account and is stored as its primary name.
  // INVALID_ARGUMENT for a bad domain name; NOT_FOUND for an unknown
  // catch-all account. Returns the domain as stored.
  virtual absl::StatusOr<v1::Domain> SetDomain(const v1::Domain& domain) = 0;
  // Forgets the domain; its accounts stay. NOT_FOUND when it is not known.
  virtual absl::Status DeleteDomain(std::string_view name) = 0;
  // Every domain, sorted by name.
  virtual absl::StatusOr<v1::ListDomainsResponse> ListDomains() = 0;

  // --- Mailboxes. Names use "/" as delimiter; "inbox" in any case is INBOX. ---
  virtual absl::StatusOr<std::vector<v1::Mailbox>> ListMailboxes(std::string_view account) = 0;
  virtual absl::StatusOr<v1::Mailbox> CreateMailbox(const v1::CreateMailboxRequest& request) = 0;
  // Refuses INBOX and mailboxes with children; expunges the messages.
  virtual absl::Status DeleteMailbox(std::string_view account, std::string_view name) = 0;
  virtual absl::StatusOr<v1::Mailbox> RenameMailbox(std::string_view account, std::string_view from,
                                                    std::string_view to) = 0;
  virtual absl::StatusOr<v1::Mailbox> SetSubscribed(std::string_view account, std::string_view name,
                                                    bool subscribed) = 0;
  virtual absl::StatusOr<v1::Mailbox> GetMailboxStatus(std::string_view account, std::string_view name) = 0;

  // --- Messages ---
  // Delivers to every recipient that exists and has room; a result for each.
  // With request.outbound set, also queues it for the relay in the same
  // write (see ListOutbound): the store sets its id, queued_at and size,
  // stores an empty content as the request's, and returns the id as
  // outbound_id; queued mail counts against no quota. Recipients may then be
  // empty. INVALID_ARGUMENT when there are neither recipients nor an
  // outbound part, or the outbound part has no recipients. A retry with the
  // same idempotency_key returns the first answer and queues nothing.
  virtual absl::StatusOr<v1::DeliverResponse> Deliver(const v1::DeliverRequest& request) = 0;
  virtual absl::StatusOr<v1::AppendResponse> Append(const v1::AppendRequest& request) = 0;
  virtual absl::StatusOr<v1::FetchMessagesResponse> FetchMessages(const v1::FetchMessagesRequest& request) = 0;
  // The message's bytes in [offset, offset+length) (length 0: to the end),
  // and its total size.
  virtual absl::StatusOr<std::string> ReadMessage(const v1::ReadMessageRequest& request, uint64_t* total_size) = 0;
  // Whole messages of `uids` in request order, as many as fit in max_bytes
  // (at least the first when it fits alone); a UID not in the mailbox comes
  // back with found = false. NOT_FOUND for an unknown account or mailbox.
  virtual absl::StatusOr<v1::ReadMessagesResponse> ReadMessages(const v1::ReadMessagesRequest& request) = 0;
  virtual absl::StatusOr<v1::StoreFlagsResponse> StoreFlags(const v1::StoreFlagsRequest& request) = 0;
  // move = true removes the originals in the same write.
  virtual absl::StatusOr<v1::CopyMessagesResponse> CopyMessages(const v1::CopyMessagesRequest& request,
                                                                bool move) = 0;
  virtual absl::StatusOr<v1::ExpungeResponse> Expunge(const v1::ExpungeRequest& request) = 0;
  // The account's change log after request.since_modseq, oldest first, each
  // change with Change.account set to the account's primary name.
  virtual absl::StatusOr<v1::GetChangesResponse> GetChanges(const v1::GetChangesRequest& request) = 0;
  // Calls listener with each change of the account committed from now on,
  // until the returned handle is destroyed.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };
  virtual absl::StatusOr<std::unique_ptr<Subscription>> Watch(std::string_view account,
                                                             ChangeListener listener) = 0;
  // Calls listener with each change of every account committed from now on
  // (Change.account says whose), until the returned handle is destroyed.
  // Reads nothing: cheap enough for a gRPC thread.
  virtual std::unique_ptr<Subscription> WatchAll(ChangeListener listener) = 0;

  // --- Outbound queue ---
  // Queued messages with ids after request.after, oldest first; at most
  // request.limit (0: 100; more than 1000 is cut to 1000). Content only with
  // include_content.
  virtual absl::StatusOr<v1::ListOutboundResponse> ListOutbound(const v1::ListOutboundRequest& request) = 0;
  // Removes a queued message (sent, or given up on) and its hold on the
  // content. NOT_FOUND when no entry has this id.
  virtual absl::Status DeleteOutbound(std::string_view id) = 0;

  // --- Leases: short exclusive claims on an account, in memory only (they
  // end with the process; see lease_table.h). ---
  // A new lease with a fresh id. NOT_FOUND for an unknown account;
  // FAILED_PRECONDITION while any live lease on (account, name) exists, the
  // caller's own included; INVALID_ARGUMENT for an empty name or one over 64
  // bytes; RESOURCE_EXHAUSTED when the shard holds too many live leases.
  // ttl_ms 0 means 30 s; more than 10 min is cut to 10 min.
  virtual absl::StatusOr<v1::Lease> AcquireLease(const v1::AcquireLeaseRequest& request) = 0;
  // Extends the lease to ttl_ms from now. NOT_FOUND when it expired or was
  // released, the id is wrong, or the account does not exist.
  virtual absl::StatusOr<v1::Lease> RenewLease(const v1::RenewLeaseRequest& request) = 0;
  // Ends the lease. Succeeds also when it has already ended or the account is
  // gone, so it can be retried; a wrong id ends nothing.
  virtual absl::Status ReleaseLease(const v1::ReleaseLeaseRequest& request) = 0;

  // --- POP3 ---
  // The POP3 UPDATE state for the INBOX UIDs a session deleted. Refused with
  // FAILED_PRECONDITION unless lease_id is the account's live "pop3" lease
  // (checked inside the write). Under POP3_DELETE the messages are expunged
  // whatever their flags, with change-log entries as for Expunge. Under
  // POP3_KEEP each visible one gets pop3_hidden_at = now: FetchMessages with
  // pop3_visible_only leaves it out, IMAP still sees it unchanged (POP3-only
  // state: its MODSEQ stays and no change is logged), and RunRetention
  // expunges it after the keep days. UIDs already gone (or already hidden)
  // are skipped; the response lists those acted on. INVALID_ARGUMENT for
  // UID 0. Honours idempotency_key.
  virtual absl::StatusOr<v1::Pop3CommitResponse> Pop3Commit(const v1::Pop3CommitRequest& request) = 0;

  // --- Idempotency ---
  // Drops the remembered responses of `keys` used with `method` ("Deliver"),
  // so that the next request with one of them does the work again. Unknown
  // keys are ignored; INVALID_ARGUMENT for more than 10000 keys.
  virtual absl::Status ForgetIdempotencyKeys(std::string_view method, const std::vector<std::string>& keys) = 0;

  // --- Operations ---
  virtual absl::Status Backup(std::string_view directory) = 0;
  virtual absl::StatusOr<v1::Stats> GetStats() = 0;
  // Expunges messages older than their mailbox's max_age_days and INBOX
  // messages hidden from POP3 for longer than their account's keep days (see
  // Pop3Commit), and forgets expired idempotency keys. Returns the number of
  // messages expunged.
  virtual absl::StatusOr<uint64_t> RunRetention(absl::Time now) = 0;
  // Blob reference counts recomputed from the message index and the outbound
  // queue, compared with the stored ones: the mismatches, for consistency
  // checks after a crash.
  virtual absl::StatusOr<std::vector<std::string>> CheckConsistency() = 0;
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_MAIL_STORE_H_
