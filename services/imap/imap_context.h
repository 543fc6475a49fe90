// What every IMAP session of one process shares: configuration, the store
// client and its change feed, TLS, the authentication throttle, shutdown
// tracking and metrics. Built once in main; sessions hold a pointer.
#ifndef KURIER_SERVICES_IMAP_IMAP_CONTEXT_H_
#define KURIER_SERVICES_IMAP_IMAP_CONTEXT_H_

#include <string>

#include "proto/kurier/config/v1/config.pb.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/tls_context.h"
#include "services/common/store_client/store_client.h"
#include "services/imap/content_cache.h"
#include "services/imap/search_header_cache.h"

namespace kurier::store_client {
class ChangeFeed;
}  // namespace kurier::store_client

namespace kurier::imap {

struct ImapContext {
  kurier::config::v1::ImapConfig config;
  store_client::StoreClient* store = nullptr;
  // One Watch stream per shard for every session of this process.
  store_client::ChangeFeed* feed = nullptr;
  // Headers prepared by SEARCH, kept for later searches.
  SearchHeaderCache* search_headers = nullptr;
  // Message contents FETCH has read, by blob id (null: none kept).
  ContentCache* contents = nullptr;
  net::TlsContextProvider* tls = nullptr;  // null: no STARTTLS
  net::AuthThrottle* throttle = nullptr;
  net::ConnectionTracker* tracker = nullptr;
  Metrics* metrics = nullptr;
  // Names this process in logs, e.g. "imap-7f3a@host".
  std::string instance;
};

// Declares the service's metric families (once, in main).
void DescribeImapMetrics(Metrics* metrics);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_IMAP_CONTEXT_H_
