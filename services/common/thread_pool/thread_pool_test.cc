#include "services/common/thread_pool/thread_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace kurier {
namespace {

TEST(ThreadPool, RunsEveryPostedWorkBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(4);
    for (int i = 0; i < 1000; ++i) pool.Post([&] { done.fetch_add(1); });
  }
  EXPECT_EQ(done.load(), 1000);
}

TEST(ThreadPool, WorkRunsInParallel) {
  ThreadPool pool(2);
  absl::Mutex mu;
  int arrived = 0;
  absl::Notification both;
  for (int i = 0; i < 2; ++i) {
    pool.Post([&] {
      absl::MutexLock lock(&mu);
      ++arrived;
      // Both must be inside at once for the count to reach 2.
      mu.AwaitWithTimeout(absl::Condition(+[](int* n) { return *n == 2; }, &arrived), absl::Seconds(10));
      if (arrived == 2 && !both.HasBeenNotified()) both.Notify();
    });
  }
  EXPECT_TRUE(both.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace kurier
