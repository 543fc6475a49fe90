#include "services/imap/fetch/fetch_items.h"

#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kurier::imap {
namespace {

absl::Status Bad(const char* message) { return absl::InvalidArgumentError(message); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses a decimal number filling all of `text` (no sign, no leading "+"),
// at most `max`. RFC 9051 "number" / "number64" allow leading zeros.
bool ParseNumber(absl::string_view text, uint64_t max, uint64_t* value) {
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *value = v;
  return true;
}

// ASTRING-CHAR without "]" (ATOM-CHAR plus "]" is astring; a header field
// name inside a section cannot hold "]" unquoted).
bool IsFieldAtomChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

// "(name name ...)": astrings (atoms or quoted strings; a literal cannot
// appear inside the atom the codec gives). At least one name.
absl::Status ParseHeaderList(absl::string_view text, std::vector<std::string>* fields) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return Bad("Invalid header list");
  text = text.substr(1, text.size() - 2);
  size_t i = 0;
  while (i < text.size()) {
    if (!fields->empty()) {
      if (text[i] != ' ') return Bad("Invalid header list");
      ++i;
    }
    if (i == text.size()) return Bad("Invalid header list");
    std::string name;
    if (text[i] == '"') {
      for (++i;; ++i) {
        if (i == text.size()) return Bad("Invalid header list");
        char c = text[i];
        if (c == '"') break;
        if (c == '\\') {
          if (++i == text.size()) return Bad("Invalid header list");
          c = text[i];
          if (c != '"' && c != '\\') return Bad("Invalid header list");
        }
        // Field names are printable ASCII (RFC 5322 ftext; the codec allows
        // nothing else in a section either), so the response names them
        // without a literal.
        if (c < 0x20 || c > 0x7e) return Bad("Invalid header list");
        name.push_back(c);
      }
      ++i;
    } else {
      const size_t start = i;
      while (i < text.size() && IsFieldAtomChar(text[i])) ++i;
      if (i == start) return Bad("Invalid header list");
      name = std::string(text.substr(start, i - start));
    }
    fields->push_back(std::move(name));
  }
  if (fields->empty()) return Bad("Invalid header list");
  return absl::OkStatus();
}

// "<offset.length>".
absl::StatusOr<Partial> ParsePartial(absl::string_view text) {
  if (text.size() < 5 || text.front() != '<' || text.back() != '>') return Bad("Invalid partial");
  text = text.substr(1, text.size() - 2);
  const size_t dot = text.find('.');
  if (dot == absl::string_view::npos) return Bad("Invalid partial");
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();  // number64
  Partial partial;
  if (!ParseNumber(text.substr(0, dot), kMax, &partial.offset) ||
      !ParseNumber(text.substr(dot + 1), kMax, &partial.length) || partial.length == 0) {
    return Bad("Invalid partial");
  }
  return partial;
}

void AppendSectionSpec(std::string* out, const Section& section) {
  for (size_t i = 0; i < section.part.size(); ++i) {
    if (i > 0) out->push_back('.');
    absl::StrAppend(out, section.part[i]);
  }
  const char* text = nullptr;
  switch (section.text) {
    case Section::Text::kAll: break;
    case Section::Text::kHeader: text = "HEADER"; break;
    case Section::Text::kHeaderFields: text = "HEADER.FIELDS"; break;
    case Section::Text::kHeaderFieldsNot: text = "HEADER.FIELDS.NOT"; break;
    case Section::Text::kText: text = "TEXT"; break;
    case Section::Text::kMime: text = "MIME"; break;
  }
  if (text == nullptr) return;
  if (!section.part.empty()) out->push_back('.');
  out->append(text);
  if (section.text == Section::Text::kHeaderFields || section.text == Section::Text::kHeaderFieldsNot) {
    *out += " (";
    for (size_t i = 0; i < section.fields.size(); ++i) {
      if (i > 0) out->push_back(' ');
      // Printable ASCII (the parser allows nothing else): an atom, or a
      // quoted string when empty or holding a special ("]" too, which would
      // end the section).
      const std::string& name = section.fields[i];
      bool atom = !name.empty();
      for (char c : name) atom &= IsFieldAtomChar(c);
      if (atom) {
        out->append(name);
      } else {
        out->push_back('"');
        for (char c : name) {
          if (c == '"' || c == '\\') out->push_back('\\');
          out->push_back(c);
        }
        out->push_back('"');
      }
    }
    out->push_back(')');
  }
}

FetchItem Simple(FetchItem::Kind kind) {
  FetchItem item;
  item.kind = kind;
  return item;
}

}  // namespace

