// MailStore: leases (RFC 1939's exclusive maildrop lock, in memory) and the
// POP3 policy: what DELE followed by QUIT does to an account's INBOX.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/mail_store_impl.h"

namespace kurier::storage {
namespace {

// The lease Pop3Commit requires.
constexpr char kPop3LeaseName[] = "pop3";

v1::Lease ToLease(const LeaseTable::Grant& grant) {
  v1::Lease lease;
  lease.set_lease_id(grant.lease_id);
  lease.set_ttl_ms(static_cast<uint32_t>(absl::ToInt64Milliseconds(grant.ttl)));
  return lease;
}

}  // namespace

v1::Pop3Policy MailStoreImpl::EffectivePop3Policy(const v1::Account& account) const {
  if (account.pop3_policy() != v1::POP3_POLICY_UNSPECIFIED) return account.pop3_policy();
  if (options_.pop3_policy != v1::POP3_POLICY_UNSPECIFIED) return options_.pop3_policy;
  return v1::POP3_DELETE;
}

uint32_t MailStoreImpl::EffectivePop3KeepDays(const v1::Account& account) const {
  return account.pop3_keep_days() != 0 ? account.pop3_keep_days() : options_.pop3_keep_days;
}

absl::StatusOr<v1::Lease> MailStoreImpl::AcquireLease(const v1::AcquireLeaseRequest& request) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  auto grant = leases_.Acquire(record->account().id(), request.name(), request.holder(),
                               absl::Milliseconds(request.ttl_ms()));
  if (!grant.ok()) return grant.status();
  return ToLease(*grant);
}

absl::StatusOr<v1::Lease> MailStoreImpl::RenewLease(const v1::RenewLeaseRequest& request) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  auto grant = leases_.Renew(record->account().id(), request.name(), request.lease_id(),
                             absl::Milliseconds(request.ttl_ms()));
  if (!grant.ok()) return grant.status();
  return ToLease(*grant);
}

absl::Status MailStoreImpl::ReleaseLease(const v1::ReleaseLeaseRequest& request) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (absl::IsNotFound(record.status())) return absl::OkStatus();  // gone with its account
  if (!record.ok()) return record.status();
  leases_.Release(record->account().id(), request.name(), request.lease_id());
  return absl::OkStatus();
}

