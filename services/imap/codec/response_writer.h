// Writes IMAP server responses into an output buffer: status responses
// (tagged, untagged, continuation) and the values inside data responses
// (atoms, strings, literals, NIL, lists, mailbox names). Pure functions over
// bytes, apart from the parser (command_reader.h).
//
// A data response is composed by the caller:
//   out += "* 12 FETCH (FLAGS ";  AppendFlagList(&out, flags);
//   out += " BODY[] ";  AppendString(&out, body);  AppendCrlf(&out);
//
// STANDARDS
//   RFC 9051 / RFC 3501 section 7 (responses: tagged, untagged, "+"), 7.1
//   (response codes), 4.3 (strings: quoted and literal), 9 (formal syntax);
//   RFC 3516 (literal8 "~{n}" in BINARY responses); RFC 9051 section 5.1 and
//   RFC 3501 5.1.3 (mailbox names: UTF-8 or modified UTF-7).
//
// SECURITY
//   Response text and codes cannot end or split a response: CR, LF and NUL
//   in them are written as spaces ("]" too in a code), and a text that
//   starts with "[" gets a space first so it cannot pose as a response code.
//   A string value is quoted only when it holds no CR, LF, NUL or (unless
//   utf8) 8-bit byte, and is otherwise sent as a literal whose length the
//   client reads, so no value can inject a response either.
#ifndef KURIER_SERVICES_IMAP_CODEC_RESPONSE_WRITER_H_
#define KURIER_SERVICES_IMAP_CODEC_RESPONSE_WRITER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kurier::imap {

// Strings longer than this are sent as literals even when they could be
// quoted.
inline constexpr size_t kMaxQuotedBytes = 1024;

enum class Condition {
  kOk,
  kNo,
  kBad,
  kBye,      // untagged only
  kPreauth,  // untagged only (greeting)
};

// "OK", "NO", "BAD", "BYE", "PREAUTH".
absl::string_view ConditionName(Condition condition);

// "<tag> <COND> [<code>] <text>\r\n". An empty tag is written "*" (an
// error for a command whose tag could not be read); an empty code is left
// out with its brackets, an empty text too. Example:
// AppendTagged(&out, "A003", Condition::kOk, "APPENDUID 38505 3955",
//              "APPEND completed").
void AppendTagged(std::string* out, absl::string_view tag, Condition condition, absl::string_view code,
                  absl::string_view text);

// "* <COND> [<code>] <text>\r\n" (greeting, BYE, alerts, "* NO [TOOBIG]").
void AppendUntaggedStatus(std::string* out, Condition condition, absl::string_view code,
                          absl::string_view text);

// "* <text>\r\n" for a response without strings ("* 23 EXISTS",
// "* CAPABILITY IMAP4rev1 ..."); the text is sanitised like status text.
// Compose responses holding strings with the value writers and AppendCrlf.
void AppendUntagged(std::string* out, absl::string_view text);

// "+ <text>\r\n" ("+ \r\n" for an empty text): a continuation request for a
// literal or the next SASL challenge (base64 text).
void AppendContinuation(std::string* out, absl::string_view text);

// "\r\n": ends a response composed with the value writers.
void AppendCrlf(std::string* out);

// "NIL".
void AppendNil(std::string* out);

// A string (RFC 9051 "string"): quoted when it has at most kMaxQuotedBytes
// and only bytes 0x01-0x7f other than CR and LF (with utf8, also valid UTF-8
// sequences), else a literal "{n}\r\n<bytes>". A literal cannot carry NUL
// (RFC 9051 4.3): NUL bytes are written as 0x80, as Dovecot does; use
// AppendLiteral8 to send bytes exactly (BINARY).
void AppendString(std::string* out, absl::string_view value, bool utf8 = false);

// An astring: the bare atom when the value is non-empty, all ASTRING-CHAR
// other than "[" (which opens a section after BODY) and not "NIL" in any
// case; else as AppendString.
void AppendAString(std::string* out, absl::string_view value, bool utf8 = false);

// An nstring: NIL for nullopt, else as AppendString.
void AppendNString(std::string* out, std::optional<absl::string_view> value, bool utf8 = false);

// "{n}\r\n<bytes>" with NUL written as 0x80 (see AppendString).
void AppendLiteral(std::string* out, absl::string_view value);

// "~{n}\r\n<bytes>", bytes exactly (RFC 3516, BINARY[] responses only).
void AppendLiteral8(std::string* out, absl::string_view value);

// "(a b c)": flags and other atoms. An item that is not a valid flag or atom
// ("\Seen", "$Junk") is written as an astring, so nothing breaks the list.
void AppendFlagList(std::string* out, const std::vector<std::string>& items);

// A mailbox name from the store (UTF-8) as the client reads it: UTF-8 when
// utf8 (IMAP4rev2 / UTF8=ACCEPT), else modified UTF-7, as an astring.
// InvalidArgument (nothing written) when the name is not valid UTF-8.
absl::Status AppendMailbox(std::string* out, absl::string_view name, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CODEC_RESPONSE_WRITER_H_
