// MailStore: the change log, watching, backup, statistics, retention and the
// consistency check (of the message index and the outbound queue).
#include <map>

#include "absl/strings/str_cat.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/mail_store_impl.h"

namespace kurier::storage {

absl::StatusOr<v1::GetChangesResponse> MailStoreImpl::GetChanges(const v1::GetChangesRequest& request) {
  const uint32_t limit = request.limit() == 0 ? 10000 : std::min<uint32_t>(request.limit(), 100000);
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  const uint64_t id = record->account().id();
  const std::string& name = record->account().name();
  v1::GetChangesResponse response;
  response.set_highest_modseq(record->highest_modseq());
  bool corrupt = false;
  absl::Status s = reader.Scan(kChanges, ChangeKey(id, request.since_modseq() + 1, 0), PrefixEnd(AccountKey(id)),
                               [&](std::string_view, std::string_view value) {
                                 v1::Change* change = response.add_changes();
                                 corrupt = !change->ParseFromArray(value.data(), value.size());
                                 change->set_account(name);
                                 return !corrupt && static_cast<uint32_t>(response.changes_size()) < limit;
                               });
  if (!s.ok()) return s;
  if (corrupt) return absl::DataLossError("corrupt change record");
  return response;
}

absl::StatusOr<std::unique_ptr<MailStore::Subscription>> MailStoreImpl::Watch(std::string_view account,
                                                                             ChangeListener listener) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, account);
  if (!record.ok()) return record.status();
  return hub_.Subscribe(record->account().id(), std::move(listener));
}

std::unique_ptr<MailStore::Subscription> MailStoreImpl::WatchAll(ChangeListener listener) {
  return hub_.SubscribeAll(std::move(listener));
}

absl::Status MailStoreImpl::Backup(std::string_view directory) {
  if (directory.empty()) return absl::InvalidArgumentError("backup directory is not set");
  rocksdb::Checkpoint* raw = nullptr;
  if (rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw); !s.ok()) return FromRocks(s);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  rocksdb::Status s = checkpoint->CreateCheckpoint(std::string(directory));
  if (s.IsInvalidArgument()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot back up into ", std::string(directory), ": ", s.ToString()));
  }
  return FromRocks(s);
}

absl::StatusOr<v1::Stats> MailStoreImpl::GetStats() {
  SnapshotReader reader(db_.get(), &cfs_);
  v1::Stats stats;
  absl::Status s = reader.Scan(kAccounts, "", "", [&](std::string_view, std::string_view) {
    stats.set_accounts(stats.accounts() + 1);
    return true;
  });
  if (!s.ok()) return s;
  s = reader.Scan(kBlobRefs, "", "", [&](std::string_view, std::string_view) {
    stats.set_blobs(stats.blobs() + 1);
    return true;
  });
  if (!s.ok()) return s;
  // Blob files hold flushed bodies; newer ones are still in the memtable.
  uint64_t in_files = 0, in_memory = 0;
  db_->GetIntProperty(cfs_[kBlobs], "rocksdb.total-blob-file-size", &in_files);
  db_->GetIntProperty(cfs_[kBlobs], "rocksdb.cur-size-all-mem-tables", &in_memory);
  stats.set_blob_bytes(in_files + in_memory);
  stats.set_deliveries(deliveries_.load(std::memory_order_relaxed));
  GroupCommitWriter::Stats writes = writer_->stats();
  stats.set_commits(writes.commits);
  stats.set_committed_writes(writes.operations);
  return stats;
}

