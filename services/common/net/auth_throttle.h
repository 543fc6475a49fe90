// Throttling of failed authentications, per client IP and per account.
//
// Policy (LimitsConfig):
//  - The first auth_failures_before_delay failures of a key (an IP or an
//    account) are answered at once.
//  - Each further attempt waits: 1 s after the first delayed failure, then
//    doubling (2 s, 4 s, ...), capped at auth_max_delay_ms.
//  - At auth_failures_before_lockout failures the key is refused outright for
//    auth_lockout_seconds.
//  - A key's count is forgotten auth_lockout_seconds after its last failure
//    (so a lockout ends with a clean slate).
//  - A success clears the account's count, never the IP's: an attacker who
//    owns one account cannot reset the counter of the address it guesses from.
// A Decision takes the stricter of the IP's and the account's.
//
// Keys are the caller's: pass a normalized account name (the one the store
// looks up), and for the IP ideally ClientKey(ip).to_string() from
// connection_limits.h so that an IPv6 client counts per /64.
//
// Memory is bounded: at most max_entries keys (IPs and accounts together);
// expired keys are dropped first, then the least recently failed.
//
// Pure and thread-safe: no Asio, no sleeping. The session applies the delay
// itself (an Asio timer), before it answers.
#ifndef KURIER_SERVICES_COMMON_NET_AUTH_THROTTLE_H_
#define KURIER_SERVICES_COMMON_NET_AUTH_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "proto/kurier/config/v1/config.pb.h"

namespace kurier::net {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  struct Decision {
    // The attempt must be answered with a failure without checking the
    // credentials (and should not be recorded as another failure).
    bool refused = false;
    // How long to wait before answering (both for refusals and for checks).
    Duration delay = Duration::zero();
  };

  static constexpr size_t kDefaultMaxEntries = 100000;
  // The first delayed attempt waits this long (or auth_max_delay_ms if less).
  static constexpr std::chrono::milliseconds kFirstDelay{1000};

  explicit AuthThrottle(const kurier::config::v1::LimitsConfig& limits,
                        std::function<Clock::time_point()> now = Clock::now,
                        size_t max_entries = kDefaultMaxEntries);

  // What to do with an authentication attempt from `ip` for `account` (empty
  // when the account is not known yet, e.g. before USER).
  Decision Check(const std::string& ip, const std::string& account) const;
  // Counts a failed attempt against the IP and (if not empty) the account.
  void RecordFailure(const std::string& ip, const std::string& account);
  // Clears the account's count; the IP's stays.
  void RecordSuccess(const std::string& ip, const std::string& account);

  // Keys currently remembered (for tests and metrics).
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    uint32_t failures = 0;
    Clock::time_point last_failure;
    Clock::time_point locked_until;  // epoch when not locked
  };
  using List = std::list<Entry>;

  Decision CheckKeyLocked(const std::string& key, Clock::time_point now) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void FailKeyLocked(std::string key, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireLocked(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Expired(const Entry& e, Clock::time_point now) const;

  const uint32_t failures_before_delay_;
  const uint32_t failures_before_lockout_;  // 0: never lock out
  const Duration max_delay_;
  const Duration window_;  // lockout length and memory of a key's failures
  const std::function<Clock::time_point()> now_;
  const size_t max_entries_;

  mutable absl::Mutex mu_;
  // Least recently failed first. Since every key expires window_ after its
  // last failure, this is also expiry order.
  List lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, List::iterator> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_AUTH_THROTTLE_H_
