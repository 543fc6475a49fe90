#include "services/imap/codec/response_writer.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"

namespace kurier::imap {
namespace {

// ATOM-CHAR / resp-specials (RFC 9051 ASTRING-CHAR).
bool IsAStringChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\':
      return false;
    default:
      return true;
  }
}

// Status text: no CR, LF or NUL; 8-bit only as valid UTF-8.
void AppendText(std::string* out, absl::string_view text) {
  const bool utf8 = IsValidUtf8(text);
  if (!text.empty() && text[0] == '[') out->push_back(' ');
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') {
      out->push_back(' ');
    } else if (static_cast<unsigned char>(c) >= 0x80 && !utf8) {
      out->push_back('?');
    } else {
      out->push_back(c);
    }
  }
}

void AppendResponse(std::string* out, absl::string_view tag, Condition condition, absl::string_view code,
                    absl::string_view text) {
  if (tag.empty()) {
    out->push_back('*');
  } else {
    for (char c : tag) out->push_back(c == '\r' || c == '\n' || c == '\0' || c == ' ' ? '_' : c);
  }
  out->push_back(' ');
  const absl::string_view name = ConditionName(condition);
  out->append(name.data(), name.size());
  if (!code.empty()) {
    *out += " [";
    for (char c : code) {
      const bool bad = c == '\r' || c == '\n' || c == '\0' || c == ']' || static_cast<unsigned char>(c) >= 0x80;
      out->push_back(bad ? ' ' : c);
    }
    out->push_back(']');
  }
  if (!text.empty()) {
    out->push_back(' ');
    AppendText(out, text);
  }
  AppendCrlf(out);
}

bool CanQuote(absl::string_view value, bool utf8) {
  if (value.size() > kMaxQuotedBytes) return false;
  bool eight_bit = false;
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
    if (static_cast<unsigned char>(c) >= 0x80) eight_bit = true;
  }
  return !eight_bit || (utf8 && IsValidUtf8(value));
}

bool IsFlagOrAtom(absl::string_view item) {
  if (item == "\\*") return true;
  if (!item.empty() && item[0] == '\\') item.remove_prefix(1);
  if (item.empty()) return false;
  for (char c : item) {
    if (!IsAStringChar(c) || c == ']') return false;
  }
  return true;
}

}  // namespace

absl::string_view ConditionName(Condition condition) {
  switch (condition) {
    case Condition::kOk: return "OK";
    case Condition::kNo: return "NO";
    case Condition::kBad: return "BAD";
    case Condition::kBye: return "BYE";
    case Condition::kPreauth: return "PREAUTH";
  }
  return "BAD";
}

void AppendTagged(std::string* out, absl::string_view tag, Condition condition, absl::string_view code,
                  absl::string_view text) {
  AppendResponse(out, tag, condition, code, text);
}

void AppendUntaggedStatus(std::string* out, Condition condition, absl::string_view code,
                          absl::string_view text) {
  AppendResponse(out, "", condition, code, text);
}

void AppendUntagged(std::string* out, absl::string_view text) {
  *out += "* ";
  AppendText(out, text);
  AppendCrlf(out);
}

void AppendContinuation(std::string* out, absl::string_view text) {
  *out += "+ ";
  AppendText(out, text);
  AppendCrlf(out);
}

void AppendCrlf(std::string* out) { *out += "\r\n"; }

void AppendNil(std::string* out) { *out += "NIL"; }

void AppendString(std::string* out, absl::string_view value, bool utf8) {
  if (!CanQuote(value, utf8)) {
    AppendLiteral(out, value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendAString(std::string* out, absl::string_view value, bool utf8) {
  bool atom = !value.empty() && !absl::EqualsIgnoreCase(value, "NIL");
  // "[" is quoted: after BODY, BINARY... the reader takes "[" as the start
  // of a section that may hold spaces.
  for (char c : value) atom = atom && IsAStringChar(c) && c != '[';
  if (atom) {
    out->append(value.data(), value.size());
  } else {
    AppendString(out, value, utf8);
  }
}

void AppendNString(std::string* out, std::optional<absl::string_view> value, bool utf8) {
  if (value.has_value()) {
    AppendString(out, *value, utf8);
  } else {
    AppendNil(out);
  }
}

void AppendLiteral(std::string* out, absl::string_view value) {
  absl::StrAppend(out, "{", value.size(), "}\r\n");
  const size_t start = out->size();
  out->append(value.data(), value.size());
  // memchr: NUL is rare, and a byte loop cost a sixth of FETCH BODY[].
  char* data = out->data();
  for (void* nul = std::memchr(data + start, '\0', out->size() - start); nul != nullptr;
       nul = std::memchr(nul, '\0', out->size() - (static_cast<char*>(nul) - data))) {
    *static_cast<char*>(nul) = static_cast<char>(0x80);
  }
}

void AppendLiteral8(std::string* out, absl::string_view value) {
  absl::StrAppend(out, "~{", value.size(), "}\r\n");
  out->append(value.data(), value.size());
}

void AppendFlagList(std::string* out, const std::vector<std::string>& items) {
  out->push_back('(');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(' ');
    if (IsFlagOrAtom(items[i])) {
      *out += items[i];
    } else {
      AppendAString(out, items[i]);
    }
  }
  out->push_back(')');
}

absl::Status AppendMailbox(std::string* out, absl::string_view name, bool utf8) {
  absl::StatusOr<std::string> wire = MailboxNameToWire(name, utf8);
  if (!wire.ok()) return wire.status();
  AppendAString(out, *wire, utf8);
  return absl::OkStatus();
}

}  // namespace kurier::imap
