// A fixed set of threads, each running its own io_context (one per core is
// the intent). A connection lives on one io_context for its whole life, so
// its coroutine, socket and timers never need a strand or a lock.
//
// Lifetimes: destroy Listeners (and anything else holding sockets or timers
// of these io_contexts) before the IoPool. Destroying the pool stops and
// joins the threads, then destroys the io_contexts, which destroys the
// coroutine frames of sessions still alive.
#ifndef KURIER_SERVICES_COMMON_NET_IO_POOL_H_
#define KURIER_SERVICES_COMMON_NET_IO_POOL_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace kurier::net {
namespace asio = boost::asio;

class IoPool {
 public:
  // threads == 0: one per hardware thread.
  explicit IoPool(size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Round robin over the io_contexts, for new connections. Thread-safe.
  asio::io_context& Next();
  // The first io_context (for signals and server-wide timers).
  asio::io_context& Main();
  size_t size() const { return contexts_.size(); }

  // Spawns the threads; each runs its io_context until Stop(). Call once.
  void Start();
  // Stops every io_context; handlers not yet run stay queued (and are
  // destroyed with the pool). Thread-safe, idempotent.
  void Stop();
  // Waits for the threads to finish (after Stop()). Not from a pool thread.
  void Join();

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_IO_POOL_H_
