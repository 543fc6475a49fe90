#include "services/imap/store_errors.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kurier::imap {

ErrorReply StoreErrorReply(const absl::Status& status, const char* what) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound: return {"NONEXISTENT", absl::StrCat("no such ", what)};
    case absl::StatusCode::kAlreadyExists: return {"ALREADYEXISTS", "mailbox already exists"};
    case absl::StatusCode::kFailedPrecondition: return {"CANNOT", "not possible on this mailbox"};
    case absl::StatusCode::kInvalidArgument: return {"CANNOT", "invalid mailbox name"};
    case absl::StatusCode::kPermissionDenied: return {"NOPERM", "not allowed"};
    case absl::StatusCode::kResourceExhausted:
      // The store says "over quota"; anything else exhausted is temporary.
      if (absl::StrContains(status.message(), "quota")) return {"OVERQUOTA", "quota exceeded"};
      return {"UNAVAILABLE", "mail store busy, try again later"};
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled: return {"UNAVAILABLE", "mail store unavailable, try again later"};
    default: return {"SERVERBUG", "internal error"};
  }
}

}  // namespace kurier::imap
