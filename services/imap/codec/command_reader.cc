#include "services/imap/codec/command_reader.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace kurier::imap {
namespace {

// A refused line's last bytes are kept to find a literal it announced:
// "~{" + 20 digits + "+}" + CR fits.
constexpr size_t kTailBytes = 32;

// ATOM-CHAR of RFC 9051: printable ASCII except atom-specials.
bool IsAtomChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

// tag = 1*<any ASTRING-CHAR except "+">.
bool IsTagChar(char c) { return (IsAtomChar(c) || c == ']') && c != '+'; }

// What an argument atom may hold: ASTRING-CHAR and list-wildcards (LIST
// patterns, "*" in sequence sets). A leading "\" (flags) is handled apart.
bool IsTokenChar(char c) { return IsAtomChar(c) || c == ']' || c == '%' || c == '*'; }

// The atoms whose "[...]" section may hold spaces and parentheses.
bool HasSection(absl::string_view name) {
  for (absl::string_view s : {"BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE"}) {
    if (absl::EqualsIgnoreCase(name, s)) return true;
  }
  return false;
}

struct LiteralSpec {
  uint64_t size = 0;
  bool non_sync = false;
  bool literal8 = false;
};

// Parses "{digits[+]}" / "~{digits[+]}" filling all of `text`. Sizes that
// overflow are clamped to the largest uint64_t (refused as too big).
bool ParseLiteralSpec(absl::string_view text, LiteralSpec* spec) {
  *spec = LiteralSpec();
  if (!text.empty() && text[0] == '~') {
    spec->literal8 = true;
    text.remove_prefix(1);
  }
  if (text.size() < 3 || text.front() != '{' || text.back() != '}') return false;
  text = text.substr(1, text.size() - 2);
  if (!text.empty() && text.back() == '+') {
    spec->non_sync = true;
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (spec->size > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      spec->size = std::numeric_limits<uint64_t>::max();
    } else {
      spec->size = spec->size * 10 + digit;
    }
  }
  return true;
}

// A literal announced at the end of a line (given its last bytes, CR
// included, LF not), as a refused command's line may hold one.
bool TrailingLiteral(absl::string_view tail, LiteralSpec* spec) {
  if (!tail.empty() && tail.back() == '\r') tail.remove_suffix(1);
  const size_t open = tail.rfind('{');
  if (open == absl::string_view::npos) return false;
  const size_t start = open > 0 && tail[open - 1] == '~' ? open - 1 : open;
  return ParseLiteralSpec(tail.substr(start), spec);
}

// The tag of a line, if the line starts with a valid one and a space.
std::string ExtractTag(absl::string_view line) {
  const size_t sp = line.find(' ');
  if (sp == 0 || sp == absl::string_view::npos) return "";
  for (size_t i = 0; i < sp; ++i) {
    if (!IsTagChar(line[i])) return "";
  }
  return std::string(line.substr(0, sp));
}

absl::string_view Tail(absl::string_view s) { return s.substr(s.size() - std::min(s.size(), kTailBytes)); }

}  // namespace

bool Arg::is_nil() const { return kind == Kind::kAtom && absl::EqualsIgnoreCase(value, "NIL"); }

CommandReader::CommandReader() : CommandReader(Options()) {}

CommandReader::CommandReader(const Options& options) : options_(options) {}

bool CommandReader::at_command_start() const { return state_ == State::kLine && !started_; }

void CommandReader::Feed(absl::string_view bytes) {
  if (buffered_bytes() == 0) Drop(&bytes);
  in_.append(bytes.data(), bytes.size());
}

void CommandReader::Drop(absl::string_view* bytes) {
  while (!bytes->empty()) {
    if (state_ == State::kSkipLiteral) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes->size()));
      bytes->remove_prefix(n);
      remaining_ -= n;
      if (remaining_ == 0) {
        // The rest of the refused command's line follows the literal.
        state_ = State::kDiscardLine;
        tail_.clear();
        discard_literals_ = true;
      }
    } else if (state_ == State::kDiscardLine) {
      const size_t lf = bytes->find('\n');
      const absl::string_view part = bytes->substr(0, lf);
      tail_.append(Tail(part).data(), Tail(part).size());
      if (tail_.size() > kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
      if (lf == absl::string_view::npos) {
        bytes->remove_prefix(bytes->size());
        return;
      }
      bytes->remove_prefix(lf + 1);
      const std::string tail = std::move(tail_);
      tail_.clear();
      AfterRefusedLine(discard_literals_ ? absl::string_view(tail) : absl::string_view());
    } else {
      return;
    }
  }
}

