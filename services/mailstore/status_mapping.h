// The one place where a storage status becomes a gRPC status. Codes keep their
// meaning for the caller; details of internal failures (paths, RocksDB
// messages) are logged here and never sent to a client.
#ifndef KURIER_SERVICES_MAILSTORE_STATUS_MAPPING_H_
#define KURIER_SERVICES_MAILSTORE_STATUS_MAPPING_H_

#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace kurier::mailstore {

grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view method);

}  // namespace kurier::mailstore

#endif  // KURIER_SERVICES_MAILSTORE_STATUS_MAPPING_H_
