#include "services/smtp/recipient_cache.h"

#include "gtest/gtest.h"

namespace kurier::smtp {
namespace {

using Answer = store::v1::ResolveRecipientResponse;
using Clock = RecipientCache::Clock;

Answer Local(const std::string& account) {
  Answer answer;
  answer.set_outcome(Answer::LOCAL);
  answer.set_account(account);
  return answer;
}

TEST(RecipientCacheTest, AnswersAreKeptForTheTtlInAnyCase) {
  Clock::time_point now{};
  RecipientCache cache(std::chrono::seconds(10), 100, [&] { return now; });
  EXPECT_FALSE(cache.Find("anna@example.org").has_value());
  cache.Put("Anna@Example.org", Local("anna@example.org"));
  ASSERT_TRUE(cache.Find("anna@EXAMPLE.org").has_value());
  EXPECT_EQ(cache.Find("anna@example.org")->account(), "anna@example.org");
  now += std::chrono::seconds(10);
  EXPECT_FALSE(cache.Find("anna@example.org").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RecipientCacheTest, OverQuotaIsNeverKept) {
  RecipientCache cache(std::chrono::seconds(10));
  Answer full = Local("anna@example.org");
  full.set_over_quota(true);
  cache.Put("anna@example.org", full);
  EXPECT_FALSE(cache.Find("anna@example.org").has_value());
}

TEST(RecipientCacheTest, ZeroTtlDisablesAndSizeIsBounded) {
  RecipientCache off(std::chrono::seconds(0));
  off.Put("a@b", Local("a@b"));
  EXPECT_FALSE(off.Find("a@b").has_value());

  Clock::time_point now{};
  RecipientCache small(std::chrono::seconds(10), 2, [&] { return now; });
  small.Put("a@b", Local("a@b"));
  small.Put("c@d", Local("c@d"));
  small.Put("e@f", Local("e@f"));  // full of fresh answers: not kept
  EXPECT_EQ(small.size(), 2u);
  EXPECT_FALSE(small.Find("e@f").has_value());
  now += std::chrono::seconds(11);
  small.Put("e@f", Local("e@f"));  // expired ones make room
  EXPECT_EQ(small.size(), 1u);
  EXPECT_TRUE(small.Find("e@f").has_value());
}

}  // namespace
}  // namespace kurier::smtp
