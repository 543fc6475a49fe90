// Counts events per key (a client IP) in one-minute windows and says when a
// key has passed its limit: SMTP's connections and messages per IP per
// minute. Thread-safe; memory is bounded by max_keys.
//
// SECURITY
//   Keys are client addresses, so an attacker controls how many there are.
//   When the table is full, expired windows are dropped; if it is still
//   full, the new key is allowed without being counted (fail open: a flood
//   from many addresses is the connection limits' job, and refusing every
//   new client would let an attacker lock everyone out).
#ifndef KURIER_SERVICES_COMMON_NET_RATE_LIMITER_H_
#define KURIER_SERVICES_COMMON_NET_RATE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kurier::net {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `limit` events per key per `window`. `now` is for tests (null: Clock).
  RateLimiter(uint32_t limit, Clock::duration window = std::chrono::minutes(1), size_t max_keys = 100000,
              std::function<Clock::time_point()> now = nullptr);

  // Counts one event for `key`; false when the key already had `limit`
  // events in the current window (the event is not counted then).
  bool Allow(absl::string_view key);

  size_t keys() const;

 private:
  struct Window {
    Clock::time_point start;
    uint32_t count = 0;
  };
  void DropExpired(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint32_t limit_;
  const Clock::duration window_;
  const size_t max_keys_;
  const std::function<Clock::time_point()> now_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_RATE_LIMITER_H_
