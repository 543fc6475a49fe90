// Hands a complete message to the store: trace fields added, parsed once
// (services/common/mime), and one Deliver call that writes the copies for
// every local recipient and the outbound-queue entry for remote ones in one
// synced write. The reply is 250 only after the store acknowledged it.
#ifndef KURIER_SERVICES_SMTP_DELIVERY_H_
#define KURIER_SERVICES_SMTP_DELIVERY_H_

#include <string>

#include "boost/asio/awaitable.hpp"
#include "services/smtp/codec/reply_writer.h"
#include "services/smtp/session.h"
#include "services/smtp/transaction.h"

namespace kurier::smtp {

// Delivers `content` (as the client sent it, un-stuffed) for the session's
// transaction and returns the reply for DATA or BDAT LAST; after a final
// answer (250 or 5xx) the session is told the idempotency key
// (Session::AcceptedWithKey). The caller resets the transaction afterwards.
boost::asio::awaitable<Reply> DeliverMessage(Session& session, std::string content);

// The key that makes a retried transaction deliver once: a hash of the
// envelope and of the bytes the client sent (before our trace fields, which
// differ on every try).
std::string IdempotencyKey(const Transaction& transaction, const std::string& content);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_DELIVERY_H_
