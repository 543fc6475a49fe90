// Evaluates a parsed SEARCH query (search_query.h) against one message. The
// session scans the mailbox linearly, calling EvaluateSearch per message;
// the message's bytes are asked for only when a key needs them, and only
// the part needed (header or whole message), so flag, size, date, UID and
// sequence-set queries never read content.
//
// STANDARDS
//   RFC 9051 6.4.4: case-insensitive substring matching on decoded text
//     (header values with RFC 2047 encoded words decoded; bodies decoded
//     from base64 / quoted-printable and their charset, text/* parts only,
//     see message_text.h; folding is described in text_fold.h); an empty
//     HEADER string matches every message with that field; BEFORE/ON/SINCE
//     on the internal date's UTC day; SENT* on the Date: header's day as
//     written (unparsable or missing: the key does not match, so NOT of it
//     does); LARGER/SMALLER on RFC822.SIZE.
//   RFC 7162 3.1.5: MODSEQ n matches messages whose modseq >= n.
#ifndef KURIER_SERVICES_IMAP_SEARCH_SEARCH_EVAL_H_
#define KURIER_SERVICES_IMAP_SEARCH_SEARCH_EVAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"
#include "services/imap/search/search_query.h"

namespace kurier::imap {

// A message's header as the header keys (FROM, TO, CC, BCC, SUBJECT, HEADER,
// SENT*) read it: each field's value unfolded, its encoded words decoded and
// its case folded, and the Date: field's day. Messages never change, so a
// session may keep it (services/imap/search_header_cache.h) and later
// searches skip both the store read and the parsing.
struct SearchHeader {
  struct Field {
    std::string name;   // as written
    std::string value;  // unfolded, decoded, case-folded
  };
  std::vector<Field> fields;
  // The first Date: field's day (as written), if present and parsable.
  std::optional<int64_t> sent_day;

  // About the heap memory this holds, for a cache's budget.
  size_t MemoryBytes() const;
};

// `header`: the message's header (through its blank line; more is ignored).
SearchHeader PrepareSearchHeader(absl::string_view header);

// One message as SEARCH sees it. The content callbacks must return views
// that stay valid until EvaluateSearch returns; each is called at most once
// per evaluation, and only when the query needs it.
struct SearchMessage {
  uint32_t seq = 0;  // message sequence number
  uint32_t uid = 0;
  // System flags with their backslash and keywords; compared ASCII
  // case-insensitively.
  std::vector<std::string> flags;
  // Seconds since the epoch; compared as a UTC day.
  int64_t internal_date = 0;
  // RFC822.SIZE (the store's wire_size).
  uint64_t size = 0;
  uint64_t modseq = 0;
  // The message's header (at least through its blank line; more is
  // ignored). Called for header keys when the whole content is not needed;
  // when unset, `content` is used instead.
  std::function<absl::string_view()> header;
  // The whole message. Called for BODY/TEXT (and for header keys when
  // `header` is unset).
  std::function<absl::string_view()> content;
  // Optional: the header prepared already. When set, header keys use it and
  // call neither `header` nor `content` (TEXT still reads `content`).
  const SearchHeader* prepared_header = nullptr;
  // Optional: the MIME structure of `content` (the store's MessageInfo
  // structure). When null and body text is needed, the content is parsed.
  const mime::v1::MessageStructure* structure = nullptr;
};

// True when the query reads header fields or text (FROM, TO, CC, BCC,
// SUBJECT, HEADER, SENT*, TEXT): the message's header must be available.
bool NeedsHeader(const SearchQuery& query);

// True when the query reads the body (BODY, TEXT): the whole message must be
// available. NeedsBody implies NeedsHeader only for TEXT.
bool NeedsBody(const SearchQuery& query);

// True when the query reads anything of the store's message record: flags,
// internal date, size or modseq (sequence numbers and UIDs are known).
bool NeedsMetadata(const SearchQuery& query);

// True when the query has a MODSEQ key: the response carries the highest
// modseq of the matches (RFC 7162 3.1.5).
bool UsesModSeq(const SearchQuery& query);

// True when `message` matches the query. Sets in the query must have been
// resolved (ResolveSearchSets). Within AND and OR, keys that need no content
// are evaluated first, so content is read only when they do not decide.
bool EvaluateSearch(const SearchQuery& query, const SearchMessage& message);

// The same for one key (a subtree), e.g. to evaluate NOT of a query.
bool EvaluateSearchKey(const SearchKey& key, const SearchMessage& message);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_SEARCH_EVAL_H_
