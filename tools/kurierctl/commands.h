// kurierctl's commands: each turns a parsed Invocation into calls on the
// store's MailStore API (proto/kurier/store/v1/store.proto) and writes
// plain lines for an operator.
//
// SECURITY: the tool trusts the store it is pointed at and talks to it
// without TLS, as every other internal client does; run it where the store's
// gRPC port is reachable (loopback, the cluster network). A generated
// password is printed once on standard output and kept nowhere else.
#ifndef KURIER_TOOLS_KURIERCTL_COMMANDS_H_
#define KURIER_TOOLS_KURIERCTL_COMMANDS_H_

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "tools/kurierctl/command_line.h"

namespace kurier::kurierctl {

// Every call to the store gets this deadline.
inline constexpr std::chrono::seconds kCallDeadline{30};

// Where a command reads and writes. read_password returns one line (without
// its line ending) when a command needs a password the user did not give.
// read_input returns all of standard input, byte for byte (deliver without
// --file).
struct CommandIo {
  std::ostream& out;
  std::function<absl::StatusOr<std::string>()> read_password;
  std::function<absl::StatusOr<std::string>()> read_input = nullptr;
};

// Runs inv.command (which must be set) against the store behind stub.
// Returns OK, or the failed call's status, whose message is meant for the
// operator as it is.
absl::Status RunCommand(const Invocation& inv, store::v1::MailStore::StubInterface& stub, CommandIo& io);

// Whether RunCommand knows the command of this name (see Commands()).
bool HasHandler(const std::string& name);

// A random password of the given length over [A-Za-z0-9], from OpenSSL's
// CSPRNG.
absl::StatusOr<std::string> GeneratePassword(size_t length = 16);

}  // namespace kurier::kurierctl

#endif  // KURIER_TOOLS_KURIERCTL_COMMANDS_H_
