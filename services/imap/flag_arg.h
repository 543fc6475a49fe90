// A flag argument of STORE or APPEND as the store keeps it: a system flag in
// its canonical case ("\seen" → "\Seen") or a keyword atom. \Recent and
// unknown system flags cannot be set (RFC 9051 §2.3.2).
#ifndef KURIER_SERVICES_IMAP_FLAG_ARG_H_
#define KURIER_SERVICES_IMAP_FLAG_ARG_H_

#include <optional>
#include <string>

#include "services/imap/codec/command_reader.h"

namespace kurier::imap {

// nullopt for anything that is not a settable flag.
std::optional<std::string> FlagFromArg(const Arg& arg);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FLAG_ARG_H_
