#include "services/common/net/auth_throttle.h"

#include <algorithm>
#include <utility>

namespace kurier::net {
namespace {

std::string IpKey(const std::string& ip) { return "i:" + ip; }
std::string AccountKey(const std::string& account) { return "a:" + account; }

}  // namespace

AuthThrottle::AuthThrottle(const kurier::config::v1::LimitsConfig& limits,
                           std::function<Clock::time_point()> now, size_t max_entries)
    : failures_before_delay_(limits.auth_failures_before_delay()),
      failures_before_lockout_(limits.auth_failures_before_lockout()),
      max_delay_(std::chrono::milliseconds(limits.auth_max_delay_ms())),
      // A zero window would forget every failure at once; fall back to the
      // configuration default.
      window_(std::chrono::seconds(limits.auth_lockout_seconds() > 0 ? limits.auth_lockout_seconds()
                                                                        : 300)),
      now_(std::move(now)),
      max_entries_(std::max<size_t>(max_entries, 2)) {}

bool AuthThrottle::Expired(const Entry& e, Clock::time_point now) const {
  return now - e.last_failure >= window_ && now >= e.locked_until;
}

AuthThrottle::Decision AuthThrottle::CheckKeyLocked(const std::string& key,
                                                    Clock::time_point now) const {
  Decision d;
  auto it = index_.find(key);
  if (it == index_.end()) return d;
  const Entry& e = *it->second;
  if (Expired(e, now)) return d;
  if (now < e.locked_until) {
    d.refused = true;
    d.delay = max_delay_;
    return d;
  }
  if (e.failures < failures_before_delay_) return d;
  // failures_before_delay_ failures are free; the next attempt waits
  // kFirstDelay, then doubling.
  uint32_t doublings = e.failures - failures_before_delay_;
  Duration delay = kFirstDelay;
  for (uint32_t i = 0; i < doublings && delay < max_delay_; ++i) delay *= 2;
  d.delay = std::min(delay, max_delay_);
  return d;
}

AuthThrottle::Decision AuthThrottle::Check(const std::string& ip,
                                           const std::string& account) const {
  const Clock::time_point now = now_();
  absl::ReaderMutexLock lock(&mu_);
  Decision d = CheckKeyLocked(IpKey(ip), now);
  if (!account.empty()) {
    Decision a = CheckKeyLocked(AccountKey(account), now);
    d.refused = d.refused || a.refused;
    d.delay = std::max(d.delay, a.delay);
  }
  return d;
}

void AuthThrottle::ExpireLocked(Clock::time_point now) {
  while (!lru_.empty() && Expired(lru_.front(), now)) {
    index_.erase(lru_.front().key);
    lru_.pop_front();
  }
}

void AuthThrottle::FailKeyLocked(std::string key, Clock::time_point now) {
  auto it = index_.find(key);
  List::iterator entry;
  if (it != index_.end()) {
    entry = it->second;
    if (Expired(*entry, now)) {
      entry->failures = 0;
      entry->locked_until = Clock::time_point();
    }
    lru_.splice(lru_.end(), lru_, entry);  // most recent last
  } else {
    if (lru_.size() >= max_entries_) {
      index_.erase(lru_.front().key);
      lru_.pop_front();
    }
    lru_.push_back(Entry{key, 0, now, Clock::time_point()});
    entry = std::prev(lru_.end());
    index_.emplace(std::move(key), entry);
  }
  if (now < entry->locked_until) {
    // Refused attempts should not be recorded; if one is, do not extend.
    entry->last_failure = now;
    return;
  }
  entry->failures++;
  entry->last_failure = now;
  if (failures_before_lockout_ > 0 && entry->failures >= failures_before_lockout_) {
    entry->locked_until = now + window_;
  }
}

void AuthThrottle::RecordFailure(const std::string& ip, const std::string& account) {
  const Clock::time_point now = now_();
  absl::MutexLock lock(&mu_);
  ExpireLocked(now);
  FailKeyLocked(IpKey(ip), now);
  if (!account.empty()) FailKeyLocked(AccountKey(account), now);
}

void AuthThrottle::RecordSuccess(const std::string& ip, const std::string& account) {
  (void)ip;  // deliberately kept: see the header
  if (account.empty()) return;
  absl::MutexLock lock(&mu_);
  auto it = index_.find(AccountKey(account));
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

size_t AuthThrottle::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return lru_.size();
}

}  // namespace kurier::net
