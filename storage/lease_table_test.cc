// The lease table on a fake clock: conflicts, expiry, renewal, release and
// the bound on its size.
#include "storage/lease_table.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

class LeaseTableTest : public ::testing::Test {
 protected:
  LeaseTable::Clock Clock() {
    return [this] { return now_; };
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(LeaseTableTest, SecondCallerIsRefusedWhileTheFirstHoldsIt) {
  LeaseTable table(Clock());
  auto first = table.Acquire(1, "pop3", "pop3-a session 1", absl::ZeroDuration());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->lease_id.size(), 32u);
  EXPECT_EQ(first->ttl, absl::Seconds(30)) << "the default";

  auto second = table.Acquire(1, "pop3", "pop3-b session 9", absl::ZeroDuration());
  ASSERT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  EXPECT_NE(second.status().message().find("pop3-a session 1"), std::string::npos) << second.status();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status();

  auto again = table.Acquire(1, "pop3", "pop3-a session 1", absl::ZeroDuration());
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << "the holder itself cannot silently re-acquire";

  EXPECT_TRUE(table.Acquire(2, "pop3", "pop3-b session 9", absl::ZeroDuration()).ok()) << "another account";
  EXPECT_TRUE(table.Acquire(1, "other", "pop3-b session 9", absl::ZeroDuration()).ok()) << "another name";
  EXPECT_TRUE(table.IsHeld(1, "pop3", first->lease_id));
}

TEST_F(LeaseTableTest, EveryGrantHasAFreshId) {
  LeaseTable table(Clock());
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto grant = table.Acquire(1, "pop3", "h", absl::ZeroDuration());
    ASSERT_TRUE(grant.ok());
    EXPECT_TRUE(ids.insert(grant->lease_id).second);
    table.Release(1, "pop3", grant->lease_id);
  }
}

TEST_F(LeaseTableTest, ExpiresAfterItsTtlAndCanThenBeTakenByAnother) {
  LeaseTable table(Clock());
  auto first = table.Acquire(7, "pop3", "a", absl::Seconds(10));
  ASSERT_TRUE(first.ok());
  now_ += absl::Seconds(9);
  EXPECT_TRUE(table.IsHeld(7, "pop3", first->lease_id));
  EXPECT_TRUE(absl::IsFailedPrecondition(table.Acquire(7, "pop3", "b", absl::ZeroDuration()).status()));
  now_ += absl::Seconds(1);
  EXPECT_FALSE(table.IsHeld(7, "pop3", first->lease_id)) << "expired at exactly its TTL";
  auto second = table.Acquire(7, "pop3", "b", absl::ZeroDuration());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->lease_id, first->lease_id);
  EXPECT_TRUE(absl::IsNotFound(table.Renew(7, "pop3", first->lease_id, absl::ZeroDuration()).status()))
      << "the old holder lost it";
}

TEST_F(LeaseTableTest, RenewExtendsFromNowAndNeedsTheRightId) {
  LeaseTable table(Clock());
  auto grant = table.Acquire(1, "pop3", "a", absl::Seconds(10));
  ASSERT_TRUE(grant.ok());
  now_ += absl::Seconds(8);
  auto renewed = table.Renew(1, "pop3", grant->lease_id, absl::Seconds(10));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->lease_id, grant->lease_id);
  EXPECT_EQ(renewed->ttl, absl::Seconds(10));
  now_ += absl::Seconds(8);  // 16 s after the grant, 8 s after the renewal
  EXPECT_TRUE(table.IsHeld(1, "pop3", grant->lease_id));

  EXPECT_TRUE(absl::IsNotFound(table.Renew(1, "pop3", "0123456789abcdef0123456789abcdef", absl::ZeroDuration()).status()));
  EXPECT_TRUE(absl::IsNotFound(table.Renew(2, "pop3", grant->lease_id, absl::ZeroDuration()).status()));
  EXPECT_TRUE(absl::IsNotFound(table.Renew(1, "imap", grant->lease_id, absl::ZeroDuration()).status()));
  EXPECT_TRUE(table.IsHeld(1, "pop3", grant->lease_id)) << "failed renewals leave the lease alone";

  now_ += absl::Seconds(2);
  EXPECT_TRUE(absl::IsNotFound(table.Renew(1, "pop3", grant->lease_id, absl::ZeroDuration()).status()))
      << "an expired lease cannot be revived";
}

