// Short exclusive claims on an account, kept in memory: the POP3 maildrop lock
// of RFC 1939 ("the POP3 server acquires an exclusive-access lock on the
// maildrop"), held by a POP3 session on whichever instance serves it. A lease
// ends when it expires, is released, or the process stops; nothing is
// written to disk, so a crashed holder frees the account within one TTL.
//
// One live lease per (account, name). Every grant carries a fresh random
// 128-bit id; only a caller that knows it can renew or release the lease, or
// act under it (MailStore::Pop3Commit). Thread-safe.
#ifndef KURIER_STORAGE_LEASE_TABLE_H_
#define KURIER_STORAGE_LEASE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kurier::storage {

class LeaseTable {
 public:
  using Clock = std::function<absl::Time()>;

  struct Options {
    // Lifetime when the caller asks for none (0).
    absl::Duration default_ttl = absl::Seconds(30);
    // Longer requests are cut to this.
    absl::Duration max_ttl = absl::Minutes(10);
    // Live leases held at once; beyond, Acquire fails with
    // RESOURCE_EXHAUSTED. Expired leases do not count.
    size_t max_leases = 1 << 20;
  };

  struct Grant {
    std::string lease_id;  // 32 lowercase hex digits
    absl::Duration ttl;    // as granted (after default and cap)
  };

  // clock: the time leases are measured against; null means absl::Now.
  explicit LeaseTable(Clock clock = nullptr) : LeaseTable(std::move(clock), Options()) {}
  LeaseTable(Clock clock, Options options);

  // A new lease on (account_id, name) for ttl (zero: the default; capped at
  // max_ttl). FAILED_PRECONDITION, naming the holder, while any live lease
  // exists on it -- also one held by the same caller, which must release or
  // renew instead. holder is only for that message and may be empty.
  // INVALID_ARGUMENT for an empty name, a name over 64 bytes or a holder
  // over 256.
  absl::StatusOr<Grant> Acquire(uint64_t account_id, std::string_view name, std::string_view holder,
                                absl::Duration ttl);

  // Extends the live lease lease_id on (account_id, name) to ttl from now
  // (same default and cap). NOT_FOUND when there is no such live lease: it
  // expired, was released, or the id is wrong.
  absl::StatusOr<Grant> Renew(uint64_t account_id, std::string_view name, std::string_view lease_id,
                              absl::Duration ttl);

  // Ends the lease if lease_id is the live lease on (account_id, name);
  // otherwise does nothing. Never fails, so a retried release is harmless.
  void Release(uint64_t account_id, std::string_view name, std::string_view lease_id);

  // True while lease_id is the live lease on (account_id, name).
  bool IsHeld(uint64_t account_id, std::string_view name, std::string_view lease_id);

  // Leases in the table, live or expired and not yet dropped (for tests and
  // metrics).
  size_t size() const;

 private:
  struct Entry {
    std::string lease_id;
    std::string holder;
    absl::Time expires;
  };
  using Key = std::pair<uint64_t, std::string>;

  absl::Time Now() const { return clock_ ? clock_() : absl::Now(); }
  absl::Duration Ttl(absl::Duration requested) const;
  // The live entry for key with this id, or end(); drops the entry if it has
  // expired.
  std::map<Key, Entry>::iterator FindLive(const Key& key, std::string_view lease_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops every expired entry once the table has doubled since the last
  // sweep, so the cost stays constant per Acquire.
  void MaybeSweep(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock clock_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::map<Key, Entry> leases_ ABSL_GUARDED_BY(mu_);
  size_t sweep_at_ ABSL_GUARDED_BY(mu_) = 1024;
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_LEASE_TABLE_H_
