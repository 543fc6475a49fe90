#include "services/smtp/codec/smtp_command.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace kurier::smtp {
namespace {

Parsed Error(int code, absl::string_view enhanced, absl::string_view text) {
  Parsed parsed;
  parsed.error = Reply{code, std::string(enhanced), std::string(text)};
  return parsed;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 5322 atext, plus any UTF-8 byte (RFC 6531 extends atext with
// UTF8-non-ascii; the session decides whether that is allowed).
bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;
  if (absl::ascii_isalnum(c)) return true;
  return absl::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != absl::string_view::npos;
}

// Dot-string = Atom *("." Atom).
bool IsDotString(absl::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == '.') {
      if (s[i - 1] == '.') return false;
      continue;
    }
    if (!IsAtext(c)) return false;
  }
  return true;
}

// Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE.
bool IsQuotedString(absl::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      const unsigned char next = s[++i];
      if (next < 32 || next > 126) return false;
      continue;
    }
    if (c == '"' || (c < 32 && c != '\t') || c == 127) return false;
  }
  return true;
}

// Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str],
// with U-labels (UTF-8) allowed.
bool IsDomain(absl::string_view s) {
  if (s.empty() || s.size() > kMaxDomainBytes) return false;
  for (absl::string_view label : absl::StrSplit(s, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label) {
      if (!(absl::ascii_isalnum(c) || c == '-' || c >= 0x80)) return false;
    }
  }
  return true;
}

// address-literal = "[" (IPv4 / "IPv6:" IPv6 / General) "]"; checked for
// shape only: the policy (never local) lives in the store.
bool IsAddressLiteral(absl::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  for (unsigned char c : s.substr(1, s.size() - 2)) {
    if (c <= 32 || c >= 127 || c == '[' || c == ']' || c == '\\') return false;
  }
  return true;
}

