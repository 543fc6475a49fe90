#include "services/common/mime/header_fields.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace kurier::mime {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// The end of the line starting at `pos` (the offset of its LF, or text.size()).
size_t LineEnd(absl::string_view text, size_t pos) {
  const void* lf = std::memchr(text.data() + pos, '\n', text.size() - pos);
  return lf == nullptr ? text.size() : static_cast<size_t>(static_cast<const char*>(lf) - text.data());
}

// The offset just past the line starting at `pos`.
size_t NextLine(absl::string_view text, size_t pos) {
  const size_t end = LineEnd(text, pos);
  return end == text.size() ? end : end + 1;
}

// True when the line starting at `pos` is empty ("\n", "\r\n", or a lone "\r"
// at the end of the text).
bool IsBlankLine(absl::string_view text, size_t pos) {
  if (text[pos] == '\n') return true;
  return text[pos] == '\r' && (pos + 1 == text.size() || text[pos + 1] == '\n');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 controls
// (as the WHATWG encoding standard does).
constexpr uint16_t kWindows1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

std::optional<std::string> Iconv(absl::string_view bytes, const std::string& charset) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  out.resize(bytes.size() * 4 + 16);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* dst = out.data();
  size_t out_left = out.size();
  bool ok = true;
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &out_left) == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        const size_t used = out.size() - out_left;
        out.resize(out.size() * 2);
        dst = out.data() + used;
        out_left = out.size() - used;
        continue;
      }
      ok = false;
      break;
    }
  }
  if (ok && iconv(cd, nullptr, nullptr, &dst, &out_left) == static_cast<size_t>(-1)) ok = false;
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

// Charset names are tokens; anything else is not handed to iconv.
bool IsCharsetName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':' &&
        c != '+') {
      return false;
    }
  }
  return true;
}

// Decodes base64 leniently (padding optional); nullopt on a bad character.
std::optional<std::string> DecodeB(absl::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string DecodeQ(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// An encoded word at text[pos] ("=?"): its end, charset and decoded bytes.
struct EncodedWord {
  size_t end = 0;
  std::string charset;  // lower case, language removed
  std::string bytes;
};

// RFC 2047 allows 75 characters; real mail is longer at times.
constexpr size_t kMaxEncodedWord = 1000;

// Parses the encoded word starting at text[pos] == "=?". Returns false when
// it is not one; sets *no_more when no later "=?" can start one either.
bool ParseEncodedWord(absl::string_view text, size_t pos, EncodedWord* word, bool* no_more) {
  const size_t limit = std::min(text.size(), pos + kMaxEncodedWord);
  size_t p = pos + 2;
  const size_t q1 = text.find('?', p);
  if (q1 == absl::string_view::npos) {
    *no_more = true;
    return false;
  }
  if (q1 >= limit || q1 == p) return false;
  absl::string_view charset = text.substr(p, q1 - p);
  if (q1 + 3 >= text.size() || text[q1 + 2] != '?') return false;
  const char enc = text[q1 + 1];
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return false;
  const size_t start = q1 + 3;
  const size_t close = text.find("?=", start);
  if (close == absl::string_view::npos) {
    *no_more = true;
    return false;
  }
  if (close + 2 > limit) return false;
  absl::string_view payload = text.substr(start, close - start);
  for (char c : payload) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return false;
  }
  const size_t star = charset.find('*');
  if (star != absl::string_view::npos) charset = charset.substr(0, star);
  if (!IsCharsetName(charset)) return false;
  if (enc == 'B' || enc == 'b') {
    std::optional<std::string> decoded = DecodeB(payload);
    if (!decoded) return false;
    word->bytes = std::move(*decoded);
  } else {
    word->bytes = DecodeQ(payload);
  }
  word->charset = absl::AsciiStrToLower(charset);
  word->end = close + 2;
  return true;
}

}  // namespace

bool HeaderFieldReader::Next(HeaderField* field) {
  while (!done_) {
    if (pos_ >= text_.size()) break;
    if (IsBlankLine(text_, pos_)) {
      pos_ = NextLine(text_, pos_);
      break;
    }
    const size_t start = pos_;
    const size_t first_end = LineEnd(text_, start);
    size_t end = first_end == text_.size() ? first_end : first_end + 1;
    while (end < text_.size() && IsWsp(text_[end])) end = NextLine(text_, end);
    pos_ = end;
    if (IsWsp(text_[start])) continue;  // continuation without a field
    absl::string_view first = text_.substr(start, first_end - start);
    const size_t colon = first.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = first.substr(0, colon);
    while (!name.empty() && (IsWsp(name.back()) || name.back() == '\r')) name.remove_suffix(1);
    if (name.empty()) continue;
    size_t value_end = end;
    if (value_end > start && text_[value_end - 1] == '\n') --value_end;
    if (value_end > start + colon && text_[value_end - 1] == '\r') --value_end;
    field->name = name;
    field->raw_value = text_.substr(start + colon + 1, value_end - (start + colon + 1));
    field->offset = start;
    field->size = end - start;
    return true;
  }
  done_ = true;
  return false;
}

