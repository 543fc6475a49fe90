// The POP3 commands: one handler per command, registered in one table with
// the states it is valid in (Dovecot's imap-commands.h, Postfix's
// smtpd_cmd_table). Handlers live in commands_*.cc by state.
#ifndef KURIER_SERVICES_POP3_COMMAND_TABLE_H_
#define KURIER_SERVICES_POP3_COMMAND_TABLE_H_

#include "boost/asio/awaitable.hpp"
#include "services/pop3/codec/command_decoder.h"
#include "services/pop3/session.h"

namespace kurier::pop3 {

using Handler = boost::asio::awaitable<void> (*)(Session&, const Command&);

struct CommandSpec {
  Verb verb;
  Handler handler;
  bool in_authorization;
  bool in_transaction;
};

// nullptr for kUnknown and verbs Kurier does not implement (APOP).
const CommandSpec* FindCommand(Verb verb);

// Handlers (commands_authorization.cc).
boost::asio::awaitable<void> Capa(Session& session, const Command& command);
boost::asio::awaitable<void> User(Session& session, const Command& command);
boost::asio::awaitable<void> Pass(Session& session, const Command& command);
boost::asio::awaitable<void> Auth(Session& session, const Command& command);
boost::asio::awaitable<void> Stls(Session& session, const Command& command);
boost::asio::awaitable<void> Quit(Session& session, const Command& command);
// Handlers (commands_transaction.cc).
boost::asio::awaitable<void> Stat(Session& session, const Command& command);
boost::asio::awaitable<void> List(Session& session, const Command& command);
boost::asio::awaitable<void> Uidl(Session& session, const Command& command);
boost::asio::awaitable<void> Retr(Session& session, const Command& command);
boost::asio::awaitable<void> Top(Session& session, const Command& command);
boost::asio::awaitable<void> Dele(Session& session, const Command& command);
boost::asio::awaitable<void> Rset(Session& session, const Command& command);
boost::asio::awaitable<void> Noop(Session& session, const Command& command);

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_COMMAND_TABLE_H_
