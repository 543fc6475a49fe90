// smtp_bench: the latency of a single SMTP delivery, for bench/run
// (bench/README.md). Throughput is measured with Postfix's smtp-source; this
// times one message at a time, each on a fresh connection:
//
//   latency  --repeat rounds (after --warmup) of connect, greeting, EHLO,
//            MAIL, RCPT, DATA, the message (a corpus message of --size
//            bytes, dot-stuffed), ".", QUIT and its reply; prints the
//            percentiles and "result,<label>,0,<rounds>,<p50>,<p99>,<max>"
//            (milliseconds)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/common/bench_cli.h"
#include "bench/corpus/corpus_message.h"

namespace kurier::bench::smtp {
namespace {

using cli::Options;
using Clock = std::chrono::steady_clock;

// One blocking SMTP connection; every read and write bounded by a timeout.
class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  absl::Status Open(const std::string& host, int port, int timeout_s) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return absl::InvalidArgumentError(host);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Errno("socket");
    timeval tv{.tv_sec = timeout_s, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return Errno("connect");
    return Expect("220");
  }

  absl::Status Send(absl::string_view data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("send");
      }
      sent += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Reads a reply (every line of a multi-line one) and checks its code.
  absl::Status Expect(absl::string_view code) {
    for (;;) {
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        const std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (line.size() < 4 || !absl::StartsWith(line, code)) {
          return absl::FailedPreconditionError(absl::StrCat("expected ", code, ", server said: ", line));
        }
        if (line[3] == ' ' || line[3] == '\r') return absl::OkStatus();
        continue;  // "250-..." : more lines follow
      }
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return absl::UnavailableError("connection closed by the server");
      if (errno == EINTR) continue;
      return Errno("recv");
    }
  }

 private:
  static absl::Status Errno(absl::string_view what) {
    return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
  }

  int fd_ = -1;
  std::string buffer_;
};

// RFC 5321 §4.5.2: a line that starts with "." gets another.
std::string DotStuff(const std::string& message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out;
}

absl::Status Deliver(const Options& o, const std::string& data) {
  Connection c;
  if (absl::Status s = c.Open(o.Str("host", "127.0.0.1"), static_cast<int>(o.Num("port", 0)),
                              static_cast<int>(o.Num("timeout", 60)));
      !s.ok()) {
    return s;
  }
  const std::vector<std::pair<std::string, std::string>> steps = {
      {absl::StrCat("EHLO ", o.Str("helo", "client.bench.invalid"), "\r\n"), "250"},
      {absl::StrCat("MAIL FROM:<", o.Str("from", "sender@example.com"), ">\r\n"), "250"},
      {absl::StrCat("RCPT TO:<", o.Str("to", ""), ">\r\n"), "250"},
      {"DATA\r\n", "354"},
      {data, "250"},
      {"QUIT\r\n", "221"},
  };
  for (const auto& [send, code] : steps) {
    if (absl::Status s = c.Send(send); !s.ok()) return s;
    if (absl::Status s = c.Expect(code); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int Latency(const Options& o) {
  const std::string to = o.Str("to", "");
  if (o.Num("port", 0) == 0 || to.empty()) {
    std::cerr << "smtp_bench latency: --port and --to are required\n";
    return 2;
  }
  const uint64_t warmup = o.Num("warmup", 20);
  const uint64_t rounds = o.Num("repeat", 300);
  std::vector<double> ms;
  for (uint64_t round = 0; round < warmup + rounds; ++round) {
    // The message is made before the clock starts.
    const std::string data = absl::StrCat(
        DotStuff(corpus::MakeSizedMessage(o.Num("seed", 1), to, round, o.Num("size", 5120), corpus::Shape::kAlternative)),
        ".\r\n");
    const Clock::time_point start = Clock::now();
    if (absl::Status s = Deliver(o, data); !s.ok()) {
      std::cerr << "smtp_bench latency: round " << round << ": " << s << "\n";
      return 1;
    }
    if (round >= warmup) ms.push_back(std::chrono::duration<double>(Clock::now() - start).count() * 1000);
  }
  const double p50 = cli::Percentile(ms, 0.50);
  const double p99 = cli::Percentile(ms, 0.99);
  const double max = cli::Percentile(ms, 1.0);
  std::cout << absl::StrFormat("smtp delivery, connect to QUIT: %u rounds, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                               ms.size(), p50, p99, max)
            << absl::StrFormat("result,%s,0,%u,%.3f,%.3f,%.3f\n", o.Str("label", "-"), ms.size(), p50, p99, max)
            << std::flush;
  return 0;
}

constexpr char kUsage[] =
    "usage: smtp_bench latency --port=N --to=ADDR [--host=127.0.0.1 --from=ADDR --helo=NAME --size=5120\n"
    "                          --seed=1 --repeat=300 --warmup=20 --timeout=60 --label=L]\n"
    "See bench/README.md.\n";

int Main(int argc, char** argv) {
  const std::string command = argc >= 2 ? argv[1] : "";
  if (command != "latency") {
    const bool help = command == "--help" || command == "help";
    std::cerr << kUsage;
    return help ? 0 : 2;
  }
  absl::StatusOr<Options> options =
      Options::Parse(std::vector<std::string>(argv + 2, argv + argc),
                     {"host", "port", "to", "from", "helo", "size", "seed", "repeat", "warmup", "timeout", "label"});
  if (!options.ok()) {
    std::cerr << "smtp_bench: " << options.status().message() << "\n" << kUsage;
    return 2;
  }
  return Latency(*options);
}

}  // namespace
}  // namespace kurier::bench::smtp

int main(int argc, char** argv) { return kurier::bench::smtp::Main(argc, argv); }
