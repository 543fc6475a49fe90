#include "services/imap/search/search_date.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"

namespace kurier::imap {
namespace {

constexpr absl::string_view kMonths[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// 1..12 for a month name: exactly three letters, or (Date: headers only) a
// longer word that starts with one ("September"); 0 otherwise.
int MonthNumber(absl::string_view word, bool allow_long) {
  if (word.size() < 3 || (!allow_long && word.size() != 3)) return 0;
  const std::string prefix = absl::AsciiStrToLower(word.substr(0, 3));
  for (int i = 0; i < 12; ++i) {
    if (prefix == kMonths[i]) return i + 1;
  }
  return 0;
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int64_t ToNumber(absl::string_view s) {  // s: at most 9 digits
  int64_t n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

std::optional<int64_t> MakeDay(int64_t year, int month, int64_t day) {
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  return DaysFromCivil(year, month, static_cast<int>(day));
}

// RFC 5322 4.3: two-digit years below 50 are 20xx, others 19xx; three-digit
// years add 1900.
int64_t ObsoleteYear(absl::string_view digits) {
  const int64_t y = ToNumber(digits);
  if (digits.size() == 2) return y < 50 ? 2000 + y : 1900 + y;
  if (digits.size() == 3) return 1900 + y;
  return y;
}

// Splits a Date: value into words: comments (nested, with quoted pairs) and
// commas are separators.
std::vector<absl::string_view> DateWords(absl::string_view value) {
  std::vector<absl::string_view> words;
  int depth = 0;
  size_t start = absl::string_view::npos;
  auto end_word = [&](size_t i) {
    if (start != absl::string_view::npos) words.push_back(value.substr(start, i - start));
    start = absl::string_view::npos;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (depth > 0) {
      if (c == '\\') {
        ++i;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      }
      continue;
    }
    if (c == '(') {
      end_word(i);
      depth = 1;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
      end_word(i);
    } else if (start == absl::string_view::npos) {
      start = i;
    }
    if (words.size() > 16) return words;  // a date has fewer; stop early on junk
  }
  end_word(value.size());
  return words;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t DayOfTime(int64_t seconds) {
  int64_t day = seconds / 86400;
  if (seconds % 86400 < 0) --day;
  return day;
}

std::optional<int64_t> ParseImapDate(absl::string_view text) {
  const size_t dash1 = text.find('-');
  if (dash1 == absl::string_view::npos) return std::nullopt;
  const size_t dash2 = text.find('-', dash1 + 1);
  if (dash2 == absl::string_view::npos) return std::nullopt;
  const absl::string_view day = text.substr(0, dash1);
  const absl::string_view month = text.substr(dash1 + 1, dash2 - dash1 - 1);
  const absl::string_view year = text.substr(dash2 + 1);
  if (!AllDigits(day) || day.size() > 2 || !AllDigits(year) || year.size() != 4) return std::nullopt;
  return MakeDay(ToNumber(year), MonthNumber(month, /*allow_long=*/false), ToNumber(day));
}

std::optional<int64_t> ParseRfc5322Day(absl::string_view value) {
  const std::vector<absl::string_view> words = DateWords(value);
  size_t i = 0;
  // An optional day of week ("Sun", "Sunday"), with or without its comma.
  if (i < words.size() && !words[i].empty() && absl::ascii_isalpha(static_cast<unsigned char>(words[i][0])) &&
      MonthNumber(words[i], true) == 0) {
    ++i;
  }
  if (i + 3 > words.size()) return std::nullopt;
  const absl::string_view a = words[i], b = words[i + 1], c = words[i + 2];
  // RFC 5322: day month year.
  if (AllDigits(a) && a.size() <= 2 && MonthNumber(b, true) != 0) {
    if (!AllDigits(c) || c.size() < 2 || c.size() > 4) return std::nullopt;
    return MakeDay(ObsoleteYear(c), MonthNumber(b, true), ToNumber(a));
  }
  // asctime-like: month day [time] year.
  if (MonthNumber(a, true) != 0 && AllDigits(b) && b.size() <= 2) {
    for (size_t j = i + 2; j < words.size() && j < i + 5; ++j) {
      if (AllDigits(words[j]) && words[j].size() == 4) {
        return MakeDay(ToNumber(words[j]), MonthNumber(a, true), ToNumber(b));
      }
    }
  }
  return std::nullopt;
}

}  // namespace kurier::imap
