// Reads a message's content as the client sends it after DATA (dot-stuffed,
// ended by CRLF.CRLF) or in BDAT chunks (exact octets), and checks it on the
// way. Pure: the session feeds bytes and hands the result to delivery.
//
// STANDARDS
//   RFC 5321 4.1.1.4 (DATA, the end-of-data marker), 4.5.2 (transparency:
//   a leading "." is removed), 2.3.8 (CR and LF only as CRLF), 4.5.3.1.6
//   (a text line is at most 1000 octets with its CRLF). RFC 3030 (BDAT).
//
// SECURITY
//   SMTP smuggling: only CRLF "." CRLF ends DATA — "\n.\n", "\r.\r\n",
//   "\n.\r\n" and the like are content — and a message holding a bare CR or
//   bare LF anywhere is refused as a whole (defect() != kNone), so no
//   reading of the stream by another server can find a second message in
//   it. Memory: at most max_bytes of content are kept; the rest is counted
//   and dropped, and the session refuses the message (too_big()).
#ifndef KURIER_SERVICES_SMTP_CODEC_MESSAGE_READER_H_
#define KURIER_SERVICES_SMTP_CODEC_MESSAGE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace kurier::smtp {

inline constexpr size_t kMaxTextLineBytes = 1000;

class MessageReader {
 public:
  enum class Framing {
    kDotStuffed,  // DATA
    kChunked,     // BDAT
  };
  enum class Defect {
    kNone,
    kBareLineEnd,   // a CR or LF not part of a CRLF
    kLineTooLong,   // a line over 1000 octets with its CRLF
  };

  MessageReader(Framing framing, uint64_t max_bytes);

  // kDotStuffed: takes bytes up to and including the end-of-data marker and
  // returns how many it took; the rest (pipelined commands) is the caller's.
  // kChunked: takes all of `input` (the caller passes no more than the
  // chunk holds).
  size_t Feed(absl::string_view input);

  // kDotStuffed: the end-of-data marker has been read.
  bool done() const { return done_; }
  // kChunked: the LAST chunk has been fed; checks the last line.
  void FinishChunks();

  // The content: un-stuffed, line ends as sent (CRLF when defect() is kNone);
  // its first max_bytes octets when too_big().
  std::string& content() { return content_; }
  // Octets of content seen, kept or not.
  uint64_t size() const { return size_; }
  bool too_big() const { return size_ > max_bytes_; }
  Defect defect() const { return defect_; }

 private:
  enum class State {
    kLineStart,  // after CRLF (or at the start)
    kDot,        // a "." at the line start (DATA)
    kDotCr,      // "." CR at the line start (DATA)
    kInLine,
    kCr,         // a CR inside a line
  };
  void Keep(absl::string_view bytes);
  void SetDefect(Defect defect);
  void CountLineBytes(size_t n);

  Framing framing_;
  uint64_t max_bytes_;
  State state_ = State::kLineStart;
  bool done_ = false;
  Defect defect_ = Defect::kNone;
  uint64_t size_ = 0;
  size_t line_bytes_ = 0;
  std::string content_;
};

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_CODEC_MESSAGE_READER_H_
