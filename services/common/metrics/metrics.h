// Prometheus metrics for every service: counters and gauges kept in memory and
// rendered in the text exposition format, served over HTTP at /metrics.
#ifndef KURIER_SERVICES_COMMON_METRICS_METRICS_H_
#define KURIER_SERVICES_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace kurier {

class Metrics {
 public:
  // Declares a family: type is "counter" or "gauge".
  void Describe(const std::string& family, const std::string& type, const std::string& help);
  // series is the family with its labels, e.g. rpcs_total{method="Deliver"}.
  void Add(const std::string& series, double by = 1);
  void Set(const std::string& series, double value);
  // The text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::pair<std::string, std::string>> families_ ABSL_GUARDED_BY(mu_);  // type, help
  std::map<std::string, double> series_ ABSL_GUARDED_BY(mu_);
};

// A minimal HTTP/1.0 server for GET /metrics and GET /healthz on its own
// thread; nothing else is served.
class MetricsHttpServer {
 public:
  // address is host:port; port 0 picks one. refresh runs before each render.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address, Metrics* metrics,
                                                                   std::function<void()> refresh);
  ~MetricsHttpServer();
  int port() const { return port_; }

 private:
  MetricsHttpServer(int fd, int port, Metrics* metrics, std::function<void()> refresh);
  void Loop();
  void Serve(int client);

  const int fd_;
  const int port_;
  Metrics* const metrics_;
  const std::function<void()> refresh_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace kurier

#endif  // KURIER_SERVICES_COMMON_METRICS_METRICS_H_
