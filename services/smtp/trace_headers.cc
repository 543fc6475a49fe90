#include "services/smtp/trace_headers.h"

#include <openssl/rand.h>

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kurier::smtp {
namespace {

// Printable ASCII, without the characters that would end or open a comment.
std::string Sanitize(absl::string_view text, size_t max) {
  std::string out;
  for (unsigned char c : text.substr(0, max)) {
    out.push_back(c > 32 && c < 127 && c != '(' && c != ')' && c != '\\' ? static_cast<char>(c) : '_');
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::string ProtocolType(const ReceivedInfo& info) {
  if (!info.esmtp) return "SMTP";
  std::string type = info.smtputf8 ? "UTF8SMTP" : "ESMTP";
  if (!info.tls_version.empty()) type += "S";
  if (info.authenticated) type += "A";
  return type;
}

std::string ReceivedHeader(const ReceivedInfo& info) {
  std::string out = absl::StrCat("Received: from ", Sanitize(info.helo, 255), " (unknown [", info.client_ip, "])\r\n");
  if (!info.tls_version.empty()) {
    absl::StrAppend(&out, "\t(using ", Sanitize(info.tls_version, 32), " with cipher ", Sanitize(info.tls_cipher, 64),
                    ")\r\n");
  }
  absl::StrAppend(&out, "\tby ", info.hostname, " (Kurier) with ", ProtocolType(info), " id ", info.id);
  if (!info.recipient.empty()) absl::StrAppend(&out, "\r\n\tfor <", info.recipient, ">");
  absl::StrAppend(&out, "; ", Rfc5322Date(info.time), "\r\n");
  return out;
}

std::string ReturnPathHeader(absl::string_view sender) { return absl::StrCat("Return-Path: <", sender, ">\r\n"); }

std::string Rfc5322Date(absl::Time time) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", time, absl::UTCTimeZone());
}

std::string NewMessageId(absl::string_view hostname) {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    // Not security relevant; uniqueness from the clock then.
    const int64_t now = absl::ToUnixNanos(absl::Now());
    for (size_t i = 0; i < sizeof(random); ++i) random[i] = static_cast<unsigned char>(now >> ((i % 8) * 8));
  }
  return absl::StrCat("<", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(random), sizeof(random))),
                      "@", hostname, ">");
}

}  // namespace kurier::smtp
