// Writes the ENVELOPE of a message (RFC 9051 7.5.2, RFC 3501 7.4.2) from the
// envelope the MIME parser stored (services/common/mime/message_structure.proto).
//
// STANDARDS
//   RFC 9051 / RFC 3501 section 9: envelope, env-* fields, address
//   ("(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"), address
//   lists without separators, NIL for an absent field or an empty list, and
//   the group syntax (start: NIL NIL "name" NIL; end: NIL NIL NIL NIL).
//
// What it trusts: only that the proto is well formed. Every value is written
// through the codec's nstring writer: quoted when safe, else a literal, so
// no header byte can end or split the response.
#ifndef KURIER_SERVICES_IMAP_FETCH_ENVELOPE_WRITER_H_
#define KURIER_SERVICES_IMAP_FETCH_ENVELOPE_WRITER_H_

#include <string>

#include "services/common/mime/message_structure.pb.h"

namespace kurier::imap {

// Appends "(date subject from sender reply-to to cc bcc in-reply-to
// message-id)". An absent date, subject, in-reply-to or message-id is NIL (a
// present empty one is ""); an empty address list is NIL; empty address
// parts are NIL. utf8: the client accepts UTF-8 in quoted strings (IMAP4rev2
// or UTF8=ACCEPT); otherwise 8-bit values go out as literals.
void AppendEnvelope(std::string* out, const mime::v1::Envelope& envelope, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_ENVELOPE_WRITER_H_
