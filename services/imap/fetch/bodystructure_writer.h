// Writes BODY and BODYSTRUCTURE (RFC 9051 7.5.2, RFC 3501 7.4.2) from the
// MIME structure the parser stored (services/common/mime/message_structure.proto),
// as Dovecot writes them.
//
// STANDARDS
//   RFC 9051 / RFC 3501 section 9: body, body-type-1part (basic, msg, text),
//   body-type-mpart, body-fields (params, id, description, encoding,
//   octets), body-fld-lines, body-ext-1part (md5, dsp, lang, loc) and
//   body-ext-mpart (params, dsp, lang, loc). RFC 2045 5.2 (text without a
//   charset means us-ascii). RFC 6532 / RFC 9051 (message/global).
//
// Choices, after Dovecot (src/lib-imap/imap-bodystructure.c):
//   - type, subtype, parameter names and values, encoding: as sent (case
//     kept); the parser's defaults are "text" "plain" and "7BIT". Parameters
//     come RFC 2231-decoded from the parser (RFC 9051 7.5.2 asks servers to
//     decode continuations and charsets): "filename" "€.txt", not Dovecot's
//     "filename*" "utf-8''%E2%82%AC.txt". A non-ASCII UTF-8 value goes out
//     as is to a client with UTF-8 (IMAP4rev2, UTF8=ACCEPT), otherwise as
//     RFC 2047 encoded words ("=?UTF-8?Q?=E2=82=AC.txt?="); other 8-bit
//     values are literals as before.
//   - text/* without a charset parameter gets ("charset" "us-ascii") added;
//     other parameter lists are NIL when empty.
//   - octets are the CRLF form (body_size + body_bare_lfs); lines are
//     body_lines, written for text/* and message/rfc822.
//   - a multipart without children (boundary never found) is written with one
//     empty part: ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)
//     (+ " NIL NIL NIL NIL" in BODYSTRUCTURE).
//   - message/rfc822 (and, for IMAP4rev2, message/global) whose enclosed
//     message was parsed is written with its envelope, body and lines. One
//     that was not parsed (a base64 encoding, limits) is written as
//     "application" "octet-stream", so no client looks for an envelope the
//     grammar would require. message/global for IMAP4rev1 is a basic type.
//   - Content-Language is always a list; disposition params NIL when empty.
//
// What it trusts: the proto is well formed. Nesting deeper than kMaxDepth
// (the parser never produces it) is written as the empty part. Every string
// goes through the codec's writer (quoted or literal).
#ifndef KURIER_SERVICES_IMAP_FETCH_BODYSTRUCTURE_WRITER_H_
#define KURIER_SERVICES_IMAP_FETCH_BODYSTRUCTURE_WRITER_H_

#include <string>

#include "services/common/mime/message_structure.pb.h"

namespace kurier::imap {

struct BodyStructureOptions {
  // BODYSTRUCTURE (extension data) rather than BODY.
  bool extensible = true;
  // The client takes UTF-8 in quoted strings (IMAP4rev2, UTF8=ACCEPT).
  bool utf8 = false;
  // IMAP4rev2 grammar: message/global is written like message/rfc822.
  bool imap4rev2 = false;
};

// Appends the body structure of `part` (usually MessageStructure.body):
// "(" ... ")" as the value of BODY or BODYSTRUCTURE.
void AppendBodyStructure(std::string* out, const mime::v1::BodyPart& part, const BodyStructureOptions& options);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_BODYSTRUCTURE_WRITER_H_
