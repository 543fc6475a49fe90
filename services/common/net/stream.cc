#include "services/common/net/stream.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kurier::net {

using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
constexpr TimePoint kNever = TimePoint::max();

// At most this much of what the client still sends is read and dropped
// while closing.
constexpr size_t kMaxDrainBytes = 64 * 1024;

TimePoint DeadlineAfter(Duration timeout) {
  if (timeout == kNoTimeout) return kNever;
  const TimePoint now = Clock::now();
  if (timeout <= Duration::zero()) return now;
  if (timeout >= kNever - now) return kNever;
  return now + timeout;
}

// Operations that may wait: each has its own deadline and cancellation slot
// so that one timing out does not disturb the others.
enum Lane { kRead = 0, kWrite = 1, kControl = 2, kLanes = 3 };

enum class Need { kNothing, kRead, kWrite };

struct Attempt {
  error_code ec;
  size_t n = 0;
  Need need = Need::kNothing;  // would block: wait for this, then retry
};

}  // namespace

struct Stream::Impl : std::enable_shared_from_this<Stream::Impl> {
  explicit Impl(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {
    error_code ignored;
    remote = socket.remote_endpoint(ignored);
    local = socket.local_endpoint(ignored);
    // Operations try first and wait for readiness only when they would
    // block (see Attempt*).
    socket.non_blocking(true, ignored);
    socket.set_option(tcp::no_delay(true), ignored);
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
  }

  ~Impl() {
    if (ssl != nullptr) SSL_free(ssl);
  }

  // --- OpenSSL over the socket: a BIO calling recv/send directly. ---
  static BIO_METHOD* SocketBioMethod();
  static int BioRead(BIO* bio, char* out, int len);
  static int BioWrite(BIO* bio, const char* data, int len);
  static long BioCtrl(BIO* bio, int cmd, long num, void* ptr);
  static int BioCreate(BIO* bio);

  Attempt PlainRead(asio::mutable_buffer buf);
  Attempt PlainWrite(asio::const_buffer buf);
  Attempt TlsRead(asio::mutable_buffer buf);
  Attempt TlsWrite(asio::const_buffer buf);
  Attempt TlsFailure(int ssl_error);

  // Waits until the socket is ready for `type`; cancelled by the lane's
  // deadline, by Abort, or (read lane) by Interrupt.
  auto WaitReady(Lane lane, tcp::socket::wait_type type) {
    Arm();
    return socket.async_wait(
        type, asio::bind_cancellation_slot(lanes[lane].cancel.slot(), asio::as_tuple(asio::use_awaitable)));
  }
  static tcp::socket::wait_type WaitTypeFor(Need need) {
    return need == Need::kWrite ? tcp::socket::wait_write : tcp::socket::wait_read;
  }
  // The error a lane's operation reports when its wait ended with `ec`.
  error_code Failure(Lane lane, error_code ec);

  void BeginLane(Lane lane, Duration timeout) {
    lanes[lane].timed_out = false;
    lanes[lane].deadline = DeadlineAfter(timeout);
  }
  void EndLane(Lane lane) { lanes[lane].deadline = kNever; }

  // --- Deadlines (see stream.h). ---
  void Arm();
  void StartTimer(TimePoint at);
  void OnTimer();

  void CloseSocket() {
    open = false;
    error_code ignored;
    socket.close(ignored);  // completes pending waits with operation_aborted
    timer.cancel();
  }
  void Interrupt() {
    if (!open) return;
    interrupt_pending = true;
    if (read_pending) lanes[kRead].cancel.emit(asio::cancellation_type::terminal);
  }

  tcp::socket socket;
  asio::steady_timer timer;
  tcp::endpoint remote;
  tcp::endpoint local;

  std::shared_ptr<asio::ssl::context> tls_ctx;  // keeps the SSL_CTX of `ssl`
  SSL* ssl = nullptr;
  bool tls = false;         // handshake done
  bool tls_failed = false;  // fatal TLS error: no close_notify (OpenSSL rule)
  int last_errno = 0;       // set by the BIO

  bool open = true;
  bool closing = false;
  bool read_pending = false;
  bool interrupt_pending = false;

  struct LaneState {
    TimePoint deadline = kNever;
    bool timed_out = false;
    asio::cancellation_signal cancel;
  };
  std::array<LaneState, kLanes> lanes;
  bool timer_waiting = false;
  TimePoint armed = kNever;
};

// ---------------------------------------------------------------------------
// BIO

BIO_METHOD* Stream::Impl::SocketBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kurier-socket");
    BIO_meth_set_read(m, &Impl::BioRead);
    BIO_meth_set_write(m, &Impl::BioWrite);
    BIO_meth_set_ctrl(m, &Impl::BioCtrl);
    BIO_meth_set_create(m, &Impl::BioCreate);
    return m;
  }();
  return method;
}

