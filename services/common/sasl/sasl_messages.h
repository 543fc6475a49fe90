// The client messages of the SASL mechanisms Kurier offers, parsed: pure
// functions over the decoded bytes (the protocol layer does base64).
//
// STANDARDS: RFC 4422 (SASL), RFC 4616 (PLAIN), draft-murchison-sasl-login
// (LOGIN), RFC 5802 / RFC 7677 (SCRAM-SHA-256).
#ifndef KURIER_SERVICES_COMMON_SASL_SASL_MESSAGES_H_
#define KURIER_SERVICES_COMMON_SASL_SASL_MESSAGES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kurier::sasl {

inline constexpr absl::string_view kPlain = "PLAIN";
inline constexpr absl::string_view kLogin = "LOGIN";
inline constexpr absl::string_view kScramSha256 = "SCRAM-SHA-256";

// Mechanisms to advertise, strongest first. PLAIN and LOGIN send the
// password itself, so they are offered only when plaintext is allowed (TLS
// is up, or the configuration allows it).
std::vector<std::string> Mechanisms(bool plaintext_allowed);

// Canonical (upper-case) name of a supported mechanism, or empty.
std::string CanonicalMechanism(absl::string_view name);
bool SendsPassword(absl::string_view canonical_mechanism);

struct PlainMessage {
  std::string authzid;
  std::string authcid;
  std::string password;
};
// RFC 4616: [authzid] NUL authcid NUL passwd; authcid and passwd non-empty,
// no further NULs, each at most 255 octets.
absl::StatusOr<PlainMessage> ParsePlain(absl::string_view message);

// The user name (n=) of a SCRAM client-first-message, with "=2C" and "=3D"
// decoded; used to route the exchange to the account's shard.
absl::StatusOr<std::string> ScramUser(absl::string_view client_first);

}  // namespace kurier::sasl

#endif  // KURIER_SERVICES_COMMON_SASL_SASL_MESSAGES_H_
