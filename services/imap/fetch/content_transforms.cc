#include "services/imap/fetch/content_transforms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"

namespace kurier::imap {
void AppendCrlfConverted(std::string* out, absl::string_view in, bool* after_cr) {
  size_t start = 0;
  bool cr = *after_cr;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && !cr) {
      out->append(in.data() + start, i - start);
      out->push_back('\r');
      start = i;  // the LF goes out with the next chunk
    }
    cr = in[i] == '\r';
  }
  out->append(in.data() + start, in.size() - start);
  *after_cr = cr;
}

uint64_t CountBareLfs(absl::string_view in) {
  uint64_t n = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) ++n;
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
