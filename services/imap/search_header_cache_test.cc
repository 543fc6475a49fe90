// SearchHeaderCache: what is inserted is found again under the same mailbox
// key only, the budget holds, and the least recently searched mailbox goes
// first.
#include "services/imap/search_header_cache.h"

#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

SearchHeaderCache::Header HeaderWith(const std::string& subject) {
  return std::make_shared<const SearchHeader>(PrepareSearchHeader("Subject: " + subject + "\r\n\r\n"));
}

std::vector<std::pair<uint32_t, SearchHeaderCache::Header>> Headers(uint32_t first, uint32_t count) {
  std::vector<std::pair<uint32_t, SearchHeaderCache::Header>> out;
  for (uint32_t uid = first; uid < first + count; ++uid)
    out.emplace_back(uid, HeaderWith("message " + std::to_string(uid)));
  return out;
}

size_t Found(SearchHeaderCache& cache, const std::string& mailbox, uint32_t first, uint32_t count) {
  std::vector<uint32_t> uids;
  for (uint32_t uid = first; uid < first + count; ++uid) uids.push_back(uid);
  size_t found = 0;
  for (const SearchHeaderCache::Header& h : cache.Find(mailbox, uids)) found += h != nullptr;
  return found;
}

TEST(SearchHeaderCacheTest, FindsWhatWasInsertedUnderTheSameMailboxOnly) {
  SearchHeaderCache cache(1 << 20);
  const std::string alice = SearchHeaderCache::MailboxKey("alice@example.com", 7, 100);
  cache.Insert(alice, Headers(1, 3));
  const std::vector<SearchHeaderCache::Header> found = cache.Find(alice, {2, 5, 1});
  ASSERT_EQ(found.size(), 3u);
  ASSERT_NE(found[0], nullptr);
  EXPECT_EQ(found[0]->fields[0].value, "message 2");
  EXPECT_EQ(found[1], nullptr);
  EXPECT_NE(found[2], nullptr);
  // Another account, another mailbox id, another UIDVALIDITY: nothing.
  EXPECT_EQ(Found(cache, SearchHeaderCache::MailboxKey("bob@example.com", 7, 100), 1, 3), 0u);
  EXPECT_EQ(Found(cache, SearchHeaderCache::MailboxKey("alice@example.com", 8, 100), 1, 3), 0u);
  EXPECT_EQ(Found(cache, SearchHeaderCache::MailboxKey("alice@example.com", 7, 101), 1, 3), 0u);
  // An account name cannot run into the mailbox id.
  EXPECT_NE(SearchHeaderCache::MailboxKey("a1", 2, 3), SearchHeaderCache::MailboxKey("a", 12, 3));
}

TEST(SearchHeaderCacheTest, StaysWithinItsBudgetDroppingTheLeastRecentlySearchedMailbox) {
  const size_t one = HeaderWith("message 1000")->MemoryBytes() + 64;
  SearchHeaderCache cache(one * 250);
  const std::string a = SearchHeaderCache::MailboxKey("a@x", 1, 1);
  const std::string b = SearchHeaderCache::MailboxKey("b@x", 1, 1);
  const std::string c = SearchHeaderCache::MailboxKey("c@x", 1, 1);
  cache.Insert(a, Headers(1000, 100));
  cache.Insert(b, Headers(1000, 100));
  EXPECT_EQ(Found(cache, a, 1000, 100), 100u);  // a is now the most recent
  cache.Insert(c, Headers(1000, 100));          // b goes
  EXPECT_LE(cache.bytes(), one * 250);
  EXPECT_EQ(Found(cache, a, 1000, 100), 100u);
  EXPECT_EQ(Found(cache, b, 1000, 100), 0u);
  EXPECT_EQ(Found(cache, c, 1000, 100), 100u);
  // One mailbox larger than the budget fills it and stops.
  cache.Insert(b, Headers(2000, 1000));
  EXPECT_LE(cache.bytes(), one * 250);
  EXPECT_GT(Found(cache, b, 2000, 1000), 200u);
  EXPECT_EQ(Found(cache, a, 1000, 100), 0u);
}

}  // namespace
}  // namespace kurier::imap
