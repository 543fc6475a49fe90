#include "services/common/codec/golden_test_util.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace kurier::codec::testing {

std::string ReadWorkspaceFile(absl::string_view workspace_path) {
  const std::string path(workspace_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteActual(absl::string_view name, absl::string_view content) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr) return;
  std::ofstream out(absl::StrCat(dir, "/", std::string(name)), std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string ToCrlf(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Unescape(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      case 's': out.push_back(' '); break;
      case 'x':
        if (i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
          out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
          i += 2;
          break;
        }
        [[fallthrough]];
      default:
        out.push_back('\\');
        out.push_back(e);
    }
  }
  return out;
}

std::string Escape(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char ch = bytes[i];
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' && i + 1 == bytes.size()) {  // a trailing space stays visible
      out += "\\s";
      continue;
    }
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

std::vector<std::vector<std::string>> Chunkings(absl::string_view input) {
  const std::string in(input);
  std::vector<std::vector<std::string>> all;
  all.push_back({in});
  for (size_t i = 0; i <= in.size(); ++i) all.push_back({in.substr(0, i), in.substr(i)});
  std::vector<std::string> bytes;
  for (char c : in) bytes.emplace_back(1, c);
  all.push_back(bytes);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') all.push_back({in.substr(0, i), std::string(1, '\r'), in.substr(i + 1)});
  }
  return all;
}

std::string DescribeChunking(const std::vector<std::string>& chunks) {
  std::string out = absl::StrCat(chunks.size(), " chunks:");
  for (const std::string& chunk : chunks) {
    if (out.size() > 200) return out + " ...";
    absl::StrAppend(&out, " [", Escape(chunk), "]");
  }
  return out;
}

}  // namespace kurier::codec::testing
