#include "storage/names.h"

#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kurier::storage {
namespace {

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if (extra > 3 || i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

constexpr std::array<std::string_view, 5> kSystemFlags = {"\\Answered", "\\Deleted", "\\Draft", "\\Flagged",
                                                          "\\Seen"};
constexpr std::array<std::string_view, 7> kSpecialUses = {"All",  "Archive", "Drafts", "Flagged",
                                                          "Junk", "Sent",    "Trash"};

// IMAP atom-specials plus the backslash that only system flags may carry.
bool IsKeywordChar(unsigned char c) {
  return c > 0x20 && c < 0x7f && std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::string> NormalizeAddress(std::string_view address) {
  std::string a = absl::AsciiStrToLower(absl::StripAsciiWhitespace(std::string(address)));
  size_t at = a.rfind('@');
  if (a.empty() || a.size() > 254 || at == std::string::npos || at == 0 || at + 1 == a.size()) {
    return absl::InvalidArgumentError(absl::StrCat("not an address of the form local@domain: \"", std::string(address), "\""));
  }
  for (unsigned char c : a) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',') {
      return absl::InvalidArgumentError(absl::StrCat("address contains a character not allowed: \"", std::string(address), "\""));
    }
  }
  if (!IsValidUtf8(a)) return absl::InvalidArgumentError("address is not valid UTF-8");
  if (a.find('@') != at) return absl::InvalidArgumentError(absl::StrCat("address has more than one @: \"", std::string(address), "\""));
  return a;
}

absl::StatusOr<std::string> NormalizeDomain(std::string_view domain) {
  std::string d = absl::AsciiStrToLower(absl::StripAsciiWhitespace(std::string(domain)));
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("not a domain name (", std::string(why), "): \"", std::string(domain), "\""));
  };
  if (d.empty()) return bad("empty");
  if (d.size() > 253) return bad("longer than 253 octets");
  if (!IsValidUtf8(d)) return bad("not valid UTF-8");
  for (const std::string& label : std::vector<std::string>(absl::StrSplit(d, '.'))) {
    if (label.empty() || label.size() > 63) return bad("each label must have 1 to 63 octets");
    if (label.front() == '-' || label.back() == '-') return bad("a label starts or ends with '-'");
    for (unsigned char c : label) {
      if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c >= 0x80)) return bad("character not allowed");
    }
  }
  return d;
}

std::string_view DomainOfAddress(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

std::string WithoutSubaddress(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return "";
  size_t plus = address.substr(0, at).find('+');
  if (plus == std::string_view::npos || plus == 0) return "";
  return std::string(address.substr(0, plus)) + std::string(address.substr(at));
}

absl::StatusOr<std::string> NormalizeMailboxName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("mailbox name is empty");
  if (name.size() > 512) return absl::InvalidArgumentError("mailbox name is longer than 512 octets");
  if (!IsValidUtf8(name)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return absl::InvalidArgumentError("mailbox name contains a control character");
  }
  std::vector<std::string> parts = absl::StrSplit(std::string(name), '/');
  for (const std::string& part : parts) {
    if (part.empty()) return absl::InvalidArgumentError(absl::StrCat("mailbox name has an empty part: \"", std::string(name), "\""));
  }
  if (absl::EqualsIgnoreCase(parts[0], "INBOX")) parts[0] = "INBOX";
  return absl::StrJoin(parts, "/");
}

bool IsBelow(std::string_view child, std::string_view parent) {
  return child.size() > parent.size() + 1 && child.substr(0, parent.size()) == parent && child[parent.size()] == '/';
}

absl::StatusOr<std::vector<std::string>> NormalizeFlags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const std::string& flag : flags) {
    if (flag.empty() || flag.size() > 128) return absl::InvalidArgumentError("flag is empty or too long");
    if (flag[0] == '\\') {
      auto it = std::find_if(kSystemFlags.begin(), kSystemFlags.end(),
                             [&](std::string_view f) { return absl::EqualsIgnoreCase(std::string(f), flag); });
      if (it == kSystemFlags.end()) {
        return absl::InvalidArgumentError(absl::StrCat("not a flag that can be stored: ", flag));
      }
      out.emplace_back(*it);
      continue;
    }
    if (!std::all_of(flag.begin(), flag.end(), [](char c) { return IsKeywordChar(c); })) {
      return absl::InvalidArgumentError(absl::StrCat("keyword contains a character not allowed: ", flag));
    }
    out.push_back(flag);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsSpecialUse(std::string_view attribute) {
  return attribute.empty() || std::find(kSpecialUses.begin(), kSpecialUses.end(), attribute) != kSpecialUses.end();
}

}  // namespace kurier::storage
