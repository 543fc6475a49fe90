#include "services/common/net/connection_tracker.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kurier::net {
namespace {

using std::chrono::milliseconds;

TEST(ConnectionTrackerTest, CountsLiveRegistrations) {
  ConnectionTracker tracker;
  EXPECT_EQ(tracker.live(), 0u);
  auto a = tracker.Register(nullptr);
  auto b = tracker.Register(nullptr);
  EXPECT_EQ(tracker.live(), 2u);
  a.reset();
  EXPECT_EQ(tracker.live(), 1u);
  b.reset();
  EXPECT_EQ(tracker.live(), 0u);
  EXPECT_TRUE(tracker.WaitIdle(milliseconds(0)));
}

TEST(ConnectionTrackerTest, NotifyShutdownCallsEachOnce) {
  ConnectionTracker tracker;
  std::atomic<int> calls[3] = {0, 0, 0};
  std::vector<std::unique_ptr<ConnectionTracker::Registration>> regs;
  for (int i = 0; i < 3; ++i) regs.push_back(tracker.Register([&calls, i] { calls[i]++; }));
  regs[1].reset();  // gone before shutdown: never called
  EXPECT_FALSE(tracker.shutting_down());
  tracker.NotifyShutdown();
  tracker.NotifyShutdown();
  EXPECT_TRUE(tracker.shutting_down());
  EXPECT_EQ(calls[0], 1);
  EXPECT_EQ(calls[1], 0);
  EXPECT_EQ(calls[2], 1);
}

TEST(ConnectionTrackerTest, RegisteringDuringShutdownIsToldAtOnce) {
  ConnectionTracker tracker;
  tracker.NotifyShutdown();
  int calls = 0;
  auto reg = tracker.Register([&calls] { calls++; });
  EXPECT_EQ(calls, 1);
  tracker.NotifyShutdown();
  EXPECT_EQ(calls, 1);
}

TEST(ConnectionTrackerTest, WaitIdleTimesOutWhileSessionsLive) {
  ConnectionTracker tracker;
  auto reg = tracker.Register(nullptr);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(tracker.WaitIdle(milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
}

TEST(ConnectionTrackerTest, ShutdownFlow) {
  // Sessions on other threads finish when told; WaitIdle returns once the
  // last one is gone.
  ConnectionTracker tracker;
  constexpr int kSessions = 8;
  std::atomic<int> told{0};
  std::vector<std::thread> sessions;
  std::atomic<int> registered{0};
  for (int i = 0; i < kSessions; ++i) {
    sessions.emplace_back([&] {
      std::atomic<bool> stop{false};
      auto reg = tracker.Register([&stop, &told] {
        told++;
        stop = true;
      });
      registered++;
      while (!stop) std::this_thread::sleep_for(milliseconds(1));
      std::this_thread::sleep_for(milliseconds(10));  // says goodbye
    });
  }
  while (registered < kSessions) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(tracker.live(), static_cast<size_t>(kSessions));
  tracker.NotifyShutdown();
  EXPECT_TRUE(tracker.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(tracker.live(), 0u);
  EXPECT_EQ(told, kSessions);
  for (auto& t : sessions) t.join();
}

TEST(ConnectionTrackerTest, UnregisterRacesWithNotify) {
  // Registrations come and go while shutdown is announced: no callback runs
  // after its registration is gone (the callbacks touch per-session state).
  for (int round = 0; round < 20; ++round) {
    ConnectionTracker tracker;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&tracker] {
        for (int j = 0; j < 200; ++j) {
          auto state = std::make_unique<int>(0);
          auto reg = tracker.Register([s = state.get()] { (*s)++; });
          reg.reset();
          state.reset();
        }
      });
    }
    tracker.NotifyShutdown();
    for (auto& t : threads) t.join();
    EXPECT_EQ(tracker.live(), 0u);
  }
}

}  // namespace
}  // namespace kurier::net
