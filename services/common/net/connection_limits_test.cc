#include "services/common/net/connection_limits.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kurier::net {
namespace {

asio::ip::address Ip(const char* s) { return asio::ip::make_address(s); }

TEST(ClientKeyTest, Ipv4AsIsMappedAsIpv4Ipv6PerSlash64) {
  EXPECT_EQ(ClientKey(Ip("192.0.2.1")), Ip("192.0.2.1"));
  EXPECT_EQ(ClientKey(Ip("::ffff:192.0.2.1")), Ip("192.0.2.1"));
  EXPECT_EQ(ClientKey(Ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), Ip("2001:db8:1:2::"));
  EXPECT_EQ(ClientKey(Ip("2001:db8:1:2::1")), ClientKey(Ip("2001:db8:1:2::2")));
  EXPECT_NE(ClientKey(Ip("2001:db8:1:2::1")), ClientKey(Ip("2001:db8:1:3::1")));
}

TEST(ConnectionLimitsTest, PerIp) {
  ConnectionLimits limits(0, 2);
  LimitKind why = LimitKind::kNone;
  auto a = limits.TryAcquire(Ip("192.0.2.1"), &why);
  auto b = limits.TryAcquire(Ip("::ffff:192.0.2.1"), &why);  // the same client
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limits.TryAcquire(Ip("192.0.2.1"), &why));
  EXPECT_EQ(why, LimitKind::kPerIp);
  EXPECT_TRUE(limits.TryAcquire(Ip("192.0.2.2"), &why));  // taken and given back at once
  EXPECT_EQ(why, LimitKind::kNone);
  EXPECT_EQ(limits.count(Ip("192.0.2.1")), 2u);
  a.reset();
  EXPECT_EQ(limits.count(Ip("192.0.2.1")), 1u);
  EXPECT_TRUE(limits.TryAcquire(Ip("192.0.2.1")));
}

TEST(ConnectionLimitsTest, Ipv6CountsPerSlash64) {
  ConnectionLimits limits(0, 1);
  auto a = limits.TryAcquire(Ip("2001:db8::1"));
  ASSERT_TRUE(a);
  EXPECT_FALSE(limits.TryAcquire(Ip("2001:db8::2")));
  EXPECT_TRUE(limits.TryAcquire(Ip("2001:db8:0:1::1")));
}

TEST(ConnectionLimitsTest, Total) {
  ConnectionLimits limits(2, 0);
  LimitKind why = LimitKind::kNone;
  auto a = limits.TryAcquire(Ip("192.0.2.1"));
  auto b = limits.TryAcquire(Ip("192.0.2.2"));
  EXPECT_FALSE(limits.TryAcquire(Ip("192.0.2.3"), &why));
  EXPECT_EQ(why, LimitKind::kTotal);
  EXPECT_EQ(limits.total(), 2u);
  b.reset();
  EXPECT_EQ(limits.total(), 1u);
}

TEST(ConnectionLimitsTest, SlotsMoveAndMayOutliveTheLimits) {
  std::optional<ConnectionLimits::Slot> kept;
  {
    ConnectionLimits limits(1, 1);
    auto a = limits.TryAcquire(Ip("192.0.2.1"));
    ASSERT_TRUE(a);
    ConnectionLimits::Slot moved = std::move(*a);
    a.reset();  // the moved-from slot gives nothing back
    EXPECT_EQ(limits.total(), 1u);
    kept.emplace(std::move(moved));
  }
  kept.reset();  // no use after free: the counters are shared
}

TEST(ConnectionLimitsTest, FromConfig) {
  kurier::config::v1::LimitsConfig config;
  config.set_max_connections(3);
  config.set_max_connections_per_ip(1);
  ConnectionLimits limits(config);
  auto a = limits.TryAcquire(Ip("192.0.2.1"));
  EXPECT_FALSE(limits.TryAcquire(Ip("192.0.2.1")));
}

TEST(ConnectionLimitsTest, ThreadSafe) {
  ConnectionLimits limits(1000, 100);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&limits, t] {
      for (int i = 0; i < 5000; ++i) {
        auto slot = limits.TryAcquire(Ip(t % 2 ? "192.0.2.1" : "192.0.2.2"));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(limits.total(), 0u);
  EXPECT_EQ(limits.count(Ip("192.0.2.1")), 0u);
}

}  // namespace
}  // namespace kurier::net
