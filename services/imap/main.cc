// imap: the IMAP access service.
//
// IMPLEMENTS: RFC 9051 (IMAP4rev2) and RFC 3501 (IMAP4rev1), with RFC 2177
// (IDLE), RFC 2971 (ID), RFC 3502 (MULTIAPPEND), RFC 3516 (BINARY), RFC 4315
// (UIDPLUS), RFC 4731
// (ESEARCH), RFC 4959 (SASL-IR), RFC 5161 (ENABLE), RFC 5182 (SEARCHRES),
// RFC 5258 (LIST-EXTENDED), RFC 5819 (LIST-STATUS), RFC 6154 (SPECIAL-USE),
// RFC 6851 (MOVE), RFC 6855 (UTF8=ACCEPT), RFC 7162 section 3.1
// (CONDSTORE; not QRESYNC), RFC 7888 (LITERAL+), RFC 8314
// (implicit TLS); gRPC health checking; Prometheus /metrics.
//
// TRUSTS: the mailstore (over gRPC) to check credentials and to hold every
// mailbox; nothing a client sends. Holds no state of its own: any instance
// can serve any account, and sessions on different instances see each
// other's changes through the store's change stream.
#include <unistd.h>

#include <memory>
#include <optional>

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
#include "services/common/store_client/change_feed.h"
#include "services/common/store_client/store_client.h"
#include "services/imap/imap_context.h"
#include "services/imap/session.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> Serve(ImapContext* context, net::Stream stream, net::ConnectionInfo info) {
  auto session = std::make_shared<Session>(context, std::move(stream), std::move(info));
  co_await session->Run();
}

asio::awaitable<void> Reject(net::Stream stream, net::ConnectionInfo info) {
  co_await stream.WriteAll("* BYE [UNAVAILABLE] too many connections, try again later\r\n", std::chrono::seconds(5));
  co_await stream.Close(std::chrono::seconds(1));
}

int Main(int argc, char** argv) {
  server::InitServiceProcess();
  std::optional<config::v1::Config> config = server::LoadServiceConfig(argc, argv, "imap");
  if (!config.has_value()) return 2;
  const config::v1::ImapConfig& imap = config->imap();

  absl::StatusOr<std::unique_ptr<net::TlsContextProvider>> tls =
      net::TlsContextProvider::Create(imap.tls(), imap.hostname());
  if (!tls.ok()) {
    log::Error("TLS setup failed", {{"error", tls.status().ToString()}});
    return 1;
  }
  std::unique_ptr<store_client::StoreClient> store = server::NewStoreClient(*config);
  // Declared after the store client: destroyed first, while its channels live.
  auto feed = std::make_unique<store_client::ChangeFeed>(store.get());
  SearchHeaderCache search_headers(size_t{imap.search_cache_mb()} << 20);
  ContentCache contents(size_t{imap.content_cache_mb()} << 20, size_t{imap.content_cache_max_message_kb()} << 10);
  net::AuthThrottle throttle(imap.limits());
  net::ConnectionTracker tracker;
  Metrics metrics;
  DescribeImapMetrics(&metrics);

  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  ImapContext context{.config = imap,
                      .store = store.get(),
                      .feed = feed.get(),
                      .search_headers = &search_headers,
                      .contents = &contents,
                      .tls = tls->get(),
                      .throttle = &throttle,
                      .tracker = &tracker,
                      .metrics = &metrics,
                      .instance = absl::StrCat("imap-", getpid(), "@", host)};

  server::ServiceOptions options{
      .service = "imap",
      .listeners = {{"imap", imap.listen(), false}, {"imaps", imap.tls_listen(), true}},
      .metrics_listen = imap.metrics_listen(),
      .health_listen = imap.health_listen(),
      .port_file = imap.port_file(),
      .io_threads = imap.io_threads(),
      .shutdown_grace = std::chrono::seconds(imap.shutdown_grace_seconds()),
      .tls_handshake_timeout = std::chrono::seconds(imap.limits().idle_timeout_seconds()),
      .on_ready =
          [&](const std::string& ports) {
            log::Info("imap ready", {{"ports", ports},
                                     {"store", absl::StrJoin(config->store_client().shards(), ",")},
                                     {"plaintext_auth", imap.allow_plaintext_auth() ? "allowed" : "tls-only"}});
          },
      .limits = &imap.limits(),
      .tls = tls->get(),
      .tracker = &tracker,
      .metrics = &metrics,
      .handler = [&context](net::Stream stream,
                            net::ConnectionInfo info) { return Serve(&context, std::move(stream), std::move(info)); },
      .rejecter = [](net::Stream stream,
                     net::ConnectionInfo info) { return Reject(std::move(stream), std::move(info)); }};
  const int code = server::RunService(options);
  feed.reset();
  return code;
}

}  // namespace
}  // namespace kurier::imap

int main(int argc, char** argv) { return kurier::imap::Main(argc, argv); }
