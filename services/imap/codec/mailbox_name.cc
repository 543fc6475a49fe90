#include "services/imap/codec/mailbox_name.h"

#include <cstdint>
#include <vector>

#include "absl/strings/match.h"

namespace kurier::imap {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

// Decodes one UTF-8 character at *pos; false when invalid.
bool NextCodePoint(absl::string_view s, size_t* pos, uint32_t* cp) {
  const unsigned char c = static_cast<unsigned char>(s[*pos]);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    ++*pos;
    return true;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, min = 0x80, *cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, min = 0x800, *cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return false;
  }
  if (s.size() - *pos < len) return false;
  for (size_t i = 1; i < len; ++i) {
    const unsigned char t = static_cast<unsigned char>(s[*pos + i]);
    if ((t & 0xc0) != 0x80) return false;
    *cp = (*cp << 6) | (t & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return false;
  *pos += len;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool IsDirect(uint32_t cp) { return cp >= 0x20 && cp <= 0x7e; }

// Appends "&" + modified base64 of the UTF-16BE units + "-".
void AppendShifted(const std::vector<uint16_t>& units, std::string* out) {
  out->push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out->push_back(kBase64[(bits >> nbits) & 0x3f]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out->push_back(kBase64[(bits << (6 - nbits)) & 0x3f]);
  out->push_back('-');
}

}  // namespace

bool IsValidUtf8(absl::string_view bytes) {
  size_t pos = 0;
  uint32_t cp;
  while (pos < bytes.size()) {
    if (!NextCodePoint(bytes, &pos, &cp)) return false;
  }
  return true;
}

absl::StatusOr<std::string> EncodeModifiedUtf7(absl::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  size_t pos = 0;
  while (pos < utf8.size()) {
    uint32_t cp;
    if (!NextCodePoint(utf8, &pos, &cp)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
    if (IsDirect(cp)) {
      if (!units.empty()) {
        AppendShifted(units, &out);
        units.clear();
      }
      out += cp == '&' ? "&-" : std::string(1, static_cast<char>(cp));
    } else if (cp < 0x10000) {
      units.push_back(static_cast<uint16_t>(cp));
    } else {
      cp -= 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 | (cp >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 | (cp & 0x3ff)));
    }
  }
  if (!units.empty()) AppendShifted(units, &out);
  return out;
}

absl::StatusOr<std::string> DecodeModifiedUtf7(absl::string_view mutf7) {
  const absl::Status invalid = absl::InvalidArgumentError("mailbox name is not valid modified UTF-7");
  std::string out;
  size_t i = 0;
  while (i < mutf7.size()) {
    const char c = mutf7[i];
    if (c < 0x20 || c > 0x7e) return invalid;
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    ++i;
    if (i < mutf7.size() && mutf7[i] == '-') {
      out.push_back('&');
      ++i;
      continue;
    }
    // A base64 run up to "-": UTF-16BE units.
    uint32_t bits = 0;
    int nbits = 0;
    std::vector<uint16_t> units;
    for (;; ++i) {
      if (i == mutf7.size()) return invalid;
      if (mutf7[i] == '-') break;
      const int v = Base64Value(mutf7[i]);
      if (v < 0) return invalid;
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(static_cast<uint16_t>(bits >> nbits));
        bits &= (1u << nbits) - 1;
      }
    }
    ++i;  // the "-"
    if (units.empty() || nbits >= 6 || bits != 0) return invalid;
    for (size_t u = 0; u < units.size(); ++u) {
      uint32_t cp = units[u];
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (u + 1 == units.size() || units[u + 1] < 0xdc00 || units[u + 1] > 0xdfff) return invalid;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (units[++u] - 0xdc00);
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return invalid;
      }
      if (IsDirect(cp)) return invalid;  // must have been written directly
      AppendUtf8(cp, &out);
    }
    // Two runs side by side ("&AOQ-&APY-") are one run in the canonical form.
    if (i < mutf7.size() && mutf7[i] == '&' && (i + 1 == mutf7.size() || mutf7[i + 1] != '-')) return invalid;
  }
  return out;
}

absl::Status CheckUtf8MailboxName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty mailbox name");
  size_t pos = 0;
  uint32_t cp;
  while (pos < name.size()) {
    if (!NextCodePoint(name, &pos, &cp)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      return absl::InvalidArgumentError("mailbox name holds a control character");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MailboxNameFromWire(absl::string_view wire, bool utf8) {
  if (absl::EqualsIgnoreCase(wire, "INBOX")) return std::string("INBOX");
  if (utf8) {
    if (absl::Status status = CheckUtf8MailboxName(wire); !status.ok()) return status;
    return std::string(wire);
  }
  absl::StatusOr<std::string> name = DecodeModifiedUtf7(wire);
  if (!name.ok()) return name.status();
  if (absl::Status status = CheckUtf8MailboxName(*name); !status.ok()) return status;
  return name;
}

absl::StatusOr<std::string> MailboxNameToWire(absl::string_view name, bool utf8) {
  if (utf8) {
    if (!IsValidUtf8(name)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
    return std::string(name);
  }
  return EncodeModifiedUtf7(name);
}

}  // namespace kurier::imap
