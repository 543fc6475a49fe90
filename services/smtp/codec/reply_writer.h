// SMTP reply side of the codec: appends replies to an output buffer.
//
// STANDARDS
//   RFC 5321 4.2 reply lines ("250 text", "250-text" for all but the last
//   line of a multi-line reply). RFC 2034 / RFC 3463 enhanced status codes:
//   on every 2xx, 4xx and 5xx reply except the greeting and the EHLO/HELO
//   reply; not on 3xx (354, 334).
//
// SECURITY
//   A reply cannot be split or ended early by its text: CR, LF and NUL in a
//   text are written as spaces.
#ifndef KURIER_SERVICES_SMTP_CODEC_REPLY_WRITER_H_
#define KURIER_SERVICES_SMTP_CODEC_REPLY_WRITER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kurier::smtp {

struct Reply {
  int code = 250;
  // RFC 3463 "class.subject.detail", e.g. "2.1.0"; empty for none.
  std::string enhanced;
  std::string text;
};

// "code enhanced text\r\n" (the enhanced code left out when empty).
void AppendReply(std::string* out, int code, absl::string_view enhanced, absl::string_view text);
void AppendReply(std::string* out, const Reply& reply);

// A multi-line reply: "code-line\r\n" ... "code last\r\n", each line with
// the enhanced code when one is given. At least one line is written.
void AppendMultiline(std::string* out, int code, absl::string_view enhanced, const std::vector<std::string>& lines);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_CODEC_REPLY_WRITER_H_
