#include "services/common/mime/mime_parser.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "services/common/mime/header_fields.h"

namespace kurier::mime {
namespace {

std::string Body(const std::string& message, const v1::BodyPart& part) {
  return message.substr(part.body_offset(), part.body_size());
}

std::string Header(const std::string& message, const v1::BodyPart& part) {
  return message.substr(part.header_offset(), part.header_size());
}

TEST(ParseMessageTest, PlainTextWithDefaults) {
  const std::string message =
      "From: Alice <alice@example.com>\r\n"
      "To: bob@example.org\r\n"
      "Subject: =?utf-8?Q?caf=C3=A9?=\r\n"
      " time\r\n"
      "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
      "Message-ID: <1@example.com>\r\n"
      "\r\n"
      "Hello\r\n"
      "World\r\n";
  v1::MessageStructure s = ParseMessage(message);
  EXPECT_EQ(s.parser_version(), kParserVersion);
  EXPECT_EQ(s.size(), message.size());
  EXPECT_EQ(s.header_size(), message.find("Hello"));
  const v1::Envelope& e = s.envelope();
  EXPECT_EQ(e.subject(), "=?utf-8?Q?caf=C3=A9?= time");
  EXPECT_EQ(e.date(), "Mon, 1 Jan 2024 10:00:00 +0000");
  EXPECT_EQ(e.message_id(), "<1@example.com>");
  EXPECT_FALSE(e.has_in_reply_to());
  ASSERT_EQ(e.from_size(), 1);
  EXPECT_EQ(e.from(0).name(), "Alice");
  EXPECT_EQ(e.from(0).mailbox(), "alice");
  EXPECT_EQ(e.from(0).host(), "example.com");
  ASSERT_EQ(e.sender_size(), 1);  // defaulted to From
  EXPECT_EQ(e.sender(0).mailbox(), "alice");
  ASSERT_EQ(e.reply_to_size(), 1);
  ASSERT_EQ(e.to_size(), 1);
  EXPECT_EQ(e.cc_size(), 0);

  const v1::BodyPart& b = s.body();
  EXPECT_EQ(b.type(), "text");
  EXPECT_EQ(b.subtype(), "plain");
  ASSERT_EQ(b.params_size(), 1);
  EXPECT_EQ(b.params(0).name(), "charset");
  EXPECT_EQ(b.params(0).value(), "us-ascii");
  EXPECT_EQ(b.encoding(), "7BIT");
  EXPECT_EQ(b.header_offset(), 0u);
  EXPECT_EQ(Body(message, b), "Hello\r\nWorld\r\n");
  EXPECT_EQ(b.body_lines(), 2u);
  EXPECT_EQ(b.body_bare_lfs(), 0u);
  EXPECT_FALSE(b.has_disposition());
}

TEST(ParseMessageTest, MultipartBoundariesAndCrlfOwnership) {
  const std::string message =
      "Content-Type: multipart/mixed; boundary=\"b 1\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--b 1\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "part one\r\n"
      "--b 1  \r\n"
      "\r\n"
      "part two\r\n"
      "\r\n"
      "--b 1--\r\n"
      "epilogue\r\n";
  v1::MessageStructure s = ParseMessage(message);
  const v1::BodyPart& b = s.body();
  EXPECT_EQ(b.type(), "multipart");
  EXPECT_EQ(b.subtype(), "mixed");
  ASSERT_EQ(b.children_size(), 2);
  EXPECT_EQ(Header(message, b.children(0)), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(Body(message, b.children(0)), "part one");
  EXPECT_EQ(b.children(0).body_lines(), 1u);
  EXPECT_EQ(b.children(0).params(0).value(), "utf-8");
  EXPECT_EQ(Header(message, b.children(1)), "\r\n");
  EXPECT_EQ(Body(message, b.children(1)), "part two\r\n");
  EXPECT_EQ(b.children(1).body_lines(), 1u);
  EXPECT_EQ(b.children(1).type(), "text");
  EXPECT_EQ(Body(message, b), message.substr(message.find("preamble")));
}

TEST(ParseMessageTest, BareLfAndCounts) {
  const std::string message = "Subject: x\n\nline1\nline2";
  v1::MessageStructure s = ParseMessage(message);
  EXPECT_EQ(s.header_size(), 12u);
  EXPECT_EQ(s.body().header_bare_lfs(), 2u);
  EXPECT_EQ(Body(message, s.body()), "line1\nline2");
  EXPECT_EQ(s.body().body_lines(), 2u);
  EXPECT_EQ(s.body().body_bare_lfs(), 1u);
}

TEST(ParseMessageTest, EmptyAndHeaderOnly) {
  v1::MessageStructure empty = ParseMessage("");
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.body().type(), "text");
  EXPECT_EQ(empty.body().header_size(), 0u);
  EXPECT_EQ(empty.body().body_size(), 0u);
  EXPECT_FALSE(empty.envelope().has_subject());
  EXPECT_EQ(empty.envelope().from_size(), 0);

  const std::string header_only = "Subject: only\r\nFrom: a@b\r\n";
  v1::MessageStructure h = ParseMessage(header_only);
  EXPECT_EQ(h.header_size(), header_only.size());
  EXPECT_EQ(h.body().body_offset(), header_only.size());
  EXPECT_EQ(h.body().body_size(), 0u);
  EXPECT_EQ(h.envelope().subject(), "only");
}

TEST(ParseMessageTest, MessageRfc822) {
  const std::string inner =
      "From: inner@example.com\r\n"
      "Subject: inner\r\n"
      "\r\n"
      "inner body\r\n";
  const std::string message =
      "Content-Type: multipart/mixed; boundary=x\r\n"
      "\r\n"
      "--x\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n" +
      inner +
      "--x--\r\n";
  v1::MessageStructure s = ParseMessage(message);
  ASSERT_EQ(s.body().children_size(), 1);
  const v1::BodyPart& m = s.body().children(0);
  EXPECT_EQ(m.type(), "message");
  EXPECT_EQ(Body(message, m), inner.substr(0, inner.size() - 2));
  EXPECT_EQ(m.envelope().subject(), "inner");
  ASSERT_TRUE(m.has_message_body());
  EXPECT_EQ(m.message_body().header_offset(), m.body_offset());
  EXPECT_EQ(Body(message, m.message_body()), "inner body");
  EXPECT_EQ(m.body_lines(), 4u);
}

TEST(ParseMessageTest, AncestorBoundaryClosesInnerPart) {
  const std::string message =
      "Content-Type: multipart/mixed; boundary=outer\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "\r\n"
      "a\r\n"
      "--outer\r\n"
      "\r\n"
      "b\r\n"
      "--outer--\r\n";
  v1::MessageStructure s = ParseMessage(message);
  ASSERT_EQ(s.body().children_size(), 2);
  const v1::BodyPart& alt = s.body().children(0);
  ASSERT_EQ(alt.children_size(), 1);
  EXPECT_EQ(Body(message, alt.children(0)), "a");
  EXPECT_EQ(Body(message, s.body().children(1)), "b");
}

TEST(ParseMessageTest, Rfc2231Continuations) {
  const std::string message =
      "Content-Type: application/x-stuff;\r\n"
      " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
      " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
      " title*2=\"isn't it!\"\r\n"
      "Content-Disposition: attachment; filename*0=\"a very \"; filename*1=\"long name.txt\"\r\n"
      "\r\n";
  v1::MessageStructure s = ParseMessage(message);
  const v1::BodyPart& b = s.body();
  ASSERT_EQ(b.params_size(), 1);
  EXPECT_EQ(b.params(0).name(), "title*");
  EXPECT_EQ(b.params(0).value(), "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!");
  EXPECT_EQ(DecodeRfc2231Value(b.params(0).value()), "This is even more ***fun*** isn't it!");
  ASSERT_TRUE(b.has_disposition());
  EXPECT_EQ(b.disposition().type(), "attachment");
  ASSERT_EQ(b.disposition().params_size(), 1);
  EXPECT_EQ(b.disposition().params(0).name(), "filename");
  EXPECT_EQ(b.disposition().params(0).value(), "a very long name.txt");
}

TEST(ParseMessageTest, DepthLimit) {
  std::string message;
  for (int i = 0; i < kMaxDepth + 10; ++i) {
    message += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) +
               "\r\n";
  }
  message += "\r\nleaf\r\n";
  v1::MessageStructure s = ParseMessage(message);
  EXPECT_TRUE(s.limits_reached());
  int depth = 0;
  const v1::BodyPart* p = &s.body();
  while (p->children_size() > 0) {
    p = &p->children(0);
    ++depth;
  }
  EXPECT_EQ(depth, kMaxDepth);
}

TEST(ParseMessageTest, PartLimitKeepsTheRestInTheMultipart) {
  std::string message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < kMaxParts + 100; ++i) message += "--b\r\n\r\nx\r\n";
  message += "--b--\r\n";
  v1::MessageStructure s = ParseMessage(message);
  EXPECT_TRUE(s.limits_reached());
  EXPECT_EQ(s.body().children_size(), kMaxParts - 1);
  EXPECT_EQ(s.body().body_offset() + s.body().body_size(), message.size());
}

