#include "services/common/net/connection_tracker.h"

#include <cstdio>
#include <cstdlib>

#include "absl/time/time.h"

namespace kurier::net {

ConnectionTracker::Registration::~Registration() { tracker_->Unregister(this); }

ConnectionTracker::~ConnectionTracker() {
  absl::MutexLock lock(&mu_);
  if (live_ != 0) {
    // A Registration outliving its tracker would write to freed memory later.
    std::fprintf(stderr, "level=fatal component=net msg=\"ConnectionTracker destroyed with %zu live sessions\"\n",
                 live_);
    std::abort();
  }
}

std::unique_ptr<ConnectionTracker::Registration> ConnectionTracker::Register(
    std::function<void()> on_shutdown) {
  std::unique_ptr<Registration> r(new Registration(this, std::move(on_shutdown)));
  absl::MutexLock lock(&mu_);
  r->next_ = head_;
  if (head_ != nullptr) head_->prev_ = r.get();
  head_ = r.get();
  ++live_;
  if (shutting_down_) {
    r->notified_ = true;
    if (r->on_shutdown_) r->on_shutdown_();
  }
  return r;
}

void ConnectionTracker::Unregister(Registration* r) {
  absl::MutexLock lock(&mu_);
  if (r->prev_ != nullptr) r->prev_->next_ = r->next_;
  if (r->next_ != nullptr) r->next_->prev_ = r->prev_;
  if (head_ == r) head_ = r->next_;
  --live_;
}

size_t ConnectionTracker::live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

bool ConnectionTracker::shutting_down() const {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

void ConnectionTracker::NotifyShutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (Registration* r = head_; r != nullptr; r = r->next_) {
    if (r->notified_) continue;
    r->notified_ = true;
    if (r->on_shutdown_) r->on_shutdown_();
  }
}

bool ConnectionTracker::WaitIdle(Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return live_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle),
                              absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)));
}

}  // namespace kurier::net
