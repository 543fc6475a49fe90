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

// "name=value" of each parameter, joined by "; ".
std::string Params(const google::protobuf::RepeatedPtrField<v1::Parameter>& params) {
  std::string out;
  for (const v1::Parameter& p : params) {
    if (!out.empty()) out += "; ";
    out += p.name() + "=" + p.value();
  }
  return out;
}

// The Content-Type parameters of a message with this Content-Type value.
std::string TypeParams(const std::string& content_type) {
  return Params(ParseMessage("Content-Type: " + content_type + "\r\n\r\nx").body().params());
}

// The Content-Disposition parameters of a message with this disposition value.
std::string DispositionParams(const std::string& disposition) {
  return Params(ParseMessage("Content-Disposition: " + disposition + "\r\n\r\nx").body().disposition().params());
}

// RFC 2231 3 and 4.1 (the examples of the RFC).
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
  EXPECT_EQ(b.params(0).name(), "title");
  EXPECT_EQ(b.params(0).value(), "This is even more ***fun*** isn't it!");
  ASSERT_TRUE(b.has_disposition());
  EXPECT_EQ(b.disposition().type(), "attachment");
  EXPECT_EQ(Params(b.disposition().params()), "filename=a very long name.txt");
  EXPECT_EQ(TypeParams("message/external-body; access-type=URL;\r\n"
                       " URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\""),
            "access-type=URL; URL=ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
  EXPECT_EQ(TypeParams("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"),
            "title=This is ***fun***");
}

// Plain sections are taken literally, also when they hold '%' or quotes.
TEST(ParseMessageTest, Rfc2231SplitPlainContinuations) {
  EXPECT_EQ(DispositionParams("attachment; filename*0=\"100%20\"; filename*1=\"'x'.txt\"; size=3"),
            "filename=100%20'x'.txt; size=3");
  EXPECT_EQ(DispositionParams("inline; name*0=a; name*1=b; name*2=c"), "name=abc");
}

TEST(ParseMessageTest, Rfc2231EncodedContinuations) {
  // As Thunderbird writes a long name: the charset in section 0 only, a UTF-8
  // character split between two sections, a plain last section.
  EXPECT_EQ(DispositionParams("attachment;\r\n filename*0*=UTF-8''%E2%82%AC%20ra;\r\n filename*1*=tes%20%C3;\r\n"
                              " filename*2*=%BC;\r\n filename*3=ber.txt"),
            "filename=\xE2\x82\xAC rates \xC3\xBC"
            "ber.txt");
  // Only section 0 names a charset; quotes in later sections are text.
  EXPECT_EQ(TypeParams("text/plain; name*0*=utf-8'de'a%27; name*1*=b'c'%41"), "name=a'b'c'A");
  // Extended sections after a plain section 0: percent-decoded, no charset.
  EXPECT_EQ(TypeParams("text/plain; name*0=\"a%41\"; name*1*=%42"), "name=a%41B");
}

TEST(ParseMessageTest, Rfc2231Charsets) {
  EXPECT_EQ(DispositionParams("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt"),
            "filename=Gr\xC3\xBC\xC3\x9F"
            "e.txt");
  EXPECT_EQ(DispositionParams("attachment; filename*=ISO-8859-1''caf%E9"), "filename=caf\xC3\xA9");
  EXPECT_EQ(DispositionParams("attachment; filename*=windows-1252''%80%20rates"), "filename=\xE2\x82\xAC rates");
  EXPECT_EQ(DispositionParams("attachment; filename*=us-ascii''plain"), "filename=plain");
  // Unknown charset, bytes the charset cannot convert, no charset: the
  // percent-decoded bytes.
  EXPECT_EQ(DispositionParams("attachment; filename*=x-no-such-charset''caf%E9"), "filename=caf\xE9");
  EXPECT_EQ(DispositionParams("attachment; filename*=utf-8''caf%E9"), "filename=caf\xE9");
  EXPECT_EQ(DispositionParams("attachment; filename*=''caf%C3%A9"), "filename=caf\xC3\xA9");
  EXPECT_EQ(DispositionParams("attachment; filename*0*=x-unknown''a%E9; filename*1=b"),
            "filename=a\xE9"
            "b");
}

