// What every POP3 session of one process shares: configuration, the store
// client, TLS, the authentication throttle, shutdown tracking and metrics.
// Built once in main; sessions hold a pointer.
#ifndef KURIER_SERVICES_POP3_POP3_CONTEXT_H_
#define KURIER_SERVICES_POP3_POP3_CONTEXT_H_

#include <string>

#include "proto/kurier/config/v1/config.pb.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/tls_context.h"
#include "services/common/store_client/store_client.h"

namespace kurier::pop3 {

struct Pop3Context {
  kurier::config::v1::Pop3Config config;
  store_client::StoreClient* store = nullptr;
  net::TlsContextProvider* tls = nullptr;  // null: no STLS
  net::AuthThrottle* throttle = nullptr;
  net::ConnectionTracker* tracker = nullptr;
  Metrics* metrics = nullptr;
  // Names this process in lease holders and logs, e.g. "pop3-7f3a@host".
  std::string instance;
};

// Declares the service's metric families (once, in main).
void DescribePop3Metrics(Metrics* metrics);

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_POP3_CONTEXT_H_
