#include "services/imap/codec/sequence_set.h"

#include <algorithm>
#include <utility>

namespace kurier::imap {
namespace {

// Parses "*" (0) or an nz-number at the start of *text, consuming it.
bool ParseNumber(absl::string_view* text, uint32_t* out) {
  if (text->empty()) return false;
  if ((*text)[0] == '*') {
    *out = 0;
    text->remove_prefix(1);
    return true;
  }
  if ((*text)[0] < '1' || (*text)[0] > '9') return false;
  uint64_t n = 0;
  size_t i = 0;
  while (i < text->size() && (*text)[i] >= '0' && (*text)[i] <= '9') {
    n = n * 10 + static_cast<uint64_t>((*text)[i] - '0');
    if (n > 0xffffffffu) return false;
    ++i;
  }
  *out = static_cast<uint32_t>(n);
  text->remove_prefix(i);
  return true;
}

std::vector<NumberRange> Normalize(std::vector<NumberRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const NumberRange& a, const NumberRange& b) { return a.first < b.first; });
  std::vector<NumberRange> out;
  for (const NumberRange& r : ranges) {
    if (!out.empty() && static_cast<uint64_t>(r.first) <= static_cast<uint64_t>(out.back().last) + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<SequenceSet> SequenceSet::Parse(absl::string_view text, size_t max_ranges) {
  SequenceSet set;
  if (text == "$") {
    set.saved_result_ = true;
    return set;
  }
  const absl::Status invalid = absl::InvalidArgumentError("Invalid sequence set");
  for (;;) {
    Item item;
    if (!ParseNumber(&text, &item.from)) return invalid;
    item.to = item.from;
    if (!text.empty() && text[0] == ':') {
      text.remove_prefix(1);
      if (!ParseNumber(&text, &item.to)) return invalid;
    }
    if (set.items_.size() == max_ranges) return absl::InvalidArgumentError("Too many ranges in sequence set");
    set.items_.push_back(item);
    if (text.empty()) return set;
    if (text[0] != ',') return invalid;
    text.remove_prefix(1);
  }
}

absl::StatusOr<std::vector<NumberRange>> SequenceSet::ResolveSequenceNumbers(uint32_t message_count) const {
  if (saved_result_) return absl::InvalidArgumentError("$ needs the saved search result");
  std::vector<NumberRange> ranges;
  ranges.reserve(items_.size());
  for (const Item& item : items_) {
    const uint32_t a = item.from == 0 ? message_count : item.from;
    const uint32_t b = item.to == 0 ? message_count : item.to;
    if (a == 0 || b == 0 || a > message_count || b > message_count) {
      return absl::InvalidArgumentError("Invalid message sequence number");
    }
    ranges.push_back({std::min(a, b), std::max(a, b)});
  }
  return Normalize(std::move(ranges));
}

std::vector<NumberRange> SequenceSet::ResolveUids(uint32_t star) const {
  std::vector<NumberRange> ranges;
  ranges.reserve(items_.size());
  for (const Item& item : items_) {
    const uint32_t a = item.from == 0 ? star : item.from;
    const uint32_t b = item.to == 0 ? star : item.to;
    if (a == 0 || b == 0) continue;  // "*" with star 0: no UID at all
    ranges.push_back({std::min(a, b), std::max(a, b)});
  }
  return Normalize(std::move(ranges));
}

bool RangesContain(const std::vector<NumberRange>& ranges, uint32_t n) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                             [](uint32_t v, const NumberRange& r) { return v < r.first; });
  if (it == ranges.begin()) return false;
  --it;
  return n <= it->last;
}

uint64_t RangesCount(const std::vector<NumberRange>& ranges) {
  uint64_t n = 0;
  for (const NumberRange& r : ranges) n += static_cast<uint64_t>(r.last) - r.first + 1;
  return n;
}

}  // namespace kurier::imap