bool FetchItem::is_content() const {
  switch (kind) {
    case Kind::kRfc822:
    case Kind::kRfc822Header:
    case Kind::kRfc822Text:
    case Kind::kBodySection:
    case Kind::kBinary:
    case Kind::kBinarySize:
      return true;
    default:
      return false;
  }
}

bool FetchItem::sets_seen() const {
  switch (kind) {
    case Kind::kRfc822:
    case Kind::kRfc822Text:
      return true;
    case Kind::kBodySection:
    case Kind::kBinary:
      return !peek;
    default:
      return false;
  }
}

absl::StatusOr<Section> ParseSection(absl::string_view spec, bool binary) {
  Section section;
  size_t i = 0;
  // section-part: nz-number *("." nz-number), then "." section-text.
  while (i < spec.size() && IsDigit(spec[i])) {
    const size_t start = i;
    while (i < spec.size() && IsDigit(spec[i])) ++i;
    uint64_t n = 0;
    if (!ParseNumber(spec.substr(start, i - start), std::numeric_limits<uint32_t>::max(), &n) || n == 0) {
      return Bad("Invalid section part number");
    }
    section.part.push_back(static_cast<uint32_t>(n));
    if (i == spec.size()) break;
    if (spec[i] != '.') return Bad("Invalid section");
    ++i;
    if (i == spec.size()) return Bad("Invalid section");
  }
  absl::string_view rest = spec.substr(i);
  if (rest.empty()) return section;
  if (binary) return Bad("Invalid BINARY section");
  const size_t space = rest.find(' ');
  const absl::string_view keyword = rest.substr(0, space);
  if (absl::EqualsIgnoreCase(keyword, "HEADER")) {
    section.text = Section::Text::kHeader;
  } else if (absl::EqualsIgnoreCase(keyword, "TEXT")) {
    section.text = Section::Text::kText;
  } else if (absl::EqualsIgnoreCase(keyword, "MIME")) {
    if (section.part.empty()) return Bad("MIME needs a part number");
    section.text = Section::Text::kMime;
  } else if (absl::EqualsIgnoreCase(keyword, "HEADER.FIELDS")) {
    section.text = Section::Text::kHeaderFields;
  } else if (absl::EqualsIgnoreCase(keyword, "HEADER.FIELDS.NOT")) {
    section.text = Section::Text::kHeaderFieldsNot;
  } else {
    return Bad("Invalid section");
  }
  if (section.text == Section::Text::kHeaderFields || section.text == Section::Text::kHeaderFieldsNot) {
    if (space == absl::string_view::npos) return Bad("Missing header list");
    absl::Status status = ParseHeaderList(rest.substr(space + 1), &section.fields);
    if (!status.ok()) return status;
  } else if (space != absl::string_view::npos) {
    return Bad("Invalid section");
  }
  return section;
}

absl::StatusOr<FetchItem> ParseFetchItem(absl::string_view atom) {
  using Kind = FetchItem::Kind;
  const size_t bracket = atom.find('[');
  const absl::string_view name = atom.substr(0, bracket);
  if (bracket == absl::string_view::npos) {
    static constexpr struct {
      const char* name;
      Kind kind;
    } kSimple[] = {
        {"FLAGS", Kind::kFlags},           {"INTERNALDATE", Kind::kInternalDate},
        {"RFC822.SIZE", Kind::kRfc822Size}, {"ENVELOPE", Kind::kEnvelope},
        {"BODY", Kind::kBody},             {"BODYSTRUCTURE", Kind::kBodyStructure},
        {"UID", Kind::kUid},               {"MODSEQ", Kind::kModSeq},
        {"RFC822", Kind::kRfc822},         {"RFC822.HEADER", Kind::kRfc822Header},
        {"RFC822.TEXT", Kind::kRfc822Text},
    };
    for (const auto& s : kSimple) {
      if (!absl::EqualsIgnoreCase(name, s.name)) continue;
      FetchItem item = Simple(s.kind);
      if (s.kind == Kind::kRfc822Header) {
        item.peek = true;
        item.section.text = Section::Text::kHeader;
      } else if (s.kind == Kind::kRfc822Text) {
        item.section.text = Section::Text::kText;
      }
      return item;
    }
    return Bad("Unknown FETCH item");
  }

  FetchItem item;
  if (absl::EqualsIgnoreCase(name, "BODY")) {
    item.kind = Kind::kBodySection;
  } else if (absl::EqualsIgnoreCase(name, "BODY.PEEK")) {
    item.kind = Kind::kBodySection;
    item.peek = true;
  } else if (absl::EqualsIgnoreCase(name, "BINARY")) {
    item.kind = Kind::kBinary;
  } else if (absl::EqualsIgnoreCase(name, "BINARY.PEEK")) {
    item.kind = Kind::kBinary;
    item.peek = true;
  } else if (absl::EqualsIgnoreCase(name, "BINARY.SIZE")) {
    item.kind = Kind::kBinarySize;
  } else {
    return Bad("Unknown FETCH item");
  }
  // The closing "]": the first one outside quoted strings.
  size_t close = absl::string_view::npos;
  for (size_t i = bracket + 1; i < atom.size(); ++i) {
    const char c = atom[i];
    if (c == '"') {
      for (++i; i < atom.size() && atom[i] != '"'; ++i) {
        if (atom[i] == '\\') ++i;
      }
      if (i >= atom.size()) return Bad("Invalid section");
    } else if (c == ']') {
      close = i;
      break;
    }
  }
  if (close == absl::string_view::npos) return Bad("Invalid section");
  absl::StatusOr<Section> section =
      ParseSection(atom.substr(bracket + 1, close - bracket - 1), item.kind != Kind::kBodySection);
  if (!section.ok()) return section.status();
  item.section = *std::move(section);
  const absl::string_view rest = atom.substr(close + 1);
  if (!rest.empty()) {
    if (item.kind == Kind::kBinarySize) return Bad("BINARY.SIZE takes no partial");
    absl::StatusOr<Partial> partial = ParsePartial(rest);
    if (!partial.ok()) return partial.status();
    item.partial = *partial;
  }
  return item;
}

