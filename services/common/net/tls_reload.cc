#include "services/common/net/tls_reload.h"

#include <signal.h>

#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "services/common/net/net_log.h"

namespace kurier::net {
namespace {

asio::awaitable<void> ReloadLoop(std::unique_ptr<asio::signal_set> signals, TlsContextProvider* tls,
                                 std::function<void(const absl::Status&)> on_reload) {
  for (;;) {
    auto [ec, signal] = co_await signals->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    absl::Status status = tls->Reload();
    if (status.ok()) {
      Log(LogLevel::kInfo, absl::StrCat("SIGHUP: reloaded TLS certificate ", tls->cert_path()));
    } else {
      Log(LogLevel::kError, absl::StrCat("SIGHUP: TLS reload failed, keeping the old certificate: ",
                                         status.ToString()));
    }
    if (on_reload) on_reload(status);
  }
}

}  // namespace

void ReloadOnSighup(asio::io_context& io, TlsContextProvider* tls,
                    std::function<void(const absl::Status&)> on_reload) {
  // Registered here, not in the coroutine, so that a SIGHUP right after this
  // returns is already ours (the default action would end the process).
  auto signals = std::make_unique<asio::signal_set>(io, SIGHUP);
  asio::co_spawn(io, ReloadLoop(std::move(signals), tls, std::move(on_reload)), [](std::exception_ptr e) {
    if (e) Log(LogLevel::kError, "SIGHUP handler failed");
  });
}

}  // namespace kurier::net
