#include "bench/pop3_bench/pop3_client.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kurier::bench::pop3 {
namespace {

// "+OK text" -> "text"; "-ERR ..." -> FAILED_PRECONDITION.
absl::StatusOr<std::string> Positive(const std::string& line) {
  if (line == "+OK") return std::string();
  if (line.rfind("+OK ", 0) == 0) return line.substr(4);
  return absl::FailedPreconditionError(absl::StrCat("server said: ", line));
}

}  // namespace

absl::StatusOr<Pop3Client> Pop3Client::Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                               size_t buffer_bytes) {
  absl::StatusOr<LineSocket> socket = LineSocket::Connect(host, port, timeout, buffer_bytes);
  if (!socket.ok()) return socket.status();
  Pop3Client client(*std::move(socket));
  absl::StatusOr<std::string> greeting = client.socket_.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (absl::StatusOr<std::string> ok = Positive(*greeting); !ok.ok()) return ok.status();
  return client;
}

absl::Status Pop3Client::SendLine(absl::string_view line) { return socket_.Send(absl::StrCat(line, "\r\n")); }

absl::StatusOr<std::string> Pop3Client::Command(absl::string_view command) {
  if (absl::Status s = SendLine(command); !s.ok()) return s;
  absl::StatusOr<std::string> line = socket_.ReadLine();
  if (!line.ok()) return line.status();
  return Positive(*line);
}

absl::Status Pop3Client::Login(absl::string_view user, absl::string_view password) {
  if (absl::StatusOr<std::string> r = Command(absl::StrCat("USER ", user)); !r.ok()) return r.status();
  if (absl::StatusOr<std::string> r = Command(absl::StrCat("PASS ", password)); !r.ok()) return r.status();
  return absl::OkStatus();
}

absl::Status Pop3Client::ReadMultiLine(std::string* out) {
  for (;;) {
    // Every complete line in the buffer.
    for (absl::string_view buffered = socket_.buffered();; buffered = socket_.buffered()) {
      const size_t newline = buffered.find('\n');
      if (newline == absl::string_view::npos) break;
      const size_t length = newline + 1;  // with CRLF
      if (length < 2 || buffered[length - 2] != '\r') return absl::DataLossError("line does not end in CRLF");
      if (buffered[0] == '.') {
        if (length == 3) {  // ".\r\n": the end
          socket_.Consume(length);
          return absl::OkStatus();
        }
        out->append(buffered.data() + 1, length - 1);
      } else {
        out->append(buffered.data(), length);
      }
      socket_.Consume(length);
    }
    if (absl::Status s = socket_.Fill(); !s.ok()) return s;
  }
}

absl::StatusOr<std::vector<uint64_t>> Pop3Client::List() {
  absl::StatusOr<std::string> first = Command("LIST");
  if (!first.ok()) return first.status();
  std::string listing;
  if (absl::Status s = ReadMultiLine(&listing); !s.ok()) return s;
  std::vector<uint64_t> sizes;
  for (absl::string_view line : absl::StrSplit(listing, "\r\n", absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    uint64_t number = 0;
    uint64_t size = 0;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &number) || !absl::SimpleAtoi(fields[1], &size) ||
        number != sizes.size() + 1) {
      return absl::DataLossError(absl::StrCat("bad LIST line: ", line));
    }
    sizes.push_back(size);
  }
  return sizes;
}

}  // namespace kurier::bench::pop3
