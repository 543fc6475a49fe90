#include "services/mailstore/status_mapping.h"

#include <iostream>
#include <string>

namespace kurier::mailstore {

grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view method) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());  // absl and gRPC share the numbering
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      std::cerr << "level=error method=" << method << " status=\"" << status.ToString() << "\"\n";
      return grpc::Status(code == grpc::StatusCode::UNAVAILABLE ? code : grpc::StatusCode::INTERNAL,
                          "the store could not complete the request; see its log");
    default:
      return grpc::Status(code, std::string(status.message()));
  }
}

}  // namespace kurier::mailstore
