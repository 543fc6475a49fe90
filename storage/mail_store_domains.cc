// MailStore: local domains and what mail for an address becomes
// (ResolveRecipient, the SMTP RCPT question).
//
// A domain is local when it has a record in the domains column family. Every
// account's domains are local (CreateAccount and SetAliases add them; a
// database from before domains were kept gets them once at open), and an
// operator adds others, or a catch-all, with SetDomain.
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "storage/mail_store_impl.h"
#include "storage/names.h"

namespace kurier::storage {
namespace {

using Outcome = v1::ResolveRecipientResponse;

// Marks a database whose accounts' domains were made local domains.
constexpr char kDomainsBackfilledKey[] = "domains_backfilled";

absl::StatusOr<std::optional<v1::Domain>> LoadDomain(KvReader& reader, std::string_view name) {
  auto bytes = reader.Get(kDomains, name);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<v1::Domain>();
  v1::Domain domain;
  if (!domain.ParseFromString(**bytes)) return absl::DataLossError("corrupt domain record");
  return domain;
}

// The account with this normalized address; nullopt when there is none.
absl::StatusOr<std::optional<AccountRecord>> FindAccount(KvReader& reader, std::string_view address) {
  auto record = LoadAccountByAddress(reader, address);
  if (absl::IsNotFound(record.status())) return std::optional<AccountRecord>();
  if (!record.ok()) return record.status();
  return std::optional<AccountRecord>(*std::move(record));
}

bool OverQuota(const v1::Account& account, uint64_t message_size) {
  return account.quota_bytes() > 0 &&
         (account.used_bytes() >= account.quota_bytes() || account.used_bytes() + message_size > account.quota_bytes());
}

v1::ResolveRecipientResponse Local(const v1::Account& account, uint64_t message_size) {
  v1::ResolveRecipientResponse response;
  response.set_outcome(Outcome::LOCAL);
  response.set_account(account.name());
  response.set_over_quota(OverQuota(account, message_size));
  return response;
}

v1::ResolveRecipientResponse Refused(Outcome::Outcome outcome) {
  v1::ResolveRecipientResponse response;
  response.set_outcome(outcome);
  return response;
}

}  // namespace

absl::StatusOr<v1::ResolveRecipientResponse> MailStoreImpl::ResolveRecipient(
    const v1::ResolveRecipientRequest& request) {
  auto address = NormalizeAddress(request.address());
  if (!address.ok()) return address.status();
  const std::string_view domain_name = DomainOfAddress(*address);
  if (!domain_name.empty() && domain_name.front() == '[') return Refused(Outcome::NOT_LOCAL);  // a domain literal
  SnapshotReader reader(db_.get(), &cfs_);
  auto domain = LoadDomain(reader, domain_name);
  if (!domain.ok()) return domain.status();
  if (!domain->has_value()) return Refused(Outcome::NOT_LOCAL);

  auto exact = FindAccount(reader, *address);
  if (!exact.ok()) return exact.status();
  if (exact->has_value()) return Local((*exact)->account(), request.message_size());
  if (request.exact_only()) return Refused(Outcome::UNKNOWN_USER);

  if (const std::string base = WithoutSubaddress(*address); !base.empty()) {
    auto owner = FindAccount(reader, base);
    if (!owner.ok()) return owner.status();
    if (owner->has_value()) {
      v1::ResolveRecipientResponse response = Local((*owner)->account(), request.message_size());
      response.set_subaddress(true);
      return response;
    }
  }
  if (const std::string& catch_all = (*domain)->catch_all(); !catch_all.empty()) {
    auto owner = FindAccount(reader, catch_all);
    if (!owner.ok()) return owner.status();
    if (owner->has_value()) {  // gone when the account was deleted
      v1::ResolveRecipientResponse response = Local((*owner)->account(), request.message_size());
      response.set_catch_all(true);
      return response;
    }
  }
  return Refused(Outcome::UNKNOWN_USER);
}

absl::StatusOr<v1::Domain> MailStoreImpl::SetDomain(const v1::Domain& domain) {
  auto name = NormalizeDomain(domain.name());
  if (!name.ok()) return name.status();
  v1::Domain stored;
  stored.set_name(*name);
  absl::Status s = writer_->Run([&](WriteTxn& txn) -> absl::Status {
    if (!domain.catch_all().empty()) {
      auto account = LoadAccountByAddress(txn, domain.catch_all());
      if (!account.ok()) return account.status();
      stored.set_catch_all(account->account().name());
    }
    txn.Put(kDomains, *name, stored.SerializeAsString());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

absl::Status MailStoreImpl::DeleteDomain(std::string_view name) {
  auto normalized = NormalizeDomain(name);
  if (!normalized.ok()) return normalized.status();
  return writer_->Run([&](WriteTxn& txn) -> absl::Status {
    auto domain = LoadDomain(txn, *normalized);
    if (!domain.ok()) return domain.status();
    if (!domain->has_value()) return absl::NotFoundError(absl::StrCat("no domain ", *normalized));
    txn.Delete(kDomains, *normalized);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListDomainsResponse> MailStoreImpl::ListDomains() {
  SnapshotReader reader(db_.get(), &cfs_);
  v1::ListDomainsResponse response;
  bool corrupt = false;
  absl::Status s = reader.Scan(kDomains, "", "", [&](std::string_view, std::string_view value) {
    corrupt = !response.add_domains()->ParseFromArray(value.data(), value.size());
    return !corrupt;
  });
  if (!s.ok()) return s;
  if (corrupt) return absl::DataLossError("corrupt domain record");
  return response;
}

absl::Status MailStoreImpl::AddDomainsOf(WriteTxn& txn, const std::vector<std::string>& addresses) {
  std::set<std::string> domains;
  for (const std::string& address : addresses) {
    auto domain = NormalizeDomain(DomainOfAddress(address));
    if (domain.ok()) domains.insert(*domain);
  }
  for (const std::string& name : domains) {
    auto known = txn.Get(kDomains, name);
    if (!known.ok()) return known.status();
    if (known->has_value()) continue;
    v1::Domain domain;
    domain.set_name(name);
    txn.Put(kDomains, name, domain.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status MailStoreImpl::ClearCatchAll(WriteTxn& txn, std::string_view account) {
  std::vector<v1::Domain> changed;
  absl::Status s = txn.Scan(kDomains, "", "", [&](std::string_view, std::string_view value) {
    v1::Domain domain;
    if (domain.ParseFromArray(value.data(), value.size()) && domain.catch_all() == account) {
      domain.clear_catch_all();
      changed.push_back(std::move(domain));
    }
    return true;
  });
  if (!s.ok()) return s;
  // Written after the scan: writing to the batch while iterating it is not safe.
  for (const v1::Domain& domain : changed) txn.Put(kDomains, domain.name(), domain.SerializeAsString());
  return absl::OkStatus();
}

absl::Status MailStoreImpl::BackfillDomains() {
  {
    SnapshotReader reader(db_.get(), &cfs_);
    auto done = reader.Get(kDefault, kDomainsBackfilledKey);
    if (!done.ok()) return done.status();
    if (done->has_value()) return absl::OkStatus();  // the usual case: no write at open
  }
  return writer_->Run([&](WriteTxn& txn) -> absl::Status {
    auto done = txn.Get(kDefault, kDomainsBackfilledKey);
    if (!done.ok()) return done.status();
    if (done->has_value()) return absl::OkStatus();
    std::vector<std::string> addresses;
    absl::Status s = txn.Scan(kAddresses, "", "", [&](std::string_view key, std::string_view) {
      addresses.emplace_back(key);
      return true;
    });
    if (!s.ok()) return s;
    if (absl::Status a = AddDomainsOf(txn, addresses); !a.ok()) return a;
    txn.Put(kDefault, kDomainsBackfilledKey, "1");
    return absl::OkStatus();
  });
}

}  // namespace kurier::storage
