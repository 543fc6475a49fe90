// MAIL and RCPT (RFC 5321 4.1.1.2, 4.1.1.3), with the listener's policy:
// the MX port takes mail for local recipients only and never relays; the
// submission ports need AUTH, check the sender, and queue remote recipients.
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/log/log.h"
#include "services/smtp/command_table.h"
#include "services/smtp/store_errors.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// "Anna+lists@Example.org" -> "anna@example.org": how the store compares
// addresses (case-insensitive, subaddress dropped).
std::string Comparable(absl::string_view address) {
  std::string lower = absl::AsciiStrToLower(address);
  const size_t at = lower.rfind('@');
  const size_t plus = lower.find('+');
  if (at != std::string::npos && plus != std::string::npos && plus < at && plus > 0) lower.erase(plus, at - plus);
  return lower;
}

// Submission: the envelope sender must be an address of the account.
bool OwnsSender(const Session& session, const Path& sender) {
  if (sender.null) return false;
  const std::string wanted = Comparable(sender.Address());
  for (const std::string& address : session.account_addresses()) {
    if (Comparable(address) == wanted) return true;
  }
  return false;
}

// The store's answer for a recipient, from the cache when it is fresh.
asio::awaitable<absl::StatusOr<v1::ResolveRecipientResponse>> Resolve(Session& session, const std::string& address) {
  if (std::optional<v1::ResolveRecipientResponse> cached = session.context().recipients->Find(address)) {
    co_return *std::move(cached);
  }
  v1::ResolveRecipientRequest request;
  request.set_address(address);
  request.set_message_size(session.transaction().parameters.size.value_or(0));
  absl::StatusOr<v1::ResolveRecipientResponse> resolved =
      co_await session.context().store->ResolveRecipient(std::move(request));
  if (resolved.ok()) session.context().recipients->Put(address, *resolved);
  co_return resolved;
}

}  // namespace

asio::awaitable<void> Mail(Session& session, const Command& command) {
  const auto& config = session.context().config;
  if (session.helo().empty()) {
    session.Refuse({503, "5.5.1", "Send EHLO or HELO first"}, "bad_sequence");
    co_return;
  }
  if (session.transaction().started) {
    session.Refuse({503, "5.5.1", "Nested MAIL command"}, "bad_sequence");
    co_return;
  }
  if (session.is_submission() && session.account().empty()) {
    session.Refuse({530, "5.7.0", "Authentication required"}, "auth_required");
    co_return;
  }
  const MailParameters& parameters = command.mail;
  if (parameters.size.has_value() && *parameters.size > config.max_message_bytes()) {
    session.Refuse({552, "5.3.4", "Message size exceeds fixed maximum message size"}, "too_big");
    co_return;
  }
  if (command.path.utf8 && !parameters.smtputf8) {
    session.Refuse({553, "5.6.7", "Non-ASCII address requires SMTPUTF8"}, "utf8_address");
    co_return;
  }
  if (session.is_submission() && !OwnsSender(session, command.path)) {
    log::Info("sender refused", {{"session", absl::StrCat(session.id())}, {"account", session.account()},
                                 {"sender", command.path.Address()}});
    session.Refuse({553, "5.7.1", "Sender address not owned by the authenticated account"}, "sender_not_owned");
    co_return;
  }
  if (!session.context().messages_per_ip->Allow(session.info().remote_ip.to_string())) {
    session.Count("kurier_smtp_errors_total{reason=\"message_rate\"}");
    session.Reply(451, "4.7.0", "Too many messages from your address, try again later");
    co_return;
  }
  Transaction& transaction = session.transaction();
  transaction.started = true;
  transaction.sender = command.path;
  transaction.parameters = parameters;
  session.Reply(250, "2.1.0", "Sender OK");
}

asio::awaitable<void> Rcpt(Session& session, const Command& command) {
  const auto& config = session.context().config;
  Transaction& transaction = session.transaction();
  if (!transaction.started) {
    session.Refuse({503, "5.5.1", "Need MAIL before RCPT"}, "bad_sequence");
    co_return;
  }
  if (transaction.recipients.size() >= config.max_recipients()) {
    session.Count("kurier_smtp_recipients_total{result=\"too_many\"}");
    session.Reply(452, "4.5.3", "Too many recipients");
    co_return;
  }
  if (command.path.utf8 && !transaction.parameters.smtputf8) {
    session.Refuse({553, "5.6.7", "Non-ASCII address requires SMTPUTF8"}, "utf8_address");
    co_return;
  }
  // RFC 5321 4.5.1: <Postmaster> is the postmaster of this host.
  const std::string address = command.path.is_postmaster()
                                  ? absl::StrCat("postmaster@", absl::AsciiStrToLower(config.hostname()))
                                  : command.path.Address();
  absl::StatusOr<v1::ResolveRecipientResponse> resolved = co_await Resolve(session, address);
  if (!resolved.ok()) {
    if (absl::IsInvalidArgument(resolved.status())) {
      // Valid for RFC 5321 (a quoted local part with "@" or spaces) but no
      // account can have it.
      session.Count("kurier_smtp_recipients_total{result=\"unknown\"}");
      session.Refuse({550, "5.1.1", "Recipient address rejected: user unknown"}, "unknown_recipient");
    } else {
      session.Count("kurier_smtp_recipients_total{result=\"temporary\"}");
      session.Reply(StoreErrorReply(resolved.status()));
    }
    co_return;
  }
  switch (resolved->outcome()) {
    case v1::ResolveRecipientResponse::LOCAL:
      if (resolved->over_quota()) {
        session.Count("kurier_smtp_recipients_total{result=\"over_quota\"}");
        session.Reply(452, "4.2.2", "Mailbox full");
        co_return;
      }
      transaction.recipients.push_back({address, resolved->account(), command.rcpt});
      session.Count("kurier_smtp_recipients_total{result=\"local\"}");
      session.Reply(250, "2.1.5", "Recipient OK");
      co_return;
    case v1::ResolveRecipientResponse::UNKNOWN_USER:
      session.Count("kurier_smtp_recipients_total{result=\"unknown\"}");
      session.Refuse({550, "5.1.1", "Recipient address rejected: user unknown"}, "unknown_recipient");
      co_return;
    case v1::ResolveRecipientResponse::NOT_LOCAL:
      if (session.is_submission()) {
        transaction.recipients.push_back({address, "", command.rcpt});
        session.Count("kurier_smtp_recipients_total{result=\"remote\"}");
        session.Reply(250, "2.1.5", "Recipient OK");
        co_return;
      }
      // Never an open relay: remote recipients only after AUTH on submission.
      session.Count("kurier_smtp_recipients_total{result=\"relay_denied\"}");
      session.Refuse({550, "5.7.1", "Relay access denied"}, "relay_denied");
      co_return;
    default:
      session.Reply(451, "4.3.0", "Temporary failure, try again later");
      co_return;
  }
}

}  // namespace kurier::smtp
