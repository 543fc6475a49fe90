// The text SEARCH compares strings against, taken from a message's bytes:
// header field values with RFC 2047 encoded words decoded, and body text
// decoded from its Content-Transfer-Encoding and charset. Pure functions;
// the caller folds case (text_fold.h).
//
// STANDARDS
//   RFC 9051 6.4.4 (strings match the decoded text; servers MAY skip parts
//     whose type is not text or message: this one does), RFC 2045 6.7 and
//     6.8 (quoted-printable, base64: decoded leniently, bad input kept or
//     skipped as a mail reader would), RFC 2046 (text charsets, multipart,
//     message/rfc822), RFC 2047 (encoded words in header values).
//
// SECURITY
//   The message is untrusted. Decoding is linear in its size and never
//   fails; byte ranges from the structure are clamped to the message, so a
//   structure that does not fit the bytes cannot read outside them.
#ifndef KURIER_SERVICES_IMAP_SEARCH_MESSAGE_TEXT_H_
#define KURIER_SERVICES_IMAP_SEARCH_MESSAGE_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"

namespace kurier::imap {

// A body decoded from its Content-Transfer-Encoding (case-insensitive:
// "base64", "quoted-printable", with mime/transfer_encoding.h; anything else
// is returned as it is).
std::string DecodeTransferEncoding(absl::string_view body, absl::string_view encoding);

// `bytes` in `charset` as UTF-8 (mime::ConvertToUtf8); when the charset is
// empty, unknown or the bytes do not convert, the bytes as they are.
std::string TextToUtf8(absl::string_view bytes, absl::string_view charset);

// The header at the start of `header` (a message or entity header, the rest
// ignored) as "Name: value\n" lines, values unfolded and encoded words
// decoded (what TEXT compares against for the header).
std::string HeaderSearchText(absl::string_view header);

// The body text of `message`, whose MIME structure is `structure`
// (mime::ParseMessage of the same bytes): every text/* part (and a
// multipart whose parts were not found) decoded to UTF-8, and for each
// enclosed message/rfc822 its header (as HeaderSearchText) and its body;
// parts are separated by "\n". Other media types are skipped.
std::string BodySearchText(absl::string_view message, const mime::v1::MessageStructure& structure);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_MESSAGE_TEXT_H_
