// kurierctl: the operator's command-line tool for a Kurier mailbox store.
//
//   kurierctl [--store=HOST:PORT] COMMAND ...     (kurierctl help lists them)
//
// A synchronous gRPC client of kurier.store.v1.MailStore; every call has a
// 30 s deadline. Output is plain lines on stdout; a failure prints
// "kurierctl: <message>" on stderr and exits 1, a usage error exits 2.
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/kurierctl/command_line.h"
#include "tools/kurierctl/commands.h"

namespace {

// One line from stdin. On a terminal it prompts on stderr and does not echo.
absl::StatusOr<std::string> ReadPasswordFromStdin() {
  const bool tty = isatty(STDIN_FILENO) == 1;
  termios saved{};
  bool echo_off = false;
  if (tty) {
    std::cerr << "New password: " << std::flush;
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (tty) std::cerr << "\n";
  if (!got) return absl::InvalidArgumentError("no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kurier::kurierctl;
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_store = std::getenv("KURIER_STORE");
  std::string default_store = env_store != nullptr && *env_store != '\0' ? env_store : "127.0.0.1:17000";

  absl::StatusOr<Invocation> inv = ParseCommandLine(args, default_store);
  if (!inv.ok()) {
    std::cerr << "kurierctl: " << inv.status().message() << "\n"
              << "Try 'kurierctl help' for usage.\n";
    return 2;
  }
  if (inv->help) {
    std::cout << UsageText(inv->help_topic);
    return 0;
  }

  auto channel = grpc::CreateChannel(inv->store, grpc::InsecureChannelCredentials());
  auto stub = kurier::store::v1::MailStore::NewStub(channel);
  CommandIo io{std::cout, ReadPasswordFromStdin};
  absl::Status status = RunCommand(*inv, *stub, io);
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << "kurierctl: " << status.message() << "\n";
    return 1;
  }
  if (!std::cout) {
    std::cerr << "kurierctl: could not write to standard output\n";
    return 1;
  }
  return 0;
}
