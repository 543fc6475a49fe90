#include "storage/credentials/auth_cache.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(AuthCacheTest, HitAfterRemember) {
  AuthCache cache(absl::Minutes(1));
  EXPECT_FALSE(cache.Check("alice", "pw", kT0));
  cache.Remember("alice", "pw", kT0);
  EXPECT_TRUE(cache.Check("alice", "pw", kT0));
  EXPECT_TRUE(cache.Check("alice", "pw", kT0 + absl::Seconds(59)));
}

TEST(AuthCacheTest, MissOnOtherPasswordOrAccount) {
  AuthCache cache(absl::Minutes(1));
  cache.Remember("alice", "pw", kT0);
  EXPECT_FALSE(cache.Check("alice", "pw2", kT0));
  EXPECT_FALSE(cache.Check("alice", "", kT0));
  EXPECT_FALSE(cache.Check("alice", std::string("pw\0", 3), kT0));
  EXPECT_FALSE(cache.Check("bob", "pw", kT0));
  EXPECT_FALSE(cache.Check("alic", "epw", kT0));  // account/password boundary matters
  EXPECT_TRUE(cache.Check("alice", "pw", kT0));   // a wrong guess does not evict
}

TEST(AuthCacheTest, Expiry) {
  AuthCache cache(absl::Seconds(30));
  cache.Remember("alice", "pw", kT0);
  EXPECT_TRUE(cache.Check("alice", "pw", kT0 + absl::Seconds(29)));
  EXPECT_FALSE(cache.Check("alice", "pw", kT0 + absl::Seconds(30)));
  EXPECT_EQ(cache.size(), 0u);  // the expired entry was dropped
  EXPECT_FALSE(cache.Check("alice", "pw", kT0));
  // Remembering again restarts the clock.
  cache.Remember("alice", "pw", kT0 + absl::Seconds(40));
  EXPECT_TRUE(cache.Check("alice", "pw", kT0 + absl::Seconds(60)));
}

TEST(AuthCacheTest, ForgetTakesEffectAtOnce) {
  AuthCache cache(absl::Minutes(5));
  cache.Remember("alice", "pw", kT0);
  cache.Remember("bob", "pw", kT0);
  cache.Forget("alice");
  EXPECT_FALSE(cache.Check("alice", "pw", kT0));
  EXPECT_TRUE(cache.Check("bob", "pw", kT0));
  cache.Forget("nobody");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AuthCacheTest, RememberReplacesOldPassword) {
  AuthCache cache(absl::Minutes(5));
  cache.Remember("alice", "old", kT0);
  cache.Remember("alice", "new", kT0 + absl::Seconds(1));
  EXPECT_FALSE(cache.Check("alice", "old", kT0 + absl::Seconds(1)));
  EXPECT_TRUE(cache.Check("alice", "new", kT0 + absl::Seconds(1)));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AuthCacheTest, ZeroTtlDisables) {
  for (absl::Duration ttl : {absl::ZeroDuration(), absl::Seconds(-1)}) {
    AuthCache cache(ttl);
    cache.Remember("alice", "pw", kT0);
    EXPECT_FALSE(cache.Check("alice", "pw", kT0));
    EXPECT_EQ(cache.size(), 0u);
  }
}

TEST(AuthCacheTest, BoundedEvictsOldest) {
  AuthCache cache(absl::Minutes(5), /*max_entries=*/3);
  for (int i = 0; i < 5; ++i) {
    cache.Remember(absl::StrCat("user", i), "pw", kT0 + absl::Seconds(i));
  }
  EXPECT_EQ(cache.size(), 3u);
  const absl::Time now = kT0 + absl::Seconds(10);
  EXPECT_FALSE(cache.Check("user0", "pw", now));
  EXPECT_FALSE(cache.Check("user1", "pw", now));
  EXPECT_TRUE(cache.Check("user2", "pw", now));
  EXPECT_TRUE(cache.Check("user4", "pw", now));
  // Re-remembering moves an account to the young end.
  cache.Remember("user2", "pw", now);
  cache.Remember("user5", "pw", now);
  EXPECT_TRUE(cache.Check("user2", "pw", now));
  EXPECT_FALSE(cache.Check("user3", "pw", now));
}

TEST(AuthCacheTest, RememberDropsExpiredEntries) {
  AuthCache cache(absl::Seconds(10));
  for (int i = 0; i < 100; ++i) cache.Remember(absl::StrCat("user", i), "pw", kT0);
  cache.Remember("late", "pw", kT0 + absl::Seconds(11));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AuthCacheTest, ConcurrentUse) {
  AuthCache cache(absl::Minutes(5), /*max_entries=*/64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string account = absl::StrCat("user", (t * 7 + i) % 100);
        cache.Remember(account, "pw", kT0);
        (void)cache.Check(account, "pw", kT0);
        if (i % 10 == 0) cache.Forget(account);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(cache.size(), 64u);
  cache.Remember("final", "pw", kT0);
  EXPECT_TRUE(cache.Check("final", "pw", kT0));
}

}  // namespace
}  // namespace kurier::storage
