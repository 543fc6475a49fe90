#include "services/common/store_client/store_router.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::store_client {
namespace {

TEST(StoreRouterTest, OneShardTakesEverything) {
  StoreRouter router({"127.0.0.1:17000"});
  EXPECT_EQ(router.ShardFor("demo@localhost"), 0u);
  EXPECT_EQ(router.ShardFor(""), 0u);
}

TEST(StoreRouterTest, CaseAndSpacesDoNotChangeTheShard) {
  StoreRouter router({"a:1", "b:1", "c:1", "d:1"});
  for (int i = 0; i < 100; ++i) {
    const std::string name = absl::StrCat("user", i, "@example.org");
    EXPECT_EQ(router.ShardFor(name), router.ShardFor(absl::StrCat(" USER", i, "@Example.ORG ")));
  }
}

TEST(StoreRouterTest, OrderOfTheShardListDoesNotMatter) {
  StoreRouter forward({"a:1", "b:1", "c:1"});
  StoreRouter backward({"c:1", "b:1", "a:1"});
  for (int i = 0; i < 1000; ++i) {
    const std::string name = absl::StrCat("user", i, "@example.org");
    EXPECT_EQ(forward.shards()[forward.ShardFor(name)], backward.shards()[backward.ShardFor(name)]);
  }
}

TEST(StoreRouterTest, SpreadsAccountsEvenly) {
  StoreRouter router({"store-0:17000", "store-1:17000", "store-2:17000", "store-3:17000"});
  std::map<size_t, int> counts;
  constexpr int kAccounts = 40000;
  for (int i = 0; i < kAccounts; ++i) ++counts[router.ShardFor(absl::StrCat("user", i, "@example.org"))];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [shard, count] : counts) {
    EXPECT_GT(count, kAccounts / 4 * 9 / 10) << "shard " << shard;
    EXPECT_LT(count, kAccounts / 4 * 11 / 10) << "shard " << shard;
  }
}

TEST(StoreRouterTest, AddingAShardMovesOnlyTheAccountsItWins) {
  StoreRouter three({"s0:1", "s1:1", "s2:1"});
  StoreRouter four({"s0:1", "s1:1", "s2:1", "s3:1"});
  int moved = 0;
  constexpr int kAccounts = 20000;
  for (int i = 0; i < kAccounts; ++i) {
    const std::string name = absl::StrCat("user", i, "@example.org");
    const std::string before = three.shards()[three.ShardFor(name)];
    const std::string after = four.shards()[four.ShardFor(name)];
    if (before != after) {
      ++moved;
      EXPECT_EQ(after, "s3:1") << name << " moved between old shards";
    }
  }
  EXPECT_GT(moved, kAccounts / 4 * 9 / 10);
  EXPECT_LT(moved, kAccounts / 4 * 11 / 10);
}

TEST(StoreRouterTest, WeightIsAFixedFunction) {
  // Pinned so that a change to the hash, which would move every account to
  // another shard, cannot go unnoticed.
  EXPECT_EQ(StoreRouter::Weight("store-0:17000", "demo@localhost"), 12389276553445340164ull);
  EXPECT_NE(StoreRouter::Weight("store-0:17000", "demo@localhost"),
            StoreRouter::Weight("store-1:17000", "demo@localhost"));
  EXPECT_NE(StoreRouter::Weight("ab", "c"), StoreRouter::Weight("a", "bc"));
}

}  // namespace
}  // namespace kurier::store_client
