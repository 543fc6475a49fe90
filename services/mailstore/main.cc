// mailstore: the mailbox store service (kurier.store.v1.MailStore over gRPC).
//
// IMPLEMENTS: proto/kurier/store/v1/store.proto; gRPC health checking
// (grpc.health.v1); Prometheus /metrics.
// TRUSTS: its callers. It has no authentication of its own and must listen
// only where the protocol services and operators reach it (loopback by
// default; a cluster-internal Service in Kubernetes). It is the only process
// that opens the database.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/common/config/config_loader.h"
#include "services/common/metrics/metrics.h"
#include "services/common/store_client/keepalive.h"
#include "services/common/store_client/transport.h"
#include "services/common/thread_pool/thread_pool.h"
#include "services/mailstore/store_service.h"
#include "storage/mail_store.h"

namespace {

using kurier::config::v1::Config;

void Log(const std::string& level, const std::string& message) {
  std::cerr << "level=" << level << " service=mailstore msg=\"" << message << "\"\n";
}

kurier::storage::StoreOptions ToStoreOptions(const kurier::config::v1::StoreConfig& c) {
  kurier::storage::StoreOptions options;
  options.data_dir = c.data_dir();
  options.sync = c.durability() != kurier::config::v1::NO_SYNC;
  options.max_message_bytes = c.max_message_bytes();
  options.default_quota_bytes = c.default_quota_bytes();
  options.scrypt_n = c.scrypt_n();
  options.block_cache_bytes = uint64_t{c.block_cache_mb()} << 20;
  options.blob_cache_bytes = uint64_t{c.blob_cache_mb()} << 20;
  options.auth_cache_ttl = absl::Seconds(c.auth_cache_seconds());
  options.idempotency_ttl = absl::Seconds(c.idempotency_ttl_seconds());
  // The config schema has its own enum (DELETE/KEEP); the store speaks the API's.
  options.pop3_policy = c.pop3_policy() == kurier::config::v1::KEEP ? kurier::store::v1::POP3_KEEP
                                                                    : kurier::store::v1::POP3_DELETE;
  options.pop3_keep_days = c.pop3_keep_days();
  return options;
}

int Run(int argc, char** argv) {
  auto config = kurier::config::LoadConfigFromMain(argc, argv);
  if (!config.ok()) {
    std::cerr << "mailstore: " << config.status().message() << "\n";
    return 2;
  }
  const kurier::config::v1::StoreConfig& c = config->store();

  // SIGTERM and SIGINT are taken by sigwait below, not by any thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = kurier::storage::MailStore::Open(ToStoreOptions(c));
  if (!store.ok()) {
    Log("error", std::string(store.status().message()));
    return 1;
  }
  kurier::Metrics metrics;
  kurier::ThreadPool pool(static_cast<int>(c.worker_threads()));
  kurier::mailstore::StoreService service(store->get(), &pool, &metrics);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(c.listen(), grpc::InsecureServerCredentials(), &port);
  // Room for the largest message plus its envelope.
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<uint64_t>(c.max_message_bytes() + (1 << 20), INT32_MAX)));
  builder.SetMaxSendMessageSize(64 << 20);
  // The same frame size and window as the clients (store_client/transport.h).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, kurier::store_client::kHttp2MaxFrameSize);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kurier::store_client::kHttp2StreamWindow);
  // Keepalive (services/common/store_client/keepalive.h). Accept the clients'
  // pings, with or without calls, as often as the fastest client may send
  // them: gRPC's defaults (one per 5 minutes without data, two strikes) would
  // answer a StoreClient's 30 s pings on an idle Watch stream with GOAWAY
  // "too_many_pings". A client pinging faster than that still gets it after
  // the strikes. And ping the clients: a protocol server that vanished
  // without closing its connection has its streams (Watch) freed.
  namespace keepalive = kurier::store_client;
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_cast<int>(keepalive::kServerMinPingInterval.count()));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(keepalive::kServerKeepaliveTime.count()));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(keepalive::kServerKeepaliveTimeout.count()));
  // An idle Watch stream sends no data: keep pinging through it.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log("error", absl::StrCat("cannot listen on ", c.listen()));
    return 1;
  }

  std::unique_ptr<kurier::MetricsHttpServer> metrics_server;
  if (c.metrics_listen() != "off") {
    metrics.Describe("kurier_store_commits_total", "counter", "Synced batch writes (group commits).");
    metrics.Describe("kurier_store_committed_writes_total", "counter", "Write operations in those commits.");
    metrics.Describe("kurier_store_deliveries_total", "counter", "Deliver calls that succeeded.");
    auto started = kurier::MetricsHttpServer::Start(c.metrics_listen(), &metrics, [&] {
      auto stats = (*store)->GetStats();
      if (!stats.ok()) return;
      metrics.Set("kurier_store_commits_total", static_cast<double>(stats->commits()));
      metrics.Set("kurier_store_committed_writes_total", static_cast<double>(stats->committed_writes()));
      metrics.Set("kurier_store_deliveries_total", static_cast<double>(stats->deliveries()));
      metrics.Set("kurier_store_accounts", static_cast<double>(stats->accounts()));
    });
    if (!started.ok()) {
      Log("error", std::string(started.status().message()));
      return 1;
    }
    metrics_server = *std::move(started);
  }

  absl::Notification stopping;
  std::thread retention([&] {
    const absl::Duration interval = absl::Seconds(c.retention_interval_seconds());
    while (!stopping.WaitForNotificationWithTimeout(interval)) {
      auto expunged = (*store)->RunRetention(absl::Now());
      if (!expunged.ok()) Log("warning", absl::StrCat("retention: ", expunged.status().ToString()));
      if (expunged.ok() && *expunged > 0) Log("info", absl::StrCat("retention expunged ", *expunged, " messages"));
    }
  });

  if (!c.port_file().empty()) {
    // Written whole, then renamed: a reader never sees half a number.
    const std::string temp = c.port_file() + ".tmp";
    std::ofstream(temp) << port << "\n";
    std::rename(temp.c_str(), c.port_file().c_str());
  }
  Log("info", absl::StrCat("serving on ", c.listen().substr(0, c.listen().rfind(':')), ":", port, ", data in ",
                           c.data_dir(), ", metrics on ",
                           metrics_server ? absl::StrCat("port ", metrics_server->port()) : std::string("off")));

  int signal = 0;
  sigwait(&signals, &signal);
  Log("info", absl::StrCat("signal ", signal, ": finishing calls in flight, then stopping"));
  stopping.Notify();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  retention.join();
  return 0;  // pool, then store, close in reverse order of creation
}

}  // namespace

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's Abseil is built with mutex deadlock detection on; it costs a
  // few percent of CPU. Optimized builds turn it off; test builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  return Run(argc, argv);
}
