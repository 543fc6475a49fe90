#include "storage/lease_table.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace kurier::storage {
namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr size_t kMaxHolderBytes = 256;
constexpr size_t kMinSweepAt = 1024;

// 128 random bits from OpenSSL's CSPRNG, as hex.
absl::StatusOr<std::string> NewLeaseId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return absl::InternalError("OpenSSL could not make random bytes");
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// Lease ids are secrets: compared in constant time.
bool SameId(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("the lease name is empty");
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the lease name is longer than ", kMaxNameBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

LeaseTable::LeaseTable(Clock clock, Options options) : clock_(std::move(clock)), options_(options) {}

absl::Duration LeaseTable::Ttl(absl::Duration requested) const {
  if (requested <= absl::ZeroDuration()) return options_.default_ttl;
  return std::min(requested, options_.max_ttl);
}

std::map<LeaseTable::Key, LeaseTable::Entry>::iterator LeaseTable::FindLive(const Key& key, std::string_view lease_id,
                                                                              absl::Time now) {
  auto it = leases_.find(key);
  if (it == leases_.end()) return it;
  if (it->second.expires <= now) {
    leases_.erase(it);
    return leases_.end();
  }
  return SameId(it->second.lease_id, lease_id) ? it : leases_.end();
}

void LeaseTable::MaybeSweep(absl::Time now) {
  if (leases_.size() < sweep_at_) return;
  for (auto it = leases_.begin(); it != leases_.end();) {
    it = it->second.expires <= now ? leases_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max(kMinSweepAt, 2 * leases_.size());
}

absl::StatusOr<LeaseTable::Grant> LeaseTable::Acquire(uint64_t account_id, std::string_view name,
                                                      std::string_view holder, absl::Duration ttl) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (holder.size() > kMaxHolderBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the lease holder is longer than ", kMaxHolderBytes, " bytes"));
  }
  auto id = NewLeaseId();
  if (!id.ok()) return id.status();
  const Grant grant{*std::move(id), Ttl(ttl)};

  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  MaybeSweep(now);
  Key key(account_id, std::string(name));
  auto it = leases_.find(key);
  if (it != leases_.end() && it->second.expires > now) {
    return absl::FailedPreconditionError(
        absl::StrCat("the account is in use: its \"", key.second, "\" lease is held by ", it->second.holder,
                     " for another ", absl::ToInt64Seconds(absl::Ceil(it->second.expires - now, absl::Seconds(1))),
                     " s"));
  }
  if (it == leases_.end() && leases_.size() >= options_.max_leases) {
    sweep_at_ = 0;  // sweep now; give up only if the live ones fill the table
    MaybeSweep(now);
    if (leases_.size() >= options_.max_leases) {
      return absl::ResourceExhaustedError(absl::StrCat("too many leases (", leases_.size(), ") are held"));
    }
  }
  leases_[std::move(key)] = Entry{grant.lease_id, holder.empty() ? "an unnamed holder" : std::string(holder),
                                  now + grant.ttl};
  return grant;
}

absl::StatusOr<LeaseTable::Grant> LeaseTable::Renew(uint64_t account_id, std::string_view name,
                                                    std::string_view lease_id, absl::Duration ttl) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  auto it = FindLive(Key(account_id, std::string(name)), lease_id, now);
  if (it == leases_.end()) {
    return absl::NotFoundError(absl::StrCat("no live \"", std::string(name),
                                            "\" lease with this id: it expired or was released"));
  }
  const Grant grant{it->second.lease_id, Ttl(ttl)};
  it->second.expires = now + grant.ttl;
  return grant;
}

void LeaseTable::Release(uint64_t account_id, std::string_view name, std::string_view lease_id) {
  absl::MutexLock lock(&mu_);
  auto it = FindLive(Key(account_id, std::string(name)), lease_id, Now());
  if (it != leases_.end()) leases_.erase(it);
}

bool LeaseTable::IsHeld(uint64_t account_id, std::string_view name, std::string_view lease_id) {
  absl::MutexLock lock(&mu_);
  return FindLive(Key(account_id, std::string(name)), lease_id, Now()) != leases_.end();
}

size_t LeaseTable::size() const {
  absl::MutexLock lock(&mu_);
  return leases_.size();
}

}  // namespace kurier::storage
