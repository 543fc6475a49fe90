// ListPattern: "*" and "%", reference joining (RFC 9051 6.3.9 / RFC 3501
// 6.3.8), INBOX in any case, and long patterns.
#include "services/imap/mailboxes/list_matcher.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

bool Match(absl::string_view pattern, absl::string_view name, absl::string_view reference = "") {
  return ListPattern(reference, pattern).Matches(name);
}

TEST(ListMatcherTest, LiteralPatterns) {
  EXPECT_TRUE(Match("Fruit", "Fruit"));
  EXPECT_FALSE(Match("Fruit", "fruit"));
  EXPECT_FALSE(Match("Fruit", "Fruit/Apple"));
  EXPECT_FALSE(Match("Fruit/Apple", "Fruit"));
  EXPECT_TRUE(Match("", ""));
  EXPECT_FALSE(Match("", "Fruit"));
}

TEST(ListMatcherTest, StarMatchesAcrossLevels) {
  EXPECT_TRUE(Match("*", "Fruit"));
  EXPECT_TRUE(Match("*", "Fruit/Apple/Green"));
  EXPECT_TRUE(Match("*", ""));
  EXPECT_TRUE(Match("Fruit/*", "Fruit/Apple/Green"));
  EXPECT_TRUE(Match("Fruit*", "Fruit"));
  EXPECT_TRUE(Match("Fruit*", "Fruit/Apple"));
  EXPECT_TRUE(Match("*2", "baz2/bar22"));
  EXPECT_FALSE(Match("*2", "foo2/bar1"));
  EXPECT_TRUE(Match("*/Apple", "Fruit/Apple"));
  EXPECT_TRUE(Match("F*t/A*e", "Fruit/Apple"));
}

TEST(ListMatcherTest, PercentStopsAtTheDelimiter) {
  EXPECT_TRUE(Match("%", "Fruit"));
  EXPECT_FALSE(Match("%", "Fruit/Apple"));
  EXPECT_TRUE(Match("%/%", "Fruit/Apple"));
  EXPECT_FALSE(Match("%/%", "Fruit"));
  EXPECT_TRUE(Match("Fruit/%", "Fruit/Apple"));
  EXPECT_FALSE(Match("Fruit/%", "Fruit/Apple/Green"));
  EXPECT_TRUE(Match("F%t", "Fruit"));
  EXPECT_FALSE(Match("F%t", "Fr/ut"));
  EXPECT_TRUE(Match("Fruit%", "Fruit"));
  EXPECT_TRUE(Match("%", ""));
}

TEST(ListMatcherTest, WildcardRuns) {
  EXPECT_TRUE(Match("%%", "Fruit"));
  EXPECT_FALSE(Match("%%", "Fruit/Apple"));
  EXPECT_TRUE(Match("%*", "Fruit/Apple"));
  EXPECT_TRUE(Match("*%", "Fruit/Apple"));
  EXPECT_TRUE(Match("%*%", "a/b/c"));
}

TEST(ListMatcherTest, Utf8Names) {
  EXPECT_TRUE(Match("%",
                    "Entw\xc3\xbc"
                    "rfe"));
  EXPECT_TRUE(Match("Entw%rfe",
                    "Entw\xc3\xbc"
                    "rfe"));
  EXPECT_TRUE(Match("\xe6\x97\xa5\xe6\x9c\xac/%", "\xe6\x97\xa5\xe6\x9c\xac/x"));
}

TEST(ListMatcherTest, EndsWithPercent) {
  EXPECT_TRUE(ListPattern("", "%").ends_with_percent());
  EXPECT_TRUE(ListPattern("", "Fruit/%").ends_with_percent());
  EXPECT_TRUE(ListPattern("", "*%").ends_with_percent());
  EXPECT_FALSE(ListPattern("", "*").ends_with_percent());
  EXPECT_FALSE(ListPattern("", "%/a").ends_with_percent());
  // A "%" in the reference is no wildcard.
  EXPECT_FALSE(ListPattern("a%", "").ends_with_percent());
}

