// The accept loop for one address, plain or implicit TLS.
//
// Each accepted connection runs as its own coroutine on pool->Next() (its
// socket, Stream and timers live there). The Listener first takes a
// ConnectionLimits slot; then, for implicit TLS, does the handshake (bounded
// by tls_handshake_timeout; a failure just closes the connection and counts
// in stats().handshake_failures); then calls the Handler, or the Rejecter if
// a limit was hit. The slot is held until the Handler returns. Exceptions
// from a Handler are caught and logged, never terminate the process.
//
// Rejections: at most kMaxRejecting run at once per listener (beyond that the
// connection is closed without a word), and each is aborted after
// reject_timeout. For implicit TLS the rejecter runs after the handshake, so
// that its message is readable.
//
// Lifetimes: the IoPool, ConnectionLimits and TlsContextProvider must outlive
// every connection (destroy them after the pool). Destroy the Listener before
// the pool; live connections do not need the Listener object.
#ifndef KURIER_SERVICES_COMMON_NET_LISTENER_H_
#define KURIER_SERVICES_COMMON_NET_LISTENER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/net/connection_limits.h"
#include "services/common/net/io_pool.h"
#include "services/common/net/stream.h"
#include "services/common/net/tls_context.h"

namespace kurier::net {

namespace listener_internal {
struct Shared;
struct AcceptState;
}  // namespace listener_internal

struct ConnectionInfo {
  uint64_t id = 0;  // unique in the process, for logs
  asio::ip::address remote_ip;  // IPv4-mapped IPv6 shown as IPv4
  bool implicit_tls = false;
  std::string listener_name;
  // For the Rejecter: which limit refused the connection.
  LimitKind limit_hit = LimitKind::kNone;
};

class Listener {
 public:
  using Handler = std::function<asio::awaitable<void>(Stream stream, ConnectionInfo info)>;
  // Called instead of Handler when a limit is hit, e.g. to write
  // "-ERR [SYS/TEMP] too many connections" before closing. Must be quick:
  // it is aborted after Options::reject_timeout.
  using Rejecter = std::function<asio::awaitable<void>(Stream stream, ConnectionInfo info)>;

  struct Options {
    std::string name;
    // host:port; [v6]:port; host is an IP address, "localhost", or "*" / ""
    // for every IPv4 address. Port 0 picks one (see port()).
    std::string address;
    bool implicit_tls = false;
    // 0: 30 s.
    Duration tls_handshake_timeout = std::chrono::seconds(30);
    // 0: 5 s.
    Duration reject_timeout = std::chrono::seconds(5);
  };

  static constexpr uint32_t kMaxRejecting = 256;

  // Binds and listens (not accepting yet). `limits` may be null (no limits),
  // `tls` may be null unless implicit_tls, `rejecter` may be empty (then
  // refused connections are just closed).
  static absl::StatusOr<std::unique_ptr<Listener>> Bind(IoPool* pool, Options options,
                                                        ConnectionLimits* limits, TlsContextProvider* tls,
                                                        Handler handler, Rejecter rejecter);
  ~Listener();  // StopAccepting()
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return endpoint_.port(); }
  const asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  const std::string& name() const;

  // Begins accepting. Call once.
  void Start();
  // Closes the acceptor (from any thread; it takes effect on the acceptor's
  // io_context thread right after); live connections continue.
  void StopAccepting();

  struct Stats {
    uint64_t accepted = 0;
    uint64_t rejected = 0;            // a limit was hit
    uint64_t handshake_failures = 0;  // implicit TLS only
  };
  Stats stats() const;

 private:
  using Shared = listener_internal::Shared;
  using AcceptState = listener_internal::AcceptState;
  Listener(std::shared_ptr<Shared> shared, std::shared_ptr<AcceptState> acceptor,
           asio::ip::tcp::endpoint endpoint);

  std::shared_ptr<Shared> shared_;         // with every connection
  std::shared_ptr<AcceptState> acceptor_;  // with the accept loop
  asio::ip::tcp::endpoint endpoint_;
  bool started_ = false;
};

// Parses "host:port" as Listener::Options::address does.
absl::StatusOr<asio::ip::tcp::endpoint> ParseListenAddress(const std::string& address);

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_LISTENER_H_