bool HasNonAscii(absl::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

// "<@a,@b:" source route (RFC 5321 4.1.2 A-d-l): returns the text after it.
std::optional<absl::string_view> SkipSourceRoute(absl::string_view s) {
  if (s.empty() || s.front() != '@') return s;
  const size_t colon = s.find(':');
  if (colon == absl::string_view::npos) return std::nullopt;
  for (absl::string_view at_domain : absl::StrSplit(s.substr(0, colon), ',')) {
    if (at_domain.size() < 2 || at_domain.front() != '@' || !IsDomain(at_domain.substr(1))) return std::nullopt;
  }
  return s.substr(colon + 1);
}

// Splits "key=value key2" parameters; false when one is malformed.
bool SplitParameters(absl::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  for (absl::string_view item : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    const size_t eq = item.find('=');
    const absl::string_view key = item.substr(0, eq);
    if (key.empty()) return false;
    for (unsigned char c : key) {
      if (!(absl::ascii_isalnum(c) || c == '-')) return false;
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(item.substr(eq + 1));
      if (value.empty()) return false;
      for (unsigned char c : value) {
        if (c < 33 || c == '=' || c == 127) return false;
      }
    }
    out->emplace_back(absl::AsciiStrToUpper(key), std::move(value));
  }
  return true;
}

// Splits "FROM:<path> params" into the path and the parameter text.
bool SplitPathArgument(absl::string_view rest, absl::string_view prefix, absl::string_view* path,
                       absl::string_view* params) {
  if (rest.size() < prefix.size() || !absl::EqualsIgnoreCase(rest.substr(0, prefix.size()), prefix)) return false;
  rest.remove_prefix(prefix.size());
  // Lenient like Postfix: "MAIL FROM: <a@b>" is common.
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  size_t end;
  if (!rest.empty() && rest.front() == '<') {
    // The closing bracket, skipping over quoted strings in the local part.
    bool quoted = false;
    end = absl::string_view::npos;
    for (size_t i = 1; i < rest.size(); ++i) {
      if (quoted && rest[i] == '\\') {
        ++i;
        continue;
      }
      if (rest[i] == '"') quoted = !quoted;
      if (!quoted && rest[i] == '>') {
        end = i + 1;
        break;
      }
    }
    if (end == absl::string_view::npos) return false;
  } else {
    end = std::min(rest.find(' '), rest.size());
  }
  *path = rest.substr(0, end);
  *params = rest.substr(end);
  if (!params->empty() && params->front() != ' ') return false;
  return true;
}

Parsed ParseMail(absl::string_view rest) {
  absl::string_view path_text, params_text;
  if (!SplitPathArgument(rest, "FROM:", &path_text, &params_text)) {
    return Error(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
  }
  Parsed parsed;
  parsed.command.verb = Verb::kMail;
  std::optional<Path> path = ParsePath(path_text, /*reverse=*/true);
  if (!path.has_value()) return Error(501, "5.1.7", "Bad sender address syntax");
  parsed.command.path = *std::move(path);
  std::vector<std::pair<std::string, std::string>> params;
  if (!SplitParameters(params_text, &params)) return Error(501, "5.5.4", "Bad MAIL parameter syntax");
  MailParameters& mail = parsed.command.mail;
  bool seen_body = false, seen_auth = false;
  for (const auto& [key, value] : params) {
    if (key == "SIZE") {
      uint64_t size = 0;
      if (mail.size.has_value() || value.empty() || value.size() > 20 || !absl::SimpleAtoi(value, &size) ||
          !absl::ascii_isdigit(static_cast<unsigned char>(value[0]))) {
        return Error(501, "5.5.4", "Bad SIZE parameter");
      }
      mail.size = size;
    } else if (key == "BODY") {
      const std::string body = absl::AsciiStrToUpper(value);
      if (seen_body || (body != "7BIT" && body != "8BITMIME")) return Error(555, "5.5.4", "Unsupported BODY type");
      seen_body = true;
      mail.body_8bitmime = body == "8BITMIME";
    } else if (key == "SMTPUTF8") {
      if (!value.empty() || mail.smtputf8) return Error(555, "5.5.4", "Bad SMTPUTF8 parameter");
      mail.smtputf8 = true;
    } else if (key == "RET") {
      const std::string ret = absl::AsciiStrToUpper(value);
      if (!mail.ret.empty() || (ret != "FULL" && ret != "HDRS")) return Error(501, "5.5.4", "Bad RET parameter");
      mail.ret = ret;
    } else if (key == "ENVID") {
      if (!mail.envid.empty() || value.size() > 100 || !IsXtext(value)) {
        return Error(501, "5.5.4", "Bad ENVID parameter");
      }
      mail.envid = value;
    } else if (key == "AUTH") {
      // RFC 4954 5: accepted; Kurier records the authenticated identity itself.
      if (seen_auth || value.empty()) return Error(501, "5.5.4", "Bad AUTH parameter");
      seen_auth = true;
    } else {
      return Error(555, "5.5.4", "Unsupported MAIL parameter");
    }
  }
  return parsed;
}

Parsed ParseRcpt(absl::string_view rest) {
  absl::string_view path_text, params_text;
  if (!SplitPathArgument(rest, "TO:", &path_text, &params_text)) {
    return Error(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
  }
  Parsed parsed;
  parsed.command.verb = Verb::kRcpt;
  std::optional<Path> path = ParsePath(path_text, /*reverse=*/false);
  if (!path.has_value()) return Error(501, "5.1.3", "Bad recipient address syntax");
  parsed.command.path = *std::move(path);
  std::vector<std::pair<std::string, std::string>> params;
  if (!SplitParameters(params_text, &params)) return Error(501, "5.5.4", "Bad RCPT parameter syntax");
  RcptParameters& rcpt = parsed.command.rcpt;
  for (const auto& [key, value] : params) {
    if (key == "NOTIFY") {
      const std::string notify = absl::AsciiStrToUpper(value);
      bool valid = !notify.empty() && rcpt.notify.empty();
      bool never = false, other = false;
      for (absl::string_view item : absl::StrSplit(notify, ',')) {
        if (item == "NEVER") {
          never = true;
        } else if (item == "SUCCESS" || item == "FAILURE" || item == "DELAY") {
          other = true;
        } else {
          valid = false;
        }
      }
      if (!valid || (never && other)) return Error(501, "5.5.4", "Bad NOTIFY parameter");
      rcpt.notify = notify;
    } else if (key == "ORCPT") {
      const size_t semi = value.find(';');
      if (!rcpt.orcpt.empty() || semi == std::string::npos || semi == 0 || value.size() > 500 ||
          !IsXtext(absl::string_view(value).substr(semi + 1))) {
        return Error(501, "5.5.4", "Bad ORCPT parameter");
      }
      rcpt.orcpt = value;
    } else {
      return Error(555, "5.5.4", "Unsupported RCPT parameter");
    }
  }
  return parsed;
}

Parsed ParseBdat(absl::string_view rest) {
  std::vector<absl::string_view> args = absl::StrSplit(rest, ' ', absl::SkipEmpty());
  if (args.empty() || args.size() > 2 || args[0].size() > 19) return Error(501, "5.5.4", "Syntax: BDAT size [LAST]");
  Parsed parsed;
  parsed.command.verb = Verb::kBdat;
  for (char c : args[0]) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Error(501, "5.5.4", "Syntax: BDAT size [LAST]");
  }
  if (!absl::SimpleAtoi(args[0], &parsed.command.chunk_size)) return Error(501, "5.5.4", "Syntax: BDAT size [LAST]");
  if (args.size() == 2) {
    if (!absl::EqualsIgnoreCase(args[1], "LAST")) return Error(501, "5.5.4", "Syntax: BDAT size [LAST]");
    parsed.command.last_chunk = true;
  }
  return parsed;
}

struct VerbKeyword {
  absl::string_view keyword;
  Verb verb;
};
constexpr VerbKeyword kVerbs[] = {
    {"EHLO", Verb::kEhlo}, {"HELO", Verb::kHelo}, {"MAIL", Verb::kMail}, {"RCPT", Verb::kRcpt},
    {"DATA", Verb::kData}, {"BDAT", Verb::kBdat}, {"RSET", Verb::kRset}, {"NOOP", Verb::kNoop},
    {"QUIT", Verb::kQuit}, {"HELP", Verb::kHelp}, {"VRFY", Verb::kVrfy}, {"EXPN", Verb::kExpn},
    {"STARTTLS", Verb::kStartTls}, {"AUTH", Verb::kAuth},
};

}  // namespace

bool Path::is_postmaster() const { return !null && domain.empty() && absl::EqualsIgnoreCase(local_part, "postmaster"); }

std::string Path::Address() const {
  if (null) return "";
  if (domain.empty()) return local_part;
  return local_part + "@" + domain;
}

bool IsXtext(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size()) return false;
      const unsigned char a = text[i + 1], b = text[i + 2];
      auto hex = [](unsigned char x) { return absl::ascii_isdigit(x) || (x >= 'A' && x <= 'F'); };
      if (!hex(a) || !hex(b)) return false;
      i += 2;
      continue;
    }
    if (c < 33 || c > 126 || c == '=') return false;
  }
  return true;
}

