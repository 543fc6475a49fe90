#include "services/imap/search/search_result.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/imap/codec/response_writer.h"

namespace kurier::imap {

std::string FormatNumberSet(const std::vector<uint32_t>& sorted) {
  std::string out;
  size_t i = 0;
  while (i < sorted.size()) {
    const uint32_t first = sorted[i];
    uint32_t last = first;
    ++i;
    while (i < sorted.size() && (sorted[i] == last || sorted[i] == last + 1)) {
      last = sorted[i];
      ++i;
    }
    if (!out.empty()) out.push_back(',');
    absl::StrAppend(&out, first);
    if (last != first) absl::StrAppend(&out, ":", last);
  }
  return out;
}

std::string FormatSearchResponse(const std::vector<uint32_t>& matches, std::optional<uint64_t> modseq) {
  std::string out = "* SEARCH";
  for (uint32_t n : matches) absl::StrAppend(&out, " ", n);
  if (modseq.has_value() && !matches.empty()) absl::StrAppend(&out, " (MODSEQ ", *modseq, ")");
  out.append("\r\n");
  return out;
}

std::string FormatEsearchResponse(absl::string_view tag, bool uid, const SearchReturn& ret,
                                  const std::vector<uint32_t>& matches, std::optional<uint64_t> modseq) {
  std::string out = "* ESEARCH (TAG ";
  AppendString(&out, tag);
  out.append(")");
  if (uid) out.append(" UID");
  const bool all = ret.all || !(ret.min || ret.max || ret.count);
  if (!matches.empty()) {
    if (ret.min) absl::StrAppend(&out, " MIN ", *std::min_element(matches.begin(), matches.end()));
    if (ret.max) absl::StrAppend(&out, " MAX ", *std::max_element(matches.begin(), matches.end()));
    if (all) absl::StrAppend(&out, " ALL ", FormatNumberSet(matches));
  }
  if (ret.count) absl::StrAppend(&out, " COUNT ", matches.size());
  if (modseq.has_value() && !matches.empty()) absl::StrAppend(&out, " MODSEQ ", *modseq);
  out.append("\r\n");
  return out;
}

std::string FormatSearchResult(const SearchQuery& query, absl::string_view tag, bool uid, bool esearch,
                               const std::vector<uint32_t>& matches, std::optional<uint64_t> modseq) {
  const SearchReturn& ret = query.ret;
  if (query.has_return && ret.save && !(ret.min || ret.max || ret.all || ret.count)) return "";
  if (query.has_return || esearch) return FormatEsearchResponse(tag, uid, ret, matches, modseq);
  return FormatSearchResponse(matches, modseq);
}

std::vector<uint32_t> SavedSearchResult(const SearchReturn& ret, const std::vector<uint32_t>& matches) {
  if (matches.empty()) return {};
  if ((ret.min || ret.max) && !ret.all && !ret.count) {
    std::vector<uint32_t> saved;
    const uint32_t lo = *std::min_element(matches.begin(), matches.end());
    const uint32_t hi = *std::max_element(matches.begin(), matches.end());
    if (ret.min) saved.push_back(lo);
    if (ret.max && (!ret.min || hi != lo)) saved.push_back(hi);
    return saved;
  }
  return matches;
}

}  // namespace kurier::imap
