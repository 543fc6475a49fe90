#include "services/imap/fetch/content_transforms.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"

namespace kurier::imap {
// memchr finds the line ends: messages are mostly well-formed, and a byte
// loop here was a quarter of the CPU of FETCH BODY[].
void AppendCrlfConverted(std::string* out, absl::string_view in, bool* after_cr) {
  size_t start = 0;
  size_t pos = 0;
  while (pos < in.size()) {
    const void* found = std::memchr(in.data() + pos, '\n', in.size() - pos);
    if (found == nullptr) break;
    const size_t lf = static_cast<const char*>(found) - in.data();
    const bool cr = lf > 0 ? in[lf - 1] == '\r' : *after_cr;
    if (!cr) {
      out->append(in.data() + start, lf - start);
      out->push_back('\r');
      start = lf;  // the LF goes out with the next chunk
    }
    pos = lf + 1;
  }
  out->append(in.data() + start, in.size() - start);
  if (!in.empty()) *after_cr = in.back() == '\r';
}

uint64_t CountBareLfs(absl::string_view in) {
  uint64_t n = 0;
  size_t pos = 0;
  while (pos < in.size()) {
    const void* found = std::memchr(in.data() + pos, '\n', in.size() - pos);
    if (found == nullptr) break;
    const size_t lf = static_cast<const char*>(found) - in.data();
    if (lf == 0 || in[lf - 1] != '\r') ++n;
    pos = lf + 1;
  }
  return n;
}

std::string FilterHeaderFields(absl::string_view header, const std::vector<std::string>& names, bool exclude) {
  std::string out;
  mime::HeaderFieldReader reader(header);
  mime::HeaderField field;
  while (reader.Next(&field)) {
    bool match = false;
    for (const std::string& name : names) {
      if (absl::EqualsIgnoreCase(field.name, name)) {
        match = true;
        break;
      }
    }
    if (match == exclude) continue;
    const absl::string_view text = header.substr(field.offset, field.size);
    bool after_cr = false;
    AppendCrlfConverted(&out, text, &after_cr);
    if (text.empty() || text.back() != '\n') {
      if (!text.empty() && text.back() == '\r') {
        out.push_back('\n');
      } else {
        out += "\r\n";
      }
    }
  }
  out += "\r\n";
  return out;
}

bool IsUnknownCte(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnimplemented && absl::StartsWith(status.message(), kUnknownCteCode);
}

}  // namespace kurier::imap
