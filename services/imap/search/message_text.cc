#include "services/imap/search/message_text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"

namespace kurier::imap {
namespace {

using mime::v1::BodyPart;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

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

std::string DecodeBase64Lenient(absl::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  char* p = out.data();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = Base64Value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *p++ = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  out.resize(static_cast<size_t>(p - out.data()));
  return out;
}

std::string DecodeQuotedPrintable(absl::string_view text) {
  // The output is never longer than the input: write in place, trim.
  std::string out(text.size(), '\0');
  char* p = out.data();
  size_t i = 0;
  while (i < text.size()) {
    const size_t eq = text.find('=', i);
    const size_t run = (eq == absl::string_view::npos ? text.size() : eq) - i;
    std::memcpy(p, text.data() + i, run);
    p += run;
    i += run;
    if (i == text.size()) break;
    // text[i] == '='
    if (i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      *p++ = static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 3;
      continue;
    }
    // A soft line break: "=", optional trailing white space, line end.
    size_t j = i + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j < text.size() && text[j] == '\r') ++j;
    if (j < text.size() && text[j] == '\n') {
      i = j + 1;
      continue;
    }
    if (j == text.size()) break;  // "=" at the very end: a soft break too
    *p++ = '=';
    ++i;
  }
  out.resize(static_cast<size_t>(p - out.data()));
  return out;
}

std::string DecodeTransferEncoding(absl::string_view body, absl::string_view encoding) {
  const absl::string_view enc = absl::StripAsciiWhitespace(encoding);
  if (absl::EqualsIgnoreCase(enc, "base64")) return DecodeBase64Lenient(body);
  if (absl::EqualsIgnoreCase(enc, "quoted-printable")) return DecodeQuotedPrintable(body);
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
