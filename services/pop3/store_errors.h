// The one place where store errors become POP3 replies (RFC 2449 / RFC 3206
// response codes). Details stay in the log; the client gets a fixed text.
#ifndef KURIER_SERVICES_POP3_STORE_ERRORS_H_
#define KURIER_SERVICES_POP3_STORE_ERRORS_H_

#include <string>

#include "absl/status/status.h"

namespace kurier::pop3 {

struct ErrorReply {
  std::string code;  // "SYS/TEMP", "SYS/PERM", or empty
  std::string text;
};

ErrorReply StoreErrorReply(const absl::Status& status);

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_STORE_ERRORS_H_
