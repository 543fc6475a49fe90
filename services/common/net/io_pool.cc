#include "services/common/net/io_pool.h"

#include <exception>
#include <string>

#include "services/common/net/net_log.h"

namespace kurier::net {

IoPool::IoPool(size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  contexts_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: one thread runs each context (other threads only
    // post to it, e.g. Stream::Control::Abort).
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
}

IoPool::~IoPool() {
  Stop();
  Join();
  // Later contexts first: the first one may hold acceptors whose accept loops
  // spawned work onto the others.
  while (!contexts_.empty()) contexts_.pop_back();
}

asio::io_context& IoPool::Next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

asio::io_context& IoPool::Main() { return *contexts_.front(); }

void IoPool::Start() {
  for (auto& ctx : contexts_) guards_.push_back(asio::make_work_guard(*ctx));
  for (size_t i = 0; i < contexts_.size(); ++i) {
    asio::io_context* ctx = contexts_[i].get();
    threads_.emplace_back([ctx, i] {
      for (;;) {
        try {
          ctx->run();
          return;  // stopped
        } catch (const std::exception& e) {
          // Handlers are not supposed to throw (connections catch their own
          // exceptions); keep the thread serving the others if one does.
          Log(LogLevel::kError, "io thread " + std::to_string(i) + ": uncaught exception: " + e.what());
        } catch (...) {
          Log(LogLevel::kError, "io thread " + std::to_string(i) + ": uncaught exception");
        }
      }
    });
  }
}

void IoPool::Stop() {
  for (auto& ctx : contexts_) ctx->stop();
}

void IoPool::Join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  guards_.clear();
}

}  // namespace kurier::net
