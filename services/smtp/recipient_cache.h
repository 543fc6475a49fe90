// Remembers the store's answer to "what does mail for this address become"
// (ResolveRecipient) for a few seconds, so that a busy MX does not ask the
// store again for every message to the same people — as Postfix's proxymap
// and Dovecot's auth cache do. Thread-safe; memory bounded by max_entries.
//
// What a stale answer can do: mail to an account deleted a moment ago is
// accepted at RCPT and refused after DATA (the store's Deliver decides);
// quota is never taken from the cache (over-quota answers are not kept, and
// Deliver checks quota in its write). So staleness never loses mail.
#ifndef KURIER_SERVICES_SMTP_RECIPIENT_CACHE_H_
#define KURIER_SERVICES_SMTP_RECIPIENT_CACHE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "proto/kurier/store/v1/store.pb.h"

namespace kurier::smtp {

class RecipientCache {
 public:
  using Clock = std::chrono::steady_clock;

  // ttl zero disables the cache. `now` is for tests (null: Clock::now).
  RecipientCache(Clock::duration ttl, size_t max_entries = 100000, std::function<Clock::time_point()> now = nullptr);

  // The remembered answer for `address` (any case), if fresh.
  std::optional<store::v1::ResolveRecipientResponse> Find(absl::string_view address);
  // Remembers an answer; over-quota answers are not kept.
  void Put(absl::string_view address, const store::v1::ResolveRecipientResponse& answer);

  size_t size() const;

 private:
  struct Entry {
    store::v1::ResolveRecipientResponse answer;
    Clock::time_point expires;
  };

  const Clock::duration ttl_;
  const size_t max_entries_;
  const std::function<Clock::time_point()> now_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_RECIPIENT_CACHE_H_