int Stream::Impl::BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int Stream::Impl::BioRead(BIO* bio, char* out, int len) {
  BIO_clear_retry_flags(bio);
  auto* p = static_cast<Impl*>(BIO_get_data(bio));
  // Never touch a closed descriptor: its number may belong to another
  // connection by now.
  if (p == nullptr || !p->socket.is_open()) {
    if (p != nullptr) p->last_errno = EBADF;
    return -1;
  }
  ssize_t n = ::recv(p->socket.native_handle(), out, static_cast<size_t>(len), 0);
  if (n >= 0) return static_cast<int>(n);  // 0: end of stream
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    BIO_set_retry_read(bio);
  } else {
    p->last_errno = errno;
  }
  return -1;
}

int Stream::Impl::BioWrite(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  auto* p = static_cast<Impl*>(BIO_get_data(bio));
  if (p == nullptr || !p->socket.is_open()) {
    if (p != nullptr) p->last_errno = EBADF;
    return -1;
  }
  // MSG_NOSIGNAL: a client that went away must not SIGPIPE the server.
  ssize_t n = ::send(p->socket.native_handle(), data, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    BIO_set_retry_write(bio);
  } else {
    p->last_errno = errno;
  }
  return -1;
}

long Stream::Impl::BioCtrl(BIO* bio, int cmd, long num, void* ptr) {
  (void)bio;
  (void)num;
  (void)ptr;
  // Writes go straight to the socket: nothing to flush. Everything else
  // (kTLS, fd queries, ...) is unsupported.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Attempts: one non-blocking try.

Attempt Stream::Impl::PlainRead(asio::mutable_buffer buf) {
  Attempt a;
  a.n = socket.read_some(buf, a.ec);
  if (a.ec == asio::error::would_block || a.ec == asio::error::try_again) {
    a.ec = {};
    a.need = Need::kRead;
  }
  return a;
}

Attempt Stream::Impl::PlainWrite(asio::const_buffer buf) {
  Attempt a;
  a.n = socket.write_some(buf, a.ec);
  if (a.ec == asio::error::would_block || a.ec == asio::error::try_again) {
    a.ec = {};
    a.need = Need::kWrite;
  }
  return a;
}

Attempt Stream::Impl::TlsFailure(int ssl_error) {
  Attempt a;
  switch (ssl_error) {
    case SSL_ERROR_WANT_READ:
      a.need = Need::kRead;
      return a;
    case SSL_ERROR_WANT_WRITE:
      a.need = Need::kWrite;
      return a;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      a.ec = asio::error::eof;
      return a;
    case SSL_ERROR_SYSCALL:
      tls_failed = true;
      a.ec = last_errno != 0 ? error_code(last_errno, boost::system::system_category())
                             : error_code(asio::error::eof);
      return a;
    default: {
      tls_failed = true;
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        a.ec = asio::error::eof;  // closed without close_notify
      } else if (e != 0) {
        a.ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      } else {
        a.ec = asio::error::fault;
      }
      return a;
    }
  }
}

Attempt Stream::Impl::TlsRead(asio::mutable_buffer buf) {
  ERR_clear_error();  // the error queue is per thread, shared by connections
  last_errno = 0;
  size_t n = 0;
  int r = SSL_read_ex(ssl, buf.data(), buf.size(), &n);
  if (r == 1) {
    Attempt a;
    a.n = n;
    return a;
  }
  return TlsFailure(SSL_get_error(ssl, r));
}

Attempt Stream::Impl::TlsWrite(asio::const_buffer buf) {
  ERR_clear_error();
  last_errno = 0;
  size_t n = 0;
  int r = SSL_write_ex(ssl, buf.data(), buf.size(), &n);
  if (r == 1) {
    Attempt a;
    a.n = n;
    return a;
  }
  return TlsFailure(SSL_get_error(ssl, r));
}

error_code Stream::Impl::Failure(Lane lane, error_code ec) {
  if (!open || (closing && lane != kControl)) return asio::error::operation_aborted;
  if (lanes[lane].timed_out) return asio::error::timed_out;
  if (lane == kRead && interrupt_pending) {
    interrupt_pending = false;
    return asio::error::interrupted;
  }
  return ec;
}

// ---------------------------------------------------------------------------
// Deadlines

