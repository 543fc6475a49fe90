// The mail transaction of RFC 5321 3.3: what MAIL and RCPT gathered until
// DATA or BDAT LAST delivers it, or RSET, HELO/EHLO or an error clears it.
#ifndef KURIER_SERVICES_SMTP_TRANSACTION_H_
#define KURIER_SERVICES_SMTP_TRANSACTION_H_

#include <optional>
#include <string>
#include <vector>

#include "services/smtp/codec/message_reader.h"
#include "services/smtp/codec/smtp_command.h"

namespace kurier::smtp {

struct Recipient {
  // The address as the client gave it (for Received: and the queue).
  std::string address;
  // Local recipients: the account that gets the message. Empty for a remote
  // recipient (submission only), which goes on the outbound queue.
  std::string account;
  RcptParameters dsn;
};

struct Transaction {
  bool started = false;  // MAIL was accepted
  Path sender;
  MailParameters parameters;
  std::vector<Recipient> recipients;
  // BDAT chunks received so far; empty between messages.
  std::optional<MessageReader> chunks;
};

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_TRANSACTION_H_