void CommandReader::AfterRefusedLine(absl::string_view tail) {
  LiteralSpec spec;
  if (TrailingLiteral(Tail(tail), &spec) && spec.non_sync) {
    // The client sends the data without waiting: skip it, then the rest.
    state_ = State::kSkipLiteral;
    remaining_ = spec.size;
    if (remaining_ == 0) {
      state_ = State::kDiscardLine;
      tail_.clear();
      discard_literals_ = true;
    }
    return;
  }
  // A synchronizing literal's data never comes (no continuation was sent).
  state_ = State::kLine;
}

void CommandReader::ResetCommand() {
  started_ = false;
  tag_.clear();
  name_.clear();
  uid_ = false;
  stack_.clear();
  arg_count_ = 0;
  line_bytes_ = 0;
  literal_bytes_ = 0;
  literal_ = Arg();
  remaining_ = 0;
}

void CommandReader::Compact() {
  in_.erase(0, pos_);
  pos_ = 0;
  if (in_.capacity() > 2 * options_.max_line_bytes + 4096 && in_.size() <= options_.max_line_bytes) {
    std::string(in_).swap(in_);
  }
}

CommandReader::Result CommandReader::Fail(ReadError::Kind kind, const char* message, ReadError* error) {
  error->kind = kind;
  error->tag = tag_;
  error->message = message;
  ResetCommand();
  return Result::kError;
}

CommandReader::Scan CommandReader::ScanLine(size_t budget, absl::string_view* raw) {
  const size_t lf = in_.find('\n', pos_ + scanned_);
  if (lf == std::string::npos) {
    const size_t pending = in_.size() - pos_;
    if (pending > 0 && pending >= budget) {
      // With its LF the line would pass the limit.
      *raw = absl::string_view(in_).substr(pos_);
      return Scan::kTooLongPartial;
    }
    scanned_ = pending;
    Compact();
    return Scan::kNeedMore;
  }
  *raw = absl::string_view(in_).substr(pos_, lf - pos_);
  const size_t length = lf + 1 - pos_;
  pos_ = lf + 1;
  scanned_ = 0;
  return length > budget ? Scan::kTooLongLine : Scan::kLine;
}

void CommandReader::DiscardPartialLine(absl::string_view partial, bool literals) {
  tail_ = std::string(Tail(partial));
  pos_ = in_.size();
  scanned_ = 0;
  Compact();
  state_ = State::kDiscardLine;
  discard_literals_ = literals;
}

CommandReader::Result CommandReader::Next(Command* command, ReadError* error) {
  for (;;) {
    switch (state_) {
      case State::kSkipLiteral:
      case State::kDiscardLine: {
        absl::string_view rest = absl::string_view(in_).substr(pos_);
        Drop(&rest);
        pos_ = in_.size() - rest.size();
        scanned_ = 0;
        if (state_ == State::kSkipLiteral || state_ == State::kDiscardLine) {
          Compact();
          return Result::kNeedMore;
        }
        break;
      }
      case State::kLiteral: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in_.size() - pos_));
        literal_.value.append(in_, pos_, n);
        pos_ += n;
        scanned_ = 0;
        remaining_ -= n;
        if (remaining_ > 0) {
          Compact();
          return Result::kNeedMore;
        }
        if (!literal_.literal8 && literal_.value.find('\0') != std::string::npos) {
          // The rest of the line after the literal belongs to this command.
          state_ = State::kDiscardLine;
          tail_.clear();
          discard_literals_ = true;
          return Fail(ReadError::Kind::kSyntax, "NUL in a literal (only literal8 may hold NUL)", error);
        }
        stack_.back().push_back(std::move(literal_));
        literal_ = Arg();
        state_ = State::kLine;
        break;
      }
      case State::kLine: {
        const size_t budget = options_.max_line_bytes - line_bytes_;
        absl::string_view raw;
        switch (ScanLine(budget, &raw)) {
          case Scan::kNeedMore:
            return Result::kNeedMore;
          case Scan::kTooLongPartial:
            if (!started_) tag_ = ExtractTag(raw.substr(0, budget));
            DiscardPartialLine(raw, true);
            return Fail(ReadError::Kind::kLineTooLong, "Command line too long", error);
          case Scan::kTooLongLine: {
            if (!started_) tag_ = ExtractTag(raw.substr(0, budget));
            const Result r = Fail(ReadError::Kind::kLineTooLong, "Command line too long", error);
            AfterRefusedLine(Tail(raw));
            return r;
          }
          case Scan::kLine:
            break;
        }
        line_bytes_ += raw.size() + 1;
        const Result r = ParseLine(raw, command, error);
        if (r != Result::kNeedMore) return r;
        break;  // a non-synchronizing literal follows: read it
      }
    }
  }
}

