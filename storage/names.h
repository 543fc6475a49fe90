// Validation and normal forms of what clients name: addresses, mailbox names,
// flags. Pure functions, shared by the store and its tests.
#ifndef KURIER_STORAGE_NAMES_H_
#define KURIER_STORAGE_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kurier::storage {

// "Demo@LocalHost " -> "demo@localhost". INVALID_ARGUMENT for anything that is
// not local@domain of printable characters within 254 octets.
absl::StatusOr<std::string> NormalizeAddress(std::string_view address);

// "Example.ORG" -> "example.org": a domain this system may receive mail for.
// Dot-separated labels of 1 to 63 octets, letters, digits, '-' (not first or
// last), '_' and UTF-8 (internationalized names); at most 253 octets.
// INVALID_ARGUMENT for anything else, a domain literal ("[127.0.0.1]")
// included.
absl::StatusOr<std::string> NormalizeDomain(std::string_view domain);

// The part after the '@' of a normalized address ("" when there is none).
std::string_view DomainOfAddress(std::string_view address);

// A normalized address without its subaddress: "anna+news@x" -> "anna@x"
// (from the first '+' of the local part up to the '@'). Empty when the
// local part has no '+' or nothing is left before it.
std::string WithoutSubaddress(std::string_view address);

// Mailbox names: valid UTF-8, no control characters, "/" between non-empty
// parts, at most 512 octets. "inbox" in any case (also as the first part) is
// written "INBOX".
absl::StatusOr<std::string> NormalizeMailboxName(std::string_view name);

// True if child is below parent in the hierarchy ("a/b" is below "a").
bool IsBelow(std::string_view child, std::string_view parent);

// Flags: the system flags \Seen \Answered \Flagged \Deleted \Draft (any case,
// written canonically) and keywords (atoms). Returns them sorted, without
// duplicates; INVALID_ARGUMENT names the first bad one.
absl::StatusOr<std::vector<std::string>> NormalizeFlags(const std::vector<std::string>& flags);

// RFC 6154 special-use names, without the backslash; "" is allowed.
bool IsSpecialUse(std::string_view attribute);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_NAMES_H_
