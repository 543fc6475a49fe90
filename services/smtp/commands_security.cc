// STARTTLS (RFC 3207) and AUTH (RFC 4954) on the submission ports.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/log/log.h"
#include "services/common/sasl/base64.h"
#include "services/common/sasl/sasl_messages.h"
#include "services/common/sasl/sasl_server.h"
#include "services/smtp/command_table.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;
using sasl::Outcome;

// RFC 4954 4: a challenge is "334 " and base64; the answer one line.
class SmtpChallenger : public sasl::Challenger {
 public:
  explicit SmtpChallenger(Session& session) : session_(session) {}
  asio::awaitable<absl::StatusOr<std::string>> Challenge(std::string data) override {
    session_.Reply(334, "", sasl::EncodeBase64(data));
    co_return co_await session_.ReadSaslLine();
  }

 private:
  Session& session_;
};

// The account's addresses, which MAIL FROM must use on submission.
asio::awaitable<std::optional<std::vector<std::string>>> AccountAddresses(Session& session,
                                                                        const std::string& account) {
  v1::GetAccountRequest request;
  request.set_name(account);
  absl::StatusOr<v1::Account> found = co_await session.context().store->GetAccount(std::move(request));
  if (!found.ok()) co_return std::nullopt;
  std::vector<std::string> addresses = {found->name()};
  addresses.insert(addresses.end(), found->aliases().begin(), found->aliases().end());
  co_return addresses;
}

}  // namespace

asio::awaitable<void> StartTls(Session& session, const Command&) {
  if (session.is_tls()) {
    session.Refuse({503, "5.5.1", "TLS already active"}, "bad_sequence");
    co_return;
  }
  if (!session.tls_available()) {
    session.Reply(454, "4.7.0", "TLS not available");
    co_return;
  }
  session.Reply(220, "2.0.0", "Ready to start TLS");
  co_await session.UpgradeToTls();
}

asio::awaitable<void> Auth(Session& session, const Command& command) {
  if (!session.is_submission()) {
    session.Refuse({503, "5.5.1", "Authentication not enabled on this port"}, "bad_sequence");
    co_return;
  }
  if (!session.esmtp()) {
    session.Refuse({503, "5.5.1", "Send EHLO first"}, "bad_sequence");
    co_return;
  }
  if (!session.account().empty()) {
    session.Refuse({503, "5.5.1", "Already authenticated"}, "bad_sequence");
    co_return;
  }
  if (session.transaction().started) {
    session.Refuse({503, "5.5.1", "AUTH not allowed during a mail transaction"}, "bad_sequence");
    co_return;
  }
  if (!session.plaintext_allowed()) {
    session.Refuse({530, "5.7.0", "Must issue a STARTTLS command first"}, "tls_required");
    co_return;
  }
  const std::string mechanism = sasl::CanonicalMechanism(command.argument);
  if (mechanism.empty()) {
    session.Refuse({504, "5.5.4", "Unrecognized authentication mechanism"}, "auth_mechanism");
    co_return;
  }
  std::optional<std::string> initial;
  if (command.initial_response.has_value()) {
    // RFC 4954 4: "=" is an empty initial response.
    if (*command.initial_response == "=") {
      initial = "";
    } else {
      initial = sasl::DecodeBase64(*command.initial_response);
      if (!initial.has_value()) {
        session.Refuse({501, "5.5.2", "Initial response is not base64"}, "auth_syntax");
        co_return;
      }
    }
  }
  if (!co_await session.ThrottleAllows("")) co_return;
  SmtpChallenger challenger(session);
  const Outcome outcome =
      co_await sasl::Authenticate(*session.context().store, mechanism, std::move(initial), challenger);
  switch (outcome.kind) {
    case Outcome::Kind::kSuccess: {
      std::optional<std::vector<std::string>> addresses = co_await AccountAddresses(session, outcome.account);
      if (!addresses.has_value()) {
        session.Reply(454, "4.7.0", "Temporary authentication failure, try again later");
        co_return;
      }
      session.context().throttle->RecordSuccess(session.info().remote_ip.to_string(), outcome.user);
      session.Authenticated(outcome.account, *std::move(addresses));
      session.Count("kurier_smtp_logins_total{result=\"ok\"}");
      log::Info("authenticated", {{"session", absl::StrCat(session.id())},
                                  {"ip", session.info().remote_ip.to_string()},
                                  {"account", outcome.account}});
      session.Reply(235, "2.7.0", "Authentication successful");
      co_return;
    }
    case Outcome::Kind::kBadCredentials:
      session.AuthFailed(outcome.user, {535, "5.7.8", "Authentication credentials invalid"});
      co_return;
    case Outcome::Kind::kMalformed:
      session.AuthFailed(outcome.user, {501, "5.5.2", "Malformed authentication exchange"});
      co_return;
    case Outcome::Kind::kCancelled:
      session.Reply(501, "5.7.0", "Authentication cancelled");
      co_return;
    case Outcome::Kind::kTemporary:
      session.Count("kurier_smtp_logins_total{result=\"temporary\"}");
      session.Reply(454, "4.7.0", "Temporary authentication failure, try again later");
      co_return;
    case Outcome::Kind::kUnsupported:
      session.Refuse({504, "5.5.4", "Unrecognized authentication mechanism"}, "auth_mechanism");
      co_return;
    case Outcome::Kind::kDisconnected:
      session.Close();
      co_return;
  }
}

}  // namespace kurier::smtp
