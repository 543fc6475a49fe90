// pop3: the POP3 access service.
//
// IMPLEMENTS: RFC 1939 (POP3), RFC 2449 (CAPA, response codes, PIPELINING),
// RFC 2595 (STLS), RFC 3206 (SYS and AUTH codes), RFC 5034 (AUTH with SASL:
// PLAIN, LOGIN, SCRAM-SHA-256), RFC 8314 (implicit TLS); gRPC health checking
// for readiness; Prometheus /metrics.
//
// TRUSTS: the mailstore (over gRPC) to check credentials and to hold the
// exclusive-access lease; nothing a client sends. Holds no state of its own:
// any instance can serve any account, and a dead instance's locks expire.
#include <unistd.h>

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/log/log.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/listener.h"
#include "services/common/net/tls_context.h"
#include "services/common/server/service_main.h"
#include "services/common/store_client/store_client.h"
#include "services/pop3/pop3_context.h"
#include "services/pop3/session.h"

namespace kurier::pop3 {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> Serve(Pop3Context* context, net::Stream stream, net::ConnectionInfo info) {
  auto session = std::make_shared<Session>(context, std::move(stream), std::move(info));
  co_await session->Run();
}

asio::awaitable<void> Reject(net::Stream stream, net::ConnectionInfo info) {
  co_await stream.WriteAll("-ERR [SYS/TEMP] too many connections, try again later\r\n", std::chrono::seconds(5));
  co_await stream.Close(std::chrono::seconds(1));
}

int Main(int argc, char** argv) {
  server::InitServiceProcess();
  std::optional<config::v1::Config> config = server::LoadServiceConfig(argc, argv, "pop3");
  if (!config.has_value()) return 2;
  const config::v1::Pop3Config& pop3 = config->pop3();

  absl::StatusOr<std::unique_ptr<net::TlsContextProvider>> tls =
      net::TlsContextProvider::Create(pop3.tls(), pop3.hostname());
  if (!tls.ok()) {
    log::Error("TLS setup failed", {{"error", tls.status().ToString()}});
    return 1;
  }
  std::unique_ptr<store_client::StoreClient> store = server::NewStoreClient(*config);
  net::AuthThrottle throttle(pop3.limits());
  net::ConnectionTracker tracker;
  Metrics metrics;
  DescribePop3Metrics(&metrics);

  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  Pop3Context context{.config = pop3,
                      .store = store.get(),
                      .tls = tls->get(),
                      .throttle = &throttle,
                      .tracker = &tracker,
                      .metrics = &metrics,
                      .instance = absl::StrCat("pop3-", getpid(), "@", host)};

  server::ServiceOptions options{
      .service = "pop3",
      .listeners = {{"pop3", pop3.listen(), false}, {"pop3s", pop3.tls_listen(), true}},
      .metrics_listen = pop3.metrics_listen(),
      .health_listen = pop3.health_listen(),
      .port_file = pop3.port_file(),
      .io_threads = pop3.io_threads(),
      .shutdown_grace = std::chrono::seconds(pop3.shutdown_grace_seconds()),
      .tls_handshake_timeout = std::chrono::seconds(pop3.limits().idle_timeout_seconds()),
      .on_ready =
          [&](const std::string& ports) {
            log::Info("pop3 ready", {{"ports", ports}, {"store", absl::StrJoin(config->store_client().shards(), ",")},
                                     {"plaintext_auth", pop3.allow_plaintext_auth() ? "allowed" : "tls-only"}});
          },
      .limits = &pop3.limits(),
      .tls = tls->get(),
      .tracker = &tracker,
      .metrics = &metrics,
      .handler = [&context](net::Stream stream,
                            net::ConnectionInfo info) { return Serve(&context, std::move(stream), std::move(info)); },
      .rejecter = [](net::Stream stream, net::ConnectionInfo info) {
        return Reject(std::move(stream), std::move(info));
      }};
  return server::RunService(options);
}

}  // namespace
}  // namespace kurier::pop3

int main(int argc, char** argv) { return kurier::pop3::Main(argc, argv); }
