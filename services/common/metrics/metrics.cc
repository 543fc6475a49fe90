#include "services/common/metrics/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kurier {

void Metrics::Describe(const std::string& family, const std::string& type, const std::string& help) {
  absl::MutexLock lock(&mu_);
  families_[family] = {type, help};
}

void Metrics::Add(const std::string& series, double by) {
  absl::MutexLock lock(&mu_);
  series_[series] += by;
}

void Metrics::Set(const std::string& series, double value) {
  absl::MutexLock lock(&mu_);
  series_[series] = value;
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  std::string current;
  for (const auto& [series, value] : series_) {
    std::string family = series.substr(0, series.find('{'));
    if (family != current) {
      current = family;
      auto it = families_.find(family);
      if (it != families_.end()) {
        absl::StrAppend(&out, "# HELP ", family, " ", it->second.second, "\n# TYPE ", family, " ", it->second.first,
                        "\n");
      }
    }
    absl::StrAppend(&out, series, " ", absl::StrFormat("%.17g", value), "\n");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& address,
                                                                             Metrics* metrics,
                                                                             std::function<void()> refresh) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("metrics address is not host:port: ", address));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("metrics host is not an IPv4 address: ", host));
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
    std::string error = strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, " for metrics: ", error));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(fd, ntohs(addr.sin_port), metrics, std::move(refresh)));
}

MetricsHttpServer::MetricsHttpServer(int fd, int port, Metrics* metrics, std::function<void()> refresh)
    : fd_(fd), port_(port), metrics_(metrics), refresh_(std::move(refresh)), thread_([this] { Loop(); }) {}

MetricsHttpServer::~MetricsHttpServer() {
  stopping_ = true;
  thread_.join();
  close(fd_);
}

void MetricsHttpServer::Loop() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;  // wakes up to notice stopping_
    int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    timeval timeout{2, 0};  // a scraper that stalls does not hold the thread
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    Serve(client);
    close(client);
  }
}

void MetricsHttpServer::Serve(int client) {
  char buffer[2048];
  ssize_t n = recv(client, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return;
  std::string_view request(buffer, static_cast<size_t>(n));
  std::string status = "200 OK", body;
  if (request.substr(0, 13) == "GET /metrics " || request.substr(0, 13) == "GET /metrics?") {
    if (refresh_) refresh_();
    body = metrics_->Render();
  } else if (request.substr(0, 13) == "GET /healthz ") {
    body = "ok\n";
  } else {
    status = "404 Not Found";
    body = "not found\n";
  }
  std::string response = absl::StrCat("HTTP/1.0 ", status, "\r\nContent-Type: text/plain; version=0.0.4\r\n",
                                      "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
  for (size_t sent = 0; sent < response.size();) {
    ssize_t w = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) return;
    sent += static_cast<size_t>(w);
  }
}

}  // namespace kurier
