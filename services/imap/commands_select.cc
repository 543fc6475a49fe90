// Selecting a mailbox: SELECT and EXAMINE (RFC 9051 §6.3.2-3; the
// CONDSTORE parameter and HIGHESTMODSEQ, RFC 7162 3.1.2 and 3.1.8), CLOSE,
// UNSELECT (§6.4.1-2), CHECK (RFC 3501 §6.4.1), and IDLE (RFC 2177).
#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"
#include "services/imap/condstore_args.h"
#include "services/imap/mailbox_arg.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

constexpr absl::string_view kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

asio::awaitable<void> SelectMailbox(Session& session, Command& command, bool read_only) {
  if (command.args.empty() || command.args.size() > 2) {
    session.Bad("SELECT takes a mailbox name");
    co_return;
  }
  SelectParams params;
  if (command.args.size() == 2) {
    absl::StatusOr<SelectParams> parsed = ParseSelectParams(command.args[1]);
    if (!parsed.ok()) {
      session.Bad(parsed.status().message());
      co_return;
    }
    params = *parsed;
  }
  std::optional<std::string> name = MailboxFromArg(command.args[0], session.utf8());
  if (!name.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  // RFC 9051 §6.3.2: selecting closes the selected mailbox first, without
  // expunging; IMAP4rev2 clients (and CONDSTORE's) are told so.
  if (session.selected() != nullptr) {
    session.Unselect();
    if (session.imap4rev2() || session.condstore() || params.condstore) {
      AppendUntaggedStatus(&session.output(), Condition::kOk, "CLOSED", "previous mailbox closed");
    }
  }
  // RFC 7162 3.1.8: the parameter enables CONDSTORE (nothing is selected
  // now, so nothing more is written).
  if (params.condstore) EnableCondstore(session);
  // Listen first, then read: a change in between is seen twice at worst,
  // and SelectedMailbox recognises the echo.
  session.ListenForChanges();
  v1::GetMailboxStatusRequest status_request;
  status_request.set_account(session.account());
  status_request.set_name(*name);
  absl::StatusOr<v1::Mailbox> status = co_await session.store().GetMailboxStatus(std::move(status_request));
  if (!status.ok()) {
    session.Unselect();
    session.StoreFailed(status.status());
    co_return;
  }
  v1::FetchMessagesRequest listing_request;
  listing_request.set_account(session.account());
  listing_request.set_mailbox(*name);
  listing_request.set_without_structure(true);
  absl::StatusOr<v1::FetchMessagesResponse> listing =
      co_await session.store().FetchMessages(std::move(listing_request));
  if (!listing.ok()) {
    session.Unselect();
    session.StoreFailed(listing.status());
    co_return;
  }
  std::vector<v1::MessageInfo> messages(listing->messages().begin(), listing->messages().end());
  auto mailbox = std::make_unique<SelectedMailbox>(*name, status->id(), read_only, listing->uid_validity(),
                                                   status->uid_next(), status->highest_modseq(), std::move(messages));
  SelectedMailbox& selected = *mailbox;
  session.Select(std::move(mailbox));

  std::string& out = session.output();
  AppendUntagged(&out, absl::StrCat("FLAGS (", kSystemFlags, ")"));
  AppendUntaggedStatus(&out, Condition::kOk,
                       read_only ? "PERMANENTFLAGS ()" : absl::StrCat("PERMANENTFLAGS (", kSystemFlags, " \\*)"),
                       "flags permitted");
  AppendUntagged(&out, absl::StrCat(selected.exists(), " EXISTS"));
  if (!session.imap4rev2()) {
    AppendUntagged(&out, "0 RECENT");
    if (const uint32_t unseen = selected.first_unseen(); unseen != 0) {
      AppendUntaggedStatus(&out, Condition::kOk, absl::StrCat("UNSEEN ", unseen), "first unseen");
    }
  }
  AppendUntaggedStatus(&out, Condition::kOk, absl::StrCat("UIDVALIDITY ", selected.uid_validity()), "UIDs valid");
  AppendUntaggedStatus(&out, Condition::kOk, absl::StrCat("UIDNEXT ", selected.uid_next()), "predicted next UID");
  if (session.condstore()) {
    // RFC 7162 3.1.2.1: every mailbox has mod-sequences here (never NOMODSEQ).
    AppendUntaggedStatus(&out, Condition::kOk, absl::StrCat("HIGHESTMODSEQ ", selected.highest_modseq()), "highest");
  }
  if (session.imap4rev2()) {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name.
    out += "* LIST () \"/\" ";
    if (!AppendMailbox(&out, *name, true).ok()) out += "INBOX";
    AppendCrlf(&out);
  }
  session.Ok(read_only ? "READ-ONLY" : "READ-WRITE", read_only ? "EXAMINE completed" : "SELECT completed");
}

}  // namespace

asio::awaitable<void> Select(Session& session, Command& command) { co_await SelectMailbox(session, command, false); }

asio::awaitable<void> Examine(Session& session, Command& command) { co_await SelectMailbox(session, command, true); }

asio::awaitable<void> Close(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("CLOSE takes no arguments");
    co_return;
  }
  SelectedMailbox* selected = session.selected();
  if (!selected->read_only()) {
    // RFC 9051 §6.4.1: silently expunge the \Deleted messages.
    v1::ExpungeRequest request;
    request.set_account(session.account());
    request.set_mailbox(selected->name());
    absl::StatusOr<v1::ExpungeResponse> expunged = co_await session.store().Expunge(std::move(request));
    if (!expunged.ok()) {
      session.StoreFailed(expunged.status());
      co_return;
    }
  }
  session.Unselect();
  session.Ok("CLOSE completed");
}

asio::awaitable<void> Unselect(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("UNSELECT takes no arguments");
    co_return;
  }
  session.Unselect();
  session.Ok("UNSELECT completed");
}

asio::awaitable<void> Check(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("CHECK takes no arguments");
    co_return;
  }
  session.Ok("CHECK completed");  // every write is already durable
}

asio::awaitable<void> Idle(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("IDLE takes no arguments");
    co_return;
  }
  AppendContinuation(&session.output(), "idling");
  // (Not in the switch itself: g++ 12 miscompiles co_await there.)
  const Session::IdleEnd end = co_await session.Idle();
  switch (end) {
    case Session::IdleEnd::kDone:
      session.Ok("IDLE terminated");
      break;
    case Session::IdleEnd::kBadLine:
      break;
    case Session::IdleEnd::kClosed:
      session.Close();
      break;
  }
}

}  // namespace kurier::imap