void Stream::Impl::Arm() {
  TimePoint next = kNever;
  for (const LaneState& l : lanes) next = std::min(next, l.deadline);
  if (next == kNever || !open) return;
  if (timer_waiting) {
    if (armed <= next) return;  // wakes early, then re-arms: nothing to do
    // An earlier deadline: moving the expiry cancels the pending wait, whose
    // handler (OnTimer) re-arms for the earliest deadline.
    armed = next;
    timer.expires_at(next);
    return;
  }
  StartTimer(next);
}

void Stream::Impl::StartTimer(TimePoint at) {
  armed = at;
  timer_waiting = true;
  timer.expires_at(at);
  timer.async_wait([weak = weak_from_this()](error_code) {
    if (auto p = weak.lock()) p->OnTimer();
  });
}

void Stream::Impl::OnTimer() {
  timer_waiting = false;
  armed = kNever;
  if (!open) return;
  const TimePoint now = Clock::now();
  TimePoint next = kNever;
  for (LaneState& l : lanes) {
    if (l.deadline <= now) {
      l.deadline = kNever;
      l.timed_out = true;
      l.cancel.emit(asio::cancellation_type::terminal);
    } else {
      next = std::min(next, l.deadline);
    }
  }
  if (next != kNever) StartTimer(next);
}

// ---------------------------------------------------------------------------
// Control

void Stream::Control::Interrupt() const {
  if (!executor_) return;
  asio::post(executor_, [weak = impl_] {
    if (auto p = weak.lock()) p->Interrupt();
  });
}

void Stream::Control::Abort() const {
  if (!executor_) return;
  asio::post(executor_, [weak = impl_] {
    if (auto p = weak.lock()) p->CloseSocket();
  });
}

// ---------------------------------------------------------------------------
// Stream

Stream::Stream(tcp::socket socket) : impl_(std::make_shared<Impl>(std::move(socket))) {}
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->CloseSocket();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Stream::~Stream() {
  if (impl_) impl_->CloseSocket();
}

asio::awaitable<std::pair<error_code, size_t>> Stream::ReadSome(asio::mutable_buffer buf,
                                                                Duration timeout) {
  // Holding the Impl keeps it alive if the Stream is destroyed meanwhile
  // (the socket is closed then and the wait ends at once).
  std::shared_ptr<Impl> self = impl_;
  Impl* p = self.get();
  if (p == nullptr || !p->open || p->closing) co_return std::pair{error_code(asio::error::operation_aborted), 0};
  if (p->interrupt_pending) {
    p->interrupt_pending = false;
    co_return std::pair{error_code(asio::error::interrupted), 0};
  }
  if (buf.size() == 0) co_return std::pair{error_code(), 0};

  p->BeginLane(kRead, timeout);
  p->read_pending = true;
  std::pair<error_code, size_t> result;
  for (;;) {
    Attempt a = p->tls ? p->TlsRead(buf) : p->PlainRead(buf);
    if (a.need == Need::kNothing) {
      result = {a.ec, a.ec ? 0 : a.n};
      if (!a.ec && a.n == 0) result.first = asio::error::eof;
      break;
    }
    if (p->interrupt_pending) {
      p->interrupt_pending = false;
      result = {asio::error::interrupted, 0};
      break;
    }
    auto [ec] = co_await p->WaitReady(kRead, Impl::WaitTypeFor(a.need));
    if (ec || !p->open || p->closing) {
      result = {p->Failure(kRead, ec ? ec : error_code(asio::error::operation_aborted)), 0};
      break;
    }
  }
  p->read_pending = false;
  p->EndLane(kRead);
  co_return result;
}

asio::awaitable<error_code> Stream::WriteAndRelease(std::string* buffer, Duration timeout, size_t keep_capacity) {
  error_code ec = co_await WriteAll(*buffer, timeout);
  buffer->clear();
  if (buffer->capacity() > keep_capacity) std::string().swap(*buffer);
  co_return ec;
}

asio::awaitable<error_code> Stream::WriteAll(std::string_view data, Duration timeout) {
  std::shared_ptr<Impl> self = impl_;
  Impl* p = self.get();
  if (p == nullptr || !p->open || p->closing) co_return asio::error::operation_aborted;
  p->BeginLane(kWrite, timeout);
  error_code result;
  while (!data.empty()) {
    Attempt a = p->tls ? p->TlsWrite(asio::buffer(data)) : p->PlainWrite(asio::buffer(data));
    if (a.need == Need::kNothing) {
      if (a.ec) {
        result = a.ec;
        break;
      }
      data.remove_prefix(a.n);
      continue;
    }
    auto [ec] = co_await p->WaitReady(kWrite, Impl::WaitTypeFor(a.need));
    if (ec || !p->open || p->closing) {
      result = p->Failure(kWrite, ec ? ec : error_code(asio::error::operation_aborted));
      break;
    }
  }
  p->EndLane(kWrite);
  if (result) {
    // Part of a reply (or of a TLS record) may be out: nothing sensible can
    // follow on this connection.
    p->tls_failed = true;
    p->CloseSocket();
  }
  co_return result;
}

