// A mailbox name argument as the store knows it: the client's astring
// decoded from modified UTF-7 (or taken as UTF-8 once IMAP4rev2 or
// UTF8=ACCEPT is enabled), "INBOX" in any case made "INBOX", also as the
// first level of a child's name (RFC 9051 §5.1).
#ifndef KURIER_SERVICES_IMAP_MAILBOX_ARG_H_
#define KURIER_SERVICES_IMAP_MAILBOX_ARG_H_

#include <optional>
#include <string>

#include "services/imap/codec/command_reader.h"

namespace kurier::imap {

// nullopt when the argument is not an astring or not a valid name.
std::optional<std::string> MailboxFromArg(const Arg& arg, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MAILBOX_ARG_H_
