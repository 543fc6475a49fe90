// Content-Transfer-Encoding (RFC 2045 6): which encoding a part uses, and
// decoding base64 and quoted-printable. Used where a part's content is
// looked at: IMAP BINARY (RFC 3516) and SEARCH BODY/TEXT.
#ifndef KURIER_SERVICES_COMMON_MIME_TRANSFER_ENCODING_H_
#define KURIER_SERVICES_COMMON_MIME_TRANSFER_ENCODING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kurier::mime {

// Content-Transfer-Encodings BINARY knows.
enum class TransferEncoding {
  k7Bit,             // and 8bit: text lines, sent in CRLF form
  kBinary,           // bytes exactly
  kBase64,
  kQuotedPrintable,
  kUnknown,          // anything else (x-uuencode, typos): [UNKNOWN-CTE]
};

// Classifies a Content-Transfer-Encoding value (case-insensitive, spaces
// around ignored; empty is 7bit).
TransferEncoding ClassifyTransferEncoding(absl::string_view encoding);

// Decodes base64 (RFC 2045 6.8): characters outside the alphabet (line
// ends, spaces, junk) are skipped; "=" ends a quantum (what it holds is
// kept; decoding goes on after it, for concatenated encodings); a trailing
// lone sextet is dropped.
std::string DecodeBase64(absl::string_view in);

// Decodes quoted-printable (RFC 2045 6.7): "=XX" (either case) a byte,
// "=" + optional white space + line end a soft line break, any other "=" is
// kept; white space before a line end is dropped; a line end (LF or CRLF)
// becomes CRLF.
std::string DecodeQuotedPrintable(absl::string_view in);

}  // namespace kurier::mime

#endif  // KURIER_SERVICES_COMMON_MIME_TRANSFER_ENCODING_H_