absl::StatusOr<FetchRequest> ParseFetchAttributes(const Arg& arg) {
  FetchRequest request;
  auto add = [&request](FetchItem item) {
    request.sets_seen |= item.sets_seen();
    request.needs_content |= item.is_content();
    request.needs_structure |= item.is_content() || item.kind == FetchItem::Kind::kEnvelope ||
                               item.kind == FetchItem::Kind::kRfc822Size ||
                               item.kind == FetchItem::Kind::kBody ||
                               item.kind == FetchItem::Kind::kBodyStructure;
    request.has_uid |= item.kind == FetchItem::Kind::kUid;
    request.has_modseq |= item.kind == FetchItem::Kind::kModSeq;
    request.items.push_back(std::move(item));
  };
  if (arg.is_atom()) {
    using Kind = FetchItem::Kind;
    const bool all = absl::EqualsIgnoreCase(arg.value, "ALL");
    const bool fast = absl::EqualsIgnoreCase(arg.value, "FAST");
    const bool full = absl::EqualsIgnoreCase(arg.value, "FULL");
    if (all || fast || full) {
      add(Simple(Kind::kFlags));
      add(Simple(Kind::kInternalDate));
      add(Simple(Kind::kRfc822Size));
      if (all || full) add(Simple(Kind::kEnvelope));
      if (full) add(Simple(Kind::kBody));
      return request;
    }
    absl::StatusOr<FetchItem> item = ParseFetchItem(arg.value);
    if (!item.ok()) return item.status();
    add(*std::move(item));
    return request;
  }
  if (!arg.is_list() || arg.list.empty()) return Bad("Invalid FETCH items");
  for (const Arg& a : arg.list) {
    if (!a.is_atom()) return Bad("Invalid FETCH items");
    absl::StatusOr<FetchItem> item = ParseFetchItem(a.value);
    if (!item.ok()) return item.status();
    add(*std::move(item));
  }
  return request;
}

std::string ResponseItemName(const FetchItem& item) {
  using Kind = FetchItem::Kind;
  std::string out;
  switch (item.kind) {
    case Kind::kFlags: return "FLAGS";
    case Kind::kInternalDate: return "INTERNALDATE";
    case Kind::kRfc822Size: return "RFC822.SIZE";
    case Kind::kEnvelope: return "ENVELOPE";
    case Kind::kBody: return "BODY";
    case Kind::kBodyStructure: return "BODYSTRUCTURE";
    case Kind::kUid: return "UID";
    case Kind::kModSeq: return "MODSEQ";
    case Kind::kRfc822: return "RFC822";
    case Kind::kRfc822Header: return "RFC822.HEADER";
    case Kind::kRfc822Text: return "RFC822.TEXT";
    case Kind::kBodySection: out = "BODY["; break;
    case Kind::kBinary: out = "BINARY["; break;
    case Kind::kBinarySize: out = "BINARY.SIZE["; break;
  }
  AppendSectionSpec(&out, item.section);
  out.push_back(']');
  if (item.partial) absl::StrAppend(&out, "<", item.partial->offset, ">");
  return out;
}

}  // namespace kurier::imap
