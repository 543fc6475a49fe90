#include "services/common/mime/mime_parser.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"

namespace kurier::mime {
namespace {

using v1::BodyPart;
using v1::Envelope;
using v1::Parameter;

bool IsWsp(char c) { return c == ' ' || c == '\t'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// ---------------------------------------------------------------------------
// Structured field values (RFC 2045 5.1, RFC 2183, RFC 2231)

// Removes comments outside quoted strings (RFC 5322 CFWS), leaving a space.
std::string StripComments(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && (quoted || depth > 0) && i + 1 < s.size()) {
      if (depth == 0) {
        out.push_back(c);
        out.push_back(s[i + 1]);
      }
      ++i;
      continue;
    }
    if (depth > 0) {
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) out.push_back(' ');
      continue;
    }
    if (quoted) {
      if (c == '"') quoted = false;
      out.push_back(c);
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      depth = 1;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

absl::string_view Trim(absl::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsTSpecial(char c) {
  return std::strchr("()<>@,;:\\\"/[]?=", c) != nullptr && c != '\0';
}

bool IsTokenChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && !IsTSpecial(c);
}

struct RawParam {
  std::string name;
  std::string value;
};

// Parses "; name=value; name="quoted value"" (comments already removed).
// Tolerant: spaces around '=', unquoted values with spaces (up to ';'),
// unterminated quotes; a parameter without '=' is dropped.
std::vector<RawParam> ParseParams(absl::string_view s) {
  std::vector<RawParam> params;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    while (i < n && (IsSpace(s[i]) || s[i] == ';')) ++i;
    if (i >= n) break;
    const size_t name_start = i;
    while (i < n && s[i] != '=' && s[i] != ';') ++i;
    absl::string_view name = Trim(s.substr(name_start, i - name_start));
    if (i >= n || s[i] != '=' || name.empty()) {
      while (i < n && s[i] != ';') ++i;
      continue;
    }
    ++i;  // '='
    while (i < n && IsSpace(s[i])) ++i;
    RawParam param;
    param.name = std::string(name);
    if (i < n && s[i] == '"') {
      ++i;
      while (i < n && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < n) ++i;
        param.value.push_back(s[i]);
        ++i;
      }
      if (i < n) ++i;  // closing quote
      while (i < n && s[i] != ';') ++i;  // junk after the quoted string
    } else {
      const size_t value_start = i;
      while (i < n && s[i] != ';') ++i;
      param.value = std::string(Trim(s.substr(value_start, i - value_start)));
    }
    params.push_back(std::move(param));
  }
  return params;
}

// How a parameter name takes part in RFC 2231: "name" (plain), "name*" (one
// extended value), "name*3" or "name*3*" (a section, plain or extended).
struct NameForm {
  enum Kind { kPlain, kExtended, kSection };
  Kind kind = kPlain;
  absl::string_view base;  // the name without the RFC 2231 suffix
  uint32_t section = 0;    // kSection: capped at kUnreachableSection
  bool extended = false;   // "*" at the end: the value is percent-encoded
};

// Section numbers at or above this cannot be reached without a gap (a list
// field is at most kMaxListField bytes), so larger ones are all this.
constexpr uint32_t kUnreachableSection = 1u << 20;

NameForm ClassifyName(absl::string_view name) {
  NameForm form;
  form.base = name;
  const bool star_end = absl::EndsWith(name, "*");
  const absl::string_view rest = star_end ? name.substr(0, name.size() - 1) : name;
  const size_t star = rest.find('*');
  if (star == absl::string_view::npos) {
    // "name*" (an empty base is no RFC 2231 name).
    if (star_end && !rest.empty()) {
      form.kind = NameForm::kExtended;
      form.base = rest;
      form.extended = true;
    }
    return form;
  }
  absl::string_view digits = rest.substr(star + 1);
  if (star == 0 || digits.empty()) return form;
  uint32_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return form;
    value = std::min<uint32_t>(value * 10 + static_cast<uint32_t>(c - '0'), kUnreachableSection);
  }
  form.kind = NameForm::kSection;
  form.base = rest.substr(0, star);
  form.section = value;
  form.extended = star_end;
  return form;
}

