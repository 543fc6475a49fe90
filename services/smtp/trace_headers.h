// The header fields SMTP adds to a message: Received: (RFC 5321 4.4, with
// the protocol types of RFC 3848), Return-Path: (at delivery), and on
// submission a missing Date: or Message-ID: (RFC 6409 8.2, 8.3). Pure
// functions over their inputs.
#ifndef KURIER_SERVICES_SMTP_TRACE_HEADERS_H_
#define KURIER_SERVICES_SMTP_TRACE_HEADERS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kurier::smtp {

struct ReceivedInfo {
  std::string helo;        // what the client said in EHLO/HELO
  std::string client_ip;   // "192.0.2.1" or "2001:db8::1"
  std::string hostname;    // ours
  bool esmtp = true;
  std::string tls_version; // empty: no TLS
  std::string tls_cipher;
  bool authenticated = false;
  bool smtputf8 = false;
  std::string id;          // our id for the message, for log correlation
  std::string recipient;   // added as "for <...>" when there is exactly one
  absl::Time time;
};

// "with" protocol type of RFC 3848: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA,
// or UTF8SMTP[S][A] (RFC 6531 3.7.3).
std::string ProtocolType(const ReceivedInfo& info);

// The whole Received: field, folded, ending in CRLF. The client's HELO name
// is reduced to printable ASCII without parentheses, so that it cannot forge
// other fields or comments.
std::string ReceivedHeader(const ReceivedInfo& info);

// "Return-Path: <sender>\r\n" ("<>" for the null sender).
std::string ReturnPathHeader(absl::string_view sender);

// RFC 5322 3.3 date-time in UTC: "Sun, 22 Nov 2026 07:40:00 +0000".
std::string Rfc5322Date(absl::Time time);

// "<random@hostname>": a fresh Message-ID.
std::string NewMessageId(absl::string_view hostname);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_TRACE_HEADERS_H_
