#include "services/smtp/store_errors.h"

#include "services/common/log/log.h"

namespace kurier::smtp {

Reply StoreErrorReply(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    return {552, "5.3.4", "Message too big for the mailbox store"};
  }
  if (status.code() != absl::StatusCode::kUnavailable && status.code() != absl::StatusCode::kDeadlineExceeded) {
    log::Warning("store error", {{"error", status.ToString()}});
  }
  return {451, "4.3.0", "Temporary failure, try again later"};
}

}  // namespace kurier::smtp
