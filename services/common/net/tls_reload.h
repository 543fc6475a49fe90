// SIGHUP reloads the TLS certificate: connected sessions keep their TLS
// state, new handshakes use the new context (TlsContextProvider::Current).
#ifndef KURIER_SERVICES_COMMON_NET_TLS_RELOAD_H_
#define KURIER_SERVICES_COMMON_NET_TLS_RELOAD_H_

#include <functional>

#include <boost/asio/io_context.hpp>

#include "absl/status/status.h"
#include "services/common/net/tls_context.h"

namespace kurier::net {

// From now on (the handler is installed before this returns), every SIGHUP
// calls tls->Reload() on `io`'s thread and logs the result; `on_reload`, if
// given, sees it too. Runs until `io` stops. `tls` must outlive `io`'s run.
// Reload reads two small files (rarely makes a key): a few milliseconds on
// the io thread, once per signal.
void ReloadOnSighup(asio::io_context& io, TlsContextProvider* tls,
                    std::function<void(const absl::Status&)> on_reload = nullptr);

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_TLS_RELOAD_H_
