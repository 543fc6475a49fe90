#include "services/common/net/rate_limiter.h"

#include "gtest/gtest.h"

namespace kurier::net {
namespace {

using Clock = RateLimiter::Clock;

TEST(RateLimiterTest, LimitPerKeyPerWindow) {
  Clock::time_point now{};
  RateLimiter limiter(3, std::chrono::minutes(1), 100, [&] { return now; });
  EXPECT_TRUE(limiter.Allow("192.0.2.1"));
  EXPECT_TRUE(limiter.Allow("192.0.2.1"));
  EXPECT_TRUE(limiter.Allow("192.0.2.1"));
  EXPECT_FALSE(limiter.Allow("192.0.2.1"));
  EXPECT_TRUE(limiter.Allow("192.0.2.2"));  // another key has its own count
  now += std::chrono::seconds(59);
  EXPECT_FALSE(limiter.Allow("192.0.2.1"));
  now += std::chrono::seconds(1);  // a new window
  EXPECT_TRUE(limiter.Allow("192.0.2.1"));
}

TEST(RateLimiterTest, MemoryIsBoundedAndFullTableFailsOpen) {
  Clock::time_point now{};
  RateLimiter limiter(1, std::chrono::minutes(1), 10, [&] { return now; });
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Allow("k" + std::to_string(i)));
  EXPECT_EQ(limiter.keys(), 10u);
  // Full: a new key is allowed but not remembered.
  EXPECT_TRUE(limiter.Allow("new"));
  EXPECT_TRUE(limiter.Allow("new"));
  EXPECT_EQ(limiter.keys(), 10u);
  // Known keys keep their limits.
  EXPECT_FALSE(limiter.Allow("k0"));
  // Once windows expire, room is made.
  now += std::chrono::minutes(2);
  EXPECT_TRUE(limiter.Allow("new"));
  EXPECT_FALSE(limiter.Allow("new"));
  EXPECT_EQ(limiter.keys(), 1u);
}

}  // namespace
}  // namespace kurier::net
