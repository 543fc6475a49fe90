#include "services/common/metrics/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace kurier {
namespace {

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  std::string request = "GET " + path + " HTTP/1.0\r\n\r\n";
  send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  return response;
}

TEST(Metrics, RendersFamiliesWithHelpAndType) {
  Metrics metrics;
  metrics.Describe("kurier_rpcs_total", "counter", "RPCs served.");
  metrics.Add("kurier_rpcs_total{method=\"Deliver\"}");
  metrics.Add("kurier_rpcs_total{method=\"Deliver\"}", 2);
  metrics.Set("kurier_up", 1);
  EXPECT_EQ(metrics.Render(),
            "# HELP kurier_rpcs_total RPCs served.\n# TYPE kurier_rpcs_total counter\n"
            "kurier_rpcs_total{method=\"Deliver\"} 3\nkurier_up 1\n");
}

TEST(MetricsHttpServer, ServesMetricsAndHealthOnPortZero) {
  Metrics metrics;
  int refreshed = 0;
  auto server = MetricsHttpServer::Start("127.0.0.1:0", &metrics, [&] { metrics.Set("refreshes", ++refreshed); });
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_NE((*server)->port(), 0);
  std::string response = HttpGet((*server)->port(), "/metrics");
  EXPECT_NE(response.find("200 OK"), std::string::npos);
  EXPECT_NE(response.find("refreshes 1\n"), std::string::npos);
  EXPECT_NE(HttpGet((*server)->port(), "/healthz").find("ok"), std::string::npos);
  EXPECT_NE(HttpGet((*server)->port(), "/other").find("404"), std::string::npos);
}

TEST(MetricsHttpServer, RefusesABadAddress) {
  Metrics metrics;
  EXPECT_FALSE(MetricsHttpServer::Start("nonsense", &metrics, nullptr).ok());
}

}  // namespace
}  // namespace kurier
