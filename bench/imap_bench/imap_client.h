// A small blocking IMAP4rev1 client for the benchmark: one TCP connection,
// one thread at a time, every read and write bounded by a timeout. It reads
// whole responses (literals included, RFC 9051 §4.3) and leaves their meaning
// to the caller; only what the load generator needs.
#ifndef KURIER_BENCH_IMAP_BENCH_IMAP_CLIENT_H_
#define KURIER_BENCH_IMAP_BENCH_IMAP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/common/line_socket.h"

namespace kurier::bench::imap {

// One response as read. `text` is the response with each literal's bytes left
// out (its "{n}" stays); literals[i] was announced at text offset
// literal_at[i] (just after its "}").
struct ImapResponse {
  std::string text;
  std::vector<std::string> literals;
  std::vector<size_t> literal_at;

  // The literal that follows `item` (e.g. "BODY[]"), or nullptr.
  const std::string* LiteralAfter(absl::string_view item) const;
};

class ImapClient {
 public:
  // Connects and reads the greeting (which must be "* OK").
  // `buffer_bytes`: the read buffer; large for downloads, small for the
  // thousands of idle connections.
  static absl::StatusOr<ImapClient> Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                            size_t buffer_bytes);

  ImapClient(ImapClient&& other) noexcept = default;
  ImapClient& operator=(ImapClient&& other) noexcept = default;
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;
  ~ImapClient() = default;

  using UntaggedFn = std::function<absl::Status(const ImapResponse&)>;

  // Sends "<tag> <command>" and reads up to the tagged completion; each
  // untagged response goes to `on_untagged` first (when given), whose error
  // is returned after the completion is read. Returns the text of the tagged
  // OK; NO or BAD is FAILED_PRECONDITION with the line, a broken connection
  // UNAVAILABLE.
  absl::StatusOr<std::string> Command(absl::string_view command, const UntaggedFn& on_untagged = nullptr);

  // LOGIN with both arguments quoted.
  absl::Status Login(absl::string_view user, absl::string_view password);

  // APPEND of `message` to `mailbox`, as a synchronizing literal.
  absl::StatusOr<std::string> Append(absl::string_view mailbox, absl::string_view message);

  // IDLE (RFC 2177): StartIdle sends it and waits for the continuation;
  // EndIdle sends DONE and reads the completion, skipping what the server
  // sent meanwhile.
  absl::Status StartIdle();
  absl::Status EndIdle();

 private:
  explicit ImapClient(LineSocket socket) : socket_(std::move(socket)) {}
  absl::Status ReadResponse(ImapResponse* response);
  // Reads to the tagged completion of `tag`.
  absl::StatusOr<std::string> Complete(const std::string& tag, const UntaggedFn& on_untagged);
  std::string NextTag();

  LineSocket socket_;
  uint64_t tags_ = 0;
  std::string idle_tag_;
};

// "quoted" with \ and " escaped.
std::string Quote(absl::string_view s);

}  // namespace kurier::bench::imap

#endif  // KURIER_BENCH_IMAP_BENCH_IMAP_CLIENT_H_
