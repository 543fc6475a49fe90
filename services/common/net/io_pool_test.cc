#include "services/common/net/io_pool.h"

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio/post.hpp>

#include "gtest/gtest.h"

namespace kurier::net {
namespace {

TEST(IoPoolTest, RoundRobinAndMain) {
  IoPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::set<asio::io_context*> seen;
  for (int i = 0; i < 6; ++i) seen.insert(&pool.Next());
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.count(&pool.Main()), 1u);
}

TEST(IoPoolTest, ZeroMeansOnePerCore) {
  IoPool pool(0);
  EXPECT_GE(pool.size(), 1u);
}

TEST(IoPoolTest, EachContextRunsOnItsOwnThreadUntilStop) {
  IoPool pool(2);
  pool.Start();
  std::atomic<int> ran{0};
  std::thread::id ids[2];
  for (int i = 0; i < 2; ++i) {
    asio::post(pool.Next(), [&, i] {
      ids[i] = std::this_thread::get_id();
      ran++;
    });
  }
  while (ran < 2) std::this_thread::yield();
  EXPECT_NE(ids[0], ids[1]);
  // Idle contexts keep running (work guard) until Stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  asio::post(pool.Main(), [&] { ran++; });
  while (ran < 3) std::this_thread::yield();
  pool.Stop();
  pool.Join();
}

TEST(IoPoolTest, AThrowingHandlerDoesNotKillTheThread) {
  IoPool pool(1);
  pool.Start();
  std::atomic<bool> after{false};
  asio::post(pool.Main(), [] { throw std::runtime_error("boom"); });
  asio::post(pool.Main(), [&] { after = true; });
  while (!after) std::this_thread::yield();
  pool.Stop();
  pool.Join();
}

}  // namespace
}  // namespace kurier::net