TEST(ParseMessageTest, Rfc2231OutOfOrderAndGaps) {
  // Numeric, not textual, order; case-insensitive names; the first name as
  // written and the place of the first section.
  EXPECT_EQ(TypeParams("text/plain; Name*10=k; a=1; name*2=c; NAME*1=b; name*0=a; name*3=d; name*4=e; name*5=f; "
                       "name*6=g; name*7=h; name*8=i; name*9=j"),
            "Name=abcdefghijk; a=1");
  EXPECT_EQ(DispositionParams("attachment; filename*1*=%C3%BC.txt; filename*0*=utf-8''%E2%82%AC"),
            "filename=\xE2\x82\xAC\xC3\xBC.txt");
  // A repeated section: the first counts.
  EXPECT_EQ(TypeParams("text/plain; name*0=a; name*1=b; name*1=X; name*2=c"), "name=abc");
  // A gap ends the value; without section 0 there is none.
  EXPECT_EQ(TypeParams("text/plain; name*0=a; name*1=b; name*3=d"), "name=ab");
  EXPECT_EQ(TypeParams("text/plain; name*1=b; name*2=c; x=y"), "x=y");
  EXPECT_EQ(TypeParams("text/plain; name*0=a; name*99999999999=z; name*4294967297=w"), "name=a");
}

TEST(ParseMessageTest, Rfc2231WinsOverPlain) {
  // Mail programs send both for old readers; the RFC 2231 one wins, at the
  // place of the first.
  EXPECT_EQ(DispositionParams("attachment; filename=\"=?UTF-8?Q?caf=C3=A9?=\"; size=5; filename*=utf-8''caf%C3%A9"),
            "filename=caf\xC3\xA9; size=5");
  EXPECT_EQ(TypeParams("text/plain; name*0*=utf-8''%E2%82%AC; name*1=.txt; name=\"EUR.txt\""), "name=\xE2\x82\xAC.txt");
  // "name*" wins over sections.
  EXPECT_EQ(TypeParams("text/plain; name*0=sections; name*=''single"), "name=single");
  // Sections that give no value leave the plain one.
  EXPECT_EQ(TypeParams("text/plain; name=plain; name*1=orphan"), "name=plain");
  // Without RFC 2231 forms plain parameters stay as they were, repeated too.
  EXPECT_EQ(TypeParams("text/plain; name=a; name=b; charset=\"us-ascii\""), "name=a; name=b; charset=us-ascii");
}

TEST(ParseMessageTest, Rfc2231Malformed) {
  // Bad percent escapes stay; a value without the charset quotes is only
  // percent-decoded.
  EXPECT_EQ(TypeParams("text/plain; name*=utf-8''100%; a*=''%zz%4g%"), "name=100%; a=%zz%4g%");
  EXPECT_EQ(TypeParams("text/plain; name*=no-quotes%41; b*=one'quote"), "name=no-quotesA; b=one'quote");
  EXPECT_EQ(TypeParams("text/plain; name*=\"utf-8''%41 b\""), "name=A b");
  // Names that are no RFC 2231 form stay as they are.
  EXPECT_EQ(TypeParams("text/plain; *=a; *0=b; x**=c; x*1a=d; x*-1=e; x*0**=f"),
            "*=a; *0=b; x**=c; x*1a=d; x*-1=e; x*0**=f");
  // Empty values; no '=' (dropped as before); an unterminated quote.
  EXPECT_EQ(TypeParams("text/plain; name*=; a*0=; b*0*"), "name=; a=");
  EXPECT_EQ(TypeParams("text/plain; name*0*=\"utf-8''%E2%82"), "name=\xE2\x82");
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
  {
    // RFC 2231 in every part: many names, many sections, unknown charsets.
    std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    std::string type = "Content-Type: text/plain";
    for (int i = 0; type.size() < 60000; ++i) {
      type += "; n" + std::to_string(i) + "*=x-unknown-" + std::to_string(i % 7) + "''%E9";
      type += "; s*" + std::to_string(5000 - i) + "*=%41; s*99999999999999=z";
    }
    while (m.size() < size) m += "--b\r\n" + type + "\r\n\r\nx\r\n";
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