asio::awaitable<error_code> Stream::StartTls(std::shared_ptr<asio::ssl::context> ctx,
                                             Duration timeout) {
  std::shared_ptr<Impl> self = impl_;
  Impl* p = self.get();
  if (p == nullptr || !p->open || p->closing) co_return asio::error::operation_aborted;
  if (p->ssl != nullptr) co_return asio::error::already_started;
  if (!ctx) co_return asio::error::invalid_argument;

  ERR_clear_error();
  p->ssl = SSL_new(ctx->native_handle());
  BIO* bio = p->ssl != nullptr ? BIO_new(Impl::SocketBioMethod()) : nullptr;
  if (bio == nullptr) {
    error_code ec(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
    p->tls_failed = true;
    p->CloseSocket();
    co_return ec ? ec : error_code(asio::error::no_memory);
  }
  BIO_set_data(bio, p);
  SSL_set_bio(p->ssl, bio, bio);  // the SSL owns the BIO
  SSL_set_accept_state(p->ssl);
  p->tls_ctx = std::move(ctx);

  p->BeginLane(kControl, timeout);
  error_code result;
  for (;;) {
    ERR_clear_error();
    p->last_errno = 0;
    int r = SSL_do_handshake(p->ssl);
    if (r == 1) break;
    Attempt a = p->TlsFailure(SSL_get_error(p->ssl, r));
    if (a.need == Need::kNothing) {
      result = a.ec ? a.ec : error_code(asio::error::connection_reset);
      break;
    }
    auto [ec] = co_await p->WaitReady(kControl, Impl::WaitTypeFor(a.need));
    if (ec || !p->open) {
      result = p->Failure(kControl, ec ? ec : error_code(asio::error::operation_aborted));
      break;
    }
  }
  p->EndLane(kControl);
  if (result) {
    p->tls_failed = true;
    p->CloseSocket();
    co_return result;
  }
  p->tls = true;
  co_return error_code();
}

bool Stream::is_tls() const { return impl_ && impl_->tls; }

std::string Stream::tls_version() const {
  if (!is_tls()) return std::string();
  return SSL_get_version(impl_->ssl);
}

std::string Stream::tls_cipher() const {
  if (!is_tls()) return std::string();
  const char* name = SSL_get_cipher_name(impl_->ssl);
  return name != nullptr ? name : "";
}

asio::awaitable<void> Stream::Close(Duration timeout) {
  std::shared_ptr<Impl> self = impl_;
  Impl* p = self.get();
  if (p == nullptr || !p->open || p->closing) co_return;
  p->closing = true;
  // A pending read ends with operation_aborted.
  if (p->read_pending) p->lanes[kRead].cancel.emit(asio::cancellation_type::terminal);
  p->BeginLane(kControl, timeout);

  // close_notify, without waiting for the client's (RFC 8446 6.1 allows it).
  if (p->tls && !p->tls_failed) {
    for (;;) {
      ERR_clear_error();
      p->last_errno = 0;
      int r = SSL_shutdown(p->ssl);
      if (r >= 0) break;  // 0: ours is sent
      if (SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_WRITE) break;
      auto [ec] = co_await p->WaitReady(kControl, tcp::socket::wait_write);
      if (ec || !p->open) break;
    }
  }

  // Half-close, then read and drop what the client still sends until it
  // closes too: closing with unread bytes would send a reset, which can
  // destroy our last reply before the client reads it.
  if (p->open) {
    error_code ec;
    p->socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 512> sink;
    size_t drained = 0;
    while (!ec && p->open && drained < kMaxDrainBytes) {
      size_t n = p->socket.read_some(asio::buffer(sink), ec);
      drained += n;
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        auto [wec] = co_await p->WaitReady(kControl, tcp::socket::wait_read);
        ec = wec;
      }
    }
  }
  p->EndLane(kControl);
  p->CloseSocket();
}

void Stream::Abort() { control().Abort(); }

Stream::Control Stream::control() const {
  if (!impl_) return Control();
  return Control(impl_, impl_->socket.get_executor());
}

bool Stream::is_open() const { return impl_ && impl_->open; }

const tcp::endpoint& Stream::remote() const { return impl_->remote; }
const tcp::endpoint& Stream::local() const { return impl_->local; }
asio::any_io_executor Stream::executor() { return impl_->socket.get_executor(); }

}  // namespace kurier::net