std::optional<Path> ParsePath(absl::string_view text, bool reverse) {
  if (text.size() > kMaxPathBytes + 2) return std::nullopt;
  Path path;
  absl::string_view inner = text;
  if (!inner.empty() && inner.front() == '<') {
    if (inner.size() < 2 || inner.back() != '>') return std::nullopt;
    inner = inner.substr(1, inner.size() - 2);
  }
  if (inner.empty()) {
    if (!reverse || text != "<>") return std::nullopt;
    path.null = true;
    return path;
  }
  std::optional<absl::string_view> mailbox = SkipSourceRoute(inner);
  if (!mailbox.has_value()) return std::nullopt;
  // The domain starts after the last "@" outside a quoted local part.
  size_t at = absl::string_view::npos;
  if (!mailbox->empty() && mailbox->front() == '"') {
    size_t close = 1;
    for (; close < mailbox->size(); ++close) {
      if ((*mailbox)[close] == '\\') {
        ++close;
        continue;
      }
      if ((*mailbox)[close] == '"') break;
    }
    if (close + 1 < mailbox->size() && (*mailbox)[close + 1] == '@') at = close + 1;
  } else {
    at = mailbox->rfind('@');
  }
  if (at == absl::string_view::npos) {
    // RFC 5321 4.5.1: RCPT TO:<Postmaster> needs no domain.
    if (!reverse && absl::EqualsIgnoreCase(*mailbox, "postmaster")) {
      path.local_part = std::string(*mailbox);
      return path;
    }
    return std::nullopt;
  }
  const absl::string_view local = mailbox->substr(0, at);
  const absl::string_view domain = mailbox->substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPartBytes) return std::nullopt;
  if (!IsDotString(local) && !IsQuotedString(local)) return std::nullopt;
  if (!IsDomain(domain) && !IsAddressLiteral(domain)) return std::nullopt;
  path.local_part = std::string(local);
  path.domain = absl::AsciiStrToLower(domain);
  path.utf8 = HasNonAscii(local) || HasNonAscii(domain);
  return path;
}

