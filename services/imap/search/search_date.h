// Dates for SEARCH: the IMAP date of a search key ("1-Feb-1994"), the day of
// an RFC 5322 Date: header, and the UTC day of an internal date. A day is a
// count of days since 1970-01-01 (negative before it), so comparing days
// compares dates. Pure functions.
//
// STANDARDS
//   RFC 9051 section 9 (date, date-text, date-day, date-month, date-year) and
//     6.4.4 (BEFORE/ON/SINCE disregard time and time zone; the server's time
//     zone is UTC here; SENTBEFORE/SENTON/SENTSINCE use the Date: header,
//     disregarding time and time zone, so the day as written).
//   RFC 5322 section 3.3 (date-time) and 4.3 (obsolete forms: two- and
//     three-digit years, comments, missing day of week or seconds,
//     alphabetic zones).
#ifndef KURIER_SERVICES_IMAP_SEARCH_SEARCH_DATE_H_
#define KURIER_SERVICES_IMAP_SEARCH_SEARCH_DATE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace kurier::imap {

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day
// 1..31, not checked).
int64_t DaysFromCivil(int64_t year, int month, int day);

// The UTC day of a time in seconds since the epoch (floor division).
int64_t DayOfTime(int64_t seconds);

// Parses an IMAP date "d-Mon-yyyy" or "dd-Mon-yyyy" (month name in any
// case; the day must exist in that month). nullopt on anything else.
std::optional<int64_t> ParseImapDate(absl::string_view text);

// The day of an RFC 5322 Date: value (unfolded), ignoring time and zone:
// "[Sun,] 6 Nov 1994 08:49:37 -0500 (EST)", obsolete two/three-digit years
// (49 → 2049, 50 → 1950, 105 → 2005), comments anywhere, the day of week
// with or without comma, and the asctime-like "Sun Nov  6 08:49:37 1994".
// nullopt when no valid day, month and year are found.
std::optional<int64_t> ParseRfc5322Day(absl::string_view value);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_SEARCH_DATE_H_
