#include "services/common/net/rate_limiter.h"

#include <utility>

namespace kurier::net {

RateLimiter::RateLimiter(uint32_t limit, Clock::duration window, size_t max_keys,
                         std::function<Clock::time_point()> now)
    : limit_(limit), window_(window), max_keys_(max_keys), now_(now ? std::move(now) : [] { return Clock::now(); }) {}

void RateLimiter::DropExpired(Clock::time_point now) {
  absl::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
}

bool RateLimiter::Allow(absl::string_view key) {
  const Clock::time_point now = now_();
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) {
      DropExpired(now);
      if (windows_.size() >= max_keys_) return true;  // fail open, see the header
    }
    it = windows_.emplace(std::string(key), Window{now, 0}).first;
  }
  Window& w = it->second;
  if (now - w.start >= window_) w = Window{now, 0};
  if (w.count >= limit_) return false;
  ++w.count;
  return true;
}

size_t RateLimiter::keys() const {
  absl::MutexLock lock(&mu_);
  return windows_.size();
}

}  // namespace kurier::net