std::vector<HeaderField> HeaderFields(absl::string_view message) {
  std::vector<HeaderField> fields;
  HeaderFieldReader reader(message);
  HeaderField field;
  while (reader.Next(&field)) fields.push_back(field);
  return fields;
}

std::optional<HeaderField> FindHeaderField(absl::string_view message, absl::string_view name) {
  HeaderFieldReader reader(message);
  HeaderField field;
  while (reader.Next(&field)) {
    if (absl::EqualsIgnoreCase(field.name, name)) return field;
  }
  return std::nullopt;
}

size_t HeaderEnd(absl::string_view message) {
  size_t pos = 0;
  while (pos < message.size()) {
    if (IsBlankLine(message, pos)) return NextLine(message, pos);
    pos = NextLine(message, pos);
  }
  return message.size();
}

std::string UnfoldHeaderValue(absl::string_view raw_value) {
  std::string out;
  out.reserve(raw_value.size());
  for (char c : raw_value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  size_t b = 0;
  while (b < out.size() && IsWsp(out[b])) ++b;
  size_t e = out.size();
  while (e > b && IsWsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

std::optional<std::string> ConvertToUtf8(absl::string_view bytes, absl::string_view charset) {
  const std::string cs = absl::AsciiStrToLower(charset);
  if (cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii" || cs == "ansi_x3.4-1968") {
    if (IsValidUtf8(bytes)) return std::string(bytes);
    return std::nullopt;
  }
  const bool latin1 = cs == "iso-8859-1" || cs == "iso8859-1" || cs == "iso_8859-1" || cs == "latin1" ||
                      cs == "l1" || cs == "latin-1";
  const bool cp1252 = cs == "windows-1252" || cs == "cp1252" || cs == "x-cp1252";
  if (latin1 || cp1252) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    for (char ch : bytes) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (cp1252 && c >= 0x80 && c < 0xA0) {
        AppendUtf8(kWindows1252[c - 0x80], &out);
      } else {
        AppendUtf8(c, &out);
      }
    }
    return out;
  }
  if (!IsCharsetName(cs)) return std::nullopt;
  std::optional<std::string> out = Iconv(bytes, cs);
  if (out && !IsValidUtf8(*out)) return std::nullopt;
  return out;
}

std::string DecodeEncodedWords(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Consecutive encoded words of one charset, decoded together.
  std::string pending_charset;
  std::string pending_bytes;
  std::string pending_raw;  // their text, for when they do not convert
  bool pending = false;
  auto flush = [&] {
    if (!pending) return;
    std::optional<std::string> utf8 = ConvertToUtf8(pending_bytes, pending_charset);
    out.append(utf8 ? *utf8 : pending_raw);
    pending = false;
    pending_bytes.clear();
    pending_raw.clear();
  };
  size_t pos = 0;
  bool no_more = false;
  while (pos < text.size()) {
    const size_t p = no_more ? absl::string_view::npos : text.find("=?", pos);
    if (p == absl::string_view::npos) {
      flush();
      out.append(text.data() + pos, text.size() - pos);
      break;
    }
    EncodedWord word;
    if (!ParseEncodedWord(text, p, &word, &no_more)) {
      flush();
      out.append(text.data() + pos, p + 2 - pos);
      pos = p + 2;
      continue;
    }
    absl::string_view gap = text.substr(pos, p - pos);
    bool gap_is_space = true;
    for (char c : gap) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') gap_is_space = false;
    }
    absl::string_view raw = text.substr(p, word.end - p);
    if (pending && gap_is_space) {
      if (word.charset != pending_charset) {
        flush();
        pending_raw.append(gap.data(), gap.size());
      } else {
        pending_raw.append(gap.data(), gap.size());
      }
    } else {
      flush();
      out.append(gap.data(), gap.size());
    }
    if (!pending) {
      pending = true;
      pending_charset = word.charset;
    }
    pending_bytes.append(word.bytes);
    pending_raw.append(raw.data(), raw.size());
    pos = word.end;
  }
  flush();
  return out;
}

