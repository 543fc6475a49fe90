#include "services/pop3/store_errors.h"

#include "services/common/store_client/store_client.h"

namespace kurier::pop3 {

ErrorReply StoreErrorReply(const absl::Status& status) {
  if (store_client::IsTemporary(status)) return {"SYS/TEMP", "mail store unavailable, try again later"};
  switch (status.code()) {
    case absl::StatusCode::kNotFound: return {"", "no such message; it was removed by another client"};
    case absl::StatusCode::kFailedPrecondition: return {"SYS/TEMP", "exclusive access was lost; try again"};
    default: return {"SYS/PERM", "internal error"};
  }
}

}  // namespace kurier::pop3