// Shapes that would be quadratic in a parser that rescans: 4 MB each, far
// below a second when linear (a generous bound, for loaded machines and
// unoptimized builds).
TEST(ParseMessageTest, AdversarialShapesStayLinear) {
  const size_t size = 4 << 20;
  std::vector<std::string> messages;
  {
    std::string m;
    const std::string prefix(60, 'p');
    for (int i = 0; i < kMaxDepth + 5; ++i) {
      m += "Content-Type: multipart/mixed; boundary=\"" + prefix + std::to_string(i) + "\"\r\n\r\n--" + prefix +
           std::to_string(i) + "\r\n";
    }
    while (m.size() < size) m += "--" + prefix + "x\r\n";
    messages.push_back(std::move(m));
  }
  {
    std::string m;
    for (int i = 0; i < kMaxDepth + 5; ++i) m += "Content-Type: message/rfc822\r\n\r\n";
    m += std::string(size, '\n');
    messages.push_back(std::move(m));
  }
  messages.push_back("Subject: x\r\n\r\n" + std::string(size, '-'));
  messages.push_back(std::string(size, ':'));
  messages.push_back("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + std::string(size, '\n'));
  {
    std::string m = "To: ";
    while (m.size() < size) m += "g:(c)\"q\"<a@b>,;";
    messages.push_back(std::move(m));
  }
  {
    std::string m = "Content-Type: text/plain";
    while (m.size() < size) m += "; a*1*=b";
    messages.push_back(std::move(m));
  }
  for (const std::string& m : messages) {
    const auto t0 = std::chrono::steady_clock::now();
    v1::MessageStructure s = ParseMessage(m);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(sec, 5.0) << m.substr(0, 80);
    std::printf("%.3f s: %s\n", sec, absl::CHexEscape(m.substr(0, 40)).c_str());
    EXPECT_EQ(s.size(), m.size());
  }
}

}  // namespace
}  // namespace kurier::mime