std::string EncodeEncodedWords(absl::string_view utf8) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr absl::string_view kOpen = "=?UTF-8?Q?";
  static constexpr absl::string_view kClose = "?=";
  static constexpr size_t kMaxWord = 75;  // RFC 2047 2
  std::string out;
  std::string word;
  std::string encoded;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(kOpen.data(), kOpen.size());
    out.append(word);
    out.append(kClose.data(), kClose.size());
    word.clear();
  };
  size_t i = 0;
  while (i < utf8.size()) {
    // One character: a byte and the continuation bytes after it (at most 4
    // bytes), so no word ends inside a UTF-8 sequence.
    size_t len = 1;
    while (len < 4 && i + len < utf8.size() && (static_cast<unsigned char>(utf8[i + len]) & 0xC0) == 0x80) ++len;
    encoded.clear();
    for (size_t k = i; k < i + len; ++k) {
      const unsigned char c = static_cast<unsigned char>(utf8[k]);
      if (absl::ascii_isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/') {
        encoded.push_back(static_cast<char>(c));
      } else if (c == ' ') {
        encoded.push_back('_');
      } else {
        encoded.push_back('=');
        encoded.push_back(kHex[c >> 4]);
        encoded.push_back(kHex[c & 15]);
      }
    }
    if (kOpen.size() + word.size() + encoded.size() + kClose.size() > kMaxWord) flush();
    word.append(encoded);
    i += len;
  }
  flush();
  return out;
}

void AppendPercentDecoded(absl::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out->push_back(text[i]);
    }
  }
}

bool SplitRfc2231Charset(absl::string_view value, absl::string_view* charset, absl::string_view* text) {
  const size_t q1 = value.find('\'');
  const size_t q2 = q1 == absl::string_view::npos ? q1 : value.find('\'', q1 + 1);
  if (q2 == absl::string_view::npos) {
    *charset = absl::string_view();
    *text = value;
    return false;
  }
  *charset = value.substr(0, q1);
  *text = value.substr(q2 + 1);
  return true;
}

std::string DecodeRfc2231Value(absl::string_view value) {
  absl::string_view charset;
  absl::string_view encoded;
  SplitRfc2231Charset(value, &charset, &encoded);
  std::string bytes;
  AppendPercentDecoded(encoded, &bytes);
  if (charset.empty()) return bytes;
  std::optional<std::string> utf8 = ConvertToUtf8(bytes, charset);
  return utf8 ? *std::move(utf8) : bytes;
}

// ---------------------------------------------------------------------------
// Address lists

namespace {

enum class TokenKind { kAtom, kQuoted, kLiteral, kComment, kSpecial };

struct Token {
  TokenKind kind;
  std::string text;  // atom, literal: as written; quoted, comment: the content, unescaped
  absl::string_view raw;
  char special = 0;
  bool space_before = false;
};

bool IsAddressSpecial(char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':' ||
         c == '"' || c == '[';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Reads a delimited run (quoted string, comment, domain literal) starting
// after its opening character; returns the offset after the closing one (or
// the end of the text). Comments nest.
size_t ReadDelimited(absl::string_view s, size_t i, char open, char close, std::string* text) {
  int depth = 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      text->push_back(s[i + 1]);
      i += 2;
      continue;
    }
    if (c == close && --depth == 0) return i + 1;
    if (open == '(' && c == '(') ++depth;
    text->push_back(c);
    ++i;
  }
  return i;
}

