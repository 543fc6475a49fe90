// A delivery status notification (RFC 3464, RFC 3462 multipart/report) for
// recipients that a message accepted with 250 could not reach after all —
// a mailbox that filled up between RCPT and the end of DATA. SMTP allows one
// reply for the whole message, so the sender learns of these by mail.
#ifndef KURIER_SERVICES_SMTP_BOUNCE_H_
#define KURIER_SERVICES_SMTP_BOUNCE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kurier::smtp {

struct FailedRecipient {
  std::string address;
  std::string status;      // RFC 3463, e.g. "5.2.2"
  std::string diagnostic;  // the SMTP reply we would have given, e.g. "552 5.2.2 Mailbox full"
};

// The whole bounce message, addressed to `sender`, quoting the header of
// `original` (RFC 3462 text/rfc822-headers). CRLF line ends.
std::string BuildBounce(absl::string_view hostname, absl::string_view sender, absl::string_view original,
                        const std::vector<FailedRecipient>& failed, absl::Time now);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_BOUNCE_H_
