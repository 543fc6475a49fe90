// Reading and writing the store's records: the pieces every operation of
// MailStoreImpl is made of. Readers take a KvReader (a write operation or a
// snapshot); writers take the WriteTxn of the operation they belong to.
#ifndef KURIER_STORAGE_STORE_RECORDS_H_
#define KURIER_STORAGE_STORE_RECORDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/group_commit.h"
#include "storage/kv_reader.h"
#include "storage/mail_store.h"
#include "storage/records.pb.h"

namespace kurier::storage {

constexpr uint64_t kInboxId = 1;

absl::StatusOr<AccountRecord> LoadAccount(KvReader& reader, uint64_t account_id);
// Any address of the account, in any case. NOT_FOUND names the address.
absl::StatusOr<AccountRecord> LoadAccountByAddress(KvReader& reader, std::string_view address);

absl::StatusOr<std::vector<v1::Mailbox>> LoadMailboxes(KvReader& reader, uint64_t account_id);
// NOT_FOUND ("no mailbox ...") when the account has no mailbox of that name.
absl::StatusOr<v1::Mailbox> FindMailbox(KvReader& reader, uint64_t account_id, std::string_view name);

// Visits the messages of a mailbox whose UIDs fall in ranges (empty: all), in
// UID order. In a range, last = 0 stands for the highest UID in use. The
// record is parsed for the call: a visitor that keeps it may move it away.
using MessageVisitor = std::function<absl::Status(v1::MessageInfo&)>;
absl::Status ForEachMessage(KvReader& reader, uint64_t account_id, const v1::Mailbox& mailbox,
                            const google::protobuf::RepeatedPtrField<v1::UidRange>& ranges,
                            const MessageVisitor& visit);

// `uids` (any order, repeats allowed) as ranges, one per run of consecutive
// UIDs: each range is one scan in ForEachMessage. UID 0 is left out.
google::protobuf::RepeatedPtrField<v1::UidRange> UidRuns(std::vector<uint32_t> uids);

// The index record of one message; nullopt when the UID is not in the mailbox.
absl::StatusOr<std::optional<v1::MessageInfo>> LoadMessage(KvReader& reader, uint64_t account_id,
                                                           uint64_t mailbox_id, uint32_t uid);
// The bytes of a message; DATA_LOSS when its blob is missing.
absl::StatusOr<std::string> LoadBlob(KvReader& reader, const v1::MessageInfo& message);

bool HasFlag(const v1::MessageInfo& message, std::string_view flag);

// One write operation's changes to one account: hands out the operation's
// MODSEQ, writes change-log entries, keeps the account record and publishes
// the changes once they are durable.
class AccountWriter {
 public:
  AccountWriter(WriteTxn& txn, AccountRecord record, std::function<void(uint64_t, std::vector<v1::Change>)> publish);

  AccountRecord& record() { return record_; }
  WriteTxn& txn() { return txn_; }
  uint64_t account_id() const { return record_.account().id(); }
  // The MODSEQ of this operation: one above the account's previous highest.
  uint64_t Modseq();
  void Log(v1::Change change);

  // Adds a message to mailbox (counters updated in place; caller saves it).
  // content is the message's bytes when it may be a new blob, else null. A
  // copy starts visible to POP3 (pop3_hidden_at is cleared).
  absl::Status AddMessage(v1::Mailbox& mailbox, v1::MessageInfo message, const std::string* content,
                          uint32_t* uid_out);
  absl::Status RemoveMessage(v1::Mailbox& mailbox, const v1::MessageInfo& message);
  // Rewrites a message whose flags changed, keeping mailbox counters right.
  void UpdateFlags(v1::Mailbox& mailbox, v1::MessageInfo& message, std::vector<std::string> flags);
  // Hides a message from POP3 (POP3_KEEP) as of hidden_at. POP3-only state:
  // the MODSEQ stays and nothing is logged, since IMAP sees no change.
  void HideFromPop3(const v1::Mailbox& mailbox, v1::MessageInfo& message, int64_t hidden_at);
  void SaveMailbox(const v1::Mailbox& mailbox);
  // Writes the account record and schedules publication. Call once, last.
  void Save();

 private:
  WriteTxn& txn_;
  AccountRecord record_;
  std::function<void(uint64_t, std::vector<v1::Change>)> publish_;
  uint64_t modseq_ = 0;
  uint32_t change_index_ = 0;
  std::vector<v1::Change> changes_;
};

// Blob reference counting, inside a write operation.
absl::Status AddBlobRef(WriteTxn& txn, const std::string& blob_id, const std::string* content);
absl::Status DropBlobRef(WriteTxn& txn, const std::string& blob_id);

std::string Sha256Hex(std::string_view data);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_STORE_RECORDS_H_
