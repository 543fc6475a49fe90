#include "storage/store_records.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/names.h"

namespace kurier::storage {
namespace {

template <typename Proto>
absl::StatusOr<Proto> ParseRecord(const std::string& bytes, std::string_view what) {
  Proto proto;
  if (!proto.ParseFromString(bytes)) return absl::DataLossError(absl::StrCat("corrupt ", std::string(what), " record"));
  return proto;
}

void CountMessage(v1::Mailbox& mailbox, const v1::MessageInfo& m, int sign) {
  mailbox.set_messages(mailbox.messages() + sign);
  mailbox.set_size_bytes(mailbox.size_bytes() + sign * static_cast<int64_t>(m.size()));
  if (!HasFlag(m, "\\Seen")) mailbox.set_unseen(mailbox.unseen() + sign);
  if (HasFlag(m, "\\Deleted")) mailbox.set_deleted(mailbox.deleted() + sign);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

absl::StatusOr<AccountRecord> LoadAccount(KvReader& reader, uint64_t account_id) {
  auto bytes = reader.Get(kAccounts, AccountKey(account_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return absl::NotFoundError(absl::StrCat("no account with id ", account_id));
  return ParseRecord<AccountRecord>(**bytes, "account");
}

absl::StatusOr<AccountRecord> LoadAccountByAddress(KvReader& reader, std::string_view address) {
  auto normalized = NormalizeAddress(address);
  if (!normalized.ok()) return normalized.status();
  auto id = reader.Get(kAddresses, *normalized);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return absl::NotFoundError(absl::StrCat("no account has the address ", *normalized));
  return LoadAccount(reader, ReadU64(**id));
}

absl::StatusOr<std::vector<v1::Mailbox>> LoadMailboxes(KvReader& reader, uint64_t account_id) {
  std::vector<v1::Mailbox> out;
  std::string prefix = AccountKey(account_id);
  bool corrupt = false;
  absl::Status s = reader.Scan(kMailboxes, prefix, PrefixEnd(prefix), [&](std::string_view, std::string_view value) {
    out.emplace_back();
    corrupt = !out.back().ParseFromArray(value.data(), value.size());
    return !corrupt;
  });
  if (!s.ok()) return s;
  if (corrupt) return absl::DataLossError("corrupt mailbox record");
  return out;
}

absl::StatusOr<v1::Mailbox> FindMailbox(KvReader& reader, uint64_t account_id, std::string_view name) {
  auto normalized = NormalizeMailboxName(name);
  if (!normalized.ok()) return normalized.status();
  auto mailboxes = LoadMailboxes(reader, account_id);
  if (!mailboxes.ok()) return mailboxes.status();
  for (v1::Mailbox& mailbox : *mailboxes) {
    if (mailbox.name() == *normalized) return std::move(mailbox);
  }
  return absl::NotFoundError(absl::StrCat("no mailbox \"", *normalized, "\""));
}

absl::Status ForEachMessage(KvReader& reader, uint64_t account_id, const v1::Mailbox& mailbox,
                            const google::protobuf::RepeatedPtrField<v1::UidRange>& ranges,
                            const MessageVisitor& visit) {
  const uint32_t highest = mailbox.uid_next() > 0 ? mailbox.uid_next() - 1 : 0;
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  if (ranges.empty()) spans.emplace_back(1, highest);
  for (const v1::UidRange& r : ranges) {
    if (r.first() == 0) return absl::InvalidArgumentError("UID 0 is not a valid UID");
    uint32_t first = r.first(), last = r.last() == 0 ? highest : r.last();
    if (first > last) std::swap(first, last);  // "5:3" means 3:5, and "7:*" on highest 4 means 4:7
    spans.emplace_back(first, std::min(last, highest));
  }
  std::sort(spans.begin(), spans.end());
  uint32_t next = 1;  // UIDs below this were visited already (ranges may overlap)
  for (auto [first, last] : spans) {
    first = std::max(first, next);
    if (first > last) continue;
    absl::Status visit_status;
    std::string begin = MessageKey(account_id, mailbox.id(), first);
    std::string end = last == UINT32_MAX ? PrefixEnd(MailboxKey(account_id, mailbox.id()))
                                         : MessageKey(account_id, mailbox.id(), last + 1);
    absl::Status s = reader.Scan(kMessages, begin, end, [&](std::string_view, std::string_view value) {
      v1::MessageInfo message;
      if (!message.ParseFromArray(value.data(), value.size())) {
        visit_status = absl::DataLossError("corrupt message record");
        return false;
      }
      visit_status = visit(message);
      return visit_status.ok();
    });
    if (!s.ok()) return s;
    if (!visit_status.ok()) return visit_status;
    next = last == UINT32_MAX ? last : last + 1;
  }
  return absl::OkStatus();
}

google::protobuf::RepeatedPtrField<v1::UidRange> UidRuns(std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  google::protobuf::RepeatedPtrField<v1::UidRange> runs;
  for (uint32_t uid : uids) {
    if (uid == 0) continue;
    if (!runs.empty() && runs[runs.size() - 1].last() + 1 == uid) {
      runs[runs.size() - 1].set_last(uid);
      continue;
    }
    v1::UidRange* run = runs.Add();
    run->set_first(uid);
    run->set_last(uid);
  }
  return runs;
}

absl::StatusOr<std::optional<v1::MessageInfo>> LoadMessage(KvReader& reader, uint64_t account_id,
                                                           uint64_t mailbox_id, uint32_t uid) {
  auto bytes = reader.Get(kMessages, MessageKey(account_id, mailbox_id, uid));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<v1::MessageInfo>();
  v1::MessageInfo message;
  if (!message.ParseFromString(**bytes)) return absl::DataLossError("corrupt message record");
  return message;
}

absl::StatusOr<std::string> LoadBlob(KvReader& reader, const v1::MessageInfo& message) {
  auto content = reader.Get(kBlobs, message.blob_id());
  if (!content.ok()) return content.status();
  if (!content->has_value()) return absl::DataLossError(absl::StrCat("blob ", message.blob_id(), " is missing"));
  return std::move(**content);
}

bool HasFlag(const v1::MessageInfo& message, std::string_view flag) {
  return std::find(message.flags().begin(), message.flags().end(), flag) != message.flags().end();
}

AccountWriter::AccountWriter(WriteTxn& txn, AccountRecord record,
                             std::function<void(uint64_t, std::vector<v1::Change>)> publish)
    : txn_(txn), record_(std::move(record)), publish_(std::move(publish)) {}

uint64_t AccountWriter::Modseq() {
  if (modseq_ == 0) {
    modseq_ = record_.highest_modseq() + 1;
    record_.set_highest_modseq(modseq_);
  }
  return modseq_;
}

void AccountWriter::Log(v1::Change change) {
  change.set_modseq(Modseq());
  change.set_time(absl::ToUnixSeconds(absl::Now()));
  txn_.Put(kChanges, ChangeKey(account_id(), change.modseq(), change_index_++), change.SerializeAsString());
  changes_.push_back(std::move(change));
}

absl::Status AccountWriter::AddMessage(v1::Mailbox& mailbox, v1::MessageInfo message, const std::string* content,
                                       uint32_t* uid_out) {
  if (absl::Status s = AddBlobRef(txn_, message.blob_id(), content); !s.ok()) return s;
  const uint32_t uid = mailbox.uid_next();
  if (uid == UINT32_MAX) return absl::FailedPreconditionError("mailbox has used up its UIDs");
  message.set_uid(uid);
  message.clear_pop3_hidden_at();
  message.set_modseq(Modseq());
  mailbox.set_uid_next(uid + 1);
  mailbox.set_highest_modseq(Modseq());
  CountMessage(mailbox, message, +1);
  v1::Account* account = record_.mutable_account();
  account->set_used_bytes(account->used_bytes() + message.size());
  account->set_message_count(account->message_count() + 1);
  txn_.Put(kMessages, MessageKey(account_id(), mailbox.id(), uid), message.SerializeAsString());
  v1::Change change;
  change.set_kind(v1::Change::MESSAGE_ADDED);
  change.set_mailbox_id(mailbox.id());
  change.set_mailbox(mailbox.name());
  change.set_uid(uid);
  *change.mutable_flags() = message.flags();
  Log(std::move(change));
  if (uid_out != nullptr) *uid_out = uid;
  return absl::OkStatus();
}

absl::Status AccountWriter::RemoveMessage(v1::Mailbox& mailbox, const v1::MessageInfo& message) {
  if (absl::Status s = DropBlobRef(txn_, message.blob_id()); !s.ok()) return s;
  txn_.Delete(kMessages, MessageKey(account_id(), mailbox.id(), message.uid()));
  CountMessage(mailbox, message, -1);
  mailbox.set_highest_modseq(Modseq());
  v1::Account* account = record_.mutable_account();
  account->set_used_bytes(account->used_bytes() - std::min<uint64_t>(account->used_bytes(), message.size()));
  account->set_message_count(account->message_count() - std::min<uint64_t>(account->message_count(), 1));
  if (message.pop3_hidden_at() != 0) {
    record_.set_pop3_hidden_messages(record_.pop3_hidden_messages() -
                                     std::min<uint64_t>(record_.pop3_hidden_messages(), 1));
    if (record_.pop3_hidden_messages() == 0) record_.set_pop3_oldest_hidden_at(0);
  }
  v1::Change change;
  change.set_kind(v1::Change::MESSAGE_EXPUNGED);
  change.set_mailbox_id(mailbox.id());
  change.set_mailbox(mailbox.name());
  change.set_uid(message.uid());
  Log(std::move(change));
  return absl::OkStatus();
}

void AccountWriter::UpdateFlags(v1::Mailbox& mailbox, v1::MessageInfo& message, std::vector<std::string> flags) {
  CountMessage(mailbox, message, -1);
  message.mutable_flags()->Assign(flags.begin(), flags.end());
  message.set_modseq(Modseq());
  CountMessage(mailbox, message, +1);
  mailbox.set_highest_modseq(Modseq());
  txn_.Put(kMessages, MessageKey(account_id(), mailbox.id(), message.uid()), message.SerializeAsString());
  v1::Change change;
  change.set_kind(v1::Change::FLAGS_CHANGED);
  change.set_mailbox_id(mailbox.id());
  change.set_mailbox(mailbox.name());
  change.set_uid(message.uid());
  *change.mutable_flags() = message.flags();
  Log(std::move(change));
}

void AccountWriter::HideFromPop3(const v1::Mailbox& mailbox, v1::MessageInfo& message, int64_t hidden_at) {
  hidden_at = std::max<int64_t>(hidden_at, 1);  // 0 means visible
  message.set_pop3_hidden_at(hidden_at);
  txn_.Put(kMessages, MessageKey(account_id(), mailbox.id(), message.uid()), message.SerializeAsString());
  record_.set_pop3_hidden_messages(record_.pop3_hidden_messages() + 1);
  if (record_.pop3_oldest_hidden_at() == 0 || hidden_at < record_.pop3_oldest_hidden_at()) {
    record_.set_pop3_oldest_hidden_at(hidden_at);
  }
}

void AccountWriter::SaveMailbox(const v1::Mailbox& mailbox) {
  txn_.Put(kMailboxes, MailboxKey(account_id(), mailbox.id()), mailbox.SerializeAsString());
}

void AccountWriter::Save() {
  txn_.Put(kAccounts, AccountKey(account_id()), record_.SerializeAsString());
  if (!changes_.empty() && publish_) {
    txn_.AfterCommit([publish = publish_, id = account_id(), changes = std::move(changes_)]() mutable {
      publish(id, std::move(changes));
    });
  }
}

absl::Status AddBlobRef(WriteTxn& txn, const std::string& blob_id, const std::string* content) {
  auto refs = txn.Get(kBlobRefs, blob_id);
  if (!refs.ok()) return refs.status();
  uint64_t count = refs->has_value() ? ReadU64(**refs) : 0;
  if (count == 0) {
    if (content == nullptr) return absl::DataLossError(absl::StrCat("blob ", blob_id, " is missing"));
    txn.Put(kBlobs, blob_id, *content);
  }
  std::string value;
  AppendU64(&value, count + 1);
  txn.Put(kBlobRefs, blob_id, value);
  return absl::OkStatus();
}

absl::Status DropBlobRef(WriteTxn& txn, const std::string& blob_id) {
  auto refs = txn.Get(kBlobRefs, blob_id);
  if (!refs.ok()) return refs.status();
  uint64_t count = refs->has_value() ? ReadU64(**refs) : 0;
  if (count <= 1) {  // the last reference: the bytes go with it
    txn.Delete(kBlobRefs, blob_id);
    txn.Delete(kBlobs, blob_id);
    return absl::OkStatus();
  }
  std::string value;
  AppendU64(&value, count - 1);
  txn.Put(kBlobRefs, blob_id, value);
  return absl::OkStatus();
}

}  // namespace kurier::storage
