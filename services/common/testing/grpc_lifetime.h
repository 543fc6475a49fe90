// Keeps gRPC initialised for a whole test binary and shuts it down, waiting
// for its threads, before the process exits. Without it, gRPC 1.51's timer
// and resolver threads (e.g. reconnecting a channel to a closed port) can
// race static destruction and abort with ref_counted.h "prior > 0" after
// every test passed. Include this header in one file of a test binary that
// makes gRPC channels; it registers itself.
#ifndef KURIER_SERVICES_COMMON_TESTING_GRPC_LIFETIME_H_
#define KURIER_SERVICES_COMMON_TESTING_GRPC_LIFETIME_H_

#include "grpc/grpc.h"
#include "gtest/gtest.h"

namespace kurier::testing {

class GrpcLifetimeEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { grpc_init(); }
  // Runs after every suite's TearDownTestSuite, when the tests' channels are
  // gone: waits for gRPC's threads to finish.
  void TearDown() override { grpc_shutdown_blocking(); }
};

// Internal linkage, so that it is always initialised (and registered) in the
// including file; two including files register two, which is balanced.
[[maybe_unused]] static ::testing::Environment* const kGrpcLifetime =
    ::testing::AddGlobalTestEnvironment(new GrpcLifetimeEnvironment);

}  // namespace kurier::testing

#endif  // KURIER_SERVICES_COMMON_TESTING_GRPC_LIFETIME_H_
