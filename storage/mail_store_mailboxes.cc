// MailStore: mailboxes.
#include "absl/strings/str_cat.h"
#include "storage/mail_store_impl.h"
#include "storage/names.h"

namespace kurier::storage {
namespace {

std::string Quoted(const std::string& name) { return absl::StrCat("\"", name, "\""); }

}  // namespace

absl::StatusOr<std::vector<v1::Mailbox>> MailStoreImpl::ListMailboxes(std::string_view account) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, account);
  if (!record.ok()) return record.status();
  auto mailboxes = LoadMailboxes(reader, record->account().id());
  if (!mailboxes.ok()) return mailboxes.status();
  std::sort(mailboxes->begin(), mailboxes->end(),
            [](const v1::Mailbox& a, const v1::Mailbox& b) { return a.name() < b.name(); });
  return mailboxes;
}

absl::StatusOr<v1::Mailbox> MailStoreImpl::CreateMailbox(const v1::CreateMailboxRequest& request) {
  auto name = NormalizeMailboxName(request.name());
  if (!name.ok()) return name.status();
  v1::Mailbox result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      auto existing = FindMailbox(txn, writer.account_id(), *name);
      if (existing.ok()) return absl::AlreadyExistsError(absl::StrCat("mailbox ", Quoted(*name), " already exists"));
      if (!absl::IsNotFound(existing.status())) return existing.status();
      auto created = NewMailbox(writer, *name, request.special_use(), request.max_age_days());
      if (!created.ok()) return created.status();
      result = *created;
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::Status MailStoreImpl::DeleteMailbox(std::string_view account, std::string_view name) {
  auto normalized = NormalizeMailboxName(name);
  if (!normalized.ok()) return normalized.status();
  if (*normalized == "INBOX") return absl::FailedPreconditionError("INBOX cannot be deleted");
  return writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, account, [&](AccountWriter& writer) -> absl::Status {
      auto mailboxes = LoadMailboxes(txn, writer.account_id());
      if (!mailboxes.ok()) return mailboxes.status();
      v1::Mailbox* target = nullptr;
      for (v1::Mailbox& m : *mailboxes) {
        if (m.name() == *normalized) target = &m;
        if (IsBelow(m.name(), *normalized)) {
          return absl::FailedPreconditionError(
              absl::StrCat("mailbox ", Quoted(*normalized), " has child mailboxes; delete them first"));
        }
      }
      if (target == nullptr) return absl::NotFoundError(absl::StrCat("no mailbox ", Quoted(*normalized)));
      std::vector<uint32_t> expunged;
      if (absl::Status e = ExpungeIn(writer, *target, {}, /*ignore_deleted_flag=*/true, &expunged); !e.ok()) return e;
      txn.Delete(kMailboxes, MailboxKey(writer.account_id(), target->id()));
      v1::Change change;
      change.set_kind(v1::Change::MAILBOX_DELETED);
      change.set_mailbox_id(target->id());
      change.set_mailbox(target->name());
      writer.Log(std::move(change));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Mailbox> MailStoreImpl::RenameMailbox(std::string_view account, std::string_view from,
                                                         std::string_view to) {
  auto old_name = NormalizeMailboxName(from);
  if (!old_name.ok()) return old_name.status();
  auto new_name = NormalizeMailboxName(to);
  if (!new_name.ok()) return new_name.status();
  if (*new_name == "INBOX") return absl::AlreadyExistsError("mailbox \"INBOX\" already exists");
  if (*new_name == *old_name || IsBelow(*new_name, *old_name)) {
    return absl::InvalidArgumentError("a mailbox cannot be renamed to itself or below itself");
  }
  v1::Mailbox result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, account, [&](AccountWriter& writer) -> absl::Status {
      auto mailboxes = LoadMailboxes(txn, writer.account_id());
      if (!mailboxes.ok()) return mailboxes.status();
      v1::Mailbox* source = nullptr;
      for (v1::Mailbox& m : *mailboxes) {
        if (m.name() == *new_name) {
          return absl::AlreadyExistsError(absl::StrCat("mailbox ", Quoted(*new_name), " already exists"));
        }
        if (m.name() == *old_name) source = &m;
      }
      if (source == nullptr) return absl::NotFoundError(absl::StrCat("no mailbox ", Quoted(*old_name)));

      if (*old_name == "INBOX") {
        // RFC 9051 6.3.6: the messages move to a new mailbox; INBOX stays,
        // empty, and its children stay where they are.
        auto created = NewMailbox(writer, *new_name, "", 0);
        if (!created.ok()) return created.status();
        v1::Mailbox target = *created;
        std::vector<v1::MessageInfo> moved;
        absl::Status scan = ForEachMessage(txn, writer.account_id(), *source, {}, [&](const v1::MessageInfo& m) {
          moved.push_back(m);
          return absl::OkStatus();
        });
        if (!scan.ok()) return scan;
        for (const v1::MessageInfo& m : moved) {
          if (absl::Status a = writer.AddMessage(target, m, nullptr, nullptr); !a.ok()) return a;
          if (absl::Status r = writer.RemoveMessage(*source, m); !r.ok()) return r;
        }
        writer.SaveMailbox(target);
        writer.SaveMailbox(*source);
        result = target;
        return absl::OkStatus();
      }

      for (v1::Mailbox& m : *mailboxes) {
        if (m.name() != *old_name && !IsBelow(m.name(), *old_name)) continue;
        const std::string renamed = *new_name + m.name().substr(old_name->size());
        v1::Change change;
        change.set_kind(v1::Change::MAILBOX_RENAMED);
        change.set_mailbox_id(m.id());
        change.set_mailbox(renamed);
        m.set_name(renamed);
        m.set_highest_modseq(writer.Modseq());
        writer.Log(std::move(change));
        writer.SaveMailbox(m);
        if (m.id() == source->id()) result = m;
      }
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<v1::Mailbox> MailStoreImpl::SetSubscribed(std::string_view account, std::string_view name,
                                                         bool subscribed) {
  v1::Mailbox result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, account, [&](AccountWriter& writer) -> absl::Status {
      auto mailbox = FindMailbox(txn, writer.account_id(), name);
      if (!mailbox.ok()) return mailbox.status();
      mailbox->set_subscribed(subscribed);
      writer.SaveMailbox(*mailbox);
      result = *mailbox;
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<v1::Mailbox> MailStoreImpl::GetMailboxStatus(std::string_view account, std::string_view name) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, account);
  if (!record.ok()) return record.status();
  return FindMailbox(reader, record->account().id(), name);
}

}  // namespace kurier::storage
