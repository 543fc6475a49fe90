// SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: verifiers for
// storage, the server side of one exchange, and a client for tests and tools.
//
// STANDARDS: RFC 5802 (SCRAM), RFC 7677 (SCRAM-SHA-256), RFC 4648 (base64).
// Not implemented: SASLprep (RFC 4013). Usernames are compared as the bytes
// the client sent, and passwords are used as given, which matches RFC clients
// for ASCII credentials only. Channel binding ("p=") and the reserved "m="
// extension are refused. We never advertise SCRAM-SHA-256-PLUS, which is why
// the "y" flag is accepted; a server that does advertise it must refuse "y".
//
// SECURITY: the server holds only StoredKey and ServerKey, never the password
// or SaltedPassword. Every Finish failure must end the SASL exchange with the
// same generic reply, and unknown users must get FakeScramVerifier, so that a
// client cannot tell a wrong password from a missing account.
#ifndef KURIER_STORAGE_CREDENTIALS_SCRAM_H_
#define KURIER_STORAGE_CREDENTIALS_SCRAM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kurier::storage {

// RFC 7677 section 4: servers announce at least 4096 iterations. The upper
// bound stops a stored value or a hostile server from demanding unbounded
// PBKDF2 work.
inline constexpr uint32_t kMinScramIterations = 4096;
inline constexpr uint32_t kMaxScramIterations = 10'000'000;

// What the server stores per account. All fields are raw bytes; stored_key and
// server_key are 32 bytes (SHA-256).
struct ScramVerifier {
  std::string salt;
  uint32_t iterations = 4096;
  std::string stored_key;
  std::string server_key;
};

// Derives a verifier from `password` with a fresh random 16-byte salt.
// `iterations` is clamped into [kMinScramIterations, kMaxScramIterations] so a
// caller cannot create a weak or unusable verifier by mistake.
ScramVerifier MakeScramVerifier(std::string_view password, uint32_t iterations = 4096);

// As above with a caller-chosen salt (test vectors, migrations).
ScramVerifier MakeScramVerifierWithSalt(std::string_view password, std::string_view salt,
                                        uint32_t iterations);

// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64 with
// padding: the same text PostgreSQL keeps in pg_authid.rolpassword.
std::string EncodeScramVerifier(const ScramVerifier& verifier);

// Inverse of EncodeScramVerifier. InvalidArgument on anything else, including
// iterations outside [kMinScramIterations, kMaxScramIterations], a salt longer
// than 1024 bytes, or keys that are not 32 bytes.
absl::StatusOr<ScramVerifier> DecodeScramVerifier(std::string_view text);

// Server side of one SCRAM-SHA-256 exchange:
//   Begin(client-first) -> username() -> look up verifier -> ServerFirst()
//   -> Finish(client-final).
// Each object serves one attempt; Finish may be called once.
class ScramServer {
 public:
  // Move-only: a copy would allow a second Finish on the same nonce.
  ScramServer(ScramServer&&) = default;
  ScramServer& operator=(ScramServer&&) = default;
  ScramServer(const ScramServer&) = delete;
  ScramServer& operator=(const ScramServer&) = delete;

  // Parses the client-first-message. Accepts the gs2 headers "n,," and "y,,",
  // optionally with "a=<authzid>" which must name the same user.
  // InvalidArgument if malformed (including invalid UTF-8 in the username);
  // Unimplemented for channel binding ("p=") or the "m=" extension;
  // PermissionDenied if the authzid differs from the username.
  static absl::StatusOr<ScramServer> Begin(std::string_view client_first);

  // The authentication identity, decoded ("=2C" -> ',', "=3D" -> '=').
  const std::string& username() const { return username_; }

  // Returns the server-first-message for `verifier` (the account's, or
  // FakeScramVerifier for an unknown user). `server_nonce_suffix` empty means
  // 24 random bytes in base64; a non-empty one (tests only) must be printable
  // ASCII without ','. Calling it again before Finish replaces the nonce;
  // after Finish the exchange stays finished.
  std::string ServerFirst(const ScramVerifier& verifier, std::string server_nonce_suffix = "");

  // Checks the client-final-message: the channel binding must be the base64 of
  // this exchange's gs2 header ("biws" for "n,,", "eSws" for "y,,"), the nonce
  // must be the combined one, and the proof must match the verifier.
  // Returns the server-final-message "v=<ServerSignature>" on success.
  // PermissionDenied: wrong proof (wrong password, or a fake verifier).
  // InvalidArgument: malformed, or binding / nonce not those of this exchange.
  // FailedPrecondition: ServerFirst not called yet, or Finish already called.
  // Internal: the verifier's keys are not 32 bytes.
  absl::StatusOr<std::string> Finish(std::string_view client_final);

 private:
  ScramServer() = default;

  enum class State { kBegun, kServerFirstSent, kFinished };

  State state_ = State::kBegun;
  std::string gs2_header_;         // as sent, e.g. "n,,"; channel binding must echo it
  std::string client_first_bare_;  // part of AuthMessage
  std::string username_;
  std::string client_nonce_;
  std::string nonce_;  // client nonce + server suffix
  std::string server_first_;
  std::string stored_key_;
  std::string server_key_;
};

// Client side, for tests and our own tools. Sends the gs2 header "n,,".
class ScramClient {
 public:
  // `client_nonce` empty means 24 random bytes in base64; a non-empty one
  // (tests only) must be printable ASCII without ','.
  ScramClient(std::string user, std::string password, std::string client_nonce = "");

  // "n,,n=<escaped user>,r=<client nonce>".
  std::string ClientFirst();

  // Parses the server-first-message and returns the client-final-message.
  // InvalidArgument if malformed, if the nonce does not extend ours, or if the
  // iteration count is outside [kMinScramIterations, kMaxScramIterations];
  // Unimplemented for the "m=" extension.
  absl::StatusOr<std::string> ClientFinal(std::string_view server_first);

  // True iff `server_final` is "v=<ServerSignature>" for this exchange (so the
  // server knew the verifier). False for "e=...", anything malformed, or
  // before ClientFinal succeeded.
  bool VerifyServerFinal(std::string_view server_final);

 private:
  std::string user_;
  std::string password_;
  std::string client_nonce_;
  std::string client_first_bare_;
  std::string server_signature_;  // empty until ClientFinal succeeds
};

// A verifier for an account that does not exist, so the exchange looks the
// same as for a real one: the salt is the first 16 bytes of
// HMAC-SHA-256(server_secret, username), stable across attempts and restarts
// given the same secret, and the keys are random, so Finish always returns
// PermissionDenied. `iterations` should be what real accounts use.
ScramVerifier FakeScramVerifier(std::string_view username, std::string_view server_secret,
                                uint32_t iterations = 4096);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_CREDENTIALS_SCRAM_H_
