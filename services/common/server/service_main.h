// What every protocol service's main does after reading its configuration:
// bind its listeners, serve /metrics and grpc.health.v1, write the port
// file, then wait for signals — SIGHUP reloads the TLS certificate, SIGTERM
// or SIGINT stops gracefully (no new connections; sessions get half the
// grace period to finish, then are interrupted and get the other half).
//
// Each service keeps only what is its own: the session type, its
// configuration and its rejection message.
#ifndef KURIER_SERVICES_COMMON_SERVER_SERVICE_MAIN_H_
#define KURIER_SERVICES_COMMON_SERVER_SERVICE_MAIN_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/kurier/config/v1/config.pb.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/connection_limits.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/listener.h"
#include "services/common/net/tls_context.h"
#include "services/common/store_client/store_client.h"

namespace kurier::server {

struct ListenerSpec {
  std::string name;     // port-file and metrics label, e.g. "submission"
  std::string address;  // host:port; empty or "off": not started
  bool implicit_tls = false;
};

struct ServiceOptions {
  // "pop3", "smtp": names the logs and the metric families
  // kurier_<service>_connections_total and friends.
  std::string service;
  std::vector<ListenerSpec> listeners;
  std::string metrics_listen;  // empty or "off": none
  std::string health_listen;   // empty or "off": none
  std::string port_file;       // empty: none; else "name port" lines
  uint32_t io_threads = 1;
  std::chrono::seconds shutdown_grace{10};
  std::chrono::seconds tls_handshake_timeout{30};
  // Called once everything listens, with "name=port ..." for the log line.
  std::function<void(const std::string& ports)> on_ready;

  // All required; they must outlive RunService.
  const config::v1::LimitsConfig* limits = nullptr;
  net::TlsContextProvider* tls = nullptr;
  net::ConnectionTracker* tracker = nullptr;
  Metrics* metrics = nullptr;
  net::Listener::Handler handler;
  net::Listener::Rejecter rejecter;
};

// What a service process sets up before anything else: SIGTERM, SIGINT and
// SIGHUP blocked in the calling thread and the threads it starts later (so
// that RunService's sigwait gets them), SIGPIPE ignored, and in optimized
// builds Abseil's mutex deadlock detection (on in Debian's build; it costs a
// few percent of CPU) off. Call first thing in main.
void InitServiceProcess();

// Reads the configuration (file, environment, flags) and sets up logging for
// `service`. On a bad setting prints it to stderr and returns nullopt (exit 2).
std::optional<config::v1::Config> LoadServiceConfig(int argc, char** argv, const std::string& service);

// The store client of store_client.shards, deadline_ms and keepalive_*.
std::unique_ptr<store_client::StoreClient> NewStoreClient(const config::v1::Config& config);

// Runs the service until SIGTERM/SIGINT; returns main's exit code (1 when a
// listener or server cannot start).
int RunService(const ServiceOptions& options);

// Describes the listener metric families RunService maintains.
void DescribeListenerMetrics(const std::string& service, Metrics* metrics);

}  // namespace kurier::server

#endif  // KURIER_SERVICES_COMMON_SERVER_SERVICE_MAIN_H_
