#include "services/pop3/codec/reply_writer.h"

#include <cstring>

namespace kurier::pop3 {
namespace {

// Appends text with CR, LF and NUL written as spaces: a reply text can never
// end its line early or start another one.
void AppendText(std::string* out, absl::string_view text) {
  const size_t start = out->size();
  out->append(text.data(), text.size());
  for (size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
}

void AppendStatus(std::string* out, absl::string_view status, absl::string_view text) {
  out->append(status.data(), status.size());
  if (!text.empty()) {
    out->push_back(' ');
    AppendText(out, text);
  }
  out->append("\r\n");
}

}  // namespace

void AppendOk(std::string* out, absl::string_view text) { AppendStatus(out, "+OK", text); }

void AppendErr(std::string* out, absl::string_view text) { AppendStatus(out, "-ERR", text); }

void AppendErr(std::string* out, absl::string_view code, absl::string_view text) {
  out->append("-ERR [");
  AppendText(out, code);
  out->push_back(']');
  if (!text.empty()) {
    out->push_back(' ');
    AppendText(out, text);
  }
  out->append("\r\n");
}

void AppendContinuation(std::string* out, absl::string_view base64) {
  out->append("+ ");
  AppendText(out, base64);
  out->append("\r\n");
}

void AppendLine(std::string* out, absl::string_view line) {
  if (!line.empty() && line.front() == '.') out->push_back('.');
  AppendText(out, line);
  out->append("\r\n");
}

void AppendTerminator(std::string* out) { out->append(".\r\n"); }

BodyEncoder::BodyEncoder(std::optional<uint32_t> max_body_lines) : max_body_lines_(max_body_lines) {}

void BodyEncoder::EndLine() {
  if (in_header_) {
    // The first empty line ends the header.
    if (at_line_start_) {
      in_header_ = false;
      if (max_body_lines_.has_value() && *max_body_lines_ == 0) done_ = true;
    }
  } else {
    ++body_lines_;
    if (max_body_lines_.has_value() && body_lines_ >= *max_body_lines_) done_ = true;
  }
  at_line_start_ = true;
}

void BodyEncoder::Encode(absl::string_view chunk, std::string* out) {
  size_t i = 0;
  while (i < chunk.size() && !done_) {
    const char c = chunk[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {  // the LF of a CRLF whose CR was written as CRLF
        ++i;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      out->append("\r\n");
      after_cr_ = c == '\r';
      ++i;
      EndLine();
      continue;
    }
    if (at_line_start_) {
      if (c == '.') out->push_back('.');
      at_line_start_ = false;
    }
    // Copy the rest of the line up to its line end in one go.
    // memchr is vectorised; find_first_of("\r\n") built a lookup table per
    // call and was a sixth of pop3's CPU under RETR load. CR is rare in mail,
    // so look for it only before the next LF.
    const char* begin = chunk.data() + i;
    const char* stop = chunk.data() + chunk.size();
    const char* lf = static_cast<const char*>(std::memchr(begin, '\n', stop - begin));
    const char* line_end = lf != nullptr ? lf : stop;
    const char* cr = static_cast<const char*>(std::memchr(begin, '\r', line_end - begin));
    const size_t end = static_cast<size_t>((cr != nullptr ? cr : line_end) - chunk.data());
    out->append(chunk.data() + i, end - i);
    i = end;
  }
}

void BodyEncoder::Finish(std::string* out) {
  if (done_ || at_line_start_) return;
  out->append("\r\n");
  EndLine();
}

}  // namespace kurier::pop3