absl::StatusOr<uint64_t> MailStoreImpl::RunRetention(absl::Time now) {
  // Find what is due from a snapshot, then expunge it account by account so
  // that no single write grows without bound.
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> due;  // account -> mailboxes with a max age
  {
    SnapshotReader reader(db_.get(), &cfs_);
    absl::Status s = reader.Scan(kMailboxes, "", "", [&](std::string_view key, std::string_view value) {
      v1::Mailbox mailbox;
      if (mailbox.ParseFromArray(value.data(), value.size()) && mailbox.max_age_days() > 0 && mailbox.messages() > 0) {
        const uint64_t account_id = ReadU64(key);
        if (due.empty() || due.back().first != account_id) due.emplace_back(account_id, std::vector<uint64_t>());
        due.back().second.push_back(mailbox.id());
      }
      return true;
    });
    if (!s.ok()) return s;
  }
  uint64_t expunged_total = 0;
  for (const auto& [account_id, mailbox_ids] : due) {
    absl::Status s = writer_->Run([&](WriteTxn& txn) -> absl::Status {
      auto record = LoadAccount(txn, account_id);
      if (absl::IsNotFound(record.status())) return absl::OkStatus();  // deleted meanwhile
      if (!record.ok()) return record.status();
      AccountWriter writer = Writer(txn, *std::move(record));
      for (uint64_t mailbox_id : mailbox_ids) {
        auto bytes = txn.Get(kMailboxes, MailboxKey(account_id, mailbox_id));
        if (!bytes.ok()) return bytes.status();
        if (!bytes->has_value()) continue;
        v1::Mailbox mailbox;
        mailbox.ParseFromString(**bytes);
        const int64_t cutoff = absl::ToUnixSeconds(now - absl::Hours(24) * mailbox.max_age_days());
        google::protobuf::RepeatedPtrField<v1::UidRange> old;
        absl::Status scan = ForEachMessage(txn, account_id, mailbox, {}, [&](const v1::MessageInfo& m) {
          if (m.internal_date() < cutoff) {
            v1::UidRange* r = old.Add();
            r->set_first(m.uid());
            r->set_last(m.uid());
          }
          return absl::OkStatus();
        });
        if (!scan.ok()) return scan;
        if (old.empty()) continue;
        std::vector<uint32_t> expunged;
        if (absl::Status e = ExpungeIn(writer, mailbox, old, /*ignore_deleted_flag=*/true, &expunged); !e.ok()) return e;
        expunged_total += expunged.size();
      }
      writer.Save();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }

  auto hidden = ExpireHiddenPop3Mail(now);
  if (!hidden.ok()) return hidden.status();
  expunged_total += *hidden;

  // Forget idempotency keys past their lifetime.
  const int64_t key_cutoff = absl::ToUnixSeconds(now - options_.idempotency_ttl);
  std::vector<std::string> stale;
  {
    SnapshotReader reader(db_.get(), &cfs_);
    absl::Status s = reader.Scan(kIdempotency, "", "", [&](std::string_view key, std::string_view value) {
      IdempotencyRecord record;
      if (!record.ParseFromArray(value.data(), value.size()) || record.created_at() < key_cutoff) stale.emplace_back(key);
      return true;
    });
    if (!s.ok()) return s;
  }
  if (!stale.empty()) {
    absl::Status s = writer_->Run([&](WriteTxn& txn) {
      for (const std::string& key : stale) txn.Delete(kIdempotency, key);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return expunged_total;
}

absl::StatusOr<std::vector<std::string>> MailStoreImpl::CheckConsistency() {
  SnapshotReader reader(db_.get(), &cfs_);
  std::vector<std::string> problems;
  std::map<std::string, uint64_t> refs;
  std::map<std::pair<uint64_t, uint64_t>, std::pair<uint32_t, uint32_t>> per_mailbox;  // count, highest uid
  std::map<uint64_t, uint64_t> used_bytes;
  std::map<uint64_t, uint64_t> pop3_hidden;
  absl::Status s = reader.Scan(kMessages, "", "", [&](std::string_view key, std::string_view value) {
    v1::MessageInfo m;
    if (!m.ParseFromArray(value.data(), value.size())) {
      problems.push_back("corrupt message record");
      return true;
    }
    ++refs[m.blob_id()];
    auto& [count, highest] = per_mailbox[{ReadU64(key), ReadU64(key.substr(8))}];
    ++count;
    highest = std::max(highest, m.uid());
    used_bytes[ReadU64(key)] += m.size();
    if (m.pop3_hidden_at() != 0) ++pop3_hidden[ReadU64(key)];
    return true;
  });
  if (!s.ok()) return s;
  // Queued outbound messages hold a reference each, like a message copy.
  s = reader.Scan(kOutbound, "", "", [&](std::string_view, std::string_view value) {
    OutboundRecord record;
    if (!record.ParseFromArray(value.data(), value.size())) {
      problems.push_back("corrupt outbound record");
      return true;
    }
    ++refs[record.blob_id()];
    return true;
  });
  if (!s.ok()) return s;
  std::map<std::string, uint64_t> stored;
  s = reader.Scan(kBlobRefs, "", "", [&](std::string_view key, std::string_view value) {
    stored[std::string(key)] = ReadU64(value);
    return true;
  });
  if (!s.ok()) return s;
  for (const auto& [blob, count] : refs) {
    if (stored[blob] != count) {
      problems.push_back(absl::StrCat("blob ", blob, ": ", count, " references in the index, ", stored[blob], " stored"));
    }
    auto content = reader.Get(kBlobs, blob);
    if (!content.ok()) return content.status();
    if (!content->has_value()) problems.push_back(absl::StrCat("blob ", blob, " is referenced but missing"));
  }
  for (const auto& [blob, count] : stored) {
    if (refs.find(blob) == refs.end()) problems.push_back(absl::StrCat("blob ", blob, " is stored but unreferenced"));
  }
  s = reader.Scan(kMailboxes, "", "", [&](std::string_view key, std::string_view value) {
    v1::Mailbox mailbox;
    mailbox.ParseFromArray(value.data(), value.size());
    auto [count, highest] = per_mailbox[{ReadU64(key), mailbox.id()}];
    if (count != mailbox.messages() || highest >= mailbox.uid_next()) {
      problems.push_back(absl::StrCat("mailbox ", mailbox.name(), " of account ", ReadU64(key), ": counts ",
                                      mailbox.messages(), " and UIDNEXT ", mailbox.uid_next(), ", index has ", count,
                                      " messages up to UID ", highest));
    }
    return true;
  });
  if (!s.ok()) return s;
  s = reader.Scan(kAccounts, "", "", [&](std::string_view key, std::string_view value) {
    AccountRecord record;
    record.ParseFromArray(value.data(), value.size());
    if (record.account().used_bytes() != used_bytes[ReadU64(key)]) {
      problems.push_back(absl::StrCat("account ", record.account().name(), ": used_bytes ",
                                      record.account().used_bytes(), ", index sums to ", used_bytes[ReadU64(key)]));
    }
    if (record.pop3_hidden_messages() != pop3_hidden[ReadU64(key)]) {
      problems.push_back(absl::StrCat("account ", record.account().name(), ": ", record.pop3_hidden_messages(),
                                      " messages hidden from POP3, index has ", pop3_hidden[ReadU64(key)]));
    }
    return true;
  });
  if (!s.ok()) return s;
  return problems;
}

}  // namespace kurier::storage
