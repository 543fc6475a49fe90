// Mailbox commands of the authenticated state: CREATE, DELETE, RENAME,
// SUBSCRIBE, UNSUBSCRIBE (RFC 9051 §6.3.4-8), NAMESPACE (§6.3.10, RFC 2342),
// LIST and LSUB (§6.3.9, RFC 5258, RFC 6154, RFC 5819) and STATUS
// (§6.3.11). LIST and STATUS are computed by services/imap/mailboxes.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"
#include "services/imap/mailbox_arg.h"
#include "services/imap/mailboxes/list_command.h"
#include "services/imap/mailboxes/list_response.h"
#include "services/imap/mailboxes/status_items.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// One mailbox-name argument, or an answer.
std::optional<std::string> OneMailbox(Session& session, Command& command, size_t count, const char* usage) {
  if (command.args.size() != count) {
    session.Bad(usage);
    return std::nullopt;
  }
  std::optional<std::string> name = MailboxFromArg(command.args[0], session.utf8());
  if (!name.has_value()) session.No("CANNOT", "invalid mailbox name");
  return name;
}

// CREATE's optional USE (RFC 6154 §3): one special-use attribute.
std::string SpecialUseOf(const Arg* use) {
  if (use == nullptr || !use->is_list() || use->list.size() != 2 || !use->list[1].is_list() ||
      use->list[1].list.size() != 1) {
    return "";
  }
  std::string attribute = use->list[1].list[0].value;
  if (attribute.size() > 1 && attribute[0] == '\\') attribute.erase(0, 1);
  return attribute;
}

