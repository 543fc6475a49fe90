#include "services/imap/codec/test_util.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::imap::testing {

std::string ReadTestdata(absl::string_view name) {
  // Bazel runs tests in the runfiles tree of the workspace.
  const std::string path = absl::StrCat("services/imap/codec/testdata/", std::string(name));
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

std::string FormatArgs(const std::vector<Arg>& args) {
  std::string out;
  for (const Arg& arg : args) {
    if (!out.empty()) out += " ";
    switch (arg.kind) {
      case Arg::Kind::kAtom:
        out += Escape(arg.value);
        break;
      case Arg::Kind::kString:
        if (arg.literal) absl::StrAppend(&out, arg.literal8 ? "~{" : "{", arg.value.size(), "}");
        absl::StrAppend(&out, "\"", Escape(arg.value), "\"");
        break;
      case Arg::Kind::kList:
        absl::StrAppend(&out, "(", FormatArgs(arg.list), ")");
        break;
    }
  }
  return out;
}

std::string ReadEvents(const std::vector<std::string>& chunks, const CommandReader::Options& options) {
  CommandReader reader(options);
  std::string out;
  for (const std::string& chunk : chunks) {
    const size_t before = reader.buffered_bytes();
    reader.Feed(chunk);
    EXPECT_LE(reader.buffered_bytes(), before + chunk.size());
    for (;;) {
      Command command;
      ReadError error;
      const CommandReader::Result result = reader.Next(&command, &error);
      EXPECT_LE(reader.command_bytes(), options.max_line_bytes + options.max_total_literal_bytes);
      if (result == CommandReader::Result::kNeedMore) break;
      if (result == CommandReader::Result::kContinuation) {
        out += "+\n";
      } else if (result == CommandReader::Result::kCommand) {
        absl::StrAppend(&out, "C ", command.tag, command.uid ? " UID " : " ", command.name);
        if (!command.args.empty()) absl::StrAppend(&out, " ", FormatArgs(command.args));
        out += "\n";
      } else {
        static constexpr const char* kKinds[] = {"syntax", "line-too-long", "literal-too-big"};
        absl::StrAppend(&out, "E ", kKinds[static_cast<int>(error.kind)], " ",
                        error.tag.empty() ? "*" : error.tag, ": ", error.message, "\n");
      }
    }
    EXPECT_LT(reader.buffered_bytes(), options.max_line_bytes);
  }
  return out;
}

}  // namespace kurier::imap::testing
