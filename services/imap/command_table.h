// The IMAP commands: one handler per command, registered in one table with
// the states it is valid in and whether it has a UID form (Dovecot's
// imap-commands.h). Handlers live in commands_*.cc by subject.
#ifndef KURIER_SERVICES_IMAP_COMMAND_TABLE_H_
#define KURIER_SERVICES_IMAP_COMMAND_TABLE_H_

#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "services/imap/codec/command_reader.h"
#include "services/imap/session.h"

namespace kurier::imap {

using Handler = boost::asio::awaitable<void> (*)(Session&, Command&);

struct CommandSpec {
  const char* name;
  Handler handler;
  // RFC 9051 §6: any state, not authenticated, authenticated (also valid
  // when selected), selected only.
  enum class States { kAny, kNotAuthenticated, kAuthenticated, kSelected } states;
  // "UID <name>" exists (RFC 9051 §6.4.9 and extensions).
  bool uid_form = false;

  bool allowed(Session::State state) const;
};

// nullptr for names Kurier does not know; `name` is upper case.
const CommandSpec* FindCommand(absl::string_view name);

// Any state (commands_any.cc).
boost::asio::awaitable<void> Capability(Session& session, Command& command);
boost::asio::awaitable<void> Noop(Session& session, Command& command);
boost::asio::awaitable<void> Logout(Session& session, Command& command);
boost::asio::awaitable<void> Id(Session& session, Command& command);
boost::asio::awaitable<void> Enable(Session& session, Command& command);
// Not authenticated (commands_auth.cc).
boost::asio::awaitable<void> StartTls(Session& session, Command& command);
boost::asio::awaitable<void> Login(Session& session, Command& command);
boost::asio::awaitable<void> Authenticate(Session& session, Command& command);
// Authenticated: mailboxes (commands_mailbox.cc).
boost::asio::awaitable<void> Create(Session& session, Command& command);
boost::asio::awaitable<void> Delete(Session& session, Command& command);
boost::asio::awaitable<void> Rename(Session& session, Command& command);
boost::asio::awaitable<void> Subscribe(Session& session, Command& command);
boost::asio::awaitable<void> Unsubscribe(Session& session, Command& command);
boost::asio::awaitable<void> List(Session& session, Command& command);
boost::asio::awaitable<void> Lsub(Session& session, Command& command);
boost::asio::awaitable<void> Namespace(Session& session, Command& command);
boost::asio::awaitable<void> Status(Session& session, Command& command);
// Authenticated: APPEND (commands_append.cc).
boost::asio::awaitable<void> Append(Session& session, Command& command);
// Selecting and IDLE (commands_select.cc).
boost::asio::awaitable<void> Select(Session& session, Command& command);
boost::asio::awaitable<void> Examine(Session& session, Command& command);
boost::asio::awaitable<void> Close(Session& session, Command& command);
boost::asio::awaitable<void> Unselect(Session& session, Command& command);
boost::asio::awaitable<void> Check(Session& session, Command& command);
boost::asio::awaitable<void> Idle(Session& session, Command& command);
// Selected: messages (commands_fetch.cc, commands_search.cc, commands_store.cc).
boost::asio::awaitable<void> Fetch(Session& session, Command& command);
boost::asio::awaitable<void> Search(Session& session, Command& command);
boost::asio::awaitable<void> Store(Session& session, Command& command);
boost::asio::awaitable<void> Expunge(Session& session, Command& command);
boost::asio::awaitable<void> Copy(Session& session, Command& command);
boost::asio::awaitable<void> Move(Session& session, Command& command);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_COMMAND_TABLE_H_
