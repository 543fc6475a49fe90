#include "services/common/net/listener.h"

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/net/net_log.h"

namespace kurier::net {

using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace listener_internal {

struct Shared {
  IoPool* pool = nullptr;
  Listener::Options options;
  ConnectionLimits* limits = nullptr;
  TlsContextProvider* tls = nullptr;
  Listener::Handler handler;
  Listener::Rejecter rejecter;
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> handshake_failures{0};
  std::atomic<uint32_t> rejecting{0};
};

struct AcceptState {
  explicit AcceptState(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
};

}  // namespace listener_internal

namespace {

using listener_internal::AcceptState;
using listener_internal::Shared;

std::atomic<uint64_t> g_next_connection_id{1};

asio::ip::address Unmapped(const asio::ip::address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  }
  return ip;
}

std::string Describe(const Shared& sh, uint64_t id, const asio::ip::address& ip) {
  return absl::StrCat("listener=", sh.options.name, " conn=", id, " remote=", ip.to_string());
}

// Counts a rejection in flight for as long as it lives.
class RejectingGuard {
 public:
  explicit RejectingGuard(std::atomic<uint32_t>* counter) : counter_(counter) {}
  RejectingGuard(const RejectingGuard&) = delete;
  RejectingGuard& operator=(const RejectingGuard&) = delete;
  ~RejectingGuard() {
    if (counter_ != nullptr) counter_->fetch_sub(1);
  }

 private:
  std::atomic<uint32_t>* counter_;
};

// A refused connection: the rejecter, bounded by reject_timeout. Its own
// coroutine so that the frame of every accepted connection stays small.
asio::awaitable<void> RunRejecter(Shared* sh, Stream stream, ConnectionInfo info) {
  asio::steady_timer deadline(stream.executor());
  deadline.expires_after(sh->options.reject_timeout);
  deadline.async_wait([control = stream.control()](error_code ec) {
    if (!ec) control.Abort();
  });
  co_await sh->rejecter(std::move(stream), std::move(info));
  deadline.cancel();
}

asio::awaitable<void> RunConnection(std::shared_ptr<Shared> sh, tcp::socket socket, uint64_t id) {
  Stream stream(std::move(socket));
  ConnectionInfo info;
  info.id = id;
  info.remote_ip = Unmapped(stream.remote().address());
  info.implicit_tls = sh->options.implicit_tls;
  info.listener_name = sh->options.name;

  std::optional<ConnectionLimits::Slot> slot;
  if (sh->limits != nullptr) slot = sh->limits->TryAcquire(info.remote_ip, &info.limit_hit);
  std::optional<RejectingGuard> rejecting;
  if (info.limit_hit != LimitKind::kNone) {
    sh->rejected.fetch_add(1);
    Log(LogLevel::kDebug, absl::StrCat(Describe(*sh, id, info.remote_ip), " refused: ",
                                       info.limit_hit == LimitKind::kTotal ? "max_connections"
                                                                           : "max_connections_per_ip"));
    if (!sh->rejecter || sh->rejecting.fetch_add(1) >= Listener::kMaxRejecting) {
      if (sh->rejecter) sh->rejecting.fetch_sub(1);
      co_return;  // closes the socket
    }
    rejecting.emplace(&sh->rejecting);
  }

  if (sh->options.implicit_tls) {
    Duration timeout = sh->options.tls_handshake_timeout;
    if (rejecting) timeout = std::min(timeout, sh->options.reject_timeout);
    error_code ec = co_await stream.StartTls(sh->tls->Current(), timeout);
    if (ec) {
      sh->handshake_failures.fetch_add(1);
      Log(LogLevel::kDebug, absl::StrCat(Describe(*sh, id, info.remote_ip), " TLS handshake failed: ", ec.message()));
      co_return;
    }
  }

  try {
    if (rejecting) {
      co_await RunRejecter(sh.get(), std::move(stream), info);
    } else {
      co_await sh->handler(std::move(stream), info);
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kError, absl::StrCat(Describe(*sh, id, info.remote_ip), " session failed: ", e.what()));
  } catch (...) {
    Log(LogLevel::kError, absl::StrCat(Describe(*sh, id, info.remote_ip), " session failed"));
  }
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<Shared> sh, std::shared_ptr<AcceptState> st) {
  for (;;) {
    asio::io_context& io = sh->pool->Next();
    auto [ec, socket] = co_await st->acceptor.async_accept(io, asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !st->acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE, ENFILE, ENOBUFS...: back off rather than spin.
      Log(LogLevel::kWarning, absl::StrCat("listener=", sh->options.name, " accept: ", ec.message()));
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    sh->accepted.fetch_add(1);
    const uint64_t id = g_next_connection_id.fetch_add(1);
    asio::co_spawn(io, RunConnection(sh, std::move(socket), id), [sh, id](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        Log(LogLevel::kError, absl::StrCat("listener=", sh->options.name, " conn=", id, " failed: ", ex.what()));
      } catch (...) {
        Log(LogLevel::kError, absl::StrCat("listener=", sh->options.name, " conn=", id, " failed"));
      }
    });
  }
}

}  // namespace

absl::StatusOr<tcp::endpoint> ParseListenAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\": want host:port"));
  }
  std::string host = address.substr(0, colon);
  std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\": bad port"));
  }
  asio::ip::address ip;
  if (host.empty() || host == "*") {
    ip = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    ip = asio::ip::address_v4::loopback();
  } else {
    error_code ec;
    ip = asio::ip::make_address(host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", address, "\": host must be an IP address, localhost or *"));
    }
  }
  return tcp::endpoint(ip, static_cast<uint16_t>(port));
}

