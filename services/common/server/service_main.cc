#include "services/common/server/service_main.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/common/config/config_loader.h"
#include "services/common/log/log.h"
#include "services/common/net/io_pool.h"

namespace kurier::server {
namespace {

bool Enabled(const std::string& address) { return !address.empty() && address != "off"; }

sigset_t ServiceSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  return signals;
}

// Written whole, then renamed, so a reader never sees half of it.
void WritePortFile(const std::string& path, const std::vector<std::pair<std::string, int>>& ports) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    for (const auto& [name, port] : ports) out << name << " " << port << "\n";
  }
  std::rename(temp.c_str(), path.c_str());
}

// Waits for SIGTERM/SIGINT; SIGHUP reloads the certificate on the way.
void WaitForStopSignal(net::TlsContextProvider* tls) {
  const sigset_t signals = ServiceSignals();
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) return;
    absl::Status reloaded = tls->Reload();
    if (reloaded.ok()) {
      log::Info("TLS certificate reloaded", {{"cert", tls->cert_path()}});
    } else {
      log::Error("TLS reload failed; keeping the old certificate", {{"error", reloaded.ToString()}});
    }
  }
}

}  // namespace

void InitServiceProcess() {
  const sigset_t signals = ServiceSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

std::optional<config::v1::Config> LoadServiceConfig(int argc, char** argv, const std::string& service) {
  absl::StatusOr<config::v1::Config> config = config::LoadConfigFromMain(argc, argv, nullptr);
  if (!config.ok()) {
    std::fprintf(stderr, "%s: %s\n", service.c_str(), std::string(config.status().message()).c_str());
    return std::nullopt;
  }
  log::SetService(service);
  log::SetLevel(config->log().level());
  return *std::move(config);
}

std::unique_ptr<store_client::StoreClient> NewStoreClient(const config::v1::Config& config) {
  std::vector<std::string> shards(config.store_client().shards().begin(), config.store_client().shards().end());
  store_client::StoreClient::Keepalive keepalive{
      .time = std::chrono::seconds(config.store_client().keepalive_seconds()),
      .timeout = std::chrono::seconds(config.store_client().keepalive_timeout_seconds())};
  return std::make_unique<store_client::StoreClient>(
      std::move(shards), std::chrono::milliseconds(config.store_client().deadline_ms()), keepalive);
}

void DescribeListenerMetrics(const std::string& service, Metrics* metrics) {
  const std::string prefix = absl::StrCat("kurier_", service, "_");
  metrics->Describe(prefix + "connections_total", "counter", "Connections accepted, by listener.");
  metrics->Describe(prefix + "connections_rejected_total", "counter",
                    "Connections refused by the connection limits, by listener.");
  metrics->Describe(prefix + "listener_tls_handshake_failures_total", "counter",
                    "Failed implicit-TLS handshakes, by listener.");
}

int RunService(const ServiceOptions& options) {
  net::ConnectionLimits limits(*options.limits);
  net::IoPool pool(options.io_threads);
  std::vector<std::unique_ptr<net::Listener>> listeners;
  std::vector<std::pair<std::string, int>> ports;
  for (const ListenerSpec& spec : options.listeners) {
    if (!Enabled(spec.address)) continue;
    net::Listener::Options listener_options{.name = spec.name,
                                            .address = spec.address,
                                            .implicit_tls = spec.implicit_tls,
                                            .tls_handshake_timeout = options.tls_handshake_timeout};
    auto listener = net::Listener::Bind(&pool, listener_options, &limits, options.tls, options.handler,
                                        options.rejecter);
    if (!listener.ok()) {
      log::Error("cannot listen",
                 {{"listener", spec.name}, {"address", spec.address}, {"error", listener.status().ToString()}});
      return 1;
    }
    ports.emplace_back(spec.name, (*listener)->port());
    listeners.push_back(*std::move(listener));
  }

  std::unique_ptr<MetricsHttpServer> metrics_server;
  if (Enabled(options.metrics_listen)) {
    // Accepting, limits and implicit-TLS handshakes happen in the listeners,
    // before a session exists; their counters are read at each scrape.
    const std::string prefix = absl::StrCat("kurier_", options.service, "_");
    Metrics* metrics = options.metrics;
    auto refresh = [&listeners, metrics, prefix] {
      for (const auto& listener : listeners) {
        const net::Listener::Stats stats = listener->stats();
        const std::string label = absl::StrCat("{listener=\"", listener->name(), "\"}");
        metrics->Set(absl::StrCat(prefix, "connections_total", label), static_cast<double>(stats.accepted));
        metrics->Set(absl::StrCat(prefix, "connections_rejected_total", label), static_cast<double>(stats.rejected));
        metrics->Set(absl::StrCat(prefix, "listener_tls_handshake_failures_total", label),
                     static_cast<double>(stats.handshake_failures));
      }
    };
    auto started = MetricsHttpServer::Start(options.metrics_listen, metrics, refresh);
    if (!started.ok()) {
      log::Error("cannot serve metrics", {{"error", started.status().ToString()}});
      return 1;
    }
    metrics_server = *std::move(started);
    ports.emplace_back("metrics", metrics_server->port());
  }

  std::unique_ptr<grpc::Server> health_server;
  if (Enabled(options.health_listen)) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int health_port = 0;
    builder.AddListeningPort(options.health_listen, grpc::InsecureServerCredentials(), &health_port);
    health_server = builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      log::Error("cannot serve health checks", {{"address", options.health_listen}});
      return 1;
    }
    ports.emplace_back("health", health_port);
  }

  pool.Start();
  for (auto& listener : listeners) listener->Start();
  if (!options.port_file.empty()) WritePortFile(options.port_file, ports);
  std::string port_list;
  for (const auto& [name, port] : ports) absl::StrAppend(&port_list, port_list.empty() ? "" : " ", name, "=", port);
  if (options.on_ready) options.on_ready(port_list);

  WaitForStopSignal(options.tls);

  log::Info("shutting down", {{"sessions", absl::StrCat(options.tracker->live())}});
  if (health_server) health_server->GetHealthCheckService()->SetServingStatus(false);
  for (auto& listener : listeners) listener->StopAccepting();
  if (!options.tracker->WaitIdle(options.shutdown_grace / 2)) {
    options.tracker->NotifyShutdown();
    options.tracker->WaitIdle(options.shutdown_grace / 2);
  }
  pool.Stop();
  pool.Join();
  if (health_server) health_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  log::Info("stopped");
  return 0;
}

}  // namespace kurier::server
