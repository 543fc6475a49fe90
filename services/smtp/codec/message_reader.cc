#include "services/smtp/codec/message_reader.h"

#include <algorithm>
#include <cstring>

namespace kurier::smtp {

MessageReader::MessageReader(Framing framing, uint64_t max_bytes) : framing_(framing), max_bytes_(max_bytes) {}

void MessageReader::Keep(absl::string_view bytes) {
  // Only the first max_bytes are kept, however the input was split.
  if (size_ < max_bytes_) {
    content_.append(bytes.data(), std::min<uint64_t>(bytes.size(), max_bytes_ - size_));
  }
  size_ += bytes.size();
}

void MessageReader::SetDefect(Defect defect) {
  if (defect_ == Defect::kNone) defect_ = defect;
}

void MessageReader::CountLineBytes(size_t n) {
  line_bytes_ += n;
  // With its CRLF still to come, the line would pass the limit.
  if (line_bytes_ + 2 > kMaxTextLineBytes) SetDefect(Defect::kLineTooLong);
}

size_t MessageReader::Feed(absl::string_view input) {
  size_t i = 0;
  const size_t n = input.size();
  while (i < n && !done_) {
    const char c = input[i];
    switch (state_) {
      case State::kLineStart:
        line_bytes_ = 0;
        if (c == '.' && framing_ == Framing::kDotStuffed) {
          state_ = State::kDot;
          line_bytes_ = 1;
          ++i;
          continue;
        }
        state_ = State::kInLine;
        continue;  // the same byte, in a line
      case State::kDot:
        if (c == '\r') {
          state_ = State::kDotCr;
          ++i;
          continue;
        }
        // A stuffed dot is dropped (RFC 5321 4.5.2); the line goes on.
        state_ = State::kInLine;
        continue;
      case State::kDotCr:
        if (c == '\n') {
          done_ = true;
          ++i;
          continue;
        }
        // "." CR x: the dot was stuffing, the CR is bare.
        SetDefect(Defect::kBareLineEnd);
        Keep("\r");
        state_ = State::kInLine;
        continue;
      case State::kCr:
        if (c == '\n') {
          Keep("\r\n");
          state_ = State::kLineStart;
          ++i;
          continue;
        }
        SetDefect(Defect::kBareLineEnd);
        Keep("\r");
        state_ = State::kInLine;
        continue;
      case State::kInLine: {
        // The bytes up to the next CR or LF are plain content.
        const char* start = input.data() + i;
        size_t run = 0;
        while (i + run < n && input[i + run] != '\r' && input[i + run] != '\n') ++run;
        if (run > 0) {
          Keep(absl::string_view(start, run));
          CountLineBytes(run);
          i += run;
          continue;
        }
        if (c == '\r') {
          state_ = State::kCr;
        } else {
          // A LF without its CR: content, but the message will be refused.
          // It does not start a line, so "\n.\r\n" cannot end the data.
          SetDefect(Defect::kBareLineEnd);
          Keep("\n");
          line_bytes_ = 0;
        }
        ++i;
        continue;
      }
    }
  }
  return i;
}

void MessageReader::FinishChunks() {
  if (state_ == State::kCr) {
    SetDefect(Defect::kBareLineEnd);
    Keep("\r");
    state_ = State::kInLine;
  }
}

}  // namespace kurier::smtp
