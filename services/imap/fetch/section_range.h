// Where a FETCH section is in the stored message and how its bytes become
// what IMAP sends: PlanSection turns (structure, section, partial) into byte
// ranges of the stored message plus a transform for each, so the session
// reads only those ranges from the store (issue 5 section 3); then
// MaterializeSection turns the bytes read into the value to send.
//
// STANDARDS
//   RFC 9051 / RFC 3501 6.4.5: section numbering (part 1 of a non-multipart
//     message is its body; a message/rfc822 part's children are numbered
//     inside its enclosed message), HEADER / HEADER.FIELDS(.NOT) / TEXT of
//     the message or of a message/rfc822 part, MIME of a part, partial
//     "<offset.length>" counted in the octets sent (an offset past the end
//     gives an empty string).
//   RFC 3516: BINARY[part] decodes the part's Content-Transfer-Encoding;
//     [UNKNOWN-CTE] when it cannot; BINARY.SIZE is the decoded size.
//
// Choices, after Dovecot (src/lib-imap-storage/imap-msgpart.c): a section
// that names no part (part 3 of a two-part message, 1.1 of a text part,
// HEADER or TEXT of a part that is not message/rfc822) is found=false and
// sent as an empty string; N.MIME of a message/rfc822 part is that part's
// own MIME header. BODY sections are sent in CRLF form (the stored message
// may have bare LFs). BINARY[] is the whole message, its body decoded when
// the message is a single part; BINARY of a multipart or a parsed message
// part is its body in CRLF form, undecoded; 7bit/8bit parts are sent in
// CRLF form, "binary" ones exactly.
//
// What it trusts: the structure is the one the MIME parser computed for
// these bytes (ranges inside the message; header_offset + header_size ==
// body_offset). Ranges are clamped to MessageStructure.size anyway, so a
// damaged structure cannot send bytes outside the message.
#ifndef KURIER_SERVICES_IMAP_FETCH_SECTION_RANGE_H_
#define KURIER_SERVICES_IMAP_FETCH_SECTION_RANGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"
#include "services/imap/fetch/fetch_items.h"

namespace kurier::imap {

// How the stored bytes of one piece become bytes sent.
enum class PieceTransform {
  kCrlf,             // bare LF → CRLF (BODY sections; 7bit/8bit in BINARY)
  kRaw,              // exactly as stored (BINARY of a "binary" part)
  kBase64,           // BINARY: base64-decoded
  kQuotedPrintable,  // BINARY: quoted-printable-decoded
  kHeaderFields,     // HEADER.FIELDS: the named fields, CRLF, blank line
  kHeaderFieldsNot,  // HEADER.FIELDS.NOT: the other fields, same form
};

// One byte range of the stored message and its transform.
struct SectionPiece {
  uint64_t offset = 0;
  uint64_t size = 0;
  PieceTransform transform = PieceTransform::kCrlf;
  // The size of the transformed piece when the structure tells it (kCrlf:
  // size + the range's bare LFs; kRaw: size); nullopt when only reading
  // tells (filters, decoders).
  std::optional<uint64_t> output_size;
};

struct SectionPlan {
  // False: the section names nothing in this message; send "" (read
  // nothing).
  bool found = true;
  // The ranges to read, in order; the value is their transforms joined.
  std::vector<SectionPiece> pieces;
  // kHeaderFields / kHeaderFieldsNot: the names.
  std::vector<std::string> fields;
  // The partial still to apply to the joined transformed bytes. nullopt when
  // there was none or when it was already applied by narrowing the pieces
  // (possible when no piece changes size).
  std::optional<Partial> partial;
  // The size of the whole section as sent (before any partial), when the
  // structure tells it: for BODY[...]<n> streaming and BINARY.SIZE without
  // reading. nullopt when the bytes must be read (filters, decoders).
  std::optional<uint64_t> total_size;
  // The size of the value to send (after the partial), when known.
  std::optional<uint64_t> output_size;
  // BINARY: the value may hold NUL and then goes out as literal8.
  bool binary = false;
};

// The section's value.
struct SectionContent {
  // The bytes to send (partial applied): `data`, or `borrowed` when the
  // section is sent exactly as stored (a view of the bytes it was made from).
  std::string data;
  std::optional<absl::string_view> borrowed;
  // The size of the whole section as sent, before the partial (BINARY.SIZE).
  uint64_t total_size = 0;

  absl::string_view bytes() const { return borrowed ? *borrowed : absl::string_view(data); }
};

// Plans `section` of the message described by `structure`. binary: BINARY
// or BINARY.SIZE (section holds part numbers only). Unimplemented with a
// message starting with kUnknownCteCode (IsUnknownCte) when BINARY meets
// an encoding it cannot decode; the session answers "NO [UNKNOWN-CTE] ...".
absl::StatusOr<SectionPlan> PlanSection(const mime::v1::MessageStructure& structure, const Section& section,
                                        bool binary, std::optional<Partial> partial);

// The plan for a FETCH item (kRfc822*, kBodySection, kBinary, kBinarySize;
// BINARY.SIZE plans the whole section).
absl::StatusOr<SectionPlan> PlanFetchItem(const mime::v1::MessageStructure& structure, const FetchItem& item);

// Total bytes PlanSection asks to read (the sum of the piece sizes).
uint64_t PlannedReadBytes(const SectionPlan& plan);

// Turns `bytes`, the plan's pieces read from the store and joined in order
// (PlannedReadBytes of them), into the value, which may borrow from `bytes`.
// InvalidArgument when `bytes` has another size.
absl::StatusOr<SectionContent> MaterializeSection(const SectionPlan& plan, absl::string_view bytes);

// MaterializeSection with the pieces taken from the whole stored `message`
// (the value may borrow from it). InvalidArgument when a piece lies outside.
absl::StatusOr<SectionContent> MaterializeFromMessage(const SectionPlan& plan, absl::string_view message);

// Plans and materializes against the whole stored message in memory (tests,
// small messages, APPEND's echo).
absl::StatusOr<SectionContent> ReadSection(const mime::v1::MessageStructure& structure, absl::string_view message,
                                           const Section& section, bool binary, std::optional<Partial> partial);

// RFC822.SIZE: the size of the message as IMAP sends it (CRLF form).
uint64_t ImapMessageSize(const mime::v1::MessageStructure& structure);

// The entity named by part numbers, or nullptr (RFC 9051 6.4.5 numbering,
// as Dovecot's imap_msgpart_find): empty `part` is the message itself.
const mime::v1::BodyPart* FindBodyPart(const mime::v1::BodyPart& root, const std::vector<uint32_t>& part);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_SECTION_RANGE_H_
