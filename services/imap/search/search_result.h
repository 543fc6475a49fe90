// Formats the result of SEARCH / UID SEARCH: the rev1 "* SEARCH" response,
// the ESEARCH response (RFC 4731, and IMAP4rev2's only form), and what RFC
// 5182 SAVE keeps. Pure functions; the matches are sequence numbers or, for
// UID SEARCH, UIDs, in ascending order.
//
// STANDARDS
//   RFC 3501 7.2.5 ("* SEARCH" with the numbers, or "* SEARCH" alone when
//     nothing matched); RFC 9051 7.3.4 and RFC 4731 (ESEARCH: "(TAG
//     "<tag>")", "UID" for UID SEARCH, MIN, MAX, ALL as a sequence set,
//     COUNT; MIN, MAX and ALL are left out when nothing matched, COUNT 0 is
//     sent); RFC 9051 6.4.4 (without RETURN an IMAP4rev2 SEARCH means
//     RETURN (ALL)); RFC 5182 2 / RFC 9051 6.4.4.1 (SAVE: no ESEARCH
//     response when SAVE is the only option; with only MIN and/or MAX
//     besides SAVE, those are saved, otherwise every match);
//   RFC 7162 3.1.5 (the highest modseq of the matches, "(MODSEQ n)" in
//     SEARCH and "MODSEQ n" in ESEARCH, when a MODSEQ key was used and
//     something matched).
#ifndef KURIER_SERVICES_IMAP_SEARCH_SEARCH_RESULT_H_
#define KURIER_SERVICES_IMAP_SEARCH_SEARCH_RESULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imap/search/search_query.h"

namespace kurier::imap {

// Sorted numbers as a compact sequence set: runs become "a:b", items are
// joined by ",": {1,2,3,5} → "1:3,5". Empty for no numbers. Duplicates
// are tolerated.
std::string FormatNumberSet(const std::vector<uint32_t>& sorted);

// "* SEARCH 2 3 6\r\n" (rev1), "* SEARCH\r\n" when `matches` is empty;
// with modseq (and matches) "* SEARCH 2 3 (MODSEQ 917162500)\r\n".
std::string FormatSearchResponse(const std::vector<uint32_t>& matches,
                                 std::optional<uint64_t> modseq = std::nullopt);

// "* ESEARCH (TAG "A1") UID MIN 1 MAX 9 ALL 1:3,5 COUNT 4\r\n" with the
// items `ret` asks for (all false: ALL, as "RETURN ()"), in the order MIN,
// MAX, ALL, COUNT, then MODSEQ when given and something matched. The tag is
// written as a quoted string (or a literal if it cannot be quoted).
std::string FormatEsearchResponse(absl::string_view tag, bool uid, const SearchReturn& ret,
                                  const std::vector<uint32_t>& matches,
                                  std::optional<uint64_t> modseq = std::nullopt);

// The untagged response for a parsed query's result, as the session
// writes it: nothing for RETURN (SAVE) alone; ESEARCH when the query had
// RETURN or the client enabled IMAP4rev2 (`esearch`), with ALL when
// RETURN gave no option; else "* SEARCH".
std::string FormatSearchResult(const SearchQuery& query, absl::string_view tag, bool uid, bool esearch,
                               const std::vector<uint32_t>& matches,
                               std::optional<uint64_t> modseq = std::nullopt);

// What RETURN (SAVE) keeps (the caller converts to UIDs if the matches are
// sequence numbers): the MIN and/or MAX match when only those options are
// given with SAVE, else every match. Empty when nothing matched.
std::vector<uint32_t> SavedSearchResult(const SearchReturn& ret, const std::vector<uint32_t>& matches);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_SEARCH_RESULT_H_
