#include "services/smtp/trace_headers.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::smtp {
namespace {

ReceivedInfo Info() {
  return ReceivedInfo{.helo = "client.example",
                      .client_ip = "192.0.2.7",
                      .hostname = "mx.test",
                      .id = "abc.1.1",
                      .time = absl::FromUnixSeconds(1795333200)};  // 2026-11-22 07:40:00 UTC
}

TEST(TraceHeadersTest, ReceivedRecordsClientTlsAndProtocol) {
  ReceivedInfo info = Info();
  info.tls_version = "TLSv1.3";
  info.tls_cipher = "TLS_AES_256_GCM_SHA384";
  info.authenticated = true;
  info.recipient = "bob@example.org";
  EXPECT_EQ(ReceivedHeader(info),
            "Received: from client.example (unknown [192.0.2.7])\r\n"
            "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"
            "\tby mx.test (Kurier) with ESMTPSA id abc.1.1\r\n"
            "\tfor <bob@example.org>; Sun, 22 Nov 2026 07:40:00 +0000\r\n");
}

TEST(TraceHeadersTest, ProtocolTypesOfRfc3848And6531) {
  ReceivedInfo info = Info();
  EXPECT_EQ(ProtocolType(info), "ESMTP");
  info.authenticated = true;
  EXPECT_EQ(ProtocolType(info), "ESMTPA");
  info.tls_version = "TLSv1.2";
  EXPECT_EQ(ProtocolType(info), "ESMTPSA");
  info.smtputf8 = true;
  EXPECT_EQ(ProtocolType(info), "UTF8SMTPSA");
  info.esmtp = false;
  EXPECT_EQ(ProtocolType(info), "SMTP");
}

TEST(TraceHeadersTest, HeloCannotForgeFieldsOrComments) {
  ReceivedInfo info = Info();
  info.helo = "evil) (by trusted\r\nX-Injected: 1";
  const std::string header = ReceivedHeader(info);
  EXPECT_EQ(header.find("X-Injected: 1\r\n"), std::string::npos);
  EXPECT_EQ(header.find("(by"), std::string::npos);
  EXPECT_EQ(header.rfind("Received: from evil_", 0), 0u);
}

TEST(TraceHeadersTest, DatesAndIds) {
  EXPECT_EQ(Rfc5322Date(absl::FromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(ReturnPathHeader(""), "Return-Path: <>\r\n");
  EXPECT_EQ(ReturnPathHeader("a@b"), "Return-Path: <a@b>\r\n");
  const std::string a = NewMessageId("mx.test"), b = NewMessageId("mx.test");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.front(), '<');
  EXPECT_NE(a.find("@mx.test>"), std::string::npos);
}

}  // namespace
}  // namespace kurier::smtp
