#include "services/smtp/smtp_context.h"

#include "services/common/server/service_main.h"

namespace kurier::smtp {

void DescribeSmtpMetrics(Metrics* metrics) {
  server::DescribeListenerMetrics("smtp", metrics);
  metrics->Describe("kurier_smtp_sessions_open", "gauge", "Sessions now open.");
  metrics->Describe("kurier_smtp_commands_total", "counter", "Commands received, by verb.");
  metrics->Describe("kurier_smtp_errors_total", "counter", "Protocol errors and refusals, by reason.");
  metrics->Describe("kurier_smtp_logins_total", "counter", "Authentication attempts, by result.");
  metrics->Describe("kurier_smtp_tls_handshakes_total", "counter", "STARTTLS handshakes, by result.");
  metrics->Describe("kurier_smtp_recipients_total", "counter", "RCPT answers, by result.");
  metrics->Describe("kurier_smtp_messages_total", "counter", "Messages, by result.");
  metrics->Describe("kurier_smtp_message_bytes_total", "counter", "Bytes of accepted messages.");
  metrics->Describe("kurier_smtp_bytes_total", "counter", "Bytes read from and written to clients.");
}

}  // namespace kurier::smtp
