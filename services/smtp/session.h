// One SMTP connection. The session loop owns the socket, the timeouts, the
// STARTTLS upgrade and shutdown; it reads command lines through the shared
// LineDecoder and hands each to its handler in the command table, and it
// switches to the message readers for DATA and BDAT. Replies are collected
// and written when no further command is already buffered (RFC 2920
// PIPELINING).
//
// Policy by listener (smtp_context.h): on the MX port nobody
// authenticates and only local recipients are accepted; on the submission
// ports AUTH is required before MAIL, the sender must be an address of the
// account, and remote recipients go on the outbound queue.
#ifndef KURIER_SERVICES_SMTP_SESSION_H_
#define KURIER_SERVICES_SMTP_SESSION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/codec/line_decoder.h"
#include "services/common/net/listener.h"
#include "services/common/net/stream.h"
#include "services/smtp/codec/message_reader.h"
#include "services/smtp/codec/reply_writer.h"
#include "services/smtp/smtp_context.h"
#include "services/smtp/transaction.h"

namespace kurier::smtp {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(SmtpContext* context, net::Stream stream, net::ConnectionInfo info);
  ~Session();

  // Runs the connection to its end.
  boost::asio::awaitable<void> Run();

  // --- For command handlers -------------------------------------------------
  SmtpContext& context() { return *context_; }
  const net::ConnectionInfo& info() const { return info_; }
  uint64_t id() const { return info_.id; }
  boost::asio::any_io_executor executor() { return stream_.executor(); }
  // A submission port (587 or 465): AUTH required, remote recipients allowed.
  bool is_submission() const { return submission_; }
  bool is_tls() const { return stream_.is_tls(); }
  std::string tls_version() const { return stream_.tls_version(); }
  std::string tls_cipher() const { return stream_.tls_cipher(); }
  // STARTTLS is possible: a certificate is loaded and TLS is not up yet.
  bool tls_available() const;
  // AUTH is offered: on submission ports, after TLS unless configured.
  bool auth_available() const;
  bool plaintext_allowed() const;

  void Reply(int code, absl::string_view enhanced, absl::string_view text);
  void Reply(const smtp::Reply& reply);
  std::string& output() { return out_; }
  // Ends the session after the pending output is written.
  void Close() { closing_ = true; }
  // A refused command: counted under `reason`; too many close the connection.
  void Refuse(const smtp::Reply& reply, absl::string_view reason);
  void Count(absl::string_view series, double by = 1);

  // EHLO/HELO: the name the client gave, and whether it spoke ESMTP.
  const std::string& helo() const { return helo_; }
  bool esmtp() const { return esmtp_; }
  void Greeted(std::string helo, bool esmtp);

  Transaction& transaction() { return transaction_; }
  void ResetTransaction() { transaction_ = Transaction(); }

  // The authenticated account (empty before AUTH) and its addresses.
  const std::string& account() const { return account_; }
  const std::vector<std::string>& account_addresses() const { return account_addresses_; }
  void Authenticated(std::string account, std::vector<std::string> addresses);

  // One line of a SASL exchange (RFC 4954), decoded; CANCELLED for "*".
  boost::asio::awaitable<absl::StatusOr<std::string>> ReadSaslLine();
  // Checks the throttle for (ip, user): waits the growing delay, or answers
  // and returns false when refused.
  boost::asio::awaitable<bool> ThrottleAllows(const std::string& user);
  // After a failed authentication: counted, answered, maybe disconnected.
  void AuthFailed(const std::string& user, const smtp::Reply& reply);

  // STARTTLS after its 220 has been queued.
  boost::asio::awaitable<void> UpgradeToTls();

  // DATA after its 354 has been queued: reads the content up to the
  // end-of-data marker into `reader`. False when the connection ended.
  boost::asio::awaitable<bool> ReadData(MessageReader& reader);
  // BDAT: feeds the next `size` octets to `reader` (null: drops them).
  boost::asio::awaitable<bool> ReadChunk(MessageReader* reader, uint64_t size);

  // The message with this idempotency key got its final answer (250, or a
  // 5xx): once that is written, the store may forget the key
  // (answered_keys.h). Keys of 4xx answers are kept for the retry.
  void AcceptedWithKey(std::string key) { accepted_keys_.push_back(std::move(key)); }

  // A sequence number for the messages of this session (Received: ids).
  uint32_t NextMessageNumber() { return ++messages_; }

  // Called from any thread at shutdown.
  void OnShutdown();

 private:
  enum class LineResult { kLine, kTooLong, kClosed };
  boost::asio::awaitable<LineResult> ReadLine(std::string* line);
  // Reads at most `capacity` bytes from the client into `data`; 0 when the
  // connection ended or timed out (after saying so).
  boost::asio::awaitable<size_t> ReadMore(char* data, size_t capacity, std::chrono::seconds timeout);
  boost::asio::awaitable<bool> Flush();
  boost::asio::awaitable<void> Dispatch(const std::string& line);

  SmtpContext* const context_;
  net::Stream stream_;
  const net::ConnectionInfo info_;
  const bool submission_;
  codec::LineDecoder decoder_;
  std::string out_;
  bool closing_ = false;
  bool shutting_down_ = false;
  uint32_t errors_ = 0;
  int auth_failures_ = 0;
  uint32_t messages_ = 0;
  std::string helo_;
  bool esmtp_ = false;
  std::string account_;
  std::vector<std::string> account_addresses_;
  Transaction transaction_;
  std::vector<std::string> accepted_keys_;
};

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_SESSION_H_
