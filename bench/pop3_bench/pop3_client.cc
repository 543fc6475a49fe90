#include "bench/pop3_bench/pop3_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kurier::bench::pop3 {
namespace {

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// "+OK text" -> "text"; "-ERR ..." -> FAILED_PRECONDITION.
absl::StatusOr<std::string> Positive(const std::string& line) {
  if (line == "+OK") return std::string();
  if (line.rfind("+OK ", 0) == 0) return line.substr(4);
  return absl::FailedPreconditionError(absl::StrCat("server said: ", line));
}

}  // namespace

absl::StatusOr<Pop3Client> Pop3Client::Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                               size_t buffer_bytes) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", host));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  Pop3Client client(fd, buffer_bytes);
  timeval tv{.tv_sec = static_cast<time_t>(timeout.count()), .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return Errno("connect");
  absl::StatusOr<std::string> greeting = client.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (absl::StatusOr<std::string> ok = Positive(*greeting); !ok.ok()) return ok.status();
  return client;
}

Pop3Client::Pop3Client(int fd, size_t buffer_bytes) : fd_(fd), buffer_(buffer_bytes < 512 ? 512 : buffer_bytes) {}

Pop3Client::Pop3Client(Pop3Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), begin_(other.begin_), end_(other.end_) {}

Pop3Client& Pop3Client::operator=(Pop3Client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    begin_ = other.begin_;
    end_ = other.end_;
  }
  return *this;
}

Pop3Client::~Pop3Client() {
  if (fd_ >= 0) close(fd_);
}

absl::Status Pop3Client::SendLine(absl::string_view line) {
  std::string data = absl::StrCat(line, "\r\n");
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

absl::Status Pop3Client::Fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a line longer than the buffer
  for (;;) {
    const ssize_t n = recv(fd_, buffer_.data() + end_, buffer_.size() - end_, 0);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return absl::OkStatus();
    }
    if (n == 0) return absl::UnavailableError("connection closed by the server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return absl::UnavailableError("timed out waiting for the server");
    return Errno("recv");
  }
}

absl::StatusOr<std::string> Pop3Client::ReadLine() {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const size_t length = static_cast<const char*>(newline) - start;
      if (length == 0 || start[length - 1] != '\r') return absl::DataLossError("reply line does not end in CRLF");
      std::string line(start, length - 1);
      begin_ += length + 1;
      return line;
    }
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
}

absl::StatusOr<std::string> Pop3Client::Command(absl::string_view command) {
  if (absl::Status s = SendLine(command); !s.ok()) return s;
  absl::StatusOr<std::string> line = ReadLine();
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
    while (begin_ < end_) {
      const char* start = buffer_.data() + begin_;
      const void* newline = std::memchr(start, '\n', end_ - begin_);
      if (newline == nullptr) break;
      const size_t length = static_cast<const char*>(newline) - start + 1;  // with CRLF
      if (length < 2 || start[length - 2] != '\r') return absl::DataLossError("line does not end in CRLF");
      begin_ += length;
      if (start[0] == '.') {
        if (length == 3) return absl::OkStatus();  // ".\r\n": the end
        out->append(start + 1, length - 1);
      } else {
        out->append(start, length);
      }
    }
    if (absl::Status s = Fill(); !s.ok()) return s;
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
