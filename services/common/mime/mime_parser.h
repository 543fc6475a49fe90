// The MIME parser: one pass over a whole message gives its envelope and MIME
// structure (message_structure.proto), with the byte range of every header
// and body, so IMAP can answer ENVELOPE, BODYSTRUCTURE and BODY[section]
// later without parsing again.
//
// STANDARDS: RFC 5322 (header fields, addresses), RFC 2045 (Content-Type,
// Content-Transfer-Encoding and their defaults), RFC 2046 (multipart
// boundaries, message/rfc822, multipart/digest), RFC 2231 (parameter
// continuations joined, charsets decoded to UTF-8), RFC 6532 (message/global), RFC 9051 7.5.2 (ENVELOPE and
// BODYSTRUCTURE contents).
//
// SECURITY: the input is untrusted mail. Parsing never fails and never throws;
// it takes time linear in the message size (boundary lines are looked for
// only at line starts, each line is visited once) and memory linear in the
// header sizes and the number of parts. Nesting deeper than kMaxDepth and
// parts beyond kMaxParts are not parsed: such a multipart or message part is
// kept as a leaf and MessageStructure.limits_reached is set.
#ifndef KURIER_SERVICES_COMMON_MIME_MIME_PARSER_H_
#define KURIER_SERVICES_COMMON_MIME_MIME_PARSER_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"

namespace kurier::mime {

// Written to MessageStructure.parser_version; raised whenever the parser's
// output for some input changes.
// 2: RFC 2231 parameters decoded ("filename" "€.txt", no longer
// "filename*" "utf-8''%E2%82%AC.txt").
inline constexpr uint32_t kParserVersion = 2;

// Entities nested deeper than this (multipart children, messages inside
// message/rfc822) are leaves; the top-level entity has depth 0.
inline constexpr int kMaxDepth = 50;
// At most this many BodyParts per message; later parts become part of the
// body of the multipart that would have held them.
inline constexpr int kMaxParts = 10000;

// Parses `message` (the whole message as received: LF or CRLF line ends,
// any bytes). Tolerant of real-world mail: a missing or never-seen boundary,
// a missing close delimiter, a boundary of an enclosing multipart ending an
// inner one, bad transfer encodings, 8-bit headers, no header, no body.
v1::MessageStructure ParseMessage(absl::string_view message);

}  // namespace kurier::mime

#endif  // KURIER_SERVICES_COMMON_MIME_MIME_PARSER_H_