// RFC 9051 6.3.9 / RFC 3501 6.3.8's table, with "/" as the delimiter.
TEST(ListMatcherTest, ReferenceJoinsThePattern) {
  EXPECT_TRUE(Match("%", "archive/2024", "archive/"));
  EXPECT_FALSE(Match("%", "archive", "archive/"));
  EXPECT_FALSE(Match("%", "2024", "archive/"));
  EXPECT_TRUE(Match("comp.mail.*", "#news.comp.mail.misc", "#news."));
  EXPECT_TRUE(Match("foo.*", "~smith/Mail/foo.bar", "~smith/Mail/"));
  // A pattern starting with the delimiter ignores the reference.
  EXPECT_TRUE(Match("/usr/doc/foo", "/usr/doc/foo", "~smith/Mail/"));
  EXPECT_FALSE(Match("/usr/doc/foo", "~smith/Mail//usr/doc/foo", "~smith/Mail/"));
  // No delimiter is added between them (one reading RFC 9051 allows).
  EXPECT_TRUE(Match("baz", "foo/barbaz", "foo/bar"));
  EXPECT_FALSE(Match("baz", "foo/bar/baz", "foo/bar"));
  // The reference alone, with an empty pattern in a pattern list.
  EXPECT_TRUE(Match("", "Fruit/", "Fruit/"));
}

TEST(ListMatcherTest, WildcardsInTheReferenceAreLiteral) {
  EXPECT_TRUE(Match("x", "a*b/x", "a*b/"));
  EXPECT_FALSE(Match("x", "aZZb/x", "a*b/"));
  EXPECT_FALSE(Match("x", "ab/x", "a%b/"));
}

// RFC 9051 5.1: INBOX is case-insensitive, and so is the INBOX part of its
// children's names; other names are not.
TEST(ListMatcherTest, InboxInAnyCase) {
  EXPECT_TRUE(Match("inbox", "INBOX"));
  EXPECT_TRUE(Match("InBoX", "INBOX"));
  EXPECT_TRUE(Match("inb*", "INBOX"));
  EXPECT_TRUE(Match("i%", "INBOX"));
  EXPECT_TRUE(Match("inbox/%", "INBOX/Sub"));
  EXPECT_TRUE(Match("Inbox/Sub", "INBOX/Sub"));
  EXPECT_FALSE(Match("inbox/sub", "INBOX/Sub"));
  EXPECT_FALSE(Match("%", "INBOX", "inbox/"));
  EXPECT_TRUE(Match("%", "INBOX/Sub", "inbox/"));
  EXPECT_FALSE(Match("inboxes", "INBOXES"));
  EXPECT_FALSE(Match("inbox2", "INBOX2"));
  EXPECT_TRUE(Match("INBOX2", "INBOX2"));
}

TEST(ListMatcherTest, IsInboxOrChild) {
  EXPECT_TRUE(IsInboxOrChild("INBOX"));
  EXPECT_TRUE(IsInboxOrChild("INBOX/a"));
  EXPECT_FALSE(IsInboxOrChild("INBOXa"));
  EXPECT_FALSE(IsInboxOrChild("inbox"));
  EXPECT_FALSE(IsInboxOrChild(""));
}

TEST(ListMatcherTest, LongPatternsStayCheap) {
  // 30,000 alternating wildcards and letters against a long name that
  // almost matches: a backtracking matcher would not finish.
  std::string pattern;
  for (int i = 0; i < 15000; ++i) pattern += "*a";
  const std::string name = std::string(20000, 'a') + "b";
  EXPECT_FALSE(ListPattern("", pattern).Matches(name));
  EXPECT_TRUE(ListPattern("", pattern).Matches(std::string(15000, 'a')));
  std::string percents;
  for (int i = 0; i < 2000; ++i) percents += "%a";
  EXPECT_TRUE(ListPattern("", percents + "*").Matches(std::string(3000, 'a') + "/b"));
  EXPECT_FALSE(ListPattern("", percents).Matches(std::string(3000, 'a') + "/b"));
}

TEST(ListMatcherTest, RootName) {
  EXPECT_EQ(ListRootName(""), "");
  EXPECT_EQ(ListRootName("Fruit"), "");
  EXPECT_EQ(ListRootName("Fruit/Apple"), "Fruit/");
  EXPECT_EQ(ListRootName("/usr/staff/jones"), "/");
  EXPECT_EQ(ListRootName("~smith/Mail/"), "~smith/");
}

}  // namespace
}  // namespace kurier::imap
