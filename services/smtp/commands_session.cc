// EHLO, HELO, NOOP, RSET, QUIT, HELP, VRFY and EXPN (RFC 5321 4.1.1).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/sasl/sasl_messages.h"
#include "services/smtp/command_table.h"

namespace kurier::smtp {

namespace asio = boost::asio;

asio::awaitable<void> Ehlo(Session& session, const Command& command) {
  session.Greeted(command.argument, /*esmtp=*/true);
  const auto& config = session.context().config;
  // RFC 2034: no enhanced status codes on the EHLO reply.
  std::vector<std::string> lines = {
      absl::StrCat(config.hostname(), " Hello ", command.argument, " [", session.info().remote_ip.to_string(), "]"),
      "PIPELINING",
      absl::StrCat("SIZE ", config.max_message_bytes()),
      "8BITMIME",
      "SMTPUTF8",
      "ENHANCEDSTATUSCODES",
      "CHUNKING",
      "DSN",
  };
  if (session.tls_available()) lines.push_back("STARTTLS");
  if (session.auth_available()) {
    lines.push_back(absl::StrCat("AUTH ", absl::StrJoin(sasl::Mechanisms(session.plaintext_allowed()), " ")));
  }
  AppendMultiline(&session.output(), 250, "", lines);
  co_return;
}

asio::awaitable<void> Helo(Session& session, const Command& command) {
  session.Greeted(command.argument, /*esmtp=*/false);
  session.Reply(250, "", session.context().config.hostname());
  co_return;
}

asio::awaitable<void> Noop(Session& session, const Command&) {
  session.Reply(250, "2.0.0", "OK");
  co_return;
}

asio::awaitable<void> Rset(Session& session, const Command&) {
  session.ResetTransaction();
  session.Reply(250, "2.0.0", "OK");
  co_return;
}

asio::awaitable<void> Quit(Session& session, const Command&) {
  session.Reply(221, "2.0.0", absl::StrCat(session.context().config.hostname(), " Bye"));
  session.Close();
  co_return;
}

asio::awaitable<void> Help(Session& session, const Command&) {
  AppendMultiline(&session.output(), 214, "2.0.0",
                  {"Kurier SMTP; commands:", "EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY EXPN STARTTLS AUTH",
                   "See RFC 5321"});
  co_return;
}

// RFC 5321 3.5.3: 252 neither confirms nor denies an address, so that VRFY
// and EXPN cannot be used to find out which accounts exist.
asio::awaitable<void> Vrfy(Session& session, const Command&) {
  session.Reply(252, "2.1.5", "Cannot verify the address, but will accept mail and attempt delivery");
  co_return;
}

}  // namespace kurier::smtp
