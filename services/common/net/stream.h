// One client connection: TCP, optionally upgraded to TLS in place (STARTTLS,
// STLS, or right away on implicit-TLS ports).
//
// Threading: a Stream belongs to the io_context of its socket and is used
// only from there (the session's coroutine). The exception is Control (and
// Stream::Abort), which may be used from any thread.
//
// Concurrency: at most one ReadSome and one WriteAll may be pending at a time
// (IMAP IDLE may read and write at once); StartTls and Close want neither.
//
// Errors are values: nothing here throws (except std::bad_alloc).
//
// Design notes
//  - TLS is OpenSSL driven directly over the non-blocking socket (a small
//    BIO that calls send/recv), with Asio only waiting for readiness. Unlike
//    asio::ssl::stream this keeps no buffers of its own (asio::ssl::stream
//    holds 2 x 17 KiB in the stream plus a 2 x 17 KiB BIO pair per
//    connection), and with SSL_MODE_RELEASE_BUFFERS OpenSSL frees its record
//    buffers while a connection is idle. It also means a timed-out or
//    interrupted read never leaves OpenSSL mid-operation: the connection
//    stays usable, e.g. for "* BYE Autologout".
//  - Timeouts are lazy deadlines: each operation stores "now + timeout" and
//    one steady_timer per Stream sleeps until the earliest deadline. A read
//    that completes in time only stores the time: the timer is re-armed only
//    when it fires early, at most once per timeout period. No per-read timer,
//    no per-read allocation for the timeout. A deadline that passes cancels
//    just that operation (per-operation cancellation slots).
//  - Reads wait for readiness and then read, so no buffer is pinned in the
//    kernel's name while a connection is idle; the caller's buffer is only
//    touched when bytes are there.
#ifndef KURIER_SERVICES_COMMON_NET_STREAM_H_
#define KURIER_SERVICES_COMMON_NET_STREAM_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace kurier::net {
namespace asio = boost::asio;
using Duration = std::chrono::steady_clock::duration;

// Pass as a timeout to wait without limit.
inline constexpr Duration kNoTimeout = Duration::max();

class Stream {
  struct Impl;

 public:
  // A thread-safe handle on a Stream, for shutdown and server-side kills.
  // Copyable; becomes a no-op once the Stream is gone. Must not outlive the
  // io_context (the IoPool) of the Stream.
  class Control {
   public:
    Control() = default;
    // The pending ReadSome (or, if none is pending, the next one) completes
    // with asio::error::interrupted; the connection stays usable, so the
    // session can write its goodbye ("-ERR server shutting down", "* BYE").
    void Interrupt() const;
    // Cancels every pending operation and closes the socket, at once.
    void Abort() const;

   private:
    friend class Stream;
    Control(std::weak_ptr<Impl> impl, asio::any_io_executor executor)
        : impl_(std::move(impl)), executor_(std::move(executor)) {}
    std::weak_ptr<Impl> impl_;
    asio::any_io_executor executor_;
  };

  // Takes an accepted, connected socket. Turns on TCP_NODELAY and keepalive.
  explicit Stream(asio::ip::tcp::socket socket);
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  // Closes the socket at once (no TLS close_notify); call Close() first for a
  // polite end.
  ~Stream();

  // Reads what is available, at most buf.size() bytes (at least 1 unless
  // buf is empty). On end of stream, error, timeout or interrupt: n == 0 and
  // ec is set:
  //   asio::error::eof          the client closed (for TLS also a close
  //                             without close_notify: mail protocols have
  //                             their own end markers),
  //   asio::error::timed_out    nothing arrived within `timeout`; the
  //                             connection stays usable (say goodbye, Close),
  //   asio::error::interrupted  Control::Interrupt(); the connection stays
  //                             usable,
  //   asio::error::operation_aborted  Abort(), Close(), or a failed write/
  //                             handshake made the connection unusable,
  //   anything else             a socket or TLS error.
  asio::awaitable<std::pair<boost::system::error_code, size_t>> ReadSome(asio::mutable_buffer buf,
                                                                        Duration timeout);

  // Writes everything or fails. On timeout (asio::error::timed_out) or any
  // error the connection is closed and unusable: part of the data may have
  // been sent.
  asio::awaitable<boost::system::error_code> WriteAll(std::string_view data, Duration timeout);

  // WriteAll of a session's output buffer, which is emptied; a buffer grown
  // past `keep_capacity` (after a large response) is released rather than
  // kept through the idle time that usually follows.
  asio::awaitable<boost::system::error_code> WriteAndRelease(std::string* buffer, Duration timeout,
                                                             size_t keep_capacity);

  // Server-side TLS handshake over the live connection (STARTTLS/STLS and
  // implicit TLS ports). Bytes the session read before are the session's
  // business (RFC 3207 / 2595: discard them). The Stream keeps `ctx` alive.
  // On failure the connection is closed.
  asio::awaitable<boost::system::error_code> StartTls(std::shared_ptr<asio::ssl::context> ctx,
                                                      Duration timeout);

  bool is_tls() const;
  // "TLSv1.3" / "TLSv1.2"; empty when plain.
  std::string tls_version() const;
  // OpenSSL's cipher name, e.g. "TLS_AES_256_GCM_SHA384"; empty when plain.
  std::string tls_cipher() const;

  // Polite close, bounded by `timeout` in total: TLS close_notify (without
  // waiting for the client's), TCP shutdown of our side, then a short drain
  // of what the client still sends (so that our last reply is not destroyed
  // by a TCP reset), then close. Cancels a pending ReadSome. Safe to call
  // twice and after Abort.
  asio::awaitable<void> Close(Duration timeout);

  // Same as control().Abort(): from any thread.
  void Abort();
  Control control() const;

  // False after Close, Abort, or a failure that closed the connection.
  bool is_open() const;

  // As seen at accept time (IPv4-mapped IPv6 addresses are left as they are;
  // see ClientKey in connection_limits.h).
  const asio::ip::tcp::endpoint& remote() const;
  const asio::ip::tcp::endpoint& local() const;
  asio::any_io_executor executor();

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_STREAM_H_
