#include "services/imap/fetch/test_support.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace kurier::imap::testing {
namespace {

class ValueScanner {
 public:
  explicit ValueScanner(absl::string_view in) : in_(in) {}

  bool ScanAll() { return Value(0) && pos_ == in_.size(); }

 private:
  bool Value(int depth) {
    if (pos_ >= in_.size()) return false;
    const char c = in_[pos_];
    if (c == '(') return List(depth + 1);
    if (c == '"') return Quoted();
    if (c == '{' || c == '~') return Literal();
    return Atom();
  }

  bool List(int depth) {
    if (depth > 256) return false;
    ++pos_;  // (
    bool first = true;
    while (true) {
      if (pos_ >= in_.size()) return false;
      if (in_[pos_] == ')') {
        ++pos_;
        return true;
      }
      if (!first) {
        // Items are separated by one space; body parts of a multipart
        // follow each other without one: "(...)(...)".
        if (in_[pos_] == ' ') {
          ++pos_;
        } else if (in_[pos_] != '(' || in_[pos_ - 1] != ')') {
          return false;
        }
      }
      first = false;
      if (!Value(depth)) return false;
    }
  }

  bool Quoted() {
    for (++pos_; pos_ < in_.size(); ++pos_) {
      const char c = in_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\r' || c == '\n' || c == '\0') return false;
      if (c == '\\') {
        if (++pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\\')) return false;
      }
    }
    return false;
  }

  bool Literal() {
    const bool literal8 = in_[pos_] == '~';
    if (literal8) ++pos_;
    if (pos_ >= in_.size() || in_[pos_] != '{') return false;
    ++pos_;
    uint64_t n = 0;
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') {
      n = n * 10 + static_cast<uint64_t>(in_[pos_] - '0');
      if (n > (1ull << 40)) return false;
      ++pos_;
    }
    if (pos_ == start || in_.substr(pos_, 3) != "}\r\n") return false;
    pos_ += 3;
    if (in_.size() - pos_ < n) return false;
    if (!literal8 && in_.substr(pos_, n).find('\0') != absl::string_view::npos) return false;
    pos_ += n;
    return true;
  }

  bool Atom() {
    const size_t start = pos_;
    while (pos_ < in_.size()) {
      const unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '"' || c == '{') break;
      if (c == '[') {
        // A section in an item name: "BODY[HEADER.FIELDS (A "B]")]", up
        // to the first "]" outside quoted strings.
        ++pos_;
        while (pos_ < in_.size() && in_[pos_] != ']') {
          if (in_[pos_] != '"') {
            ++pos_;
          } else if (!Quoted()) {
            return false;
          }
        }
        if (pos_ >= in_.size()) return false;
      }
      ++pos_;
    }
    return pos_ > start;
  }

  absl::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string ReadTestMessage(absl::string_view name) {
  std::ifstream in(absl::StrCat("services/imap/fetch/testdata/messages/", name, ".eml"), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const char* const* TestMessageNames() {
  static const char* const kNames[] = {
      "alternative_related", "bad_base64", "bare_lf", "boundary_never_appears", "digest",
      "eightbit_headers", "empty", "groups_and_obsolete", "header_only", "missing_final_boundary",
      "nested_rfc822", "no_header", "plain", "prefix_boundaries", "rfc2231_attachment", nullptr};
  return kNames;
}

bool IsWellFormedValue(absl::string_view value) { return ValueScanner(value).ScanAll(); }

}  // namespace kurier::imap::testing
