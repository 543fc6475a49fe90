// Splits a client byte stream into lines: the first step of every text
// protocol's parser (POP3, SMTP, IMAP). A pure function over bytes; the
// session feeds what it read and asks for the next line.
//
// SECURITY
//   Everything here is client-controlled. The decoder holds at most one
//   partial line of at most max_line_bytes (plus what the last Feed brought
//   and Next() has not taken yet); an over-long line is dropped as it arrives.
#ifndef KURIER_SERVICES_COMMON_CODEC_LINE_DECODER_H_
#define KURIER_SERVICES_COMMON_CODEC_LINE_DECODER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace kurier::codec {

// Splits a client byte stream into lines. Feed() appends bytes; Next() yields
// one line at a time. A line ends at LF; a CR right before the LF is removed
// with it (a bare LF ends a line too; a CR elsewhere stays in the line).
class LineDecoder {
 public:
  // `max_line_bytes` bounds a line including its line end.
  explicit LineDecoder(size_t max_line_bytes);

  // Changes the limit from the next Next() on; it also applies to the partial
  // line already buffered (SASL continuation lines use a larger limit).
  void set_max_line_bytes(size_t n) { max_line_bytes_ = n; }
  size_t max_line_bytes() const { return max_line_bytes_; }

  // Appends bytes read from the client. Bytes of a line already reported as
  // too long are dropped here, up to and including its LF.
  void Feed(absl::string_view bytes);

  enum class Result { kLine, kNeedMore, kTooLong };

  // kLine: *line is the next line without its line end.
  // kNeedMore: no complete line is buffered; Feed more.
  // kTooLong: the current line passed the limit. It is reported once, as soon
  //   as that is certain (at max_line_bytes bytes without a LF, or at its LF),
  //   and its bytes are dropped up to and including its LF, including those
  //   that arrive later. The session answers the error and goes on.
  Result Next(std::string* line);

  // Bytes fed and not yet returned or dropped. After Next() returned kNeedMore
  // this is less than max_line_bytes(); it grows by at most one Feed's worth
  // until the next Next().
  size_t buffered_bytes() const { return buffer_.size() - pos_; }

  // Removes and returns the bytes fed and not yet returned as lines, for a
  // reader that takes over the stream (SMTP DATA and BDAT, IMAP literals).
  // The decoder is then empty, as if new, and keeps its limit.
  std::string TakeBuffered();

 private:
  size_t max_line_bytes_;
  std::string buffer_;
  size_t pos_ = 0;            // start of the unconsumed bytes in buffer_
  size_t scanned_ = 0;        // bytes from pos_ known to hold no LF
  bool discarding_ = false;   // dropping the rest of a too-long line
};

}  // namespace kurier::codec

#endif  // KURIER_SERVICES_COMMON_CODEC_LINE_DECODER_H_