asio::awaitable<void> SetSubscribed(Session& session, Command& command, bool subscribed) {
  std::optional<std::string> name = OneMailbox(
      session, command, 1, subscribed ? "SUBSCRIBE takes a mailbox name" : "UNSUBSCRIBE takes a mailbox name");
  if (!name.has_value()) co_return;
  v1::SetSubscribedRequest request;
  request.set_account(session.account());
  request.set_name(*name);
  request.set_subscribed(subscribed);
  absl::StatusOr<v1::Mailbox> done = co_await session.store().SetSubscribed(std::move(request));
  if (!done.ok()) {
    session.StoreFailed(done.status());
    co_return;
  }
  session.Ok(subscribed ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

// LIST and LSUB: one listing of the account's mailboxes (with their
// counters, for RETURN (STATUS ...)), filtered and written by
// services/imap/mailboxes.
asio::awaitable<void> ListOrLsub(Session& session, Command& command, absl::StatusOr<ListCommand> parsed) {
  if (!parsed.ok()) {
    session.Bad(parsed.status().message());
    co_return;
  }
  v1::ListMailboxesRequest request;
  request.set_account(session.account());
  absl::StatusOr<v1::ListMailboxesResponse> listed = co_await session.store().ListMailboxes(std::move(request));
  if (!listed.ok()) {
    session.StoreFailed(listed.status());
    co_return;
  }
  const std::vector<v1::Mailbox> mailboxes(listed->mailboxes().begin(), listed->mailboxes().end());
  session.output() += FormatListResponses(*parsed, mailboxes, session.utf8(), session.imap4rev2());
  session.Ok(parsed->lsub ? "LSUB completed" : "LIST completed");
}

}  // namespace

asio::awaitable<void> Create(Session& session, Command& command) {
  if (command.args.empty() || command.args.size() > 2) {
    session.Bad("CREATE takes a mailbox name");
    co_return;
  }
  std::optional<std::string> name = MailboxFromArg(command.args[0], session.utf8());
  if (!name.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  // RFC 9051 §6.3.4: a trailing delimiter only says a child may follow.
  while (name->size() > 1 && name->back() == '/') name->pop_back();
  if (*name == "INBOX") {
    session.No("ALREADYEXISTS", "INBOX always exists");
    co_return;
  }
  // RFC 9051 §6.3.4: the levels above are created too (as Dovecot does), so
  // that they are listed, selectable and deletable like any mailbox.
  for (size_t slash = name->find('/'); slash != std::string::npos; slash = name->find('/', slash + 1)) {
    if (slash == 0) continue;
    v1::CreateMailboxRequest parent;
    parent.set_account(session.account());
    parent.set_name(name->substr(0, slash));
    absl::StatusOr<v1::Mailbox> made = co_await session.store().CreateMailbox(std::move(parent));
    if (!made.ok() && made.status().code() != absl::StatusCode::kAlreadyExists) {
      session.StoreFailed(made.status());
      co_return;
    }
  }
  v1::CreateMailboxRequest request;
  request.set_account(session.account());
  request.set_name(*name);
  request.set_special_use(SpecialUseOf(command.args.size() == 2 ? &command.args[1] : nullptr));
  absl::StatusOr<v1::Mailbox> created = co_await session.store().CreateMailbox(std::move(request));
  if (!created.ok()) {
    session.StoreFailed(created.status());
    co_return;
  }
  session.Ok("CREATE completed");
}

asio::awaitable<void> Delete(Session& session, Command& command) {
  std::optional<std::string> name = OneMailbox(session, command, 1, "DELETE takes a mailbox name");
  if (!name.has_value()) co_return;
  if (*name == "INBOX") {
    session.No("CANNOT", "INBOX cannot be deleted");
    co_return;
  }
  v1::DeleteMailboxRequest request;
  request.set_account(session.account());
  request.set_name(*name);
  absl::StatusOr<v1::DeleteMailboxResponse> deleted = co_await session.store().DeleteMailbox(std::move(request));
  if (!deleted.ok()) {
    session.StoreFailed(deleted.status());
    co_return;
  }
  if (session.selected() != nullptr && session.selected()->name() == *name) session.Unselect();
  session.Ok("DELETE completed");
}

asio::awaitable<void> Rename(Session& session, Command& command) {
  if (command.args.size() != 2) {
    session.Bad("RENAME takes two mailbox names");
    co_return;
  }
  std::optional<std::string> from = MailboxFromArg(command.args[0], session.utf8());
  std::optional<std::string> to = MailboxFromArg(command.args[1], session.utf8());
  if (!from.has_value() || !to.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  v1::RenameMailboxRequest request;
  request.set_account(session.account());
  request.set_from(*from);
  request.set_to(*to);
  absl::StatusOr<v1::Mailbox> renamed = co_await session.store().RenameMailbox(std::move(request));
  if (!renamed.ok()) {
    session.StoreFailed(renamed.status());
    co_return;
  }
  session.Ok("RENAME completed");
}

asio::awaitable<void> Subscribe(Session& session, Command& command) { co_await SetSubscribed(session, command, true); }

asio::awaitable<void> Unsubscribe(Session& session, Command& command) {
  co_await SetSubscribed(session, command, false);
}

asio::awaitable<void> Namespace(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("NAMESPACE takes no arguments");
    co_return;
  }
  // One personal namespace with "/" as the delimiter; no others.
  AppendUntagged(&session.output(), "NAMESPACE ((\"\" \"/\")) NIL NIL");
  session.Ok("NAMESPACE completed");
}

asio::awaitable<void> Status(Session& session, Command& command) {
  absl::StatusOr<StatusCommand> parsed = ParseStatusCommand(command.args, session.utf8());
  if (!parsed.ok()) {
    session.Bad(parsed.status().message());
    co_return;
  }
  // RFC 7162 3.1: STATUS HIGHESTMODSEQ is a CONDSTORE enabling command.
  if (std::find(parsed->items.begin(), parsed->items.end(), StatusItem::kHighestModSeq) != parsed->items.end()) {
    EnableCondstore(session);
  }
  v1::GetMailboxStatusRequest request;
  request.set_account(session.account());
  request.set_name(parsed->mailbox);
  absl::StatusOr<v1::Mailbox> mailbox = co_await session.store().GetMailboxStatus(std::move(request));
  if (!mailbox.ok()) {
    session.StoreFailed(mailbox.status());
    co_return;
  }
  if (!AppendStatusResponse(&session.output(), *mailbox, parsed->items, session.utf8()).ok()) {
    session.No("SERVERBUG", "mailbox name cannot be written");
    co_return;
  }
  session.Ok("STATUS completed");
}

asio::awaitable<void> List(Session& session, Command& command) {
  co_await ListOrLsub(session, command, ParseListCommand(command.args, session.utf8()));
}

asio::awaitable<void> Lsub(Session& session, Command& command) {
  co_await ListOrLsub(session, command, ParseLsubCommand(command.args, session.utf8()));
}

}  // namespace kurier::imap
