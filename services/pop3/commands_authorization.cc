// AUTHORIZATION state: CAPA (RFC 2449), USER/PASS (RFC 1939), AUTH (RFC
// 5034), STLS (RFC 2595), QUIT. CAPA and QUIT are valid in TRANSACTION too.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/log/log.h"
#include "services/common/sasl/base64.h"
#include "services/common/sasl/sasl_messages.h"
#include "services/common/sasl/sasl_server.h"
#include "services/pop3/codec/reply_writer.h"
#include "services/pop3/command_table.h"

namespace kurier::pop3 {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;
using sasl::Outcome;

constexpr absl::string_view kPlaintextRefused = "plaintext authentication is not allowed without TLS; use STLS";

// Sends challenges as "+ base64" and reads the client's answers.
class Pop3Challenger : public sasl::Challenger {
 public:
  explicit Pop3Challenger(Session& session) : session_(session) {}
  asio::awaitable<absl::StatusOr<std::string>> Challenge(std::string data) override {
    AppendContinuation(&session_.output(), sasl::EncodeBase64(data));
    co_return co_await session_.ReadSaslLine();
  }

 private:
  Session& session_;
};

// Answers the outcome of a password check or SASL exchange.
asio::awaitable<void> Finish(Session& session, const Outcome& outcome) {
  switch (outcome.kind) {
    case Outcome::Kind::kSuccess: co_await session.LoggedIn(outcome.user, outcome.account); break;
    case Outcome::Kind::kBadCredentials: session.AuthFailed(outcome.user, "AUTH", "authentication failed"); break;
    case Outcome::Kind::kMalformed: session.AuthFailed(outcome.user, "", "malformed authentication exchange"); break;
    case Outcome::Kind::kCancelled: session.Err("authentication cancelled"); break;
    case Outcome::Kind::kTemporary:
      session.Err("SYS/TEMP", "authentication service unavailable, try again later");
      break;
    case Outcome::Kind::kUnsupported: session.BadCommand("unsupported authentication mechanism"); break;
    case Outcome::Kind::kDisconnected: session.Close(); break;
  }
}

}  // namespace

asio::awaitable<void> Capa(Session& session, const Command&) {
  std::string& out = session.output();
  AppendOk(&out, "capability list follows");
  AppendLine(&out, "TOP");
  AppendLine(&out, "UIDL");
  AppendLine(&out, "RESP-CODES");
  AppendLine(&out, "AUTH-RESP-CODE");
  AppendLine(&out, "PIPELINING");
  if (session.state() == Session::State::kAuthorization) {
    if (session.plaintext_allowed()) AppendLine(&out, "USER");
    AppendLine(&out, absl::StrCat("SASL ", absl::StrJoin(sasl::Mechanisms(session.plaintext_allowed()), " ")));
    if (session.tls_available()) AppendLine(&out, "STLS");
  }
  AppendLine(&out, "IMPLEMENTATION Kurier");
  AppendTerminator(&out);
  co_return;
}

asio::awaitable<void> User(Session& session, const Command& command) {
  if (!session.plaintext_allowed()) {
    session.Err("AUTH", kPlaintextRefused);
    co_return;
  }
  if (command.args.size() != 1) {
    session.BadCommand("USER takes one argument");
    co_return;
  }
  session.pending_user() = command.args[0];
  session.Ok("send PASS");
}

asio::awaitable<void> Pass(Session& session, const Command& command) {
  if (!session.plaintext_allowed()) {
    session.Err("AUTH", kPlaintextRefused);
    co_return;
  }
  if (!session.pending_user().has_value()) {
    session.BadCommand("USER first");
    co_return;
  }
  std::string user = *std::move(session.pending_user());
  session.pending_user().reset();
  if (!co_await session.ThrottleAllows(user)) co_return;
  const Outcome outcome = co_await sasl::VerifyPassword(*session.context().store, user, command.rest);
  co_await Finish(session, outcome);
}

