// Mailbox name encodings of IMAP: modified UTF-7 (IMAP4rev1 clients) and
// UTF-8 (IMAP4rev2 and UTF8=ACCEPT clients). Pure functions over bytes.
//
// STANDARDS
//   RFC 3501 section 5.1.3 (mailbox international naming convention:
//     modified UTF-7), RFC 9051 section 5.1 (UTF-8 names, Net-Unicode),
//   RFC 6855 (UTF8=ACCEPT), RFC 3629 (UTF-8).
//
// SECURITY
//   Names come from clients. Decoding is strict: only the canonical
//   encoding of a name is accepted (so two spellings can never name the same
//   mailbox, and a name round-trips byte for byte), and every result is valid
//   UTF-8 without surrogates or overlong forms.
#ifndef KURIER_SERVICES_IMAP_CODEC_MAILBOX_NAME_H_
#define KURIER_SERVICES_IMAP_CODEC_MAILBOX_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kurier::imap {

// True when `bytes` is valid UTF-8 (RFC 3629): no overlong forms, no
// surrogates (U+D800-U+DFFF), nothing above U+10FFFF. The empty string is
// valid.
bool IsValidUtf8(absl::string_view bytes);

// Encodes a UTF-8 name in modified UTF-7: printable ASCII (0x20-0x7e) stands
// for itself except "&", written "&-"; every other run of characters is
// "&" + modified base64 ("," for "/", no padding) of its UTF-16BE + "-".
// InvalidArgument when `utf8` is not valid UTF-8.
absl::StatusOr<std::string> EncodeModifiedUtf7(absl::string_view utf8);

// Decodes a modified UTF-7 name to UTF-8. Strict: InvalidArgument unless
// the input is exactly what EncodeModifiedUtf7 makes of some UTF-8 string
// (bytes outside 0x20-0x7e, a "&" run without "-", a base64 run that is
// empty, holds a printable ASCII character or unpaired surrogate, leaves
// non-zero or too many padding bits, or two runs side by side).
absl::StatusOr<std::string> DecodeModifiedUtf7(absl::string_view mutf7);

// Checks a UTF-8 mailbox name as IMAP4rev2 / UTF8=ACCEPT clients send it:
// not empty, valid UTF-8, no control character (U+0000-U+001F, U+007F,
// U+0080-U+009F). InvalidArgument with a message safe to send otherwise.
// Hierarchy rules (delimiter, "INBOX") are the service's.
absl::Status CheckUtf8MailboxName(absl::string_view name);

// A mailbox name as the client sent it (the astring's bytes) to the UTF-8
// name the store knows. utf8 (IMAP4rev2 or UTF8=ACCEPT enabled): the name
// is UTF-8 and checked with CheckUtf8MailboxName. Otherwise it is modified
// UTF-7, decoded strictly. "INBOX" in any case becomes "INBOX" (RFC 9051
// section 5.1); other names are case-sensitive. InvalidArgument (a message
// safe to send) for an invalid name.
absl::StatusOr<std::string> MailboxNameFromWire(absl::string_view wire, bool utf8);

// The UTF-8 name of the store to what the client understands: UTF-8 when
// utf8, else modified UTF-7. InvalidArgument when `name` is not UTF-8.
absl::StatusOr<std::string> MailboxNameToWire(absl::string_view name, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CODEC_MAILBOX_NAME_H_
