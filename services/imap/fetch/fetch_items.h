// The FETCH attribute argument (RFC 9051 6.4.5 and 9, RFC 3501 6.4.5,
// RFC 3516 BINARY, RFC 7162 MODSEQ) parsed from the codec's Arg tree into a
// list of items, and what they need: \Seen to be set, the message content,
// the MIME structure.
//
// STANDARDS
//   RFC 9051 / RFC 3501: fetch-att, the macros ALL, FAST and FULL, section
//     (section-spec, section-msgtext, section-part, section-text,
//     header-list), partial "<offset.length>".
//   RFC 3516: BINARY[section-binary]<partial>, BINARY.PEEK, BINARY.SIZE.
//   RFC 7162: MODSEQ (parsed only).
//
// SECURITY
//   The argument is client input. Parsing never reads past it, bounds
//   numbers (part numbers to 2^32-1, partial to 2^63-1) and fails with
//   InvalidArgument carrying a fixed message (no client bytes) that the
//   session answers as "<tag> BAD <message>".
#ifndef KURIER_SERVICES_IMAP_FETCH_FETCH_ITEMS_H_
#define KURIER_SERVICES_IMAP_FETCH_FETCH_ITEMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap {

// "<offset.length>": the bytes [offset, offset + length) of the section in
// the form sent (CRLF, decoded for BINARY). length is at least 1.
struct Partial {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// A section ("[...]" after BODY / BINARY): which entity, which piece of it.
struct Section {
  enum class Text {
    kAll,              // []: the whole message; [1.2]: the body of part 1.2
    kHeader,           // HEADER
    kHeaderFields,     // HEADER.FIELDS (names)
    kHeaderFieldsNot,  // HEADER.FIELDS.NOT (names)
    kText,             // TEXT
    kMime,             // MIME (only after a part number)
  };
  // Part numbers ("1.2.3" → {1, 2, 3}), each at least 1; empty: the message.
  std::vector<uint32_t> part;
  Text text = Text::kAll;
  // kHeaderFields / kHeaderFieldsNot: the field names as sent (at least one).
  std::vector<std::string> fields;

  bool operator==(const Section& other) const {
    return part == other.part && text == other.text && fields == other.fields;
  }
};

struct FetchItem {
  enum class Kind {
    kFlags,
    kInternalDate,
    kRfc822Size,
    kEnvelope,
    kBody,           // BODY: the non-extensible body structure
    kBodyStructure,  // BODYSTRUCTURE
    kUid,
    kModSeq,
    kRfc822,        // RFC822 = BODY[] (sets \Seen)
    kRfc822Header,  // RFC822.HEADER = BODY.PEEK[HEADER]
    kRfc822Text,    // RFC822.TEXT = BODY[TEXT] (sets \Seen)
    kBodySection,   // BODY[section]<partial>, BODY.PEEK[...]
    kBinary,        // BINARY[part]<partial>, BINARY.PEEK[...]
    kBinarySize,    // BINARY.SIZE[part]
  };
  Kind kind = Kind::kFlags;
  // BODY.PEEK / BINARY.PEEK (and RFC822.HEADER): do not set \Seen.
  bool peek = false;
  // kRfc822*, kBodySection, kBinary, kBinarySize: what to send. For the
  // RFC822 items it is the equivalent BODY section.
  Section section;
  std::optional<Partial> partial;

  // True for the items whose value is (part of) the message content.
  bool is_content() const;
  // True when fetching this item sets \Seen (RFC 9051 6.4.5: BODY[...],
  // BINARY[...], RFC822, RFC822.TEXT when not PEEK).
  bool sets_seen() const;
};

// The parsed attribute argument.
struct FetchRequest {
  std::vector<FetchItem> items;
  // Some item sets \Seen (on a read-write mailbox the session adds \Seen and
  // reports FLAGS, RFC 9051 6.4.5).
  bool sets_seen = false;
  // Some item needs bytes of the message (sections, RFC822*, BINARY*).
  bool needs_content = false;
  // Some item needs the stored MIME structure (ENVELOPE, BODY,
  // BODYSTRUCTURE, RFC822.SIZE (its CRLF size counts bare LFs), and every
  // content item: sections are located with it).
  bool needs_structure = false;
  // UID was asked for (UID FETCH adds it to the response when not).
  bool has_uid = false;
  // MODSEQ was asked for (RFC 7162: the session enables CONDSTORE).
  bool has_modseq = false;
};

// Parses FETCH's attribute argument: an atom (one item or the macro ALL,
// FAST or FULL) or a parenthesized non-empty list of items (no macros).
// Item names and section keywords are case-insensitive. Items keep their
// order; duplicates are kept. InvalidArgument (fixed message, for BAD) on
// anything else.
absl::StatusOr<FetchRequest> ParseFetchAttributes(const Arg& arg);

// Parses one fetch-att atom such as "BODY.PEEK[HEADER.FIELDS (From)]<0.10>"
// (the codec gives the section raw inside the atom). InvalidArgument on bad
// syntax.
absl::StatusOr<FetchItem> ParseFetchItem(absl::string_view atom);

// Parses the inside of a section's brackets ("1.2.HEADER.FIELDS (A B)",
// "" for []). binary: the section-binary grammar (part numbers only).
absl::StatusOr<Section> ParseSection(absl::string_view spec, bool binary);

// The item's name as the FETCH response writes it (RFC 9051 7.5.2):
// "FLAGS", "BODY[HEADER.FIELDS (From To)]<0>" (no .PEEK, the partial as its
// origin only), "BINARY[1]", "BINARY.SIZE[1]", "RFC822.HEADER".
std::string ResponseItemName(const FetchItem& item);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_FETCH_ITEMS_H_
