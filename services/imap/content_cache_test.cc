// ContentCache: found under the blob id it was inserted with, bounded by its
// budget (least recently used first, oversized messages never kept), safe
// to share between threads, and a content in use survives its eviction.
#include "services/imap/content_cache.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

ContentCache::Content Bytes(size_t n, char c = 'x') { return std::make_shared<const std::string>(n, c); }

TEST(ContentCacheTest, FindsWhatWasInserted) {
  ContentCache cache(16 << 20, 1 << 20);
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Insert("a", Bytes(10, 'a'));
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), std::string(10, 'a'));
  EXPECT_EQ(cache.Find("b"), nullptr);
}

TEST(ContentCacheTest, KeepsNoMessageAboveTheEntryLimit) {
  ContentCache cache(16 << 20, 1000);
  cache.Insert("big", Bytes(1001));
  cache.Insert("fits", Bytes(1000));
  EXPECT_EQ(cache.Find("big"), nullptr);
  EXPECT_NE(cache.Find("fits"), nullptr);
}

TEST(ContentCacheTest, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  // 16 shards of 64 KiB; 4,000 contents of 1 KiB cannot all stay.
  ContentCache cache(1 << 20, 1 << 20);
  for (int i = 0; i < 4000; ++i) {
    cache.Insert(absl::StrCat("blob", i), Bytes(1024));
    if (i % 100 == 0) cache.Find("blob0");  // kept recent
    EXPECT_LE(cache.bytes(), size_t{1} << 20);
  }
  EXPECT_NE(cache.Find("blob0"), nullptr);
  EXPECT_NE(cache.Find("blob3999"), nullptr);
  EXPECT_EQ(cache.Find("blob1"), nullptr);
}

TEST(ContentCacheTest, AContentInUseOutlivesItsEviction) {
  ContentCache cache(16 * 2048, 1 << 20);  // 2 KiB per shard
  cache.Insert("a", Bytes(1500, 'a'));
  ContentCache::Content held = cache.Find("a");
  for (int i = 0; i < 1000; ++i) cache.Insert(absl::StrCat("other", i), Bytes(1500));
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(*held, std::string(1500, 'a'));
}

TEST(ContentCacheTest, SessionsOnSeveralThreadsShareIt) {
  ContentCache cache(4 << 20, 1 << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string id = absl::StrCat("blob", (i * 7 + t) % 500);
        if (ContentCache::Content c = cache.Find(id); c != nullptr) {
          EXPECT_EQ(*c, id);
        } else {
          cache.Insert(id, std::make_shared<const std::string>(id));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_NE(cache.Find("blob1"), nullptr);
}

}  // namespace
}  // namespace kurier::imap
