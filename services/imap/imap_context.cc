#include "services/imap/imap_context.h"

#include "services/common/server/service_main.h"

namespace kurier::imap {

void DescribeImapMetrics(Metrics* metrics) {
  server::DescribeListenerMetrics("imap", metrics);
  metrics->Describe("kurier_imap_sessions_open", "gauge", "Sessions now open.");
  metrics->Describe("kurier_imap_idling", "gauge", "Sessions now in IDLE.");
  metrics->Describe("kurier_imap_commands_total", "counter", "Commands received, by name.");
  metrics->Describe("kurier_imap_errors_total", "counter", "Protocol errors, by reason.");
  metrics->Describe("kurier_imap_logins_total", "counter", "Login attempts, by result.");
  metrics->Describe("kurier_imap_tls_handshakes_total", "counter", "STARTTLS handshakes, by result.");
  metrics->Describe("kurier_imap_bytes_total", "counter", "Bytes read from and written to clients.");
}

}  // namespace kurier::imap
