// A short-lived memory of recent successful password verifications, so that
// clients that log in again and again (IMAP clients open several connections)
// do not pay for scrypt each time. Like Dovecot's auth cache, positive entries
// only.
//
// SECURITY: plaintext is never kept. Each entry stores
// HMAC-SHA-256(random per-cache key, account || password), so a memory dump
// reveals neither passwords nor which accounts share one. A hit means "this
// exact password verified within ttl"; callers must Forget an account when
// its password changes or it is deleted, which takes effect at once.
#ifndef KURIER_STORAGE_CREDENTIALS_AUTH_CACHE_H_
#define KURIER_STORAGE_CREDENTIALS_AUTH_CACHE_H_

#include <cstddef>
#include <list>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kurier::storage {

class AuthCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 100'000;

  // `ttl` <= 0 disables the cache (Check always false, Remember a no-op).
  // When `max_entries` accounts are cached, remembering another one evicts the
  // least recently remembered, which is also the one closest to expiry.
  explicit AuthCache(absl::Duration ttl, size_t max_entries = kDefaultMaxEntries);

  AuthCache(const AuthCache&) = delete;
  AuthCache& operator=(const AuthCache&) = delete;

  // True iff `password` was remembered for `account` and ttl has not passed
  // since (an entry expires at remember time + ttl). Thread-safe.
  bool Check(std::string_view account, std::string_view password, absl::Time now = absl::Now());

  // Records a successful verification; replaces any entry for `account`.
  void Remember(std::string_view account, std::string_view password, absl::Time now = absl::Now());

  // Drops `account`; later Checks miss until the next Remember.
  void Forget(std::string_view account);

  // Number of entries held, expired ones included until they are dropped.
  size_t size() const;

 private:
  struct Entry {
    std::string account;
    std::string digest;
    absl::Time expires;
  };
  using Order = std::list<Entry>;

  std::string Digest(std::string_view account, std::string_view password) const;
  void EraseLocked(Order::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration ttl_;
  const size_t max_entries_;
  const std::string key_;  // random, never leaves this object

  mutable absl::Mutex mu_;
  // Oldest Remember first. With one ttl for all entries this is also expiry
  // order, so eviction is O(1) from the front.
  Order order_ ABSL_GUARDED_BY(mu_);
  // Keys view the account strings inside `order_` nodes, which never move.
  absl::flat_hash_map<std::string_view, Order::iterator> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_CREDENTIALS_AUTH_CACHE_H_
