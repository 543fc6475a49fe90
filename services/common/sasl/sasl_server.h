// Runs one SASL authentication (RFC 4422) for any protocol: the mechanism's
// steps, with the credentials checked by the store. The service never sees
// a password hash or a SCRAM key; it only relays messages.
//
// The protocol supplies a Challenger that sends a challenge in its own framing
// (POP3 "+ ", SMTP "334 ", IMAP "+ ") and returns the client's decoded
// answer. The server-final-message of SCRAM is sent as one more challenge,
// answered by an empty response, which POP3, SMTP and IMAP all allow.
#ifndef KURIER_SERVICES_COMMON_SASL_SASL_SERVER_H_
#define KURIER_SERVICES_COMMON_SASL_SASL_SERVER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/store_client/store_client.h"

namespace kurier::sasl {

class Challenger {
 public:
  virtual ~Challenger() = default;
  // Sends `data` (raw bytes; the protocol encodes them) and returns the
  // client's answer, decoded. CANCELLED when the client aborts ("*"),
  // INVALID_ARGUMENT for an answer that is not base64, UNAVAILABLE when the
  // connection is gone.
  virtual boost::asio::awaitable<absl::StatusOr<std::string>> Challenge(std::string data) = 0;
};

struct Outcome {
  enum class Kind {
    kSuccess,       // `account` is the account's primary name
    kBadCredentials,
    kMalformed,     // the client broke the mechanism's syntax
    kCancelled,     // the client sent "*"
    kTemporary,     // the store did not answer; try again later
    kUnsupported,   // unknown mechanism
    kDisconnected,  // the connection went away mid-exchange
  };
  Kind kind = Kind::kBadCredentials;
  std::string account;
  // The identity the client claimed (for throttling and logs); may be empty.
  std::string user;
};

// `mechanism` as the client named it; `initial_response` is the decoded
// SASL-IR when the client sent one (RFC 4959 / RFC 5034).
boost::asio::awaitable<Outcome> Authenticate(store_client::StoreClient& store, absl::string_view mechanism,
                                             std::optional<std::string> initial_response, Challenger& challenger);

// Checks a user name and password (USER/PASS, IMAP LOGIN) the same way.
boost::asio::awaitable<Outcome> VerifyPassword(store_client::StoreClient& store, std::string user,
                                               std::string password);

}  // namespace kurier::sasl

#endif  // KURIER_SERVICES_COMMON_SASL_SASL_SERVER_H_
