#include "services/imap/search/message_text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/transfer_encoding.h"

namespace kurier::imap {
namespace {

using mime::v1::BodyPart;

// message.substr(offset, size), clamped to the message.
absl::string_view Range(absl::string_view message, uint64_t offset, uint64_t size) {
  if (offset >= message.size()) return {};
  return message.substr(offset, std::min<uint64_t>(size, message.size() - offset));
}

std::string Charset(const BodyPart& part) {
  for (const auto& param : part.params()) {
    if (absl::EqualsIgnoreCase(param.name(), "charset")) return param.value();
  }
  return "";
}

void Walk(absl::string_view message, const BodyPart& part, int depth, std::string* out) {
  if (depth > 100) return;  // the parser bounds depth; this guards odd input
  if (part.children_size() > 0) {
    for (const BodyPart& child : part.children()) Walk(message, child, depth + 1, out);
    return;
  }
  if (part.has_message_body()) {
    const BodyPart& inner = part.message_body();
    out->append(HeaderSearchText(Range(message, inner.header_offset(), inner.header_size())));
    Walk(message, inner, depth + 1, out);
    return;
  }
  const bool text = absl::EqualsIgnoreCase(part.type(), "text");
  if (!text && !absl::EqualsIgnoreCase(part.type(), "message") &&
      !absl::EqualsIgnoreCase(part.type(), "multipart")) {
    return;
  }
  const std::string decoded =
      DecodeTransferEncoding(Range(message, part.body_offset(), part.body_size()), part.encoding());
  out->append(text ? TextToUtf8(decoded, Charset(part)) : decoded);
  out->push_back('\n');
}

}  // namespace

std::string DecodeTransferEncoding(absl::string_view body, absl::string_view encoding) {
  const absl::string_view enc = absl::StripAsciiWhitespace(encoding);
  if (absl::EqualsIgnoreCase(enc, "base64")) return mime::DecodeBase64(body);
  if (absl::EqualsIgnoreCase(enc, "quoted-printable")) return mime::DecodeQuotedPrintable(body);
  return std::string(body);
}

std::string TextToUtf8(absl::string_view bytes, absl::string_view charset) {
  if (!charset.empty()) {
    std::optional<std::string> utf8 = mime::ConvertToUtf8(bytes, charset);
    if (utf8.has_value()) return *std::move(utf8);
  }
  return std::string(bytes);
}

std::string HeaderSearchText(absl::string_view header) {
  std::string out;
  mime::HeaderFieldReader reader(header);
  mime::HeaderField field;
  while (reader.Next(&field)) {
    out.append(field.name.data(), field.name.size());
    out.append(": ");
    out.append(mime::DecodeEncodedWords(mime::UnfoldHeaderValue(field.raw_value)));
    out.push_back('\n');
  }
  return out;
}

std::string BodySearchText(absl::string_view message, const mime::v1::MessageStructure& structure) {
  std::string out;
  Walk(message, structure.body(), 0, &out);
  return out;
}

}  // namespace kurier::imap