// The bytes of an extended value (its charset, if it names one, to *charset)
// appended to *bytes.
void AppendExtended(absl::string_view value, bool first, std::string* charset, std::string* bytes) {
  absl::string_view text = value;
  if (first) {
    absl::string_view cs;
    SplitRfc2231Charset(value, &cs, &text);
    *charset = std::string(cs);
  }
  AppendPercentDecoded(text, bytes);
}

// Resolves RFC 2231 (sections 3-4) in a parameter list, in the spirit of
// Dovecot and Thunderbird:
//   - sections "name*0", "name*1*", ... are joined in numeric order (first of
//     a repeated number counts; a gap ends the value, so does a missing
//     "name*0"); extended ones ("*" at the end) are percent-decoded and the
//     first, "name*0*", may name the charset ("utf-8'en'...");
//   - "name*=charset'language'%E2%82%AC" is one extended value;
//   - the bytes are converted from the charset to UTF-8; with no charset, an
//     unknown one or bytes it cannot convert they are kept as decoded;
//   - the result is one parameter named "name" (as first written) at the
//     place of the first parameter of that name. "name*" wins over sections,
//     both over a plain "name"; a plain "name" without RFC 2231 forms, and
//     repeated ones, are kept as they are. Sections that give no value (no
//     "name*0") are dropped.
// Linear in the list but for sorting each name's sections.
template <typename Params>
void AddJoinedParams(std::vector<RawParam> raw, Params* out) {
  struct Section {
    uint32_t index;
    bool extended;
    size_t order;
  };
  struct Group {
    std::vector<Section> sections;
    size_t extended_value = SIZE_MAX;  // the first "name*"
    bool usable = false;
    bool emitted = false;
  };
  std::vector<Group> groups;
  absl::flat_hash_map<std::string, size_t> group_index;  // lower-case base
  std::vector<NameForm> forms(raw.size());
  std::vector<size_t> group_of(raw.size(), SIZE_MAX);
  for (size_t i = 0; i < raw.size(); ++i) {
    forms[i] = ClassifyName(raw[i].name);
    const NameForm& form = forms[i];
    if (form.kind == NameForm::kPlain) continue;
    auto [it, inserted] = group_index.try_emplace(absl::AsciiStrToLower(form.base), groups.size());
    if (inserted) groups.emplace_back();
    Group& group = groups[it->second];
    group_of[i] = it->second;
    if (form.kind == NameForm::kExtended) {
      if (group.extended_value == SIZE_MAX) group.extended_value = i;
    } else {
      group.sections.push_back(Section{form.section, form.extended, i});
    }
  }
  // Plain names with RFC 2231 forms of the same name join their group.
  if (!groups.empty()) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (forms[i].kind != NameForm::kPlain) continue;
      auto it = group_index.find(absl::AsciiStrToLower(raw[i].name));
      if (it != group_index.end()) group_of[i] = it->second;
    }
  }
  // Each group's value.
  std::vector<std::string> values(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    Group& group = groups[g];
    std::string charset;
    std::string bytes;
    if (group.extended_value != SIZE_MAX) {
      AppendExtended(raw[group.extended_value].value, true, &charset, &bytes);
      group.usable = true;
    } else {
      std::stable_sort(group.sections.begin(), group.sections.end(),
                       [](const Section& a, const Section& b) { return a.index < b.index; });
      uint32_t next = 0;
      for (const Section& s : group.sections) {
        if (s.index + 1 == next) continue;  // a repeated number: the first counts
        if (s.index != next) break;         // a gap (or no section 0)
        const std::string& v = raw[s.order].value;
        if (s.extended) {
          AppendExtended(v, s.index == 0, &charset, &bytes);
        } else {
          bytes.append(v);
        }
        ++next;
      }
      group.usable = next > 0;
    }
    if (!group.usable) continue;
    std::optional<std::string> utf8;
    if (!charset.empty()) utf8 = ConvertToUtf8(bytes, charset);
    values[g] = utf8 ? *std::move(utf8) : std::move(bytes);
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    const size_t g = group_of[i];
    if (g == SIZE_MAX || (!groups[g].usable && forms[i].kind == NameForm::kPlain)) {
      Parameter* p = out->Add();
      p->set_name(std::move(raw[i].name));
      p->set_value(std::move(raw[i].value));
      continue;
    }
    Group& group = groups[g];
    if (!group.usable || group.emitted) continue;
    group.emitted = true;
    Parameter* p = out->Add();
    p->set_name(std::string(forms[i].base));
    p->set_value(std::move(values[g]));
  }
}

