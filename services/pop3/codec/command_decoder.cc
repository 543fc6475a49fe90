#include "services/pop3/codec/command_decoder.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace kurier::pop3 {
namespace {

// RFC 2449 section 4: "Each argument may be up to 40 characters long."
constexpr size_t kMaxArgumentChars = 40;
constexpr size_t kUnlimitedArgs = std::numeric_limits<size_t>::max();

struct VerbSpec {
  absl::string_view keyword;
  Verb verb;
  size_t min_args;
  size_t max_args;
  // Bit i set: argument i is exempt from the 40-character limit (names and
  // secrets that the 255-octet line limit bounds instead).
  unsigned unbounded_args;
  absl::string_view syntax;  // the error message for a wrong argument count
};

constexpr unsigned kAllArgs = ~0u;

// RFC 1939 sections 4-7, RFC 2449 section 5 (CAPA), RFC 2595 section 4 (STLS),
// RFC 5034 section 4 (AUTH; RFC 1734 clients send a bare AUTH to list
// mechanisms, so the mechanism is optional).
constexpr VerbSpec kVerbs[] = {
    {"USER", Verb::kUser, 1, 1, 1u << 0, "syntax: USER name"},
    {"PASS", Verb::kPass, 1, kUnlimitedArgs, kAllArgs, "syntax: PASS password"},
    {"APOP", Verb::kApop, 2, 2, 1u << 0, "syntax: APOP name digest"},
    {"AUTH", Verb::kAuth, 0, 2, 1u << 1, "syntax: AUTH mechanism [initial-response]"},
    {"STAT", Verb::kStat, 0, 0, 0, "syntax: STAT"},
    {"LIST", Verb::kList, 0, 1, 0, "syntax: LIST [msg]"},
    {"RETR", Verb::kRetr, 1, 1, 0, "syntax: RETR msg"},
    {"DELE", Verb::kDele, 1, 1, 0, "syntax: DELE msg"},
    {"NOOP", Verb::kNoop, 0, 0, 0, "syntax: NOOP"},
    {"RSET", Verb::kRset, 0, 0, 0, "syntax: RSET"},
    {"TOP", Verb::kTop, 2, 2, 0, "syntax: TOP msg n"},
    {"UIDL", Verb::kUidl, 0, 1, 0, "syntax: UIDL [msg]"},
    {"QUIT", Verb::kQuit, 0, 0, 0, "syntax: QUIT"},
    {"CAPA", Verb::kCapa, 0, 0, 0, "syntax: CAPA"},
    {"STLS", Verb::kStls, 0, 0, 0, "syntax: STLS"},
};

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Digits only, no sign, at least one; the value saturates at `cap` + 1.
std::optional<uint64_t> ParseDigits(absl::string_view arg, uint64_t cap) {
  if (arg.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : arg) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > cap) value = cap + 1;
  }
  return value;
}

}  // namespace

absl::StatusOr<Command> ParseCommand(absl::string_view line) {
  if (line.empty()) return absl::InvalidArgumentError("empty command");
  for (char c : line) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("invalid character in command");
    }
  }
  const size_t space = line.find(' ');
  const absl::string_view keyword = line.substr(0, space);
  if (keyword.size() < 3 || keyword.size() > 4) {
    return absl::InvalidArgumentError("invalid command keyword");
  }
  for (char c : keyword) {
    if (static_cast<unsigned char>(c) > 0x7e) return absl::InvalidArgumentError("invalid command keyword");
  }

  Command command;
  command.keyword = absl::AsciiStrToUpper(keyword);
  if (space != absl::string_view::npos) {
    const absl::string_view rest = line.substr(space + 1);
    command.rest = std::string(rest);
    size_t i = 0;
    while (i < rest.size()) {
      if (rest[i] == ' ') {
        ++i;
        continue;
      }
      const size_t end = std::min(rest.find(' ', i), rest.size());
      command.args.emplace_back(rest.substr(i, end - i));
      i = end;
    }
  }

  const VerbSpec* spec = nullptr;
  for (const VerbSpec& s : kVerbs) {
    if (s.keyword == command.keyword) spec = &s;
  }
  if (spec == nullptr) return command;  // Verb::kUnknown; the session says -ERR.

  command.verb = spec->verb;
  if (command.args.size() < spec->min_args || command.args.size() > spec->max_args) {
    return absl::InvalidArgumentError(spec->syntax);
  }
  for (size_t i = 0; i < command.args.size(); ++i) {
    const bool unbounded =
        spec->unbounded_args == kAllArgs || (i < 32 && (spec->unbounded_args >> i & 1u) != 0);
    if (!unbounded && command.args[i].size() > kMaxArgumentChars) {
      return absl::InvalidArgumentError("argument too long");
    }
  }
  return command;
}

absl::string_view VerbName(Verb verb) {
  for (const VerbSpec& s : kVerbs) {
    if (s.verb == verb) return s.keyword;
  }
  return "UNKNOWN";
}

std::optional<uint32_t> ParseMessageNumber(absl::string_view arg) {
  constexpr uint64_t kMax = std::numeric_limits<int32_t>::max();
  const std::optional<uint64_t> value = ParseDigits(arg, kMax);
  if (!value.has_value() || *value == 0 || *value > kMax) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

std::optional<uint32_t> ParseLineCount(absl::string_view arg) {
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  const std::optional<uint64_t> value = ParseDigits(arg, kMax);
  if (!value.has_value()) return std::nullopt;
  return static_cast<uint32_t>(std::min(*value, kMax));
}

}  // namespace kurier::pop3
