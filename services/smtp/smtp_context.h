// What every SMTP session of one process shares: configuration, the store
// client, TLS, throttles and rate limits, shutdown tracking and metrics.
// Built once in main; sessions hold a pointer.
#ifndef KURIER_SERVICES_SMTP_SMTP_CONTEXT_H_
#define KURIER_SERVICES_SMTP_SMTP_CONTEXT_H_

#include <string>

#include "proto/kurier/config/v1/config.pb.h"
#include "services/common/metrics/metrics.h"
#include "services/common/net/auth_throttle.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/rate_limiter.h"
#include "services/common/net/tls_context.h"
#include "services/common/store_client/store_client.h"
#include "services/smtp/answered_keys.h"
#include "services/smtp/recipient_cache.h"

namespace kurier::smtp {

// The listeners' names, which decide a session's policy.
inline constexpr char kMxListener[] = "smtp";
inline constexpr char kSubmissionListener[] = "submission";
inline constexpr char kSubmissionsListener[] = "submissions";

struct SmtpContext {
  kurier::config::v1::SmtpConfig config;
  store_client::StoreClient* store = nullptr;
  net::TlsContextProvider* tls = nullptr;
  net::AuthThrottle* throttle = nullptr;
  net::ConnectionTracker* tracker = nullptr;
  net::RateLimiter* connections_per_ip = nullptr;
  net::RateLimiter* messages_per_ip = nullptr;
  AnsweredKeys* answered_keys = nullptr;
  RecipientCache* recipients = nullptr;
  Metrics* metrics = nullptr;
  // Names this process in logs and message ids, e.g. "smtp-7f3a@host".
  std::string instance;
};

// Declares the service's metric families (once, in main).
void DescribeSmtpMetrics(Metrics* metrics);

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_SMTP_CONTEXT_H_
