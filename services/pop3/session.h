// One POP3 connection: the session loop owns the socket, the timeouts, the
// STLS upgrade and shutdown; it reads command lines through the codec's
// LineDecoder and hands each to its handler in the command table. Replies are
// collected in an output buffer and written when no further command is
// already buffered (RFC 2449 PIPELINING) or the buffer is large.
//
// States (RFC 1939): AUTHORIZATION until USER/PASS or AUTH succeed and the
// account's exclusive-access lease is taken in the store; TRANSACTION with a
// snapshot of INBOX; UPDATE only on QUIT. A connection that ends any other
// way removes nothing.
#ifndef KURIER_SERVICES_POP3_SESSION_H_
#define KURIER_SERVICES_POP3_SESSION_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/steady_timer.hpp"
#include "services/common/net/listener.h"
#include "services/common/net/stream.h"
#include "services/pop3/codec/command_decoder.h"
#include "services/pop3/maildrop.h"
#include "services/pop3/pop3_context.h"
#include "services/pop3/store_errors.h"

namespace kurier::pop3 {

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { kAuthorization, kTransaction, kClosed };

  Session(Pop3Context* context, net::Stream stream, net::ConnectionInfo info);
  ~Session();

  // Runs the connection to its end.
  boost::asio::awaitable<void> Run();

  // --- For command handlers -------------------------------------------------
  State state() const { return state_; }
  Pop3Context& context() { return *context_; }
  const net::ConnectionInfo& info() const { return info_; }
  uint64_t id() const { return info_.id; }
  bool is_tls() const { return stream_.is_tls(); }
  // USER/PASS and PLAIN/LOGIN are allowed on TLS, or when configured.
  bool plaintext_allowed() const;
  // STLS is possible: a certificate is loaded and TLS is not up yet.
  bool tls_available() const;

  void Ok(absl::string_view text);
  void Err(absl::string_view text);
  void Err(absl::string_view code, absl::string_view text);
  void Err(const ErrorReply& reply);
  std::string& output() { return out_; }
  // Writes the output buffer; false when the connection failed.
  boost::asio::awaitable<bool> Flush();
  // Ends the session after the pending output is written.
  void Close() { closing_ = true; }
  // A bad command: counted; too many close the connection.
  void BadCommand(absl::string_view text);

  // USER remembered for PASS.
  std::optional<std::string>& pending_user() { return pending_user_; }

  // One line of a SASL exchange (RFC 5034): longer than a command line.
  boost::asio::awaitable<absl::StatusOr<std::string>> ReadSaslLine();

  // Checks the throttle for (ip, user): waits the growing delay, or answers
  // and returns false when refused.
  boost::asio::awaitable<bool> ThrottleAllows(const std::string& user);
  // After a failed authentication: counted, answered, maybe disconnected.
  void AuthFailed(const std::string& user, absl::string_view code, absl::string_view text);
  // After a successful authentication: takes the lease, loads the maildrop,
  // enters TRANSACTION, answers.
  boost::asio::awaitable<void> LoggedIn(const std::string& user, const std::string& account);

  // STLS after its "+OK" has been queued.
  boost::asio::awaitable<void> UpgradeToTls();

  Maildrop& maildrop() { return maildrop_; }
  const std::string& account() const { return account_; }
  const std::string& lease_id() const { return lease_id_; }
  // Messages read ahead of RETR (see commands_transaction.cc). Bounded by
  // kMaxPrefetchBytes, and dropped when the client goes quiet, so that an
  // idle session holds no message bytes.
  static constexpr size_t kMaxPrefetchBytes = 256 * 1024;
  std::optional<std::string> TakePrefetched(uint32_t uid);
  void AddPrefetched(uint32_t uid, std::string data);
  size_t prefetched_bytes() const { return prefetched_bytes_; }
  void DropPrefetched();

  // Ends TRANSACTION without UPDATE (lease released, nothing removed).
  boost::asio::awaitable<void> ReleaseLease();

  // Called from any thread at shutdown.
  void OnShutdown();

 private:
  enum class LineResult { kLine, kTooLong, kClosed };
  boost::asio::awaitable<LineResult> ReadLine(std::string* line);
  boost::asio::awaitable<void> Dispatch(const std::string& line);
  boost::asio::awaitable<void> RenewLeaseLoop(std::shared_ptr<Session> self);
  std::chrono::steady_clock::duration IdleTimeout() const;
  void Count(absl::string_view series, double by = 1);

  Pop3Context* const context_;
  net::Stream stream_;
  const net::ConnectionInfo info_;
  LineDecoder decoder_;
  std::string out_;
  State state_ = State::kAuthorization;
  bool closing_ = false;
  bool shutting_down_ = false;
  int bad_commands_ = 0;
  int auth_failures_ = 0;
  std::optional<std::string> pending_user_;
  std::string account_;
  std::string lease_id_;
  Maildrop maildrop_;
  std::deque<std::pair<uint32_t, std::string>> prefetched_;
  size_t prefetched_bytes_ = 0;
  boost::asio::steady_timer lease_timer_;
};

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_SESSION_H_
