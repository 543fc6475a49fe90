#include "services/common/net/auth_throttle.h"

#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kurier::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FakeClock {
 public:
  AuthThrottle::Clock::time_point Now() const { return now_; }
  void Advance(AuthThrottle::Duration d) { now_ += d; }
  std::function<AuthThrottle::Clock::time_point()> Fn() {
    return [this] { return now_; };
  }

 private:
  AuthThrottle::Clock::time_point now_ = AuthThrottle::Clock::time_point() + std::chrono::hours(1000);
};

kurier::config::v1::LimitsConfig Limits() {
  kurier::config::v1::LimitsConfig limits;
  limits.set_auth_failures_before_delay(3);
  limits.set_auth_max_delay_ms(5000);
  limits.set_auth_failures_before_lockout(10);
  limits.set_auth_lockout_seconds(300);
  return limits;
}

TEST(AuthThrottleTest, FreeThenDoublingDelayCapped) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  const milliseconds expected[] = {milliseconds(0),    milliseconds(0),    milliseconds(0),
                                   milliseconds(1000), milliseconds(2000), milliseconds(4000),
                                   milliseconds(5000), milliseconds(5000), milliseconds(5000),
                                   milliseconds(5000)};
  for (int i = 0; i < 10; ++i) {
    AuthThrottle::Decision d = t.Check("192.0.2.1", "alice");
    EXPECT_FALSE(d.refused) << "after " << i << " failures";
    EXPECT_EQ(d.delay, expected[i]) << "after " << i << " failures";
    t.RecordFailure("192.0.2.1", "alice");
    clock.Advance(seconds(1));
  }
  // Ten failures: locked out.
  EXPECT_TRUE(t.Check("192.0.2.1", "alice").refused);
}

TEST(AuthThrottleTest, LockoutPerAccountFromManyIps) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 10; ++i) t.RecordFailure("198.51.100." + std::to_string(i), "bob");
  EXPECT_TRUE(t.Check("203.0.113.9", "bob").refused);        // any IP, that account
  EXPECT_FALSE(t.Check("203.0.113.9", "carol").refused);     // another account
  EXPECT_FALSE(t.Check("198.51.100.1", "").refused);         // one failure from that IP
  EXPECT_EQ(t.Check("198.51.100.1", "").delay, milliseconds(0));
}

TEST(AuthThrottleTest, LockoutPerIpAcrossAccounts) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 10; ++i) t.RecordFailure("192.0.2.7", "user" + std::to_string(i));
  EXPECT_TRUE(t.Check("192.0.2.7", "").refused);
  EXPECT_TRUE(t.Check("192.0.2.7", "someone").refused);
  EXPECT_FALSE(t.Check("192.0.2.8", "someone").refused);
}

TEST(AuthThrottleTest, LockoutExpires) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 10; ++i) t.RecordFailure("192.0.2.1", "alice");
  EXPECT_TRUE(t.Check("192.0.2.1", "alice").refused);
  clock.Advance(seconds(299));
  EXPECT_TRUE(t.Check("192.0.2.1", "alice").refused);
  clock.Advance(seconds(1));
  AuthThrottle::Decision d = t.Check("192.0.2.1", "alice");
  EXPECT_FALSE(d.refused);
  EXPECT_EQ(d.delay, milliseconds(0));  // a clean slate
  // And the count starts from zero again.
  t.RecordFailure("192.0.2.1", "alice");
  EXPECT_EQ(t.Check("192.0.2.1", "alice").delay, milliseconds(0));
}

TEST(AuthThrottleTest, FailuresAreForgottenAfterTheWindow) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 5; ++i) t.RecordFailure("192.0.2.1", "alice");
  EXPECT_EQ(t.Check("192.0.2.1", "alice").delay, milliseconds(4000));
  clock.Advance(seconds(300));
  EXPECT_EQ(t.Check("192.0.2.1", "alice").delay, milliseconds(0));
}

TEST(AuthThrottleTest, SuccessClearsTheAccountNotTheIp) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 5; ++i) t.RecordFailure("192.0.2.1", "alice");
  t.RecordSuccess("192.0.2.1", "alice");
  // The account is clean: from another IP no delay.
  EXPECT_EQ(t.Check("192.0.2.99", "alice").delay, milliseconds(0));
  // The IP still carries its five failures.
  EXPECT_EQ(t.Check("192.0.2.1", "alice").delay, milliseconds(4000));
  EXPECT_EQ(t.Check("192.0.2.1", "").delay, milliseconds(4000));
}

TEST(AuthThrottleTest, UnknownAccountCountsOnlyTheIp) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 4; ++i) t.RecordFailure("192.0.2.1", "");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.Check("192.0.2.1", "").delay, milliseconds(2000));
}

TEST(AuthThrottleTest, SmallMaxDelayCapsTheFirstDelay) {
  FakeClock clock;
  auto limits = Limits();
  limits.set_auth_max_delay_ms(300);
  AuthThrottle t(limits, clock.Fn());
  for (int i = 0; i < 3; ++i) t.RecordFailure("192.0.2.1", "");
  EXPECT_EQ(t.Check("192.0.2.1", "").delay, milliseconds(300));
}

TEST(AuthThrottleTest, MemoryIsBounded) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn(), /*max_entries=*/100);
  for (int i = 0; i < 1000; ++i) {
    t.RecordFailure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), "");
    clock.Advance(milliseconds(1));
  }
  EXPECT_EQ(t.size(), 100u);
  // The newest are kept (i = 999 has its failure), the oldest evicted.
  t.RecordFailure("10.0.3.231", "");
  EXPECT_EQ(t.Check("10.0.3.231", "").delay, milliseconds(0));  // 2 failures
  t.RecordFailure("10.0.3.231", "");
  EXPECT_EQ(t.Check("10.0.3.231", "").delay, milliseconds(1000));  // 3
  t.RecordFailure("10.0.0.0", "");  // i = 0 was evicted: starts again at 1
  t.RecordFailure("10.0.0.0", "");
  EXPECT_EQ(t.Check("10.0.0.0", "").delay, milliseconds(0));
  EXPECT_EQ(t.size(), 100u);
}

TEST(AuthThrottleTest, ExpiredEntriesAreDropped) {
  FakeClock clock;
  AuthThrottle t(Limits(), clock.Fn());
  for (int i = 0; i < 50; ++i) t.RecordFailure("10.0.0." + std::to_string(i), "u" + std::to_string(i));
  EXPECT_EQ(t.size(), 100u);
  clock.Advance(seconds(301));
  t.RecordFailure("10.1.1.1", "");
  EXPECT_EQ(t.size(), 1u);
}

TEST(AuthThrottleTest, ThreadSafe) {
  AuthThrottle t(Limits());
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&t, n] {
      for (int i = 0; i < 2000; ++i) {
        std::string ip = "10.0." + std::to_string(n) + "." + std::to_string(i % 50);
        t.RecordFailure(ip, "acct" + std::to_string(i % 7));
        (void)t.Check(ip, "acct" + std::to_string(i % 7));
        if (i % 11 == 0) t.RecordSuccess(ip, "acct" + std::to_string(i % 7));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(t.size(), 4u * 50 + 7);
}

}  // namespace
}  // namespace kurier::net