std::vector<Token> Tokenize(absl::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    const char c = s[i];
    if (IsSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    const size_t start = i;
    if (c == '(') {
      t.kind = TokenKind::kComment;
      i = ReadDelimited(s, i + 1, '(', ')', &t.text);
      space = true;  // a comment separates words like white space
    } else if (c == '"') {
      t.kind = TokenKind::kQuoted;
      i = ReadDelimited(s, i + 1, '"', '"', &t.text);
    } else if (c == '[') {
      t.kind = TokenKind::kLiteral;
      std::string unused;
      i = ReadDelimited(s, i + 1, '[', ']', &unused);
      t.text = std::string(s.substr(start, i - start));
    } else if (IsAddressSpecial(c) || c == '>') {
      t.kind = TokenKind::kSpecial;
      t.special = c;
      t.text = std::string(1, c);
      ++i;
    } else {
      t.kind = TokenKind::kAtom;
      while (i < s.size() && !IsSpace(s[i]) && !IsAddressSpecial(s[i]) && s[i] != '>') ++i;
      t.text = std::string(s.substr(start, i - start));
    }
    t.raw = s.substr(start, i - start);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

bool IsSpecial(const Token& t, char c) { return t.kind == TokenKind::kSpecial && t.special == c; }

// The display name of tokens [b, e): words joined by one space where the
// text had white space or a comment between them.
std::string Phrase(const std::vector<Token>& tokens, size_t b, size_t e) {
  std::string out;
  bool gap = false;
  for (size_t i = b; i < e; ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kComment) {
      gap = true;
      continue;
    }
    if (!out.empty() && (gap || t.space_before)) out.push_back(' ');
    gap = false;
    out.append(t.text);
  }
  return out;
}

std::string LastComment(const std::vector<Token>& tokens, size_t b, size_t e) {
  std::string comment;
  for (size_t i = b; i < e; ++i) {
    if (tokens[i].kind == TokenKind::kComment) comment = tokens[i].text;
  }
  // The name is folded white space as one space, trimmed.
  std::string out;
  for (char c : comment) {
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// An addr-spec from tokens [b, e): the local part before the first '@', the
// domain after it, as written without comments and white space.
void AddrSpec(const std::vector<Token>& tokens, size_t b, size_t e, v1::Address* address) {
  std::string local;
  std::string domain;
  bool at = false;
  for (size_t i = b; i < e; ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kComment) continue;
    if (!at && IsSpecial(t, '@')) {
      at = true;
      continue;
    }
    if (t.kind == TokenKind::kSpecial && t.special != '@') continue;
    (at ? domain : local).append(t.raw.data(), t.raw.size());
  }
  address->set_mailbox(std::move(local));
  address->set_host(std::move(domain));
}

void Finish(v1::Address* address) {
  if (address->mailbox().empty()) address->set_mailbox("MISSING_MAILBOX");
  if (address->host().empty()) address->set_host(".MISSING-HOST-NAME.");
}

}  // namespace

std::vector<v1::Address> ParseAddressList(absl::string_view value) {
  const std::vector<Token> tokens = Tokenize(value);
  std::vector<v1::Address> out;
  const size_t n = tokens.size();
  bool in_group = false;
  size_t i = 0;
  while (i < n) {
    if (IsSpecial(tokens[i], ',')) {
      ++i;
      continue;
    }
    if (IsSpecial(tokens[i], ';')) {
      if (in_group) out.emplace_back();  // group end
      in_group = false;
      ++i;
      continue;
    }
    // The first structural special of this element.
    size_t j = i;
    while (j < n && !IsSpecial(tokens[j], '<') && !IsSpecial(tokens[j], ':') && !IsSpecial(tokens[j], ',') &&
           !IsSpecial(tokens[j], ';')) {
      ++j;
    }
    if (j < n && IsSpecial(tokens[j], ':')) {
      std::string name = Phrase(tokens, i, j);
      if (!in_group && !name.empty()) {
        v1::Address start;
        start.set_mailbox(std::move(name));
        out.push_back(std::move(start));
        in_group = true;
      }
      i = j + 1;
      continue;
    }
    v1::Address address;
    if (j < n && IsSpecial(tokens[j], '<')) {
      address.set_name(Phrase(tokens, i, j));
      size_t k = j + 1;
      size_t close = k;
      while (close < n && !IsSpecial(tokens[close], '>')) ++close;
      // obs-route: "@a,@b:" before the addr-spec.
      if (k < close && IsSpecial(tokens[k], '@')) {
        size_t colon = k;
        while (colon < close && !IsSpecial(tokens[colon], ':')) ++colon;
        if (colon < close) {
          std::string adl;
          for (size_t r = k; r < colon; ++r) {
            if (tokens[r].kind != TokenKind::kComment) adl.append(tokens[r].raw.data(), tokens[r].raw.size());
          }
          address.set_adl(std::move(adl));
          k = colon + 1;
        }
      }
      AddrSpec(tokens, k, close, &address);
      // Skip what follows the angle address up to the next element; its
      // comment names the address when there is no phrase.
      size_t next = close < n ? close + 1 : close;
      while (next < n && !IsSpecial(tokens[next], ',') && !IsSpecial(tokens[next], ';')) ++next;
      if (address.name().empty()) address.set_name(LastComment(tokens, i, next));
      i = next;
      // The ';' or ',' in the angle address's tail is handled by the loop.
    } else {
      bool any = false;
      for (size_t k = i; k < j; ++k) any = any || tokens[k].kind != TokenKind::kComment;
      if (!any) {
        i = j;
        continue;
      }
      AddrSpec(tokens, i, j, &address);
      address.set_name(LastComment(tokens, i, j));
      i = j;
    }
    Finish(&address);
    out.push_back(std::move(address));
  }
  if (in_group) out.emplace_back();
  return out;
}

}  // namespace kurier::mime
