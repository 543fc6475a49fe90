// The one place where a store error becomes an SMTP reply. Internal
// details never reach the client; the reply says whether to retry.
#ifndef KURIER_SERVICES_SMTP_STORE_ERRORS_H_
#define KURIER_SERVICES_SMTP_STORE_ERRORS_H_

#include "absl/status/status.h"
#include "services/smtp/codec/reply_writer.h"

namespace kurier::smtp {

// 552 5.3.4 when the store refuses the message's size; otherwise 451 4.3.0:
// the client keeps the message and tries again, and the idempotency key
// makes sure a retry never delivers twice. Nothing the store says is lost
// by answering "try again".
Reply StoreErrorReply(const absl::Status& status);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_STORE_ERRORS_H_
