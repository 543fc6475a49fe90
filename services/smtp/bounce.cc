#include "services/smtp/bounce.h"

#include "absl/strings/str_cat.h"
#include "services/common/mime/header_fields.h"
#include "services/smtp/trace_headers.h"

namespace kurier::smtp {

std::string BuildBounce(absl::string_view hostname, absl::string_view sender, absl::string_view original,
                        const std::vector<FailedRecipient>& failed, absl::Time now) {
  const std::string boundary = absl::StrCat("=_kurier_", absl::ToUnixMicros(now));
  std::string out = absl::StrCat(
      "From: Mail Delivery System <MAILER-DAEMON@", hostname, ">\r\n", "To: <", sender, ">\r\n",
      "Subject: Undelivered Mail Returned to Sender\r\n", "Date: ", Rfc5322Date(now), "\r\n",
      "Message-ID: ", NewMessageId(hostname), "\r\n", "Auto-Submitted: auto-replied\r\n", "MIME-Version: 1.0\r\n",
      "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"", boundary, "\"\r\n\r\n",
      "--", boundary, "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
      "Your message was delivered to its other recipients, but not to:\r\n\r\n");
  for (const FailedRecipient& r : failed) absl::StrAppend(&out, "  <", r.address, ">: ", r.diagnostic, "\r\n");
  absl::StrAppend(&out, "\r\n--", boundary, "\r\nContent-Type: message/delivery-status\r\n\r\n",
                  "Reporting-MTA: dns; ", hostname, "\r\n", "Arrival-Date: ", Rfc5322Date(now), "\r\n");
  for (const FailedRecipient& r : failed) {
    absl::StrAppend(&out, "\r\nFinal-Recipient: rfc822; ", r.address, "\r\nAction: failed\r\nStatus: ", r.status,
                    "\r\nDiagnostic-Code: smtp; ", r.diagnostic, "\r\n");
  }
  // The original's header only (RET=HDRS is what a bounce needs to be traced).
  const size_t header_end = mime::HeaderEnd(original);
  absl::StrAppend(&out, "\r\n--", boundary, "\r\nContent-Type: text/rfc822-headers\r\n\r\n",
                  original.substr(0, header_end));
  if (header_end == original.size() && !original.empty() && original.back() != '\n') out += "\r\n";
  absl::StrAppend(&out, "\r\n--", boundary, "--\r\n");
  return out;
}

}  // namespace kurier::smtp
