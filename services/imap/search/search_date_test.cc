#include "services/imap/search/search_date.h"

#include "gtest/gtest.h"

namespace kurier::imap {
namespace {

TEST(SearchDateTest, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1994, 2, 1), 8797);
}

TEST(SearchDateTest, DayOfTime) {
  EXPECT_EQ(DayOfTime(0), 0);
  EXPECT_EQ(DayOfTime(86399), 0);
  EXPECT_EQ(DayOfTime(86400), 1);
  EXPECT_EQ(DayOfTime(-1), -1);
  EXPECT_EQ(DayOfTime(-86400), -1);
  EXPECT_EQ(DayOfTime(-86401), -2);
}

TEST(SearchDateTest, ImapDate) {
  EXPECT_EQ(ParseImapDate("1-Feb-1994"), DaysFromCivil(1994, 2, 1));
  EXPECT_EQ(ParseImapDate("01-feb-1994"), DaysFromCivil(1994, 2, 1));
  EXPECT_EQ(ParseImapDate("29-Feb-2000"), DaysFromCivil(2000, 2, 29));
  EXPECT_EQ(ParseImapDate("31-DEC-9999"), DaysFromCivil(9999, 12, 31));
  for (const char* bad : {"", "1-Feb", "29-Feb-1900", "0-Jan-2000", "32-Jan-2000", "1-February-1994",
                          "1-Feb-94", "001-Feb-1994", "1 Feb 1994", "1-Feb-1994x", "x-Feb-1994", "1--1994"}) {
    EXPECT_EQ(ParseImapDate(bad), std::nullopt) << bad;
  }
}

TEST(SearchDateTest, Rfc5322Date) {
  const int64_t nov6 = DaysFromCivil(1994, 11, 6);
  EXPECT_EQ(ParseRfc5322Day("Sun, 06 Nov 1994 08:49:37 GMT"), nov6);
  EXPECT_EQ(ParseRfc5322Day("6 Nov 1994 08:49:37 -0500"), nov6);
  // The day as written, whatever the zone (RFC 9051: disregard the zone).
  EXPECT_EQ(ParseRfc5322Day("Sun, 6 Nov 1994 23:59:59 -1200"), nov6);
  // Obsolete forms (RFC 5322 4.3): comments, two- and three-digit years,
  // alphabetic zones, no seconds, the day name without a comma.
  EXPECT_EQ(ParseRfc5322Day("Sun (Sunday), 6 (day) Nov 94 08:49 EST"), nov6);
  EXPECT_EQ(ParseRfc5322Day("Sunday 6 November 1994 08:49 (comment (nested))"), nov6);
  EXPECT_EQ(ParseRfc5322Day("6 Nov 094 08:49 +0000"), nov6);
  EXPECT_EQ(ParseRfc5322Day("1 Jan 49 00:00 +0000"), DaysFromCivil(2049, 1, 1));
  EXPECT_EQ(ParseRfc5322Day("1 Jan 50 00:00 +0000"), DaysFromCivil(1950, 1, 1));
  EXPECT_EQ(ParseRfc5322Day("  Sun,\t6   Nov 1994"), nov6);
  // asctime-like.
  EXPECT_EQ(ParseRfc5322Day("Sun Nov  6 08:49:37 1994"), nov6);
  for (const char* bad : {"", "garbage", "Sun, 31 Feb 1994 00:00", "6 Foo 1994", "Nov 1994", "6 Nov",
                          "6 Nov 1994x", "(6 Nov 1994)", "6 Nov 19945"}) {
    EXPECT_EQ(ParseRfc5322Day(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace kurier::imap