absl::string_view VerbName(Verb verb) {
  for (const VerbKeyword& v : kVerbs) {
    if (v.verb == verb) return v.keyword;
  }
  return "UNKNOWN";
}

Parsed ParseCommand(absl::string_view line) {
  if (line.empty()) return Error(500, "5.5.2", "Empty command");
  for (unsigned char c : line) {
    // Tabs are tolerated as spaces by some clients; other controls are not.
    if (IsControl(c) && c != '\t') return Error(500, "5.5.2", "Invalid character in command");
  }
  const size_t space = line.find(' ');
  const absl::string_view keyword = line.substr(0, space);
  const absl::string_view rest = space == absl::string_view::npos ? absl::string_view() : line.substr(space + 1);
  Verb verb = Verb::kUnknown;
  for (const VerbKeyword& v : kVerbs) {
    if (absl::EqualsIgnoreCase(keyword, v.keyword)) verb = v.verb;
  }
  const absl::string_view trimmed = absl::StripAsciiWhitespace(rest);
  Parsed parsed;
  parsed.command.verb = verb;
  switch (verb) {
    case Verb::kEhlo:
    case Verb::kHelo: {
      // RFC 5321 4.1.1.1: a domain or an address literal. Many clients send
      // an unqualified name; it is recorded, not trusted.
      if (trimmed.empty()) return Error(501, "5.5.4", verb == Verb::kEhlo ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
      const absl::string_view name = trimmed.substr(0, trimmed.find(' '));
      if (name.size() > kMaxDomainBytes) return Error(501, "5.5.4", "Host name too long");
      for (unsigned char c : name) {
        if (c <= 32 || c == 127) return Error(501, "5.5.4", "Invalid host name");
      }
      parsed.command.argument = std::string(name);
      return parsed;
    }
    case Verb::kMail: return ParseMail(rest);
    case Verb::kRcpt: return ParseRcpt(rest);
    case Verb::kBdat: return ParseBdat(rest);
    case Verb::kData:
    case Verb::kRset:
    case Verb::kQuit:
    case Verb::kStartTls:
      if (!trimmed.empty()) return Error(501, "5.5.4", "No parameters allowed");
      return parsed;
    case Verb::kNoop:
    case Verb::kHelp:
    case Verb::kVrfy:
    case Verb::kExpn:
      if (verb != Verb::kNoop && verb != Verb::kHelp && trimmed.empty()) {
        return Error(501, "5.5.4", "Argument required");
      }
      parsed.command.argument = std::string(trimmed.substr(0, 512));
      return parsed;
    case Verb::kAuth: {
      std::vector<absl::string_view> args = absl::StrSplit(trimmed, ' ', absl::SkipEmpty());
      if (args.empty() || args.size() > 2) return Error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
      parsed.command.argument = absl::AsciiStrToUpper(args[0]);
      if (args.size() == 2) parsed.command.initial_response = std::string(args[1]);
      return parsed;
    }
    case Verb::kUnknown: return parsed;
  }
  return parsed;
}

}  // namespace kurier::smtp
