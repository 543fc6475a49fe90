// A blocking TCP connection to a line-based mail server for the load
// generators (pop3_bench, imap_bench): IPv4, TCP_NODELAY, every read and
// write bounded by a timeout, and a read buffer whose size the caller picks
// (large for downloads, small for thousands of idle connections).
#ifndef KURIER_BENCH_COMMON_LINE_SOCKET_H_
#define KURIER_BENCH_COMMON_LINE_SOCKET_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kurier::bench {

class LineSocket {
 public:
  // Connects to host (an IPv4 address) and port. The buffer holds at least
  // 512 bytes and grows for a line longer than it.
  static absl::StatusOr<LineSocket> Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                            size_t buffer_bytes);
  LineSocket(LineSocket&& other) noexcept;
  LineSocket& operator=(LineSocket&& other) noexcept;
  LineSocket(const LineSocket&) = delete;
  LineSocket& operator=(const LineSocket&) = delete;
  ~LineSocket();

  // Sends all of `data`; UNAVAILABLE on failure.
  absl::Status Send(absl::string_view data);
  // One line without its CRLF; DATA_LOSS for a line ending in a bare LF,
  // UNAVAILABLE at end of stream or timeout.
  absl::StatusOr<std::string> ReadLine();
  // Exactly n bytes into *out (large ones straight from the socket).
  absl::Status ReadBytes(size_t n, std::string* out);

  // The bytes read and not yet consumed, for callers that scan the buffer
  // themselves (POP3 multi-line replies); Consume drops the first n, Fill
  // reads more (UNAVAILABLE at end of stream or timeout).
  absl::string_view buffered() const { return absl::string_view(buffer_.data() + begin_, end_ - begin_); }
  void Consume(size_t n) { begin_ += n; }
  absl::Status Fill();

 private:
  LineSocket(int fd, size_t buffer_bytes);

  int fd_ = -1;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
  size_t end_ = 0;
};

}  // namespace kurier::bench

#endif  // KURIER_BENCH_COMMON_LINE_SOCKET_H_
