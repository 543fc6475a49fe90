#include "bench/imap_bench/imap_client.h"

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

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kurier::bench::imap {
namespace {

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// The size of the literal a line announces at its end ("{123}" or "{123+}"),
// or -1.
int64_t LiteralAtEnd(absl::string_view line) {
  if (line.empty() || line.back() != '}') return -1;
  const size_t open = line.rfind('{');
  if (open == absl::string_view::npos) return -1;
  absl::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  uint64_t n = 0;
  if (digits.empty() || !absl::SimpleAtoi(digits, &n)) return -1;
  return static_cast<int64_t>(n);
}

}  // namespace

const std::string* ImapResponse::LiteralAfter(absl::string_view item) const {
  const size_t at = text.find(item.data(), 0, item.size());
  if (at == std::string::npos) return nullptr;
  for (size_t i = 0; i < literals.size(); ++i) {
    if (literal_at[i] > at) return &literals[i];
  }
  return nullptr;
}

std::string Quote(absl::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') q += '\\';
    q += c;
  }
  q += '"';
  return q;
}

absl::StatusOr<ImapClient> ImapClient::Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                               size_t buffer_bytes) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", host));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  ImapClient client(fd, buffer_bytes);
  timeval tv{.tv_sec = static_cast<time_t>(timeout.count()), .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return Errno("connect");
  absl::StatusOr<std::string> greeting = client.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (!absl::StartsWith(*greeting, "* OK")) {
    return absl::FailedPreconditionError(absl::StrCat("greeting: ", *greeting));
  }
  return client;
}

ImapClient::ImapClient(int fd, size_t buffer_bytes) : fd_(fd), buffer_(std::max<size_t>(buffer_bytes, 512)) {}

ImapClient::ImapClient(ImapClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      end_(other.end_),
      tags_(other.tags_),
      idle_tag_(std::move(other.idle_tag_)) {}

ImapClient& ImapClient::operator=(ImapClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    begin_ = other.begin_;
    end_ = other.end_;
    tags_ = other.tags_;
    idle_tag_ = std::move(other.idle_tag_);
  }
  return *this;
}

ImapClient::~ImapClient() {
  if (fd_ >= 0) close(fd_);
}

std::string ImapClient::NextTag() { return absl::StrCat("b", ++tags_); }

absl::Status ImapClient::Send(absl::string_view data) {
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

absl::Status ImapClient::Fill() {
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

absl::StatusOr<std::string> ImapClient::ReadLine() {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const size_t length = static_cast<const char*>(newline) - start;
      if (length == 0 || start[length - 1] != '\r') return absl::DataLossError("response line does not end in CRLF");
      std::string line(start, length - 1);
      begin_ += length + 1;
      return line;
    }
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
}

absl::Status ImapClient::ReadBytes(size_t n, std::string* out) {
  out->clear();
  out->reserve(n);
  while (out->size() < n) {
    if (begin_ == end_) {
      // Large literals go straight from the socket into `out`.
      if (n - out->size() >= buffer_.size()) {
        const size_t old = out->size();
        out->resize(n);
        const ssize_t got = recv(fd_, out->data() + old, n - old, 0);
        if (got > 0) {
          out->resize(old + static_cast<size_t>(got));
          continue;
        }
        out->resize(old);
        if (got == 0) return absl::UnavailableError("connection closed by the server");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return absl::UnavailableError("timed out waiting for the server");
        return Errno("recv");
      }
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    const size_t take = std::min(n - out->size(), end_ - begin_);
    out->append(buffer_.data() + begin_, take);
    begin_ += take;
  }
  return absl::OkStatus();
}

absl::Status ImapClient::ReadResponse(ImapResponse* response) {
  response->text.clear();
  response->literals.clear();
  response->literal_at.clear();
  for (;;) {
    absl::StatusOr<std::string> line = ReadLine();
    if (!line.ok()) return line.status();
    response->text += *line;
    const int64_t literal = LiteralAtEnd(*line);
    if (literal < 0) return absl::OkStatus();
    response->literal_at.push_back(response->text.size());
    response->literals.emplace_back();
    if (absl::Status s = ReadBytes(static_cast<size_t>(literal), &response->literals.back()); !s.ok()) return s;
  }
}

absl::StatusOr<std::string> ImapClient::Complete(const std::string& tag, const UntaggedFn& on_untagged) {
  ImapResponse response;
  absl::Status first_error;
  const std::string prefix = absl::StrCat(tag, " ");
  for (;;) {
    if (absl::Status s = ReadResponse(&response); !s.ok()) return s;
    if (absl::StartsWith(response.text, prefix)) {
      const std::string rest = response.text.substr(prefix.size());
      if (!absl::StartsWith(rest, "OK")) return absl::FailedPreconditionError(absl::StrCat("server said: ", rest));
      if (!first_error.ok()) return first_error;
      return rest;
    }
    if (on_untagged && first_error.ok() && absl::StartsWith(response.text, "* ")) first_error = on_untagged(response);
  }
}

absl::StatusOr<std::string> ImapClient::Command(absl::string_view command, const UntaggedFn& on_untagged) {
  const std::string tag = NextTag();
  if (absl::Status s = Send(absl::StrCat(tag, " ", command, "\r\n")); !s.ok()) return s;
  return Complete(tag, on_untagged);
}

absl::Status ImapClient::Login(absl::string_view user, absl::string_view password) {
  return Command(absl::StrCat("LOGIN ", Quote(user), " ", Quote(password))).status();
}

absl::StatusOr<std::string> ImapClient::Append(absl::string_view mailbox, absl::string_view message) {
  const std::string tag = NextTag();
  if (absl::Status s = Send(absl::StrCat(tag, " APPEND ", Quote(mailbox), " {", message.size(), "}\r\n")); !s.ok()) {
    return s;
  }
  for (;;) {
    absl::StatusOr<std::string> line = ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWith(*line, "+")) break;
    if (absl::StartsWith(*line, tag)) return absl::FailedPreconditionError(absl::StrCat("server said: ", *line));
  }
  if (absl::Status s = Send(message); !s.ok()) return s;
  if (absl::Status s = Send("\r\n"); !s.ok()) return s;
  return Complete(tag, nullptr);
}

absl::Status ImapClient::StartIdle() {
  idle_tag_ = NextTag();
  if (absl::Status s = Send(absl::StrCat(idle_tag_, " IDLE\r\n")); !s.ok()) return s;
  for (;;) {
    absl::StatusOr<std::string> line = ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWith(*line, "+")) return absl::OkStatus();
    if (absl::StartsWith(*line, idle_tag_)) return absl::FailedPreconditionError(absl::StrCat("server said: ", *line));
  }
}

absl::Status ImapClient::EndIdle() {
  if (absl::Status s = Send("DONE\r\n"); !s.ok()) return s;
  return Complete(idle_tag_, nullptr).status();
}

}  // namespace kurier::bench::imap