CommandReader::LineResult CommandReader::NextLine(std::string* line) {
  if (state_ == State::kSkipLiteral || state_ == State::kDiscardLine) {
    absl::string_view rest = absl::string_view(in_).substr(pos_);
    Drop(&rest);
    pos_ = in_.size() - rest.size();
    scanned_ = 0;
    if (state_ != State::kLine) {
      Compact();
      return LineResult::kNeedMore;
    }
  }
  if (!at_command_start()) return LineResult::kNeedMore;  // misuse: a command is half read
  absl::string_view raw;
  switch (ScanLine(options_.max_line_bytes, &raw)) {
    case Scan::kNeedMore:
      return LineResult::kNeedMore;
    case Scan::kTooLongPartial:
      DiscardPartialLine(raw, false);
      return LineResult::kTooLong;
    case Scan::kTooLongLine:
      return LineResult::kTooLong;
    case Scan::kLine:
      break;
  }
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  line->assign(raw.data(), raw.size());
  return LineResult::kLine;
}

CommandReader::Result CommandReader::ParseLine(absl::string_view raw, Command* command, ReadError* error) {
  absl::string_view line = raw;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t n = line.size();
  size_t i = 0;
  // Refuses the command; the rest of it (a literal announced at the end of
  // this line) is dropped as it arrives.
  auto fail = [&](ReadError::Kind kind, const char* message) {
    const Result r = Fail(kind, message, error);
    AfterRefusedLine(Tail(raw));
    return r;
  };
  auto syntax = [&](const char* message) { return fail(ReadError::Kind::kSyntax, message); };

  if (!started_) {
    if (n == 0) return syntax("Empty command line");
    while (i < n && line[i] != ' ') ++i;
    if (i == 0) return syntax("Invalid tag");
    for (size_t k = 0; k < i; ++k) {
      if (!IsTagChar(line[k])) return syntax("Invalid tag");
    }
    tag_ = std::string(line.substr(0, i));
    for (bool uid_prefix = true;;) {
      if (i == n || line[i] != ' ') return syntax("Missing command name");
      const size_t start = ++i;
      while (i < n && IsAtomChar(line[i])) ++i;
      if (i == start || (i < n && line[i] != ' ')) return syntax("Invalid command name");
      name_ = absl::AsciiStrToUpper(std::string(line.substr(start, i - start)));
      if (name_ != "UID") break;
      if (!uid_prefix) return syntax("Invalid command name");
      uid_ = true;
      uid_prefix = false;
    }
    started_ = true;
    stack_.assign(1, {});
  }

  // Arguments. After an item (the command name, a literal at the end of the
  // previous line) a space or ")" must come before the next item.
  bool need_space = true;
  auto add = [&]() -> bool {
    if (need_space || arg_count_ >= options_.max_args) return false;
    ++arg_count_;
    return true;
  };
  auto add_error = [&]() {
    return need_space ? syntax("Missing space between arguments") : syntax("Too many arguments");
  };
  while (i < n) {
    const char c = line[i];
    if (c == ' ') {
      need_space = false;
      ++i;
    } else if (c == '(') {
      if (!add()) return add_error();
      if (stack_.size() > options_.max_depth) return syntax("Lists nested too deeply");
      stack_.emplace_back();
      ++i;
    } else if (c == ')') {
      if (stack_.size() == 1) return syntax("Unbalanced parentheses");
      Arg list;
      list.kind = Arg::Kind::kList;
      list.list = std::move(stack_.back());
      stack_.pop_back();
      stack_.back().push_back(std::move(list));
      need_space = true;
      ++i;
    } else if (c == '"') {
      if (!add()) return add_error();
      Arg arg;
      arg.kind = Arg::Kind::kString;
      for (++i;; ++i) {
        if (i == n) return syntax("Unterminated quoted string");
        char q = line[i];
        if (q == '"') break;
        if (q == '\\') {
          if (++i == n || (line[i] != '\\' && line[i] != '"')) return syntax("Invalid escape in quoted string");
          q = line[i];
        } else if (q == '\0' || q == '\r') {
          return syntax("Invalid character in quoted string");
        }
        arg.value.push_back(q);
      }
      ++i;
      stack_.back().push_back(std::move(arg));
      need_space = true;
    } else if (c == '{' || (c == '~' && i + 1 < n && line[i + 1] == '{')) {
      LiteralSpec spec;
      const size_t close = line.find('}', i);
      if (close == absl::string_view::npos || !ParseLiteralSpec(line.substr(i, close + 1 - i), &spec)) {
        return syntax("Invalid literal");
      }
      if (close + 1 != n) return syntax("A literal must end the line");
      if (!add()) return add_error();
      if (spec.non_sync && options_.non_sync == NonSyncLiterals::kNone) {
        return syntax("Non-synchronizing literals are not supported");
      }
      if (spec.non_sync && options_.non_sync == NonSyncLiterals::kLiteralMinus &&
          spec.size > kLiteralMinusMaxBytes) {
        return fail(ReadError::Kind::kLiteralTooBig, "Non-synchronizing literal too big");
      }
      const bool message = std::find(options_.message_commands.begin(), options_.message_commands.end(),
                                     name_) != options_.message_commands.end();
      if (message) {
        if (spec.size > options_.max_literal_bytes ||
            spec.size > options_.max_total_literal_bytes - literal_bytes_) {
          return fail(ReadError::Kind::kLiteralTooBig, "Literal too big");
        }
        literal_bytes_ += spec.size;
      } else {
        // Counted as command text (line_bytes_ <= max_line_bytes here).
        if (spec.size > options_.max_line_bytes - line_bytes_) {
          return fail(ReadError::Kind::kLiteralTooBig, "Literal too big");
        }
        line_bytes_ += static_cast<size_t>(spec.size);
      }
      literal_ = Arg();
      literal_.kind = Arg::Kind::kString;
      literal_.literal = true;
      literal_.literal8 = spec.literal8;
      literal_.value.reserve(static_cast<size_t>(std::min<uint64_t>(spec.size, 64 * 1024)));
      remaining_ = spec.size;
      state_ = State::kLiteral;
      return spec.non_sync ? Result::kNeedMore : Result::kContinuation;
    } else {
      if (!IsTokenChar(c) && c != '\\' && c != '[') return syntax("Invalid character in atom");
      if (!add()) return add_error();
      const size_t start = i;
      if (c == '\\') {
        ++i;
        if (i < n && line[i] == '*') {
          ++i;
        } else {
          while (i < n && IsAtomChar(line[i])) ++i;
          if (i == start + 1) return syntax("Invalid flag");
        }
      } else {
        while (i < n) {
          if (line[i] == '[' && HasSection(line.substr(start, i - start))) {
            // BODY[HEADER.FIELDS (A B)]: up to the matching "]".
            size_t depth = 0;
            for (++i;; ++i) {
              if (i == n) return syntax("Unterminated section");
              const char s = line[i];
              if (s == ']' && depth == 0) break;
              if (s == '(') {
                if (++depth > options_.max_depth) return syntax("Lists nested too deeply");
              } else if (s == ')') {
                if (depth-- == 0) return syntax("Unbalanced parentheses");
              } else if (s == '"') {
                for (++i;; ++i) {
                  if (i == n) return syntax("Unterminated quoted string");
                  if (line[i] == '"') break;
                  if (line[i] == '\\') ++i;
                  // Header field names: printable ASCII only.
                  if (i == n || line[i] < 0x20 || line[i] >= 0x7f) return syntax("Invalid character in section");
                }
              } else if (s != ' ' && !IsTokenChar(s)) {
                return syntax("Invalid character in section");
              }
            }
            ++i;
          } else if (IsTokenChar(line[i]) || line[i] == '[') {
            ++i;
          } else {
            break;
          }
        }
      }
      if (i < n && line[i] != ' ' && line[i] != ')') return syntax("Invalid character in atom");
      Arg arg;
      arg.value = std::string(line.substr(start, i - start));
      stack_.back().push_back(std::move(arg));
      need_space = true;
    }
  }
  if (stack_.size() > 1) return syntax("Unbalanced parentheses");
  command->tag = std::move(tag_);
  command->name = std::move(name_);
  command->uid = uid_;
  command->args = std::move(stack_[0]);
  ResetCommand();
  return Result::kCommand;
}

}  // namespace kurier::imap
