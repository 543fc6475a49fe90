// Graceful shutdown of live sessions.
//
// Every session registers for its lifetime and keeps the returned
// Registration (destroying it unregisters). On shutdown the server calls
// NotifyShutdown(), which calls each session's on_shutdown once, then
// WaitIdle(grace) from its main thread, then aborts whatever is left.
//
// on_shutdown runs on the thread that calls NotifyShutdown (or, for a session
// registering after shutdown began, inside Register). It runs while the
// tracker's lock is held, so that a Registration being destroyed on another
// thread waits for it: a session's callback never runs after its Registration
// is gone. It must therefore be quick and must not call into the tracker;
// the usual body is `control.Interrupt()` (Stream::Control, which posts to
// the session's executor) plus setting a flag the session reads.
//
// Pure (no Asio), thread-safe.
#ifndef KURIER_SERVICES_COMMON_NET_CONNECTION_TRACKER_H_
#define KURIER_SERVICES_COMMON_NET_CONNECTION_TRACKER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace kurier::net {

class ConnectionTracker {
 public:
  using Duration = std::chrono::steady_clock::duration;

  class Registration {
   public:
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    friend class ConnectionTracker;
    Registration(ConnectionTracker* tracker, std::function<void()> on_shutdown)
        : tracker_(tracker), on_shutdown_(std::move(on_shutdown)) {}
    ConnectionTracker* const tracker_;
    std::function<void()> on_shutdown_;
    // Intrusive list of live registrations (no allocation besides this one).
    Registration* prev_ = nullptr;
    Registration* next_ = nullptr;
    bool notified_ = false;
  };

  ConnectionTracker() = default;
  // Every Registration must be gone by then.
  ~ConnectionTracker();
  ConnectionTracker(const ConnectionTracker&) = delete;
  ConnectionTracker& operator=(const ConnectionTracker&) = delete;

  // Registers a live session. If shutdown has already begun, on_shutdown is
  // called before this returns.
  std::unique_ptr<Registration> Register(std::function<void()> on_shutdown);

  size_t live() const;
  bool shutting_down() const;

  // Calls every registered on_shutdown that has not been called yet.
  void NotifyShutdown();

  // Blocks until live() == 0 or the timeout passes; true when idle. Never
  // call it on an io_context thread: the sessions it waits for may run there.
  bool WaitIdle(Duration timeout);

 private:
  void Unregister(Registration* r);

  mutable absl::Mutex mu_;
  Registration* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t live_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_CONNECTION_TRACKER_H_
