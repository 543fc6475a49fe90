#include "services/imap/condstore_args.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace kurier::imap {
namespace {

// InvalidArgument with `what` unless `list` is a non-empty parenthesized
// list of "NAME value" pairs.
absl::Status CheckModifierList(const Arg& list, const char* what) {
  if (!list.is_list() || list.list.empty() || list.list.size() % 2 != 0) return absl::InvalidArgumentError(what);
  for (size_t i = 0; i < list.list.size(); i += 2) {
    if (!list.list[i].is_atom()) return absl::InvalidArgumentError(what);
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<uint64_t> ParseModSequence(const Arg& arg, bool allow_zero) {
  if (!arg.is_atom() || arg.value.empty() || arg.value.size() > 19) return std::nullopt;
  for (char c : arg.value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(arg.value, &n) || n > kMaxModSequence) return std::nullopt;
  if (n == 0 && !allow_zero) return std::nullopt;
  return n;
}

absl::StatusOr<FetchModifiers> ParseFetchModifiers(const Arg& list) {
  constexpr const char* kBad = "FETCH modifiers must be (CHANGEDSINCE mod-sequence)";
  if (absl::Status s = CheckModifierList(list, kBad); !s.ok()) return s;
  FetchModifiers modifiers;
  for (size_t i = 0; i < list.list.size(); i += 2) {
    const std::string name = absl::AsciiStrToUpper(list.list[i].value);
    if (name != "CHANGEDSINCE" || modifiers.changed_since.has_value()) return absl::InvalidArgumentError(kBad);
    modifiers.changed_since = ParseModSequence(list.list[i + 1], /*allow_zero=*/false);
    if (!modifiers.changed_since.has_value()) {
      return absl::InvalidArgumentError("CHANGEDSINCE needs a mod-sequence from 1 to 2^63-1");
    }
  }
  return modifiers;
}

absl::StatusOr<StoreModifiers> ParseStoreModifiers(const Arg& list) {
  constexpr const char* kBad = "STORE modifiers must be (UNCHANGEDSINCE mod-sequence)";
  if (absl::Status s = CheckModifierList(list, kBad); !s.ok()) return s;
  StoreModifiers modifiers;
  for (size_t i = 0; i < list.list.size(); i += 2) {
    const std::string name = absl::AsciiStrToUpper(list.list[i].value);
    if (name != "UNCHANGEDSINCE" || modifiers.unchanged_since.has_value()) return absl::InvalidArgumentError(kBad);
    modifiers.unchanged_since = ParseModSequence(list.list[i + 1], /*allow_zero=*/true);
    if (!modifiers.unchanged_since.has_value()) {
      return absl::InvalidArgumentError("UNCHANGEDSINCE needs a mod-sequence from 0 to 2^63-1");
    }
  }
  return modifiers;
}

absl::StatusOr<SelectParams> ParseSelectParams(const Arg& list) {
  constexpr const char* kBad = "SELECT parameters must be (CONDSTORE)";
  if (!list.is_list() || list.list.empty()) return absl::InvalidArgumentError(kBad);
  SelectParams params;
  for (const Arg& param : list.list) {
    if (!param.is_atom() || !absl::EqualsIgnoreCase(param.value, "CONDSTORE") || params.condstore) {
      return absl::InvalidArgumentError(kBad);
    }
    params.condstore = true;
  }
  return params;
}

}  // namespace kurier::imap
