#include "services/imap/codec/sequence_set.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

using Ranges = std::vector<NumberRange>;

TEST(SequenceSetTest, ParsesItems) {
  absl::StatusOr<SequenceSet> set = SequenceSet::Parse("1:*,3,5:7,*,4294967295");
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->items().size(), 5u);
  EXPECT_EQ(set->items()[0].from, 1u);
  EXPECT_EQ(set->items()[0].to, 0u);  // "*"
  EXPECT_EQ(set->items()[1].from, 3u);
  EXPECT_EQ(set->items()[1].to, 3u);
  EXPECT_EQ(set->items()[3].from, 0u);
  EXPECT_EQ(set->items()[4].to, 4294967295u);
  EXPECT_FALSE(set->is_saved_result());
  absl::StatusOr<SequenceSet> saved = SequenceSet::Parse("$");
  ASSERT_TRUE(saved.ok());
  EXPECT_TRUE(saved->is_saved_result());
  EXPECT_TRUE(SequenceSet::Parse("*:*").ok());
}

TEST(SequenceSetTest, RejectsInvalidSets) {
  for (const char* bad : {"", "0", "01", "1:0", "1:", ":1", "1,,2", ",1", "1,", "1:2:3", "4294967296",
                          "99999999999999999999", "a", " 1", "1 ", "-1", "$,1", "1,$", "$$", "1.5", "**"}) {
    EXPECT_FALSE(SequenceSet::Parse(bad).ok()) << bad;
  }
}

TEST(SequenceSetTest, BoundsTheRanges) {
  std::string text = "1";
  for (int i = 2; i <= 10; ++i) absl::StrAppend(&text, ",", i);
  EXPECT_TRUE(SequenceSet::Parse(text, 10).ok());
  EXPECT_FALSE(SequenceSet::Parse(absl::StrCat(text, ",11"), 10).ok());
}

TEST(SequenceSetTest, ResolvesSequenceNumbers) {
  auto resolve = [](const char* text, uint32_t count) {
    return SequenceSet::Parse(text).value().ResolveSequenceNumbers(count);
  };
  EXPECT_EQ(resolve("1:*", 10).value(), (Ranges{{1, 10}}));
  EXPECT_EQ(resolve("*", 10).value(), (Ranges{{10, 10}}));
  EXPECT_EQ(resolve("7:5", 10).value(), (Ranges{{5, 7}}));       // n:m in any order
  EXPECT_EQ(resolve("*:3", 10).value(), (Ranges{{3, 10}}));
  EXPECT_EQ(resolve("9,1:2,3,5:6", 10).value(), (Ranges{{1, 3}, {5, 6}, {9, 9}}));
  EXPECT_EQ(resolve("2:4,3:8", 10).value(), (Ranges{{2, 8}}));
  // RFC 9051: a number beyond the mailbox is a BAD, "*" on an empty one too.
  EXPECT_FALSE(resolve("11", 10).ok());
  EXPECT_FALSE(resolve("5:11", 10).ok());
  EXPECT_FALSE(resolve("*", 0).ok());
  EXPECT_FALSE(resolve("1:*", 0).ok());
  EXPECT_FALSE(resolve("$", 10).ok());
}

TEST(SequenceSetTest, ResolvesUids) {
  auto resolve = [](const char* text, uint32_t star) { return SequenceSet::Parse(text).value().ResolveUids(star); };
  EXPECT_EQ(resolve("1:*", 100), (Ranges{{1, 100}}));
  EXPECT_EQ(resolve("50:*", 100), (Ranges{{50, 100}}));
  // "n:*" beyond the last UID still holds the last message.
  EXPECT_EQ(resolve("200:*", 100), (Ranges{{100, 200}}));
  // UIDs beyond the mailbox are no error.
  EXPECT_EQ(resolve("4827313:4828442", 100), (Ranges{{4827313, 4828442}}));
  EXPECT_EQ(resolve("1:5,3:9,11,10", 100), (Ranges{{1, 11}}));
  EXPECT_EQ(resolve("4294967295,1", 100), (Ranges{{1, 1}, {4294967295u, 4294967295u}}));
  EXPECT_TRUE(resolve("*", 0).empty());
  EXPECT_TRUE(resolve("$", 100).empty());
}

TEST(SequenceSetTest, RangeHelpers) {
  const Ranges ranges = {{1, 3}, {5, 5}, {9, 4294967295u}};
  EXPECT_FALSE(RangesContain(ranges, 0));
  EXPECT_TRUE(RangesContain(ranges, 1));
  EXPECT_TRUE(RangesContain(ranges, 3));
  EXPECT_FALSE(RangesContain(ranges, 4));
  EXPECT_TRUE(RangesContain(ranges, 5));
  EXPECT_FALSE(RangesContain(ranges, 8));
  EXPECT_TRUE(RangesContain(ranges, 4294967295u));
  EXPECT_FALSE(RangesContain({}, 1));
  EXPECT_EQ(RangesCount(ranges), 3u + 1u + (4294967295u - 9u + 1u));
}

}  // namespace
}  // namespace kurier::imap
