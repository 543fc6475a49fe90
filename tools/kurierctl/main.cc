// kurierctl: the operator's command-line tool for a Kurier mailbox store.
//
//   kurierctl [--store=HOST:PORT] COMMAND ...     (kurierctl help lists them)
//
// A synchronous gRPC client of kurier.store.v1.MailStore; every call has a
// 30 s deadline. Output is plain lines on stdout; a failure prints
// "kurierctl: <message>" on stderr and exits 1, a usage error exits 2.
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

// All of stdin, byte for byte (read(2): no text-mode or locale translation).
absl::StatusOr<std::string> ReadAllStdin() {
  if (isatty(STDIN_FILENO) == 1) std::cerr << "Reading the message from standard input; end it with Ctrl-D.\n";
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n > 0) {
      data.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      return data;
    } else if (errno != EINTR) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read standard input: ", std::strerror(errno)));
    }
  }
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

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);  // as much as the store sends in one response
  auto channel = grpc::CreateCustomChannel(inv->store, grpc::InsecureChannelCredentials(), channel_args);
  auto stub = kurier::store::v1::MailStore::NewStub(channel);
  CommandIo io{std::cout, ReadPasswordFromStdin, ReadAllStdin};
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
