// A small blocking POP3 client for the benchmark: one TCP connection, one
// thread at a time, every read and write bounded by a timeout. Only what the
// benchmark needs: single-line replies, multi-line replies with dot-stuffing
// undone (RFC 1939 §3).
#ifndef KURIER_BENCH_POP3_BENCH_POP3_CLIENT_H_
#define KURIER_BENCH_POP3_BENCH_POP3_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/common/line_socket.h"

namespace kurier::bench::pop3 {

class Pop3Client {
 public:
  // Connects and reads the greeting (which must be "+OK").
  // `buffer_bytes` is the read buffer: large for downloads, small for the
  // thousands of idle connections.
  static absl::StatusOr<Pop3Client> Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                            size_t buffer_bytes);

  Pop3Client(Pop3Client&& other) noexcept = default;
  Pop3Client& operator=(Pop3Client&& other) noexcept = default;
  Pop3Client(const Pop3Client&) = delete;
  Pop3Client& operator=(const Pop3Client&) = delete;
  ~Pop3Client() = default;

  // Sends `command` CRLF and reads one reply line. Returns the text after
  // "+OK"; a "-ERR" reply is FAILED_PRECONDITION with the line, a broken
  // connection UNAVAILABLE.
  absl::StatusOr<std::string> Command(absl::string_view command);

  // USER, then PASS.
  absl::Status Login(absl::string_view user, absl::string_view password);

  // After a "+OK" of a multi-line reply: appends the lines up to the
  // terminating "." to *out, dot-stuffing undone, CRLFs kept.
  absl::Status ReadMultiLine(std::string* out);

  // LIST: the size of each message, numbered from 1 (sizes[0] is message 1).
  absl::StatusOr<std::vector<uint64_t>> List();

 private:
  explicit Pop3Client(LineSocket socket) : socket_(std::move(socket)) {}
  absl::Status SendLine(absl::string_view line);

  LineSocket socket_;
};

}  // namespace kurier::bench::pop3

#endif  // KURIER_BENCH_POP3_BENCH_POP3_CLIENT_H_