Listener::Listener(std::shared_ptr<Shared> shared, std::shared_ptr<AcceptState> acceptor,
                   tcp::endpoint endpoint)
    : shared_(std::move(shared)), acceptor_(std::move(acceptor)), endpoint_(endpoint) {}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Bind(IoPool* pool, Options options,
                                                         ConnectionLimits* limits, TlsContextProvider* tls,
                                                         Handler handler, Rejecter rejecter) {
  if (pool == nullptr) return absl::InvalidArgumentError("listener: no IoPool");
  if (!handler) return absl::InvalidArgumentError("listener: no handler");
  if (options.implicit_tls && tls == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("listener ", options.name, ": implicit TLS without certificates"));
  }
  auto endpoint = ParseListenAddress(options.address);
  if (!endpoint.ok()) return endpoint.status();
  if (options.tls_handshake_timeout <= Duration::zero()) options.tls_handshake_timeout = std::chrono::seconds(30);
  if (options.reject_timeout <= Duration::zero()) options.reject_timeout = std::chrono::seconds(5);

  auto st = std::make_shared<AcceptState>(pool->Main());
  error_code ec;
  auto fail = [&](const char* what) {
    return absl::UnavailableError(absl::StrCat("listener ", options.name, ": ", what, " ", options.address, ": ",
                                               ec.message()));
  };
  st->acceptor.open(endpoint->protocol(), ec);
  if (ec) return fail("open");
  st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  st->acceptor.bind(*endpoint, ec);
  if (ec) return fail("bind");
  st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  tcp::endpoint bound = st->acceptor.local_endpoint(ec);
  if (ec) return fail("local address of");

  auto sh = std::make_shared<Shared>();
  sh->pool = pool;
  sh->options = std::move(options);
  sh->limits = limits;
  sh->tls = tls;
  sh->handler = std::move(handler);
  sh->rejecter = std::move(rejecter);
  return std::unique_ptr<Listener>(new Listener(std::move(sh), std::move(st), bound));
}

Listener::~Listener() { StopAccepting(); }

const std::string& Listener::name() const { return shared_->options.name; }

void Listener::Start() {
  if (started_) return;
  started_ = true;
  asio::co_spawn(acceptor_->acceptor.get_executor(), AcceptLoop(shared_, acceptor_),
                 [name = shared_->options.name](std::exception_ptr e) {
                   if (e) Log(LogLevel::kError, absl::StrCat("listener=", name, " accept loop failed"));
                 });
}

void Listener::StopAccepting() {
  asio::post(acceptor_->acceptor.get_executor(), [st = acceptor_] {
    error_code ignored;
    st->acceptor.close(ignored);
  });
}

Listener::Stats Listener::stats() const {
  Stats s;
  s.accepted = shared_->accepted.load();
  s.rejected = shared_->rejected.load();
  s.handshake_failures = shared_->handshake_failures.load();
  return s;
}

}  // namespace kurier::net
