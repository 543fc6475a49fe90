#include "services/common/sasl/sasl_server.h"

#include <utility>

#include "services/common/sasl/sasl_messages.h"

namespace kurier::sasl {
namespace {

namespace v1 = ::kurier::store::v1;
using Kind = Outcome::Kind;

Outcome Fail(Kind kind, std::string user = "") {
  Outcome outcome;
  outcome.kind = kind;
  outcome.user = std::move(user);
  return outcome;
}

Outcome FromChallengeError(const absl::Status& status, std::string user) {
  switch (status.code()) {
    case absl::StatusCode::kCancelled: return Fail(Kind::kCancelled, std::move(user));
    case absl::StatusCode::kInvalidArgument: return Fail(Kind::kMalformed, std::move(user));
    default: return Fail(Kind::kDisconnected, std::move(user));
  }
}

Outcome FromStoreError(const absl::Status& status, std::string user) {
  // NOT_FOUND and friends must look exactly like a wrong password, so that
  // nobody can probe which accounts exist.
  return Fail(store_client::IsTemporary(status) ? Kind::kTemporary : Kind::kBadCredentials, std::move(user));
}

// Sends an empty challenge when the mechanism needs a first client message
// that the client did not send as an initial response.
boost::asio::awaitable<absl::StatusOr<std::string>> FirstMessage(std::optional<std::string> initial,
                                                                   Challenger& challenger) {
  if (initial.has_value()) co_return std::move(*initial);
  co_return co_await challenger.Challenge("");
}

boost::asio::awaitable<Outcome> Plain(store_client::StoreClient& store, std::optional<std::string> initial,
                                      Challenger& challenger) {
  absl::StatusOr<std::string> message = co_await FirstMessage(std::move(initial), challenger);
  if (!message.ok()) co_return FromChallengeError(message.status(), "");
  absl::StatusOr<PlainMessage> plain = ParsePlain(*message);
  if (!plain.ok()) co_return Fail(Kind::kMalformed);
  // No proxy authorization: acting as another user is not offered.
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) co_return Fail(Kind::kBadCredentials, plain->authcid);
  co_return co_await VerifyPassword(store, std::move(plain->authcid), std::move(plain->password));
}

boost::asio::awaitable<Outcome> Login(store_client::StoreClient& store, std::optional<std::string> initial,
                                      Challenger& challenger) {
  // (No co_await inside ?: — g++ 12 miscompiles temporaries there.)
  absl::StatusOr<std::string> user = std::move(initial).value_or("");
  if (!initial.has_value()) user = co_await challenger.Challenge("Username:");
  if (!user.ok()) co_return FromChallengeError(user.status(), "");
  absl::StatusOr<std::string> password = co_await challenger.Challenge("Password:");
  if (!password.ok()) co_return FromChallengeError(password.status(), *user);
  if (user->empty() || password->empty()) co_return Fail(Kind::kMalformed, *user);
  co_return co_await VerifyPassword(store, std::move(*user), std::move(*password));
}

boost::asio::awaitable<Outcome> Scram(store_client::StoreClient& store, std::optional<std::string> initial,
                                      Challenger& challenger) {
  absl::StatusOr<std::string> client_first = co_await FirstMessage(std::move(initial), challenger);
  if (!client_first.ok()) co_return FromChallengeError(client_first.status(), "");
  absl::StatusOr<std::string> user = ScramUser(*client_first);
  if (!user.ok()) co_return Fail(Kind::kMalformed);

  v1::ScramStartRequest start;
  start.set_client_first(*client_first);
  absl::StatusOr<v1::ScramStartResponse> started = co_await store.ScramStart(*user, std::move(start));
  if (!started.ok()) co_return FromStoreError(started.status(), *user);

  absl::StatusOr<std::string> client_final = co_await challenger.Challenge(started->server_first());
  if (!client_final.ok()) co_return FromChallengeError(client_final.status(), *user);

  v1::ScramFinishRequest finish;
  finish.set_exchange_id(started->exchange_id());
  finish.set_client_final(*client_final);
  absl::StatusOr<v1::ScramFinishResponse> finished = co_await store.ScramFinish(*user, std::move(finish));
  if (!finished.ok()) co_return FromStoreError(finished.status(), *user);
  if (!finished->ok()) co_return Fail(Kind::kBadCredentials, *user);

  // The client verifies the server (v=) before it trusts the session.
  absl::StatusOr<std::string> ack = co_await challenger.Challenge(finished->server_final());
  if (!ack.ok()) co_return FromChallengeError(ack.status(), *user);
  if (!ack->empty()) co_return Fail(Kind::kMalformed, *user);
  Outcome outcome;
  outcome.kind = Kind::kSuccess;
  outcome.account = finished->account();
  outcome.user = *std::move(user);
  co_return outcome;
}

}  // namespace

boost::asio::awaitable<Outcome> VerifyPassword(store_client::StoreClient& store, std::string user,
                                               std::string password) {
  v1::VerifyPasswordRequest request;
  request.set_name(user);
  request.set_password(std::move(password));
  absl::StatusOr<v1::VerifyPasswordResponse> verified = co_await store.VerifyPassword(std::move(request));
  if (!verified.ok()) co_return FromStoreError(verified.status(), std::move(user));
  if (!verified->ok()) co_return Fail(Kind::kBadCredentials, std::move(user));
  Outcome outcome;
  outcome.kind = Kind::kSuccess;
  outcome.account = verified->account();
  outcome.user = std::move(user);
  co_return outcome;
}

boost::asio::awaitable<Outcome> Authenticate(store_client::StoreClient& store, absl::string_view mechanism,
                                             std::optional<std::string> initial_response, Challenger& challenger) {
  const std::string canonical = CanonicalMechanism(mechanism);
  if (canonical == kPlain) co_return co_await Plain(store, std::move(initial_response), challenger);
  if (canonical == kLogin) co_return co_await Login(store, std::move(initial_response), challenger);
  if (canonical == kScramSha256) co_return co_await Scram(store, std::move(initial_response), challenger);
  co_return Fail(Kind::kUnsupported);
}

}  // namespace kurier::sasl
