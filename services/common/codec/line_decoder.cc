#include "services/common/codec/line_decoder.h"

#include <utility>

namespace kurier::codec {

LineDecoder::LineDecoder(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void LineDecoder::Feed(absl::string_view bytes) {
  if (discarding_) {
    // The buffer is empty while discarding: Next() dropped it all.
    const size_t lf = bytes.find('\n');
    if (lf == absl::string_view::npos) return;
    discarding_ = false;
    bytes.remove_prefix(lf + 1);
  }
  buffer_.append(bytes.data(), bytes.size());
}

LineDecoder::Result LineDecoder::Next(std::string* line) {
  const size_t lf = buffer_.find('\n', pos_ + scanned_);
  if (lf == std::string::npos) {
    const size_t pending = buffer_.size() - pos_;
    if (pending > 0 && pending >= max_line_bytes_) {
      // With its LF the line would pass the limit: drop it now and the rest
      // of it as it arrives, so an endless line costs no memory.
      buffer_.clear();
      pos_ = 0;
      scanned_ = 0;
      discarding_ = true;
      return Result::kTooLong;
    }
    // Keep only the partial line (less than the limit) and the memory it needs.
    buffer_.erase(0, pos_);
    pos_ = 0;
    scanned_ = pending;
    if (buffer_.capacity() > 2 * max_line_bytes_ + 4096) std::string(buffer_).swap(buffer_);
    return Result::kNeedMore;
  }
  const size_t start = pos_;
  pos_ = lf + 1;
  scanned_ = 0;
  if (pos_ - start > max_line_bytes_) return Result::kTooLong;
  size_t end = lf;
  if (end > start && buffer_[end - 1] == '\r') --end;
  line->assign(buffer_, start, end - start);
  return Result::kLine;
}

std::string LineDecoder::TakeBuffered() {
  std::string rest = buffer_.substr(pos_);
  buffer_.clear();
  pos_ = 0;
  scanned_ = 0;
  discarding_ = false;
  return rest;
}

}  // namespace kurier::codec