TEST_F(LeaseTableTest, TtlIsCappedAtTenMinutes) {
  LeaseTable table(Clock());
  auto grant = table.Acquire(1, "pop3", "a", absl::Hours(5));
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->ttl, absl::Minutes(10));
  EXPECT_EQ(table.Renew(1, "pop3", grant->lease_id, absl::Hours(1))->ttl, absl::Minutes(10));
  now_ += absl::Minutes(10);
  EXPECT_FALSE(table.IsHeld(1, "pop3", grant->lease_id));
}

TEST_F(LeaseTableTest, ReleaseIsIdempotentAndNeedsTheRightId) {
  LeaseTable table(Clock());
  auto grant = table.Acquire(1, "pop3", "a", absl::ZeroDuration());
  ASSERT_TRUE(grant.ok());
  table.Release(1, "pop3", "not-the-id");
  EXPECT_TRUE(table.IsHeld(1, "pop3", grant->lease_id)) << "a wrong id releases nothing";
  table.Release(1, "pop3", grant->lease_id);
  EXPECT_FALSE(table.IsHeld(1, "pop3", grant->lease_id));
  table.Release(1, "pop3", grant->lease_id);  // again: nothing happens
  EXPECT_EQ(table.size(), 0u);
  EXPECT_TRUE(table.Acquire(1, "pop3", "b", absl::ZeroDuration()).ok());
}

TEST_F(LeaseTableTest, BadNamesAndHolders) {
  LeaseTable table(Clock());
  EXPECT_TRUE(absl::IsInvalidArgument(table.Acquire(1, "", "a", absl::ZeroDuration()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(table.Acquire(1, std::string(65, 'n'), "a", absl::ZeroDuration()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(table.Acquire(1, "pop3", std::string(257, 'h'), absl::ZeroDuration()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(table.Renew(1, "", "x", absl::ZeroDuration()).status()));

  ASSERT_TRUE(table.Acquire(1, "pop3", "", absl::ZeroDuration()).ok()) << "the holder is only for messages";
  auto refused = table.Acquire(1, "pop3", "b", absl::ZeroDuration());
  EXPECT_NE(refused.status().message().find("unnamed holder"), std::string::npos) << refused.status();
}

TEST_F(LeaseTableTest, ExpiredLeasesAreDroppedSoTheTableStaysBounded) {
  LeaseTable::Options options;
  options.max_leases = 3000;
  LeaseTable table(Clock(), options);
  for (uint64_t account = 0; account < 10000; ++account) {
    ASSERT_TRUE(table.Acquire(account, "pop3", "a", absl::Seconds(1)).ok()) << account;
    now_ += absl::Seconds(1);  // each lease is expired by the next acquire
  }
  EXPECT_LE(table.size(), 2048u);

  // Live leases do fill it: then Acquire says so instead of growing.
  LeaseTable full(Clock(), options);
  for (uint64_t account = 0; account < 3000; ++account) {
    ASSERT_TRUE(full.Acquire(account, "pop3", "a", absl::Minutes(1)).ok());
  }
  EXPECT_TRUE(absl::IsResourceExhausted(full.Acquire(5000, "pop3", "a", absl::Minutes(1)).status()));
  now_ += absl::Minutes(1);
  EXPECT_TRUE(full.Acquire(5000, "pop3", "a", absl::Minutes(1)).ok()) << "expired ones make room";
  EXPECT_EQ(full.size(), 1u);
}

TEST_F(LeaseTableTest, ConcurrentAcquiresGrantExactlyOne) {
  LeaseTable table;  // the real clock
  constexpr int kThreads = 16;
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      if (table.Acquire(42, "pop3", "racer", absl::Minutes(1)).ok()) granted.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1);
}

}  // namespace
}  // namespace kurier::storage
