#include "services/imap/mailboxes/list_command.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "services/imap/codec/mailbox_name.h"

namespace kurier::imap {
namespace {

absl::Status Bad(absl::string_view text) { return absl::InvalidArgumentError(text); }

// A reference or pattern: an astring, decoded like a mailbox name, except
// that it may be empty.
absl::StatusOr<std::string> DecodeName(const Arg& arg, bool utf8, absl::string_view error) {
  if (!arg.is_astring()) return Bad(error);
  if (arg.value.empty()) return std::string();
  absl::StatusOr<std::string> name = MailboxNameFromWire(arg.value, utf8);
  if (!name.ok()) return Bad(error);
  return name;
}

absl::Status ParseSelectOptions(const Arg& list, ListSelectOptions* select) {
  for (const Arg& option : list.list) {
    if (!option.is_atom()) return Bad("Invalid LIST selection option");
    if (absl::EqualsIgnoreCase(option.value, "SUBSCRIBED")) {
      select->subscribed = true;
    } else if (absl::EqualsIgnoreCase(option.value, "REMOTE")) {
      select->remote = true;
    } else if (absl::EqualsIgnoreCase(option.value, "RECURSIVEMATCH")) {
      select->recursive_match = true;
    } else if (absl::EqualsIgnoreCase(option.value, "SPECIAL-USE")) {
      select->special_use = true;
    } else {
      return Bad("Unknown LIST selection option");
    }
  }
  // RFC 5258 3.1: RECURSIVEMATCH only refines another selection option.
  if (select->recursive_match && !select->subscribed && !select->special_use) {
    return Bad("RECURSIVEMATCH needs another selection option");
  }
  return absl::OkStatus();
}

absl::Status ParseReturnOptions(const Arg& list, ListReturnOptions* ret) {
  for (size_t i = 0; i < list.list.size(); ++i) {
    const Arg& option = list.list[i];
    if (!option.is_atom()) return Bad("Invalid LIST return option");
    if (absl::EqualsIgnoreCase(option.value, "SUBSCRIBED")) {
      ret->subscribed = true;
    } else if (absl::EqualsIgnoreCase(option.value, "CHILDREN")) {
      ret->children = true;
    } else if (absl::EqualsIgnoreCase(option.value, "SPECIAL-USE")) {
      ret->special_use = true;
    } else if (absl::EqualsIgnoreCase(option.value, "STATUS")) {
      if (i + 1 == list.list.size()) return Bad("STATUS needs a list of status items");
      absl::StatusOr<std::vector<StatusItem>> items = ParseStatusItems(list.list[++i]);
      if (!items.ok()) return items.status();
      // STATUS given twice: as if once, with the items of both.
      ret->status = true;
      for (StatusItem item : *items) {
        if (std::find(ret->status_items.begin(), ret->status_items.end(), item) == ret->status_items.end()) {
          ret->status_items.push_back(item);
        }
      }
    } else {
      return Bad("Unknown LIST return option");
    }
  }
  return absl::OkStatus();
}

// reference pattern-or-(patterns), from args[*i] on.
absl::Status ParseReferenceAndPatterns(const std::vector<Arg>& args, size_t* i, bool utf8, bool allow_list,
                                       ListCommand* command) {
  if (*i + 2 > args.size()) return Bad("Expected a reference and a mailbox pattern");
  absl::StatusOr<std::string> reference = DecodeName(args[*i], utf8, "Invalid reference name");
  if (!reference.ok()) return reference.status();
  command->reference = *std::move(reference);
  const Arg& patterns = args[*i + 1];
  *i += 2;
  if (patterns.is_list()) {
    if (!allow_list || patterns.list.empty()) return Bad("Invalid mailbox pattern list");
    command->extended = true;
    for (const Arg& pattern : patterns.list) {
      absl::StatusOr<std::string> decoded = DecodeName(pattern, utf8, "Invalid mailbox pattern");
      if (!decoded.ok()) return decoded.status();
      command->patterns.push_back(*std::move(decoded));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> decoded = DecodeName(patterns, utf8, "Invalid mailbox pattern");
  if (!decoded.ok()) return decoded.status();
  // RFC 9051 6.3.9: LIST's empty mailbox name asks for the delimiter and
  // root; in a pattern list it is only a pattern, and LSUB has no such rule.
  command->root_request = !command->lsub && decoded->empty();
  command->patterns.push_back(*std::move(decoded));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ListCommand> ParseListCommand(const std::vector<Arg>& args, bool utf8) {
  ListCommand command;
  size_t i = 0;
  if (!args.empty() && args[0].is_list()) {
    command.extended = true;
    if (absl::Status status = ParseSelectOptions(args[0], &command.select); !status.ok()) return status;
    ++i;
  }
  if (absl::Status status = ParseReferenceAndPatterns(args, &i, utf8, /*allow_list=*/true, &command); !status.ok()) {
    return status;
  }
  if (i < args.size()) {
    if (!args[i].is_atom() || !absl::EqualsIgnoreCase(args[i].value, "RETURN") || i + 1 >= args.size() ||
        !args[i + 1].is_list()) {
      return Bad("Expected RETURN and a list of return options");
    }
    command.extended = true;
    if (absl::Status status = ParseReturnOptions(args[i + 1], &command.ret); !status.ok()) return status;
    i += 2;
  }
  if (i != args.size()) return Bad("Too many arguments");
  // RFC 5258 3.1 / RFC 6154: these selection options imply their return
  // options.
  if (command.select.subscribed) command.ret.subscribed = true;
  if (command.select.special_use) command.ret.special_use = true;
  return command;
}

absl::StatusOr<ListCommand> ParseLsubCommand(const std::vector<Arg>& args, bool utf8) {
  ListCommand command;
  command.lsub = true;  // before parsing: an empty pattern is no root request
  size_t i = 0;
  if (absl::Status status = ParseReferenceAndPatterns(args, &i, utf8, /*allow_list=*/false, &command); !status.ok()) {
    return status;
  }
  if (i != args.size()) return Bad("Too many arguments");
  return command;
}

}  // namespace kurier::imap
