#include "services/imap/message_set.h"

#include <algorithm>

namespace kurier::imap {

absl::StatusOr<std::vector<uint32_t>> ResolveMessageSet(const SelectedMailbox& mailbox, const Arg& arg, bool uid,
                                                        const std::vector<NumberRange>& saved) {
  if (!arg.is_atom()) return absl::InvalidArgumentError("expected a sequence set");
  absl::StatusOr<SequenceSet> set = SequenceSet::Parse(arg.value);
  if (!set.ok()) return set.status();
  const std::vector<uint32_t>& uids = mailbox.uids();
  std::vector<uint32_t> out;
  if (set->is_saved_result() || uid) {
    const std::vector<NumberRange> ranges =
        set->is_saved_result() ? saved : set->ResolveUids(uids.empty() ? mailbox.uid_next() - 1 : uids.back());
    for (const NumberRange& range : ranges) {
      auto it = std::lower_bound(uids.begin(), uids.end(), range.first);
      for (; it != uids.end() && *it <= range.last; ++it) out.push_back(*it);
    }
    return out;
  }
  absl::StatusOr<std::vector<NumberRange>> seqs = set->ResolveSequenceNumbers(static_cast<uint32_t>(uids.size()));
  if (!seqs.ok()) return seqs.status();
  for (const NumberRange& range : *seqs) {
    for (uint64_t seq = range.first; seq <= range.last; ++seq) out.push_back(uids[seq - 1]);
  }
  return out;
}

std::vector<NumberRange> ToNumberRanges(const std::vector<uint32_t>& sorted) {
  std::vector<NumberRange> ranges;
  for (uint32_t n : sorted) {
    if (!ranges.empty() && ranges.back().last + 1 == n) {
      ranges.back().last = n;
    } else {
      ranges.push_back({n, n});
    }
  }
  return ranges;
}

std::vector<::kurier::store::v1::UidRange> ToUidRanges(const std::vector<uint32_t>& sorted_uids) {
  std::vector<::kurier::store::v1::UidRange> ranges;
  for (const NumberRange& run : ToNumberRanges(sorted_uids)) {
    ::kurier::store::v1::UidRange& range = ranges.emplace_back();
    range.set_first(run.first);
    range.set_last(run.last);
  }
  return ranges;
}

}  // namespace kurier::imap
