// smtp: the SMTP service — MX ingress and message submission.
//
// IMPLEMENTS: RFC 5321 (SMTP), RFC 1870 (SIZE), RFC 2034 and RFC 3463
// (enhanced status codes), RFC 2920 (PIPELINING), RFC 3030 (CHUNKING), RFC
// 3207 (STARTTLS), RFC 3461 (DSN parameters, kept for the relay), RFC 3848
// (Received protocol types), RFC 4954 (AUTH: PLAIN, LOGIN, SCRAM-SHA-256),
// RFC 6152 (8BITMIME), RFC 6409 (submission), RFC 6531 (SMTPUTF8), RFC 8314
// (implicit TLS on 465); gRPC health checking; Prometheus /metrics.
//
// Listeners: "smtp" (MX, port 25) takes mail for local recipients only, with
// no AUTH, and never relays; "submission" (587, STARTTLS before AUTH) and
// "submissions" (465, implicit TLS) require AUTH, let the account send only
// from its own addresses, and put remote recipients on the store's outbound
// queue for the relay service.
//
// TRUSTS: the mailstore (over gRPC) to resolve recipients, check
// credentials and store each message durably before we answer 250; nothing a
// client sends. Holds no state of its own: any instance can serve anyone.
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/log/log.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/listener.h"
#include "services/common/net/rate_limiter.h"
#include "services/common/net/tls_context.h"
#include "services/common/server/service_main.h"
#include "services/common/store_client/store_client.h"
#include "services/smtp/session.h"
#include "services/smtp/smtp_context.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> Serve(SmtpContext* context, net::Stream stream, net::ConnectionInfo info) {
  if (!context->connections_per_ip->Allow(info.remote_ip.to_string())) {
    context->metrics->Add("kurier_smtp_errors_total{reason=\"connection_rate\"}");
    co_await stream.WriteAll(absl::StrCat("421 4.7.0 ", context->config.hostname(),
                                          " Too many connections from your address, try again later\r\n"),
                             std::chrono::seconds(5));
    co_await stream.Close(std::chrono::seconds(1));
    co_return;
  }
  auto session = std::make_shared<Session>(context, std::move(stream), std::move(info));
  co_await session->Run();
}

asio::awaitable<void> Reject(net::Stream stream, net::ConnectionInfo) {
  co_await stream.WriteAll("421 4.7.0 Too many connections, try again later\r\n", std::chrono::seconds(5));
  co_await stream.Close(std::chrono::seconds(1));
}

int Main(int argc, char** argv) {
  server::InitServiceProcess();
  std::optional<config::v1::Config> config = server::LoadServiceConfig(argc, argv, "smtp");
  if (!config.has_value()) return 2;
  const config::v1::SmtpConfig& smtp = config->smtp();

  absl::StatusOr<std::unique_ptr<net::TlsContextProvider>> tls =
      net::TlsContextProvider::Create(smtp.tls(), smtp.hostname());
  if (!tls.ok()) {
    log::Error("TLS setup failed", {{"error", tls.status().ToString()}});
    return 1;
  }
  std::unique_ptr<store_client::StoreClient> store = server::NewStoreClient(*config);
  net::AuthThrottle throttle(smtp.limits());
  net::ConnectionTracker tracker;
  net::RateLimiter connections_per_ip(smtp.connections_per_ip_per_minute());
  net::RateLimiter messages_per_ip(smtp.messages_per_ip_per_minute());
  AnsweredKeys answered_keys(store.get());
  RecipientCache recipients(std::chrono::seconds(smtp.recipient_cache_seconds()));
  Metrics metrics;
  DescribeSmtpMetrics(&metrics);

  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  SmtpContext context{.config = smtp,
                      .store = store.get(),
                      .tls = tls->get(),
                      .throttle = &throttle,
                      .tracker = &tracker,
                      .connections_per_ip = &connections_per_ip,
                      .messages_per_ip = &messages_per_ip,
                      .answered_keys = &answered_keys,
                      .recipients = &recipients,
                      .metrics = &metrics,
                      .instance = absl::StrCat("smtp-", getpid(), "@", host)};

  server::ServiceOptions options{
      .service = "smtp",
      .listeners = {{kMxListener, smtp.listen(), false},
                    {kSubmissionListener, smtp.submission_listen(), false},
                    {kSubmissionsListener, smtp.submissions_listen(), true}},
      .metrics_listen = smtp.metrics_listen(),
      .health_listen = smtp.health_listen(),
      .port_file = smtp.port_file(),
      .io_threads = smtp.io_threads(),
      .shutdown_grace = std::chrono::seconds(smtp.shutdown_grace_seconds()),
      .tls_handshake_timeout = std::chrono::seconds(smtp.command_timeout_seconds()),
      .on_ready =
          [&](const std::string& ports) {
            log::Info("smtp ready", {{"ports", ports}, {"store", absl::StrJoin(config->store_client().shards(), ",")},
                                     {"hostname", smtp.hostname()},
                                     {"plaintext_auth", smtp.allow_plaintext_auth() ? "allowed" : "tls-only"}});
          },
      .limits = &smtp.limits(),
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
}  // namespace kurier::smtp

int main(int argc, char** argv) { return kurier::smtp::Main(argc, argv); }
