// SMTP command side of the codec: parses one command line into a command.
// Pure functions over bytes: no sockets, no store. Lines come from
// codec::LineDecoder; message content from message_reader.h.
//
// STANDARDS
//   RFC 5321 (SMTP) 4.1.1 commands, 4.1.2 path syntax, 4.5.3.1 size limits.
//   RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 3461 DSN
//   (RET, ENVID, NOTIFY, ORCPT), RFC 4954 AUTH (and MAIL's AUTH=),
//   RFC 3030 CHUNKING (BDAT), RFC 3207 STARTTLS.
//
// SECURITY
//   Everything here is client-controlled. Error texts never echo client
//   bytes. Paths are checked against RFC 5321's grammar (with UTF-8 allowed
//   and reported, so the session can require SMTPUTF8), and source routes are
//   dropped (RFC 5321 4.1.1.3 and appendix C), so "%", "!" and "@a:b@c" never
//   name another host behind a local one.
#ifndef KURIER_SERVICES_SMTP_CODEC_SMTP_COMMAND_H_
#define KURIER_SERVICES_SMTP_CODEC_SMTP_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "services/smtp/codec/reply_writer.h"

namespace kurier::smtp {

// RFC 5321 4.5.3.1.4 allows 512 octets; extensions add parameters, so we
// take up to the text-line limit (4.5.3.1.6), CRLF included.
inline constexpr size_t kMaxCommandLineBytes = 1000;
// RFC 5321 4.5.3.1: local part 64, domain 255, path 256 octets.
inline constexpr size_t kMaxLocalPartBytes = 64;
inline constexpr size_t kMaxDomainBytes = 255;
inline constexpr size_t kMaxPathBytes = 256;

enum class Verb {
  kEhlo,
  kHelo,
  kMail,
  kRcpt,
  kData,
  kBdat,
  kRset,
  kNoop,
  kQuit,
  kHelp,
  kVrfy,
  kExpn,
  kStartTls,
  kAuth,
  kUnknown,
};

// A reverse-path (MAIL) or forward-path (RCPT).
struct Path {
  // "<>": the null reverse-path of bounces.
  bool null = false;
  // As written; a quoted local part keeps its quotes and escapes.
  std::string local_part;
  // Lower-cased; an address literal keeps its brackets ("[127.0.0.1]").
  // Empty for the special recipient <Postmaster>.
  std::string domain;
  // Some byte is not ASCII: needs SMTPUTF8 (RFC 6531).
  bool utf8 = false;

  bool is_postmaster() const;  // <Postmaster> without a domain
  // "local@domain" (or the local part alone for <Postmaster>); "" when null.
  std::string Address() const;
};

struct MailParameters {
  std::optional<uint64_t> size;  // SIZE=
  bool body_8bitmime = false;    // BODY=8BITMIME
  bool smtputf8 = false;         // SMTPUTF8
  std::string ret;               // RET=FULL or RET=HDRS (DSN)
  std::string envid;             // ENVID= (DSN; xtext as sent)
};

struct RcptParameters {
  std::string notify;  // NOTIFY= (DSN), upper-cased
  std::string orcpt;   // ORCPT= (DSN; as sent)
};

struct Command {
  Verb verb = Verb::kUnknown;
  // EHLO/HELO domain, VRFY/EXPN/HELP argument, AUTH mechanism (upper-cased).
  std::string argument;
  // AUTH's initial response (base64 or "="), when given.
  std::optional<std::string> initial_response;
  Path path;  // MAIL, RCPT
  MailParameters mail;
  RcptParameters rcpt;
  uint64_t chunk_size = 0;  // BDAT
  bool last_chunk = false;  // BDAT ... LAST
};

// The parse result: a command, or the reply that refuses the line.
struct Parsed {
  Command command;
  std::optional<Reply> error;
  bool ok() const { return !error.has_value(); }
};

// Parses one command line (without its CRLF). Verbs are case-insensitive.
// Errors: 500 5.5.2 (not a command line: empty, control bytes), 502 5.5.1
// unknown verb is NOT an error here (Verb::kUnknown), 501 5.5.4 (arguments),
// 501 5.1.7 / 501 5.1.3 (bad sender / recipient path), 555 5.5.4 (unknown or
// repeated MAIL/RCPT parameter), 552 5.3.4 is left to the session (it knows
// the limit).
Parsed ParseCommand(absl::string_view line);

// Parses "<path>" (or a bare mailbox, as lenient servers do) for MAIL
// (reverse = true: "<>" allowed) and RCPT. nullopt when it is not a path.
std::optional<Path> ParsePath(absl::string_view text, bool reverse);

// The verb as a keyword ("MAIL"; "UNKNOWN"): a bounded label for metrics.
absl::string_view VerbName(Verb verb);

// RFC 3461 xtext (ENVID, ORCPT): "+" followed by two upper-case hex digits,
// else printable ASCII except "+" and "=".
bool IsXtext(absl::string_view text);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_CODEC_SMTP_COMMAND_H_