struct ContentType {
  std::string type;
  std::string subtype;
  std::vector<RawParam> params;
};

// "type/subtype; params"; nullopt when type or subtype is missing.
std::optional<ContentType> ParseContentType(absl::string_view unfolded) {
  const std::string s = StripComments(unfolded);
  size_t i = 0;
  const size_t n = s.size();
  while (i < n && IsSpace(s[i])) ++i;
  const size_t t0 = i;
  while (i < n && IsTokenChar(s[i])) ++i;
  const size_t t1 = i;
  while (i < n && IsSpace(s[i])) ++i;
  if (i >= n || s[i] != '/' || t1 == t0) return std::nullopt;
  ++i;
  while (i < n && IsSpace(s[i])) ++i;
  const size_t s0 = i;
  while (i < n && IsTokenChar(s[i])) ++i;
  if (i == s0) return std::nullopt;
  ContentType ct;
  ct.type = s.substr(t0, t1 - t0);
  ct.subtype = s.substr(s0, i - s0);
  ct.params = ParseParams(absl::string_view(s).substr(i));
  return ct;
}

const RawParam* FindParam(const std::vector<RawParam>& params, absl::string_view name) {
  for (const RawParam& p : params) {
    if (absl::EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// The line cursor: every line of the message is visited once, in order.

// A position with the LFs and bare LFs before it.
struct Mark {
  size_t pos = 0;
  uint64_t lfs = 0;
  uint64_t bare_lfs = 0;
};

class Cursor {
 public:
  explicit Cursor(absl::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  Mark mark() { return MarkAt(pos_); }

  // The current line without its line end ("\r\n", "\n", or a final "\r").
  absl::string_view Line() {
    if (line_end_pos_ != pos_) {
      const void* lf = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
      line_end_ = lf == nullptr ? text_.size() : static_cast<size_t>(static_cast<const char*>(lf) - text_.data());
      line_end_pos_ = pos_;
    }
    size_t end = line_end_;
    if (end > pos_ && text_[end - 1] == '\r') --end;
    return text_.substr(pos_, end - pos_);
  }

  void Advance() {
    Line();
    StepPast(line_end_);
  }

  // Moves to the next line that starts with "--" (or the end); cheaper per
  // line than Line() and Advance().
  void SkipToDashLine() {
    const char* data = text_.data();
    const size_t n = text_.size();
    while (pos_ < n) {
      if (n - pos_ >= 3 && data[pos_] == '-' && data[pos_ + 1] == '-') return;
      const void* lf = std::memchr(data + pos_, '\n', n - pos_);
      StepPast(lf == nullptr ? n : static_cast<size_t>(static_cast<const char*>(lf) - data));
    }
  }

  void SkipToEnd() {
    prev_eol_ = 0;
    pos_ = text_.size();
  }

  // Where the content before the current (boundary) line ends: the line end
  // before a boundary belongs to the boundary (RFC 2046 5.1.1). Never before
  // `floor`.
  Mark EndBeforeLine(const Mark& floor) {
    if (pos_ - prev_eol_ <= floor.pos) return floor;
    return MarkAt(pos_ - prev_eol_);
  }

 private:
  void StepPast(size_t line_end) {
    if (line_end < text_.size()) {
      prev_eol_ = line_end > pos_ && text_[line_end - 1] == '\r' ? 2 : 1;
      pos_ = line_end + 1;
    } else {
      prev_eol_ = 0;
      pos_ = text_.size();
    }
  }

  // Counts LFs lazily: the positions asked for only grow, except that
  // EndBeforeLine steps back over at most one line end. Eight bytes at a
  // time: the high bit of each byte of ZeroBytes(w ^ pattern) marks a byte
  // equal to the pattern's.
  static uint64_t ZeroBytes(uint64_t t) {
    constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((t & kLow7) + kLow7) | t | kLow7);
  }

  // The number of bytes whose high bit is set in a ZeroBytes mask (a
  // multiply instead of popcount, which is a libgcc call without -mpopcnt).
  static uint64_t MarkedBytes(uint64_t mask) { return ((mask >> 7) * 0x0101010101010101ULL) >> 56; }

  void Count(size_t from, size_t to, uint64_t* lfs, uint64_t* bare) const {
    const char* d = text_.data();
    uint64_t l = 0;
    uint64_t crlf = 0;
    bool cr_before = from > 0 && d[from - 1] == '\r';
    size_t i = from;
    for (; i + 8 <= to; i += 8) {
      uint64_t w;
      std::memcpy(&w, d + i, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      const uint64_t lf = ZeroBytes(w ^ 0x0A0A0A0A0A0A0A0AULL);
      const uint64_t cr = ZeroBytes(w ^ 0x0D0D0D0D0D0D0D0DULL);
      l += MarkedBytes(lf);
      crlf += MarkedBytes(lf & ((cr << 8) | (cr_before ? 0x80ULL : 0)));
      cr_before = (cr >> 63) != 0;
    }
    for (; i < to; ++i) {
      if (d[i] == '\n') {
        ++l;
        crlf += cr_before;
      }
      cr_before = d[i] == '\r';
    }
    *lfs = l;
    *bare = l - crlf;
  }

  Mark MarkAt(size_t pos) {
    uint64_t lfs;
    uint64_t bare;
    if (pos >= counted_.pos) {
      Count(counted_.pos, pos, &lfs, &bare);
      counted_ = Mark{pos, counted_.lfs + lfs, counted_.bare_lfs + bare};
      return counted_;
    }
    Count(pos, counted_.pos, &lfs, &bare);
    return Mark{pos, counted_.lfs - lfs, counted_.bare_lfs - bare};
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int prev_eol_ = 0;
  size_t line_end_ = 0;
  size_t line_end_pos_ = static_cast<size_t>(-1);
  Mark counted_;
};

// What ended an entity: the end of the message, or a boundary line (not yet
// consumed) of the active boundary at `level`.
struct Hit {
  bool found = false;
  size_t level = 0;
  bool close = false;
};

bool AllWsp(absl::string_view s) {
  for (char c : s) {
    if (!IsWsp(c)) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(absl::string_view message) : message_(message), cursor_(message) {}

  bool limits_reached() const { return limits_reached_; }

  // Parses the entity whose header starts at the cursor, up to the next line
  // that is an active boundary (returned, not consumed) or the end.
  Hit ParseEntity(BodyPart* part, int depth, bool digest_child, Envelope* envelope);

 private:
  // Whether `line` is a boundary line of an active boundary: a line that is
  // exactly "--boundary" or "--boundary--" (trailing white space allowed) of
  // any level, innermost first; failing that, one that merely starts with
  // "--boundary" (as Dovecot accepts), innermost first.
  bool MatchBoundary(absl::string_view line, Hit* hit) const {
    if (boundaries_.empty() || line.size() < 3 || line[0] != '-' || line[1] != '-') return false;
    absl::string_view rest = line.substr(2);
    for (size_t i = boundaries_.size(); i-- > 0;) {
      const std::string& b = boundaries_[i];
      if (!absl::StartsWith(rest, b)) continue;
      absl::string_view tail = rest.substr(b.size());
      if (AllWsp(tail)) {
        *hit = Hit{true, i, false};
        return true;
      }
      if (absl::StartsWith(tail, "--") && AllWsp(tail.substr(2))) {
        *hit = Hit{true, i, true};
        return true;
      }
    }
    for (size_t i = boundaries_.size(); i-- > 0;) {
      const std::string& b = boundaries_[i];
      if (!absl::StartsWith(rest, b)) continue;
      *hit = Hit{true, i, absl::StartsWith(rest.substr(b.size()), "--")};
      return true;
    }
    return false;
  }

  // Moves to the next active boundary line or the end.
  Hit ScanToBoundary() {
    Hit hit;
    if (boundaries_.empty()) {
      cursor_.SkipToEnd();
      return hit;
    }
    for (;;) {
      cursor_.SkipToDashLine();
      if (cursor_.AtEnd()) return hit;
      if (MatchBoundary(cursor_.Line(), &hit)) return hit;
      cursor_.Advance();
    }
  }

  // Sets the body range of `part`, from `start` to the cursor (before the
  // boundary line when `hit` found one), but not ending before `floor`, the
  // end of the last entity inside it: an inner entity with an empty body
  // right before the boundary keeps the line end of its blank line, which
  // the boundary would otherwise claim.
  void FinishBody(BodyPart* part, const Mark& start, const Hit& hit, const std::optional<Mark>& floor) {
    Mark end = hit.found ? cursor_.EndBeforeLine(start) : cursor_.mark();
    if (floor && floor->pos > end.pos) end = *floor;
    last_end_ = end;
    const uint64_t size = end.pos - start.pos;
    part->set_body_offset(start.pos);
    part->set_body_size(size);
    part->set_body_lines(end.lfs - start.lfs + (size > 0 && message_[end.pos - 1] != '\n' ? 1 : 0));
    part->set_body_bare_lfs(end.bare_lfs - start.bare_lfs);
  }

  absl::string_view message_;
  Cursor cursor_;
  std::vector<std::string> boundaries_;
  int parts_ = 1;  // the top-level entity
  Mark last_end_;  // the end of the last body finished
  bool limits_reached_ = false;
};

// The header fields the parser looks at: the first of each.
struct Fields {
  std::optional<absl::string_view> content_type, encoding, id, description, md5, disposition, language,
      location;
  std::optional<absl::string_view> date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id;
};

void Take(std::optional<absl::string_view>* slot, absl::string_view value) {
  if (!*slot) *slot = value;
}

void ReadFields(absl::string_view header, bool want_envelope, Fields* f) {
  HeaderFieldReader reader(header);
  HeaderField field;
  while (reader.Next(&field)) {
    const absl::string_view name = field.name;
    const absl::string_view v = field.raw_value;
    if (name.size() > 8 && absl::StartsWithIgnoreCase(name, "content-")) {
      const absl::string_view rest = name.substr(8);
      if (absl::EqualsIgnoreCase(rest, "type")) Take(&f->content_type, v);
      else if (absl::EqualsIgnoreCase(rest, "transfer-encoding")) Take(&f->encoding, v);
      else if (absl::EqualsIgnoreCase(rest, "id")) Take(&f->id, v);
      else if (absl::EqualsIgnoreCase(rest, "description")) Take(&f->description, v);
      else if (absl::EqualsIgnoreCase(rest, "md5")) Take(&f->md5, v);
      else if (absl::EqualsIgnoreCase(rest, "disposition")) Take(&f->disposition, v);
      else if (absl::EqualsIgnoreCase(rest, "language")) Take(&f->language, v);
      else if (absl::EqualsIgnoreCase(rest, "location")) Take(&f->location, v);
      continue;
    }
    if (!want_envelope) continue;
    if (absl::EqualsIgnoreCase(name, "date")) Take(&f->date, v);
    else if (absl::EqualsIgnoreCase(name, "subject")) Take(&f->subject, v);
    else if (absl::EqualsIgnoreCase(name, "from")) Take(&f->from, v);
    else if (absl::EqualsIgnoreCase(name, "sender")) Take(&f->sender, v);
    else if (absl::EqualsIgnoreCase(name, "reply-to")) Take(&f->reply_to, v);
    else if (absl::EqualsIgnoreCase(name, "to")) Take(&f->to, v);
    else if (absl::EqualsIgnoreCase(name, "cc")) Take(&f->cc, v);
    else if (absl::EqualsIgnoreCase(name, "bcc")) Take(&f->bcc, v);
    else if (absl::EqualsIgnoreCase(name, "in-reply-to")) Take(&f->in_reply_to, v);
    else if (absl::EqualsIgnoreCase(name, "message-id")) Take(&f->message_id, v);
  }
}

// Address fields are parsed up to this many bytes (cut after the last ','
// before it): the token list costs tens of bytes per input byte, and no
// client needs more than thousands of recipients in an ENVELOPE.
constexpr size_t kMaxAddressField = 256 * 1024;

template <typename Addresses>
void SetAddresses(const std::optional<absl::string_view>& raw, Addresses* out) {
  if (!raw) return;
  absl::string_view value = *raw;
  if (value.size() > kMaxAddressField) {
    value = value.substr(0, kMaxAddressField);
    const size_t comma = value.rfind(',');
    if (comma != absl::string_view::npos) value = value.substr(0, comma);
  }
  for (v1::Address& a : ParseAddressList(UnfoldHeaderValue(value))) *out->Add() = std::move(a);
}

void FillEnvelope(const Fields& f, Envelope* env) {
  if (f.date) env->set_date(UnfoldHeaderValue(*f.date));
  if (f.subject) env->set_subject(UnfoldHeaderValue(*f.subject));
  SetAddresses(f.from, env->mutable_from());
  SetAddresses(f.sender, env->mutable_sender());
  SetAddresses(f.reply_to, env->mutable_reply_to());
  SetAddresses(f.to, env->mutable_to());
  SetAddresses(f.cc, env->mutable_cc());
  SetAddresses(f.bcc, env->mutable_bcc());
  // RFC 9051 7.5.2: an absent or empty Sender or Reply-To is From.
  if (env->sender().empty()) *env->mutable_sender() = env->from();
  if (env->reply_to().empty()) *env->mutable_reply_to() = env->from();
  if (f.in_reply_to) env->set_in_reply_to(UnfoldHeaderValue(*f.in_reply_to));
  if (f.message_id) env->set_message_id(UnfoldHeaderValue(*f.message_id));
}

// Fields that become lists (Content-Type, -Disposition, -Language) are read
// up to this many bytes, which bounds the parameters per part.
constexpr size_t kMaxListField = 64 * 1024;

std::string UnfoldListField(absl::string_view raw) { return UnfoldHeaderValue(raw.substr(0, kMaxListField)); }

void FillContentFields(const Fields& f, bool digest_child, BodyPart* part, std::vector<RawParam>* type_params) {
  std::optional<ContentType> ct;
  if (f.content_type) ct = ParseContentType(UnfoldListField(*f.content_type));
  if (ct) {
    part->set_type(std::move(ct->type));
    part->set_subtype(std::move(ct->subtype));
    *type_params = std::move(ct->params);
  } else if (digest_child) {
    part->set_type("message");
    part->set_subtype("rfc822");
  } else {
    part->set_type("text");
    part->set_subtype("plain");
    type_params->push_back(RawParam{"charset", "us-ascii"});
  }
  AddJoinedParams(*type_params, part->mutable_params());

  std::string encoding;
  if (f.encoding) encoding = std::string(Trim(StripComments(UnfoldHeaderValue(*f.encoding))));
  part->set_encoding(encoding.empty() ? "7BIT" : encoding);
  if (f.id) part->set_id(UnfoldHeaderValue(*f.id));
  if (f.description) part->set_description(UnfoldHeaderValue(*f.description));
  if (f.md5) part->set_md5(UnfoldHeaderValue(*f.md5));
  if (f.disposition) {
    const std::string s = StripComments(UnfoldListField(*f.disposition));
    const size_t semi = s.find(';');
    absl::string_view type = Trim(absl::string_view(s).substr(0, semi));
    if (!type.empty()) {
      v1::Disposition* d = part->mutable_disposition();
      d->set_type(std::string(type));
      if (semi != std::string::npos) {
        AddJoinedParams(ParseParams(absl::string_view(s).substr(semi + 1)), d->mutable_params());
      }
    }
  }
  if (f.language) {
    const std::string s = StripComments(UnfoldListField(*f.language));
    size_t b = 0;
    while (b <= s.size()) {
      size_t e = s.find(',', b);
      if (e == std::string::npos) e = s.size();
      absl::string_view tag = Trim(absl::string_view(s).substr(b, e - b));
      if (!tag.empty()) part->add_languages(std::string(tag));
      b = e + 1;
    }
  }
  if (f.location) {
    std::string location;
    for (char c : UnfoldHeaderValue(*f.location)) {
      if (!IsSpace(c)) location.push_back(c);
    }
    part->set_location(std::move(location));
  }
}

Hit Parser::ParseEntity(BodyPart* part, int depth, bool digest_child, Envelope* envelope) {
  // The header: up to a blank line, a boundary line or the end.
  const Mark header_start = cursor_.mark();
  Hit hit;
  bool blank = false;
  while (!cursor_.AtEnd()) {
    const absl::string_view line = cursor_.Line();
    if (line.empty()) {
      cursor_.Advance();
      blank = true;
      break;
    }
    if (MatchBoundary(line, &hit)) break;
    cursor_.Advance();
  }
  const Mark header_end = hit.found ? cursor_.EndBeforeLine(header_start) : cursor_.mark();
  part->set_header_offset(header_start.pos);
  part->set_header_size(header_end.pos - header_start.pos);
  part->set_header_bare_lfs(header_end.bare_lfs - header_start.bare_lfs);

  Fields fields;
  ReadFields(message_.substr(header_start.pos, header_end.pos - header_start.pos), envelope != nullptr, &fields);
  if (envelope != nullptr) FillEnvelope(fields, envelope);
  std::vector<RawParam> type_params;
  FillContentFields(fields, digest_child, part, &type_params);

  const Mark body_start = header_end;
  if (!blank) {  // no body: the header ran to a boundary or the end
    FinishBody(part, body_start, hit, std::nullopt);
    return hit;
  }

  const bool multipart = absl::EqualsIgnoreCase(part->type(), "multipart");
  const RawParam* boundary = multipart ? FindParam(type_params, "boundary") : nullptr;
  const std::string& enc = part->encoding();
  const bool identity = absl::EqualsIgnoreCase(enc, "7bit") || absl::EqualsIgnoreCase(enc, "8bit") ||
                        absl::EqualsIgnoreCase(enc, "binary");
  const bool message = absl::EqualsIgnoreCase(part->type(), "message") &&
                       (absl::EqualsIgnoreCase(part->subtype(), "rfc822") ||
                        absl::EqualsIgnoreCase(part->subtype(), "global")) &&
                       identity;
  const bool container = (boundary != nullptr && !boundary->value.empty()) || message;
  if (container && (depth + 1 > kMaxDepth || parts_ >= kMaxParts)) limits_reached_ = true;

  std::optional<Mark> inner_end;
  if (message && depth + 1 <= kMaxDepth && parts_ < kMaxParts) {
    ++parts_;
    hit = ParseEntity(part->mutable_message_body(), depth + 1, false, part->mutable_envelope());
    inner_end = last_end_;
  } else if (boundary != nullptr && !boundary->value.empty() && depth + 1 <= kMaxDepth && parts_ < kMaxParts) {
    const bool digest = absl::EqualsIgnoreCase(part->subtype(), "digest");
    boundaries_.push_back(boundary->value);
    const size_t own = boundaries_.size() - 1;
    bool popped = false;
    hit = ScanToBoundary();  // the preamble
    while (hit.found && hit.level == own) {
      cursor_.Advance();  // the boundary line
      if (hit.close) {
        boundaries_.pop_back();
        popped = true;
        hit = ScanToBoundary();  // the epilogue, up to an enclosing boundary
        break;
      }
      if (parts_ >= kMaxParts) {
        limits_reached_ = true;
        hit = ScanToBoundary();
        continue;
      }
      ++parts_;
      hit = ParseEntity(part->add_children(), depth + 1, digest, nullptr);
      inner_end = last_end_;
    }
    if (!popped) boundaries_.pop_back();
  } else {
    hit = ScanToBoundary();
  }
  FinishBody(part, body_start, hit, inner_end);
  return hit;
}

}  // namespace

v1::MessageStructure ParseMessage(absl::string_view message) {
  v1::MessageStructure structure;
  structure.set_parser_version(kParserVersion);
  Parser parser(message);
  parser.ParseEntity(structure.mutable_body(), 0, false, structure.mutable_envelope());
  structure.set_header_size(structure.body().header_size());
  structure.set_size(message.size());
  structure.set_limits_reached(parser.limits_reached());
  return structure;
}

}  // namespace kurier::mime
