#include "services/smtp/recipient_cache.h"

#include <utility>

#include "absl/strings/ascii.h"

namespace kurier::smtp {

RecipientCache::RecipientCache(Clock::duration ttl, size_t max_entries, std::function<Clock::time_point()> now)
    : ttl_(ttl), max_entries_(max_entries), now_(now ? std::move(now) : [] { return Clock::now(); }) {}

std::optional<store::v1::ResolveRecipientResponse> RecipientCache::Find(absl::string_view address) {
  if (ttl_ <= Clock::duration::zero()) return std::nullopt;
  const std::string key = absl::AsciiStrToLower(address);
  const Clock::time_point now = now_();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.answer;
}

void RecipientCache::Put(absl::string_view address, const store::v1::ResolveRecipientResponse& answer) {
  if (ttl_ <= Clock::duration::zero() || answer.over_quota()) return;
  const Clock::time_point now = now_();
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_entries_) {
    absl::erase_if(entries_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (entries_.size() >= max_entries_) return;  // full of fresh answers: just ask the store
  }
  entries_[absl::AsciiStrToLower(address)] = Entry{answer, now + ttl_};
}

size_t RecipientCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace kurier::smtp