asio::awaitable<void> Auth(Session& session, const Command& command) {
  if (command.args.empty()) {
    // RFC 1734 clients send a bare AUTH to list the mechanisms.
    AppendOk(&session.output(), "");
    for (const std::string& name : sasl::Mechanisms(session.plaintext_allowed())) {
      AppendLine(&session.output(), name);
    }
    AppendTerminator(&session.output());
    co_return;
  }
  const std::string mechanism = sasl::CanonicalMechanism(command.args[0]);
  if (mechanism.empty()) {
    session.BadCommand("unsupported authentication mechanism");
    co_return;
  }
  if (sasl::SendsPassword(mechanism) && !session.plaintext_allowed()) {
    session.Err("AUTH", kPlaintextRefused);
    co_return;
  }
  std::optional<std::string> initial;
  if (command.args.size() >= 2) {
    // RFC 5034: "=" is an empty initial response.
    if (command.args[1] == "=") {
      initial = "";
    } else {
      initial = sasl::DecodeBase64(command.args[1]);
      if (!initial.has_value()) {
        session.AuthFailed("", "", "initial response is not base64");
        co_return;
      }
    }
  }
  if (!co_await session.ThrottleAllows("")) co_return;
  Pop3Challenger challenger(session);
  const Outcome outcome = co_await sasl::Authenticate(*session.context().store, mechanism, std::move(initial),
                                                      challenger);
  co_await Finish(session, outcome);
}

asio::awaitable<void> Stls(Session& session, const Command&) {
  if (session.is_tls()) {
    session.BadCommand("TLS is already active");
    co_return;
  }
  if (session.context().tls == nullptr) {
    session.BadCommand("TLS is not available");
    co_return;
  }
  session.Ok("begin TLS negotiation");
  co_await session.UpgradeToTls();
}

asio::awaitable<void> Quit(Session& session, const Command&) {
  if (session.state() == Session::State::kAuthorization) {
    session.Ok("bye");
    session.Close();
    co_return;
  }
  // UPDATE state (RFC 1939 §6).
  Maildrop& drop = session.maildrop();
  store_client::StoreClient& store = *session.context().store;
  if (const std::vector<uint32_t> seen = drop.RetrievedLiveUids(); !seen.empty()) {
    // Mail read over POP3 shows as read in IMAP; best effort.
    v1::StoreFlagsRequest flags;
    flags.set_account(session.account());
    flags.set_mailbox("INBOX");
    // Runs of consecutive UIDs as one range each: one index scan per range.
    for (uint32_t uid : seen) {
      if (flags.uids_size() > 0 && flags.uids(flags.uids_size() - 1).last() + 1 == uid) {
        flags.mutable_uids(flags.uids_size() - 1)->set_last(uid);
        continue;
      }
      v1::UidRange* range = flags.add_uids();
      range->set_first(uid);
      range->set_last(uid);
    }
    flags.set_mode(v1::StoreFlagsRequest::ADD);
    flags.add_flags("\\Seen");
    (void)co_await store.StoreFlags(std::move(flags));
  }
  const std::vector<uint32_t> deleted = drop.DeletedUids();
  if (!deleted.empty()) {
    v1::Pop3CommitRequest commit;
    commit.set_account(session.account());
    commit.set_lease_id(session.lease_id());
    for (uint32_t uid : deleted) commit.add_uids(uid);
    commit.set_idempotency_key(absl::StrCat(session.context().instance, "/", session.id(), "/quit"));
    absl::StatusOr<v1::Pop3CommitResponse> committed = co_await store.Pop3Commit(std::move(commit));
    if (!committed.ok()) {
      log::Warning("update failed", {{"session", absl::StrCat(session.id())}, {"error", committed.status().ToString()}});
      co_await session.ReleaseLease();
      // RFC 2449 §8.1.2: tell the client the deletions did not happen.
      session.Err("SYS/TEMP", "some deleted messages not removed; try again later");
      session.Close();
      co_return;
    }
  }
  co_await session.ReleaseLease();
  session.Ok(absl::StrCat("bye (", drop.live_count(), " messages left)"));
  session.Close();
}

}  // namespace kurier::pop3
