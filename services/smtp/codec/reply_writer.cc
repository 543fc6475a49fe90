#include "services/smtp/codec/reply_writer.h"

#include "absl/strings/str_cat.h"

namespace kurier::smtp {
namespace {

void AppendText(std::string* out, absl::string_view text) {
  for (char c : text) out->push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
}

void AppendLine(std::string* out, int code, char separator, absl::string_view enhanced, absl::string_view text) {
  absl::StrAppend(out, code);
  out->push_back(separator);
  if (!enhanced.empty()) {
    out->append(enhanced.data(), enhanced.size());
    if (!text.empty()) out->push_back(' ');
  }
  AppendText(out, text);
  out->append("\r\n");
}

}  // namespace

void AppendReply(std::string* out, int code, absl::string_view enhanced, absl::string_view text) {
  AppendLine(out, code, ' ', enhanced, text);
}

void AppendReply(std::string* out, const Reply& reply) { AppendReply(out, reply.code, reply.enhanced, reply.text); }

void AppendMultiline(std::string* out, int code, absl::string_view enhanced, const std::vector<std::string>& lines) {
  if (lines.empty()) {
    AppendLine(out, code, ' ', enhanced, "");
    return;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    AppendLine(out, code, i + 1 == lines.size() ? ' ' : '-', enhanced, lines[i]);
  }
}

}  // namespace kurier::smtp
