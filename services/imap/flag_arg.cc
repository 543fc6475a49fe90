#include "services/imap/flag_arg.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace kurier::imap {

std::optional<std::string> FlagFromArg(const Arg& arg) {
  if (!arg.is_atom() || arg.value.empty()) return std::nullopt;
  static constexpr absl::string_view kSystem[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"};
  if (arg.value[0] == '\\') {
    for (absl::string_view flag : kSystem) {
      if (absl::EqualsIgnoreCase(flag, arg.value)) return std::string(flag);
    }
    return std::nullopt;
  }
  for (char c : arg.value) {
    if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\' || c == ']') {
      return std::nullopt;
    }
  }
  return arg.value;
}

}  // namespace kurier::imap
