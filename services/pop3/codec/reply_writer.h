// POP3 reply side of the codec: appends server replies to an output buffer.
// Pure functions over bytes, apart from the parser (command_decoder.h).
//
// STANDARDS
//   RFC 1939 section 3: status lines, multi-line replies, byte-stuffing.
//   RFC 2449 section 8 and RFC 3206: response codes ("-ERR [IN-USE] ...").
//   RFC 5034 section 4: SASL continuations ("+ base64").
//
// SECURITY
//   A reply line cannot be split or ended early by its text: CR, LF and NUL in
//   a text are written as spaces, and every line of a multi-line reply is
//   byte-stuffed, so no text and no message byte can forge a ".\r\n" or a
//   status line.
#ifndef KURIER_SERVICES_POP3_CODEC_REPLY_WRITER_H_
#define KURIER_SERVICES_POP3_CODEC_REPLY_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "services/common/sasl/base64.h"

namespace kurier::pop3 {

// "+OK text\r\n" ("+OK\r\n" when text is empty).
void AppendOk(std::string* out, absl::string_view text);

// "-ERR text\r\n" ("-ERR\r\n" when text is empty).
void AppendErr(std::string* out, absl::string_view text);

// "-ERR [code] text\r\n", a response code of RFC 2449 / RFC 3206 such as
// "IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH".
void AppendErr(std::string* out, absl::string_view code, absl::string_view text);

// "+ base64\r\n": a SASL challenge (RFC 5034); "+ \r\n" for an empty one.
void AppendContinuation(std::string* out, absl::string_view base64);

// One line of a multi-line reply (LIST, UIDL, CAPA): byte-stuffed, + CRLF.
void AppendLine(std::string* out, absl::string_view line);

// ".\r\n", the end of a multi-line reply.
void AppendTerminator(std::string* out);

// Streams a message as the body of a multi-line reply (RETR, TOP): doubles a
// '.' that starts a line, turns a bare LF and a bare CR into CRLF so the
// client always sees CRLF lines, and on Finish() ends an unterminated last
// line with CRLF. State carries across chunks; a chunk can end anywhere, even
// between CR and LF.
class BodyEncoder {
 public:
  // max_body_lines: for TOP n, pass through the header and the blank line
  // that ends it, then at most n body lines. nullopt (RETR) passes everything.
  // A message without a blank line is all header.
  explicit BodyEncoder(std::optional<uint32_t> max_body_lines = std::nullopt);

  // Appends the encoding of the next chunk of the message to *out.
  void Encode(absl::string_view chunk, std::string* out);

  // True once the TOP limit is reached: further chunks are ignored and the
  // caller may stop reading the message.
  bool done() const { return done_; }

  // Ends an open last line with CRLF. Does NOT write the ".\r\n" terminator.
  void Finish(std::string* out);

 private:
  // Called after writing a line end: counts the line, may set done_.
  void EndLine();

  const std::optional<uint32_t> max_body_lines_;
  bool done_ = false;
  bool at_line_start_ = true;
  bool after_cr_ = false;      // the last byte was a CR, already written as CRLF
  bool in_header_ = true;
  uint32_t body_lines_ = 0;    // body lines written
};

// SASL base64 (RFC 4648), shared with IMAP and SMTP: services/common/sasl.
using ::kurier::sasl::DecodeBase64;
using ::kurier::sasl::EncodeBase64;

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_CODEC_REPLY_WRITER_H_
