// The byte transforms between a stored message and what FETCH sends: bare
// LF to CRLF, HEADER.FIELDS(.NOT) filtering, and the Content-Transfer-
// Encoding decoders of BINARY. Pure functions over bytes.
//
// STANDARDS
//   RFC 9051 / RFC 3501 6.4.5 (HEADER.FIELDS: field names matched
//     case-insensitively, the subset includes the delimiting blank line);
//   RFC 5322 2.2.3 (folded fields are kept whole);
//   RFC 2045 6.7 (quoted-printable: soft line breaks, =XX, trailing white
//     space of encoded lines dropped, hard line breaks are CRLF) and 6.8
//     (base64: characters outside the alphabet are ignored);
//   RFC 3516 4 (BINARY decodes; [UNKNOWN-CTE] for encodings it cannot).
//
// What it trusts: nothing; any bytes give a result. Decoding is lenient
// (broken base64 or quoted-printable decodes as far as it makes sense),
// because real mail is broken and the raw bytes remain available as BODY[].
#ifndef KURIER_SERVICES_IMAP_FETCH_CONTENT_TRANSFORMS_H_
#define KURIER_SERVICES_IMAP_FETCH_CONTENT_TRANSFORMS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/mime/transfer_encoding.h"

namespace kurier::imap {

// Appends `in` with every LF not preceded by CR written as CRLF. *after_cr
// carries whether the byte before `in` was a CR (false at the start of a
// range: a section always starts a line), so a range can be converted in
// chunks; it is updated to the last byte of `in`.
void AppendCrlfConverted(std::string* out, absl::string_view in, bool* after_cr);

// The number of CR bytes AppendCrlfConverted would add (the bare LFs).
uint64_t CountBareLfs(absl::string_view in);

// HEADER.FIELDS / HEADER.FIELDS.NOT: the fields of `header` (a header block,
// its blank line included or not) whose names match one of `names`
// (ASCII case-insensitive; exclude: do not match), each with its folded
// continuation lines, in order, in CRLF form; then the blank line "\r\n".
// Lines that are not fields (no ':') are dropped.
std::string FilterHeaderFields(absl::string_view header, const std::vector<std::string>& names, bool exclude);

// Content-Transfer-Encoding decoding lives with the MIME parser (search
// uses it too).
using ::kurier::mime::ClassifyTransferEncoding;
using ::kurier::mime::DecodeBase64;
using ::kurier::mime::DecodeQuotedPrintable;
using ::kurier::mime::TransferEncoding;

// The response code the session sends with NO when BINARY meets an encoding
// it cannot decode (RFC 3516): "NO [UNKNOWN-CTE] ...".
inline constexpr absl::string_view kUnknownCteCode = "UNKNOWN-CTE";

// True for the status PlanSection returns for such a part.
bool IsUnknownCte(const absl::Status& status);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_CONTENT_TRANSFORMS_H_
