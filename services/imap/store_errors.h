// The one place where store errors become IMAP replies: the RFC 9051 §7.1
// response code and a fixed text. Details stay in the log.
#ifndef KURIER_SERVICES_IMAP_STORE_ERRORS_H_
#define KURIER_SERVICES_IMAP_STORE_ERRORS_H_

#include <string>

#include "absl/status/status.h"

namespace kurier::imap {

struct ErrorReply {
  std::string code;  // "UNAVAILABLE", "NONEXISTENT", "OVERQUOTA", ...; may be empty
  std::string text;
};

// `what` names the object for NOT_FOUND ("mailbox", "message").
ErrorReply StoreErrorReply(const absl::Status& status, const char* what = "mailbox");

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_STORE_ERRORS_H_
