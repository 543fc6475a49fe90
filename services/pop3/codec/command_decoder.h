// POP3 command side of the codec: splits the client's byte stream into lines
// and parses a line into a command. Pure functions over bytes: no sockets, no
// store; the session feeds what it read and asks for the next line.
//
// STANDARDS
//   RFC 1939 (POP3): commands, message numbers.
//   RFC 2449 (POP3 extensions): keywords of 3 or 4 characters, arguments of
//     at most 40 characters, command lines of at most 255 octets with CRLF.
//   RFC 5034 (POP3 SASL): AUTH [mechanism [initial-response]].
//
// SECURITY
//   Everything here is client-controlled. LineDecoder holds at most one
//   partial line of at most max_line_bytes (plus what the last Feed brought
//   and Next() has not taken yet); an over-long line is dropped as it arrives.
//   ParseCommand rejects NUL and other control bytes, and its error messages
//   never echo client bytes.
#ifndef KURIER_SERVICES_POP3_CODEC_COMMAND_DECODER_H_
#define KURIER_SERVICES_POP3_CODEC_COMMAND_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/codec/line_decoder.h"

namespace kurier::pop3 {

// The command-line limit of RFC 2449 section 4, CRLF included.
inline constexpr size_t kMaxCommandLineBytes = 255;

// The line splitter is shared with SMTP and IMAP.
using ::kurier::codec::LineDecoder;

enum class Verb {
  kUser,
  kPass,
  kApop,
  kAuth,
  kStat,
  kList,
  kRetr,
  kDele,
  kNoop,
  kRset,
  kTop,
  kUidl,
  kQuit,
  kCapa,
  kStls,
  kUnknown,
};

struct Command {
  Verb verb = Verb::kUnknown;
  // The keyword as sent, upper-cased (3 or 4 characters; for logs). Unknown
  // keywords are client-chosen: count them under Verb::kUnknown in metrics.
  std::string keyword;
  // The arguments, split at spaces (runs of spaces count as one; a trailing
  // space adds no empty argument).
  std::vector<std::string> args;
  // Everything after "KEYWORD " verbatim: PASS passwords may contain spaces.
  std::string rest;
};

// Parses one command line (without its line end). Keywords are
// case-insensitive. Returns InvalidArgument with a short message that is safe
// to send to the client ("-ERR <message>") for: an empty line; NUL or another
// control byte (0x00-0x1F, 0x7F) anywhere; a keyword that is not 3 or 4
// printable ASCII characters; for a known verb, an argument longer than 40
// characters (except USER's and APOP's name, PASS and AUTH's initial
// response, which the 255-octet line limit bounds) or the wrong number of
// arguments. Bytes 0x80-0xFF are allowed in arguments (UTF-8 passwords).
// Unknown keywords are not an error: they return Verb::kUnknown.
// Argument values (message numbers...) are checked by the session with the
// functions below, so that it can answer in its own words.
absl::StatusOr<Command> ParseCommand(absl::string_view line);

// The name of a verb as a keyword ("RETR"; "UNKNOWN" for kUnknown): a
// bounded label for logs and metrics.
absl::string_view VerbName(Verb verb);

// A message-number argument (RFC 1939): decimal digits only, no sign,
// 1..2^31-1. Returns nullopt otherwise.
std::optional<uint32_t> ParseMessageNumber(absl::string_view arg);

// TOP's line count: decimal digits only, no sign. Counts beyond 2^32-1 are
// clamped to 2^32-1 (they all mean "the whole body"). nullopt otherwise.
std::optional<uint32_t> ParseLineCount(absl::string_view arg);

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_CODEC_COMMAND_DECODER_H_
