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
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_join.h"
#include "boost/asio/awaitable.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/common/config/config_loader.h"
#include "services/common/log/log.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/io_pool.h"
#include "services/common/net/listener.h"
#include "services/common/net/tls_context.h"
#include "services/common/store_client/store_client.h"
#include "services/pop3/pop3_context.h"
#include "services/pop3/session.h"

namespace kurier::pop3 {
namespace {

namespace asio = boost::asio;

bool Enabled(const std::string& address) { return !address.empty() && address != "off"; }

asio::awaitable<void> Serve(Pop3Context* context, net::Stream stream, net::ConnectionInfo info) {
  auto session = std::make_shared<Session>(context, std::move(stream), std::move(info));
  co_await session->Run();
}

asio::awaitable<void> Reject(net::Stream stream, net::ConnectionInfo info) {
  co_await stream.WriteAll("-ERR [SYS/TEMP] too many connections, try again later\r\n", std::chrono::seconds(5));
  co_await stream.Close(std::chrono::seconds(1));
}

int Main(int argc, char** argv) {
  // Signals are taken by sigwait below; no other thread may receive them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<config::v1::Config> config = config::LoadConfigFromMain(argc, argv, nullptr);
  if (!config.ok()) {
    std::fprintf(stderr, "pop3: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  log::SetService("pop3");
  log::SetLevel(config->log().level());
  const config::v1::Pop3Config& pop3 = config->pop3();

  absl::StatusOr<std::unique_ptr<net::TlsContextProvider>> tls =
      net::TlsContextProvider::Create(pop3.tls(), pop3.hostname());
  if (!tls.ok()) {
    log::Error("TLS setup failed", {{"error", tls.status().ToString()}});
    return 1;
  }
  std::vector<std::string> shards(config->store_client().shards().begin(), config->store_client().shards().end());
  store_client::StoreClient store(shards, std::chrono::milliseconds(config->store_client().deadline_ms()));
  net::AuthThrottle throttle(pop3.limits());
  net::ConnectionTracker tracker;
  net::ConnectionLimits limits(pop3.limits());
  Metrics metrics;
  DescribePop3Metrics(&metrics);

  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  Pop3Context context{.config = pop3,
                      .store = &store,
                      .tls = tls->get(),
                      .throttle = &throttle,
                      .tracker = &tracker,
                      .metrics = &metrics,
                      .instance = absl::StrCat("pop3-", getpid(), "@", host)};

  net::IoPool pool(pop3.io_threads());
  std::vector<std::unique_ptr<net::Listener>> listeners;
  std::vector<std::pair<std::string, int>> ports;
  for (const auto& [name, address, implicit_tls] :
       {std::tuple{"pop3", pop3.listen(), false}, std::tuple{"pop3s", pop3.tls_listen(), true}}) {
    if (!Enabled(address)) continue;
    net::Listener::Options options{.name = name,
                                   .address = address,
                                   .implicit_tls = implicit_tls,
                                   .tls_handshake_timeout = std::chrono::seconds(pop3.limits().idle_timeout_seconds())};
    auto listener = net::Listener::Bind(
        &pool, options, &limits, tls->get(),
        [&context](net::Stream stream, net::ConnectionInfo info) {
          return Serve(&context, std::move(stream), std::move(info));
        },
        [](net::Stream stream, net::ConnectionInfo info) { return Reject(std::move(stream), std::move(info)); });
    if (!listener.ok()) {
      log::Error("cannot listen", {{"listener", name}, {"address", address}, {"error", listener.status().ToString()}});
      return 1;
    }
    ports.emplace_back(name, (*listener)->port());
    listeners.push_back(*std::move(listener));
  }

  std::unique_ptr<MetricsHttpServer> metrics_server;
  if (Enabled(pop3.metrics_listen())) {
    // Accepting, limits and implicit-TLS handshakes happen in the listeners,
    // before a session exists; their counters are read at each scrape.
    auto refresh = [&listeners, &metrics] {
      for (const auto& listener : listeners) {
        const net::Listener::Stats stats = listener->stats();
        const std::string label = absl::StrCat("{listener=\"", listener->name(), "\"}");
        metrics.Set(absl::StrCat("kurier_pop3_connections_total", label), static_cast<double>(stats.accepted));
        metrics.Set(absl::StrCat("kurier_pop3_connections_rejected_total", label), static_cast<double>(stats.rejected));
        metrics.Set(absl::StrCat("kurier_pop3_listener_tls_handshake_failures_total", label),
                    static_cast<double>(stats.handshake_failures));
      }
    };
    auto started = MetricsHttpServer::Start(pop3.metrics_listen(), &metrics, refresh);
    if (!started.ok()) {
      log::Error("cannot serve metrics", {{"error", started.status().ToString()}});
      return 1;
    }
    metrics_server = *std::move(started);
    ports.emplace_back("metrics", metrics_server->port());
  }

  std::unique_ptr<grpc::Server> health_server;
  if (Enabled(pop3.health_listen())) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int health_port = 0;
    builder.AddListeningPort(pop3.health_listen(), grpc::InsecureServerCredentials(), &health_port);
    health_server = builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      log::Error("cannot serve health checks", {{"address", pop3.health_listen()}});
      return 1;
    }
    ports.emplace_back("health", health_port);
  }

  pool.Start();
  for (auto& listener : listeners) listener->Start();
  if (!pop3.port_file().empty()) {
    // Written whole, then renamed, so a reader never sees half of it.
    const std::string temp = pop3.port_file() + ".tmp";
    {
      std::ofstream out(temp, std::ios::trunc);
      for (const auto& [name, port] : ports) out << name << " " << port << "\n";
    }
    std::rename(temp.c_str(), pop3.port_file().c_str());
  }
  std::string port_list;
  for (const auto& [name, port] : ports) absl::StrAppend(&port_list, port_list.empty() ? "" : " ", name, "=", port);
  log::Info("pop3 ready", {{"ports", port_list}, {"store", absl::StrJoin(shards, ",")},
                           {"plaintext_auth", pop3.allow_plaintext_auth() ? "allowed" : "tls-only"}});

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      absl::Status reloaded = (*tls)->Reload();
      if (reloaded.ok()) {
        log::Info("TLS certificate reloaded", {{"cert", (*tls)->cert_path()}});
      } else {
        log::Error("TLS reload failed; keeping the old certificate", {{"error", reloaded.ToString()}});
      }
      continue;
    }
    break;
  }

  // Graceful stop: no new connections, then sessions get the grace period
  // to finish, then the rest are told "-ERR ... shutting down" and closed.
  log::Info("shutting down", {{"sessions", absl::StrCat(tracker.live())}});
  if (health_server) {
    health_server->GetHealthCheckService()->SetServingStatus(false);
  }
  for (auto& listener : listeners) listener->StopAccepting();
  const auto grace = std::chrono::seconds(pop3.shutdown_grace_seconds());
  if (!tracker.WaitIdle(grace / 2)) {
    tracker.NotifyShutdown();
    tracker.WaitIdle(grace / 2);
  }
  pool.Stop();
  pool.Join();
  if (health_server) health_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  log::Info("stopped");
  return 0;
}

}  // namespace
}  // namespace kurier::pop3

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's Abseil is built with mutex deadlock detection on; it costs a
  // few percent of CPU. Optimized builds turn it off; test builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  return kurier::pop3::Main(argc, argv);
}
