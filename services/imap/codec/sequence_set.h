// IMAP sequence sets ("1:*,3,5:7", "*", "$"): parsed from the atom a client
// sent, then resolved against the selected mailbox. Pure functions.
//
// STANDARDS
//   RFC 9051 section 9 (sequence-set, seq-number, seq-range: "*" is the
//   largest number in use, "n:m" means the same as "m:n"; a message sequence
//   number beyond the mailbox, "*" in an empty one included, is a BAD),
//   RFC 5182 and RFC 9051 section 6.4.4.1 ("$", the saved search result).
//
// SECURITY
//   A client controls the text; the number of ranges is bounded at parse
//   time (max_ranges) and numbers are checked to fit 1..2^32-1, so a set
//   costs at most max_ranges entries however it is written.
#ifndef KURIER_SERVICES_IMAP_CODEC_SEQUENCE_SET_H_
#define KURIER_SERVICES_IMAP_CODEC_SEQUENCE_SET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kurier::imap {

// The default bound on the comma-separated items of one set.
inline constexpr size_t kDefaultMaxRanges = 1000;

// A closed range of numbers, first <= last, both >= 1.
struct NumberRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const NumberRange&) const = default;
};

class SequenceSet {
 public:
  // One item as written: 0 stands for "*".
  struct Item {
    uint32_t from = 0;
    uint32_t to = 0;  // == from for a single number
  };

  // Parses a sequence set: items "n", "*", "n:m" (either may be "*";
  // numbers 1..4294967295 without leading zeros) separated by ",", or "$"
  // alone. InvalidArgument (a message safe to send) on anything else,
  // including more than max_ranges items.
  static absl::StatusOr<SequenceSet> Parse(absl::string_view text, size_t max_ranges = kDefaultMaxRanges);

  // True for "$": the caller substitutes the saved search result (RFC 5182);
  // items() is empty.
  bool is_saved_result() const { return saved_result_; }

  // The items in the order written.
  const std::vector<Item>& items() const { return items_; }

  // Message sequence numbers against a mailbox of `message_count` messages:
  // "*" is message_count. InvalidArgument (answer BAD) when a number is
  // greater than message_count, which includes any set ("*" too) on an empty
  // mailbox, and for "$". Returns sorted, merged, non-overlapping ranges.
  absl::StatusOr<std::vector<NumberRange>> ResolveSequenceNumbers(uint32_t message_count) const;

  // UIDs: "*" is `star`, the mailbox's largest UID or, for an empty
  // mailbox, its UIDNEXT (RFC 9051). Numbers beyond it are not an error
  // (they match nothing); "n:*" with n > star is star:n, so it still holds
  // the last message. Empty for "$". Sorted, merged, non-overlapping ranges.
  std::vector<NumberRange> ResolveUids(uint32_t star) const;

 private:
  bool saved_result_ = false;
  std::vector<Item> items_;
};

// True when `n` lies in one of the sorted, non-overlapping `ranges` (as the
// Resolve functions return them). O(log ranges).
bool RangesContain(const std::vector<NumberRange>& ranges, uint32_t n);

// The number of values the ranges hold.
uint64_t RangesCount(const std::vector<NumberRange>& ranges);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CODEC_SEQUENCE_SET_H_
