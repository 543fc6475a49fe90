#include "services/common/mime/transfer_encoding.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace kurier::mime {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
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

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

TransferEncoding ClassifyTransferEncoding(absl::string_view encoding) {
  encoding = absl::StripAsciiWhitespace(encoding);
  if (encoding.empty() || absl::EqualsIgnoreCase(encoding, "7bit") || absl::EqualsIgnoreCase(encoding, "8bit")) {
    return TransferEncoding::k7Bit;
  }
  if (absl::EqualsIgnoreCase(encoding, "binary")) return TransferEncoding::kBinary;
  if (absl::EqualsIgnoreCase(encoding, "base64")) return TransferEncoding::kBase64;
  if (absl::EqualsIgnoreCase(encoding, "quoted-printable")) return TransferEncoding::kQuotedPrintable;
  return TransferEncoding::kUnknown;
}

std::string DecodeBase64(absl::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t bits = 0;
  int count = 0;
  auto flush = [&] {
    // 2 sextets → 1 byte, 3 → 2; a lone sextet holds no whole byte.
    if (count == 2) {
      out.push_back(static_cast<char>((bits >> 4) & 0xff));
    } else if (count == 3) {
      out.push_back(static_cast<char>((bits >> 10) & 0xff));
      out.push_back(static_cast<char>((bits >> 2) & 0xff));
    }
    bits = 0;
    count = 0;
  };
  for (char c : in) {
    if (c == '=') {
      flush();
      continue;
    }
    const int v = Base64Value(c);
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  flush();
  return out;
}

std::string DecodeQuotedPrintable(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t pos = 0;
  while (pos < in.size()) {
    // One line: [pos, eol), then its line end (LF or CRLF) or the end.
    size_t lf = in.find('\n', pos);
    const bool has_end = lf != absl::string_view::npos;
    size_t eol = has_end ? lf : in.size();
    const size_t next = has_end ? lf + 1 : in.size();
    if (has_end && eol > pos && in[eol - 1] == '\r') --eol;
    absl::string_view line = in.substr(pos, eol - pos);
    // Trailing white space was added in transport (RFC 2045 6.7 rule 3).
    while (!line.empty() && IsWsp(line.back())) line.remove_suffix(1);
    bool soft = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c != '=') {
        out.push_back(c);
        continue;
      }
      if (i + 1 == line.size()) {
        soft = true;  // "=" at the end of the line (white space stripped)
        break;
      }
      const bool two = i + 2 < line.size();
      const int hi = two ? HexValue(line[i + 1]) : -1;
      const int lo = two ? HexValue(line[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back('=');
      }
    }
    if (has_end && !soft) out += "\r\n";
    pos = next;
  }
  return out;
}

}  // namespace kurier::mime
