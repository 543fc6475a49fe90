#include "services/imap/mailbox_arg.h"

#include "absl/strings/match.h"
#include "services/imap/codec/mailbox_name.h"

namespace kurier::imap {

std::optional<std::string> MailboxFromArg(const Arg& arg, bool utf8) {
  if (!arg.is_astring() || arg.value.empty()) return std::nullopt;
  absl::StatusOr<std::string> name = MailboxNameFromWire(arg.value, utf8);
  if (!name.ok()) return std::nullopt;
  // MailboxNameFromWire makes "inbox" "INBOX"; its children too.
  if (name->size() > 6 && absl::StartsWithIgnoreCase(*name, "INBOX/")) name->replace(0, 5, "INBOX");
  return *std::move(name);
}

}  // namespace kurier::imap
