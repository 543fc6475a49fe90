// The SMTP commands: one handler per command, registered in one table
// (Postfix's smtpd_cmd_table). Each handler checks its own preconditions
// (greeting, transaction state, authentication) and answers with RFC 5321's
// reply for a bad sequence. Handlers live in commands_*.cc by topic.
#ifndef KURIER_SERVICES_SMTP_COMMAND_TABLE_H_
#define KURIER_SERVICES_SMTP_COMMAND_TABLE_H_

#include "boost/asio/awaitable.hpp"
#include "services/smtp/codec/smtp_command.h"
#include "services/smtp/session.h"

namespace kurier::smtp {

using Handler = boost::asio::awaitable<void> (*)(Session&, const Command&);

// nullptr for Verb::kUnknown.
Handler FindHandler(Verb verb);

// Greeting and housekeeping (commands_session.cc).
boost::asio::awaitable<void> Ehlo(Session& session, const Command& command);
boost::asio::awaitable<void> Helo(Session& session, const Command& command);
boost::asio::awaitable<void> Noop(Session& session, const Command& command);
boost::asio::awaitable<void> Rset(Session& session, const Command& command);
boost::asio::awaitable<void> Quit(Session& session, const Command& command);
boost::asio::awaitable<void> Help(Session& session, const Command& command);
boost::asio::awaitable<void> Vrfy(Session& session, const Command& command);
// TLS and authentication (commands_security.cc).
boost::asio::awaitable<void> StartTls(Session& session, const Command& command);
boost::asio::awaitable<void> Auth(Session& session, const Command& command);
// The envelope (commands_envelope.cc).
boost::asio::awaitable<void> Mail(Session& session, const Command& command);
boost::asio::awaitable<void> Rcpt(Session& session, const Command& command);
// The content (commands_content.cc).
boost::asio::awaitable<void> Data(Session& session, const Command& command);
boost::asio::awaitable<void> Bdat(Session& session, const Command& command);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_COMMAND_TABLE_H_