absl::StatusOr<v1::Account> MailStoreImpl::SetPop3Policy(const v1::SetPop3PolicyRequest& request) {
  if (!v1::Pop3Policy_IsValid(request.policy())) {
    return absl::InvalidArgumentError(absl::StrCat("unknown POP3 policy ", static_cast<int>(request.policy())));
  }
  v1::Account result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, request.name(), [&](AccountWriter& writer) {
      v1::Account* account = writer.record().mutable_account();
      account->set_pop3_policy(request.policy());
      account->set_pop3_keep_days(request.keep_days());
      result = *account;
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<v1::Pop3CommitResponse> MailStoreImpl::Pop3Commit(const v1::Pop3CommitRequest& request) {
  if (std::find(request.uids().begin(), request.uids().end(), 0u) != request.uids().end()) {
    return absl::InvalidArgumentError("UID 0 is not a valid UID");
  }
  // A session usually deletes long runs (DELE 1..n): one scan each.
  const google::protobuf::RepeatedPtrField<v1::UidRange> uids = UidRuns({request.uids().begin(), request.uids().end()});
  v1::Pop3CommitResponse response;
  absl::Status s = RunIdempotent("Pop3Commit", request.idempotency_key(), &response, [&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      // Checked here, in the write itself, so that no other session can have
      // taken the account between the check and the commit's changes.
      if (!leases_.IsHeld(writer.account_id(), kPop3LeaseName, request.lease_id())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the session does not hold the account's \"", kPop3LeaseName, "\" lease (it expired or was released)"));
      }
      response.Clear();
      const v1::Pop3Policy policy = EffectivePop3Policy(writer.record().account());
      response.set_policy(policy);
      if (uids.empty()) return absl::OkStatus();  // an empty set would select every message
      auto inbox = FindMailbox(txn, writer.account_id(), "INBOX");
      if (!inbox.ok()) return inbox.status();
      std::vector<uint32_t> affected;
      if (policy == v1::POP3_DELETE) {
        if (absl::Status e = ExpungeIn(writer, *inbox, uids, /*ignore_deleted_flag=*/true, &affected); !e.ok()) {
          return e;
        }
      } else {
        std::vector<v1::MessageInfo> visible;
        absl::Status scan = ForEachMessage(txn, writer.account_id(), *inbox, uids, [&](const v1::MessageInfo& m) {
          if (m.pop3_hidden_at() == 0) visible.push_back(m);
          return absl::OkStatus();
        });
        if (!scan.ok()) return scan;
        const int64_t now = absl::ToUnixSeconds(Now());
        for (v1::MessageInfo& m : visible) {
          writer.HideFromPop3(*inbox, m, now);
          affected.push_back(m.uid());
        }
      }
      response.mutable_uids()->Assign(affected.begin(), affected.end());
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<uint64_t> MailStoreImpl::ExpireHiddenPop3Mail(absl::Time now) {
  // Accounts whose oldest hidden message may be due, from a snapshot; each is
  // then expunged in a write of its own.
  std::vector<uint64_t> due;
  {
    SnapshotReader reader(db_.get(), &cfs_);
    absl::Status s = reader.Scan(kAccounts, "", "", [&](std::string_view, std::string_view value) {
      AccountRecord record;
      if (!record.ParseFromArray(value.data(), value.size()) || record.pop3_hidden_messages() == 0) return true;
      const uint32_t keep_days = EffectivePop3KeepDays(record.account());
      if (keep_days > 0 && record.pop3_oldest_hidden_at() < absl::ToUnixSeconds(now - absl::Hours(24) * keep_days)) {
        due.push_back(record.account().id());
      }
      return true;
    });
    if (!s.ok()) return s;
  }
  uint64_t expunged_total = 0;
  for (uint64_t account_id : due) {
    absl::Status s = writer_->Run([&](WriteTxn& txn) -> absl::Status {
      auto record = LoadAccount(txn, account_id);
      if (absl::IsNotFound(record.status())) return absl::OkStatus();  // deleted meanwhile
      if (!record.ok()) return record.status();
      AccountWriter writer = Writer(txn, *std::move(record));
      const uint32_t keep_days = EffectivePop3KeepDays(writer.record().account());
      if (keep_days == 0) return absl::OkStatus();  // changed meanwhile
      const int64_t cutoff = absl::ToUnixSeconds(now - absl::Hours(24) * keep_days);
      auto inbox = FindMailbox(txn, account_id, "INBOX");
      if (!inbox.ok()) return inbox.status();  // INBOX cannot be deleted: a real failure
      google::protobuf::RepeatedPtrField<v1::UidRange> old;
      uint64_t still_hidden = 0;
      int64_t oldest = 0;
      absl::Status scan = ForEachMessage(txn, account_id, *inbox, {}, [&](const v1::MessageInfo& m) {
        if (m.pop3_hidden_at() == 0) return absl::OkStatus();
        if (m.pop3_hidden_at() < cutoff) {
          v1::UidRange* r = old.Add();
          r->set_first(m.uid());
          r->set_last(m.uid());
        } else {
          ++still_hidden;
          if (oldest == 0 || m.pop3_hidden_at() < oldest) oldest = m.pop3_hidden_at();
        }
        return absl::OkStatus();
      });
      if (!scan.ok()) return scan;
      if (!old.empty()) {
        std::vector<uint32_t> expunged;
        if (absl::Status e = ExpungeIn(writer, *inbox, old, /*ignore_deleted_flag=*/true, &expunged); !e.ok()) {
          return e;
        }
        expunged_total += expunged.size();
      }
      // Recounted from the INBOX itself, so the hint can never stay wrong.
      writer.record().set_pop3_hidden_messages(still_hidden);
      writer.record().set_pop3_oldest_hidden_at(oldest);
      writer.Save();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return expunged_total;
}

}  // namespace kurier::storage
