// The not-authenticated state: STARTTLS (RFC 9051 §6.2.1), AUTHENTICATE
// with SASL-IR (RFC 9051 §6.2.2, RFC 4959) and LOGIN (§6.2.3), through the
// shared SASL server (services/common/sasl), which asks the store.
#include "absl/strings/str_cat.h"
#include "services/common/sasl/base64.h"
#include "services/common/sasl/sasl_messages.h"
#include "services/common/sasl/sasl_server.h"
#include "services/imap/command_table.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
using sasl::Outcome;

// Longest SASL response line (SCRAM's are ~200 bytes; PLAIN with a long
// password well under this).
constexpr size_t kMaxSaslLine = 12 * 1024;

// Sends challenges as "+ base64" and reads the client's answers.
class ImapChallenger : public sasl::Challenger {
 public:
  explicit ImapChallenger(Session& session) : session_(session) {}
  asio::awaitable<absl::StatusOr<std::string>> Challenge(std::string data) override {
    AppendContinuation(&session_.output(), sasl::EncodeBase64(data));
    std::string line;
    const Session::LineResult result = co_await session_.ReadRawLine(
        &line, std::chrono::seconds(session_.context().config.limits().idle_timeout_seconds()));
    if (result == Session::LineResult::kClosed || result == Session::LineResult::kInterrupted) {
      co_return absl::UnavailableError("connection closed");
    }
    if (result == Session::LineResult::kTooLong || line.size() > kMaxSaslLine) {
      co_return absl::InvalidArgumentError("SASL line too long");
    }
    if (line == "*") co_return absl::CancelledError("client cancelled");
    std::optional<std::string> decoded = sasl::DecodeBase64(line);
    if (!decoded.has_value()) co_return absl::InvalidArgumentError("not base64");
    co_return *std::move(decoded);
  }

 private:
  Session& session_;
};

void Finish(Session& session, const Outcome& outcome) {
  switch (outcome.kind) {
    case Outcome::Kind::kSuccess: session.LoggedIn(outcome.user, outcome.account); break;
    case Outcome::Kind::kBadCredentials:
      session.AuthFailed(outcome.user, "AUTHENTICATIONFAILED", "authentication failed");
      break;
    case Outcome::Kind::kMalformed: session.AuthFailed(outcome.user, "", "malformed authentication exchange"); break;
    case Outcome::Kind::kCancelled: session.Bad("authentication cancelled"); break;
    case Outcome::Kind::kTemporary: session.No("UNAVAILABLE", "authentication service unavailable, try again later"); break;
    case Outcome::Kind::kUnsupported: session.No("CANNOT", "unsupported authentication mechanism"); break;
    case Outcome::Kind::kDisconnected: session.Close(); break;
  }
}

constexpr absl::string_view kPlaintextRefused = "plaintext authentication is not allowed without TLS; use STARTTLS";

}  // namespace

asio::awaitable<void> StartTls(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("STARTTLS takes no arguments");
    co_return;
  }
  if (!session.tls_available()) {
    session.Bad(session.is_tls() ? "TLS is already active" : "TLS is not available");
    co_return;
  }
  session.Ok("begin TLS negotiation now");
  co_await session.UpgradeToTls();
}

asio::awaitable<void> Login(Session& session, Command& command) {
  if (command.args.size() != 2 || !command.args[0].is_astring() || !command.args[1].is_astring()) {
    session.Bad("LOGIN takes a user name and a password");
    co_return;
  }
  if (!session.plaintext_allowed()) {
    session.No("PRIVACYREQUIRED", kPlaintextRefused);
    co_return;
  }
  std::string user = command.args[0].value;
  if (!co_await session.ThrottleAllows(user)) co_return;
  const Outcome outcome = co_await sasl::VerifyPassword(session.store(), user, command.args[1].value);
  Finish(session, outcome);
}

asio::awaitable<void> Authenticate(Session& session, Command& command) {
  if (command.args.empty() || command.args.size() > 2 || !command.args[0].is_atom() ||
      (command.args.size() == 2 && !command.args[1].is_atom())) {
    session.Bad("AUTHENTICATE takes a mechanism and an optional initial response");
    co_return;
  }
  const std::string mechanism = sasl::CanonicalMechanism(command.args[0].value);
  if (mechanism.empty() || mechanism == "LOGIN") {
    session.No("CANNOT", "unsupported authentication mechanism");
    co_return;
  }
  if (sasl::SendsPassword(mechanism) && !session.plaintext_allowed()) {
    session.No("PRIVACYREQUIRED", kPlaintextRefused);
    co_return;
  }
  std::optional<std::string> initial;
  if (command.args.size() == 2) {
    // RFC 4959: "=" is an empty initial response.
    if (command.args[1].value == "=") {
      initial = "";
    } else {
      initial = sasl::DecodeBase64(command.args[1].value);
      if (!initial.has_value()) {
        session.Bad("initial response is not base64");
        co_return;
      }
    }
  }
  if (!co_await session.ThrottleAllows("")) co_return;
  ImapChallenger challenger(session);
  const Outcome outcome = co_await sasl::Authenticate(session.store(), mechanism, std::move(initial), challenger);
  Finish(session, outcome);
}

}  // namespace kurier::imap
