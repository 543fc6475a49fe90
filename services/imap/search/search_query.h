// The arguments of SEARCH / UID SEARCH parsed into a query tree: ESEARCH
// return options, the charset, and the search keys. Pure functions over the
// codec's Arg tree; nothing here reads a message (search_eval.h does).
//
// STANDARDS
//   RFC 9051 section 6.4.4 (SEARCH, every search key, CHARSET, RETURN) and
//     6.4.4.1 (SAVE and "$"); section 9 (search-key, date, number64).
//   RFC 3501 section 6.4.4 (adds NEW, OLD, RECENT; this server never sets
//     \Recent, so RECENT and NEW match nothing and OLD matches everything).
//   RFC 4731 (ESEARCH: RETURN (MIN MAX ALL COUNT), "RETURN ()" = ALL).
//   RFC 5182 (SEARCHRES: RETURN (SAVE), "$" as a sequence set).
//   RFC 7162 section 3.1.5 (CONDSTORE: MODSEQ [entry-name entry-type]
//     mod-sequence-valzer; the entry is parsed and ignored, as the store
//     keeps one modseq per message).
//
// SECURITY
//   The arguments are client-controlled. The codec bounds their number and
//   list depth; NOT/OR chains nest keys without lists, so the parser bounds
//   the depth of the key tree (kMaxSearchDepth) as well. Error texts are
//   fixed strings and never echo client bytes.
#ifndef KURIER_SERVICES_IMAP_SEARCH_SEARCH_QUERY_H_
#define KURIER_SERVICES_IMAP_SEARCH_SEARCH_QUERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/codec/sequence_set.h"

namespace kurier::imap {

// Keys nested deeper than this (lists, NOT, OR) are refused with BAD.
inline constexpr int kMaxSearchDepth = 64;

// The charsets SEARCH accepts (RFC 9051 requires UTF-8; US-ASCII is a
// subset). Anything else is "NO [BADCHARSET (UTF-8 US-ASCII)]".
inline constexpr absl::string_view kBadCharsetCode = "BADCHARSET (UTF-8 US-ASCII)";

enum class SearchKeyKind {
  kAll,         // every message (ALL, OLD)
  kNone,        // no message (RECENT, NEW: \Recent is never set)
  kAnd,         // every child (the top level, a parenthesized list)
  kOr,          // children[0] or children[1]
  kNot,         // not children[0]
  kFlag,        // `text` is a flag ("\Seen", a keyword); matches when the
                // message has it == flag_set (case-insensitive)
  kHeader,      // header field `field` contains `text` (FROM, TO, CC, BCC,
                // SUBJECT, HEADER); an empty `text` matches any such field
  kBody,        // the decoded body text contains `text`
  kText,        // the decoded header or body text contains `text`
  kBefore,      // internal date (UTC day) < date
  kOn,          // internal date (UTC day) == date
  kSince,       // internal date (UTC day) >= date
  kSentBefore,  // Date: header's day < date (unparsable: no match)
  kSentOn,      // Date: header's day == date
  kSentSince,   // Date: header's day >= date
  kLarger,      // size > number
  kSmaller,     // size < number
  kSequenceSet, // the message's sequence number is in `set`
  kUidSet,      // the message's UID is in `set`
  kModSeq,      // the message's modseq >= number
};

// One node of the query tree.
struct SearchKey {
  SearchKeyKind kind = SearchKeyKind::kAll;
  // kHeader: the field name as the client sent it (FROM → "From").
  std::string field;
  // kFlag: the flag; kHeader, kBody, kText: the search string as sent (UTF-8
  // under CHARSET UTF-8 / US-ASCII).
  std::string text;
  // kHeader, kBody, kText: `text` case-folded (see text_fold.h), what the
  // evaluator compares.
  std::string folded;
  // kFlag: true for ANSWERED, KEYWORD...; false for UNANSWERED, UNKEYWORD...
  bool flag_set = true;
  // kBefore...kSentSince: the date as days since 1970-01-01.
  int64_t days = 0;
  // kLarger, kSmaller: octets; kModSeq: the mod-sequence.
  uint64_t number = 0;
  // kSequenceSet, kUidSet: the set as written ("$" included), and after
  // ResolveSearchSets the ranges it stands for: sequence numbers for
  // kSequenceSet, UIDs for kUidSet and for "$" in either (the saved result
  // holds UIDs).
  SequenceSet set;
  bool set_is_uids = false;
  std::vector<NumberRange> ranges;
  std::vector<SearchKey> children;
  // What this key and its children read of a message: 0 nothing, 1 the
  // header, 2 the body. Set by ParseSearchQuery; the evaluator uses it to
  // try cheaper keys first (results do not depend on it).
  int content = 0;
};

// RFC 4731 / RFC 5182 result options.
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;
};

struct SearchQuery {
  // "RETURN (...)" was given: answer with ESEARCH (unless only SAVE).
  bool has_return = false;
  // The options; "RETURN ()" sets `all`.
  SearchReturn ret;
  // The CHARSET as sent, upper-cased; empty when none was given.
  std::string charset;
  // kAnd of the keys, in the order sent.
  SearchKey root;
};

// Why the arguments were refused: answer "<tag> <condition> [<code>] <text>"
// (the code left out when empty).
struct SearchError {
  Condition condition = Condition::kBad;
  std::string code;
  // A short fixed text, safe to send.
  std::string text;
};

// Parses the arguments of SEARCH (command.args, after the command name;
// the same for UID SEARCH): [RETURN (opts)] [CHARSET name] key+. Returns
// true and fills *query, or false and fills *error: BAD for syntax (unknown
// key, missing or malformed argument, bad date, unbalanced or empty list,
// too deep), NO [BADCHARSET ...] for a charset other than UTF-8/US-ASCII.
// Sequence sets are parsed but not resolved: call ResolveSearchSets.
bool ParseSearchQuery(const std::vector<Arg>& args, SearchQuery* query, SearchError* error);

// The selected mailbox as sequence sets in a query need it.
struct SearchMailbox {
  // Messages in the mailbox: "*" in a sequence-number set.
  uint32_t message_count = 0;
  // "*" in a UID set: the largest UID, or UIDNEXT when the mailbox is empty.
  uint32_t uid_star = 0;
  // The saved search result ("$", RFC 5182) as sorted, merged UID ranges;
  // empty when nothing was saved (then "$" matches nothing).
  std::vector<NumberRange> saved_uids;
};

// Resolves every set in the tree against the mailbox. Lenient like Dovecot:
// sequence numbers beyond message_count match nothing instead of making the
// command BAD ("*" is message_count). Call before EvaluateSearch.
void ResolveSearchSets(const SearchMailbox& mailbox, SearchQuery* query);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_SEARCH_QUERY_H_
