#include "bench/common/line_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace kurier::bench {
namespace {

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// The error of a failed recv (n <= 0); OK means "retry" (EINTR).
absl::Status RecvError(ssize_t n) {
  if (n == 0) return absl::UnavailableError("connection closed by the server");
  if (errno == EINTR) return absl::OkStatus();
  if (errno == EAGAIN || errno == EWOULDBLOCK) return absl::UnavailableError("timed out waiting for the server");
  return Errno("recv");
}

}  // namespace

absl::StatusOr<LineSocket> LineSocket::Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                               size_t buffer_bytes) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", host));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  LineSocket socket(fd, buffer_bytes);
  timeval tv{.tv_sec = static_cast<time_t>(timeout.count()), .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return Errno("connect");
  return socket;
}

LineSocket::LineSocket(int fd, size_t buffer_bytes) : fd_(fd), buffer_(std::max<size_t>(buffer_bytes, 512)) {}

LineSocket::LineSocket(LineSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), begin_(other.begin_), end_(other.end_) {}

LineSocket& LineSocket::operator=(LineSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    begin_ = other.begin_;
    end_ = other.end_;
  }
  return *this;
}

LineSocket::~LineSocket() {
  if (fd_ >= 0) close(fd_);
}

absl::Status LineSocket::Send(absl::string_view data) {
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

absl::Status LineSocket::Fill() {
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
    if (absl::Status s = RecvError(n); !s.ok()) return s;
  }
}

absl::StatusOr<std::string> LineSocket::ReadLine() {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const size_t length = static_cast<const char*>(newline) - start;
      if (length == 0 || start[length - 1] != '\r') return absl::DataLossError("line does not end in CRLF");
      std::string line(start, length - 1);
      begin_ += length + 1;
      return line;
    }
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
}

absl::Status LineSocket::ReadBytes(size_t n, std::string* out) {
  out->clear();
  out->reserve(n);
  while (out->size() < n) {
    if (begin_ == end_) {
      // Large reads go straight from the socket into `out`.
      if (n - out->size() >= buffer_.size()) {
        const size_t old = out->size();
        out->resize(n);
        const ssize_t got = recv(fd_, out->data() + old, n - old, 0);
        out->resize(old + static_cast<size_t>(std::max<ssize_t>(got, 0)));
        if (got > 0) continue;
        if (absl::Status s = RecvError(got); !s.ok()) return s;
        continue;
      }
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    const size_t take = std::min(n - out->size(), end_ - begin_);
    out->append(buffer_.data() + begin_, take);
    begin_ += take;
  }
  return absl::OkStatus();
}

}  // namespace kurier::bench
