#include "services/pop3/maildrop.h"

#include "gtest/gtest.h"

namespace kurier::pop3 {
namespace {

Maildrop Sample() { return Maildrop(1700000000, {{.uid = 3, .size = 120}, {.uid = 7, .size = 200}, {.uid = 9, .size = 5}}); }

TEST(MaildropTest, CountsAndFinds) {
  Maildrop drop = Sample();
  EXPECT_EQ(drop.live_count(), 3u);
  EXPECT_EQ(drop.live_size(), 325u);
  EXPECT_EQ(drop.Find(0), nullptr);
  EXPECT_EQ(drop.Find(4), nullptr);
  ASSERT_NE(drop.Find(2), nullptr);
  EXPECT_EQ(drop.Find(2)->uid, 7u);
}

TEST(MaildropTest, DeleteHidesUntilReset) {
  Maildrop drop = Sample();
  EXPECT_TRUE(drop.MarkDeleted(2));
  EXPECT_FALSE(drop.MarkDeleted(2));
  EXPECT_EQ(drop.Find(2), nullptr);
  EXPECT_EQ(drop.live_count(), 2u);
  EXPECT_EQ(drop.live_size(), 125u);
  EXPECT_EQ(drop.total_count(), 3u);
  EXPECT_EQ(drop.DeletedUids(), std::vector<uint32_t>({7}));
  drop.UnmarkAll();
  EXPECT_EQ(drop.live_count(), 3u);
  EXPECT_TRUE(drop.DeletedUids().empty());
}

TEST(MaildropTest, UniqueIdsCombineUidValidityAndUid) {
  Maildrop drop = Sample();
  EXPECT_EQ(drop.UniqueId(*drop.Find(1)), "1700000000.3");
  EXPECT_EQ(drop.UniqueId(*drop.Find(3)), "1700000000.9");
}

TEST(MaildropTest, RetrievedExcludesDeleted) {
  Maildrop drop = Sample();
  drop.MarkRetrieved(1);
  drop.MarkRetrieved(2);
  drop.MarkDeleted(2);
  EXPECT_EQ(drop.RetrievedLiveUids(), std::vector<uint32_t>({3}));
}

}  // namespace
}  // namespace kurier::pop3
