#include "services/pop3/pop3_context.h"

#include "services/common/server/service_main.h"

namespace kurier::pop3 {

void DescribePop3Metrics(Metrics* metrics) {
  server::DescribeListenerMetrics("pop3", metrics);
  metrics->Describe("kurier_pop3_sessions_open", "gauge", "Sessions now open.");
  metrics->Describe("kurier_pop3_commands_total", "counter", "Commands received, by keyword.");
  metrics->Describe("kurier_pop3_errors_total", "counter", "Protocol errors, by reason.");
  metrics->Describe("kurier_pop3_logins_total", "counter", "Login attempts, by result.");
  metrics->Describe("kurier_pop3_tls_handshakes_total", "counter", "STLS handshakes, by result.");
  metrics->Describe("kurier_pop3_bytes_total", "counter", "Bytes read from and written to clients.");
}

}  // namespace kurier::pop3
