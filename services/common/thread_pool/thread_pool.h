// A fixed set of threads that run posted work in order of arrival. Services
// use it to keep blocking calls (RocksDB, waiting for a group commit) off
// gRPC's completion threads and off event loops.
#ifndef KURIER_SERVICES_COMMON_THREAD_POOL_THREAD_POOL_H_
#define KURIER_SERVICES_COMMON_THREAD_POOL_THREAD_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace kurier {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  // Runs the work already posted, then joins the threads.
  ~ThreadPool();
  void Post(std::function<void()> work);

 private:
  void Loop();
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace kurier

#endif  // KURIER_SERVICES_COMMON_THREAD_POOL_THREAD_POOL_H_
