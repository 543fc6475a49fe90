#include "services/smtp/codec/smtp_command.h"

#include <string>

#include "gtest/gtest.h"

namespace kurier::smtp {
namespace {

Command Ok(const std::string& line) {
  Parsed parsed = ParseCommand(line);
  EXPECT_TRUE(parsed.ok()) << line << " -> " << (parsed.error ? parsed.error->text : "");
  return parsed.command;
}

Reply Err(const std::string& line) {
  Parsed parsed = ParseCommand(line);
  EXPECT_FALSE(parsed.ok()) << line;
  return parsed.error.value_or(Reply{});
}

TEST(ParseCommandTest, VerbsAreCaseInsensitive) {
  EXPECT_EQ(Ok("ehlo client.example").verb, Verb::kEhlo);
  EXPECT_EQ(Ok("ehlo client.example").argument, "client.example");
  EXPECT_EQ(Ok("HeLo [192.0.2.1]").verb, Verb::kHelo);
  EXPECT_EQ(Ok("data").verb, Verb::kData);
  EXPECT_EQ(Ok("Rset").verb, Verb::kRset);
  EXPECT_EQ(Ok("NOOP anything").verb, Verb::kNoop);
  EXPECT_EQ(Ok("QUIT").verb, Verb::kQuit);
  EXPECT_EQ(Ok("starttls").verb, Verb::kStartTls);
  EXPECT_EQ(Ok("HELP MAIL").argument, "MAIL");
  EXPECT_EQ(Ok("VRFY root").verb, Verb::kVrfy);
  EXPECT_EQ(Ok("EXPN staff").verb, Verb::kExpn);
  EXPECT_EQ(Ok("XYZZY 1").verb, Verb::kUnknown);
}

TEST(ParseCommandTest, BadLines) {
  EXPECT_EQ(Err("").code, 500);
  EXPECT_EQ(Err(std::string("NOOP \0", 6)).enhanced, "5.5.2");
  EXPECT_EQ(Err("EHLO").code, 501);
  EXPECT_EQ(Err("DATA now").code, 501);
  EXPECT_EQ(Err("QUIT please").code, 501);
  EXPECT_EQ(Err("VRFY").code, 501);
  EXPECT_EQ(Err("AUTH").code, 501);
  EXPECT_EQ(Err("AUTH PLAIN a b").code, 501);
}

TEST(ParseCommandTest, MailPathsAndParameters) {
  Command mail = Ok("MAIL FROM:<Anna@Example.ORG> SIZE=5000 BODY=8bitmime SMTPUTF8 RET=hdrs ENVID=QQ+2B1");
  EXPECT_EQ(mail.verb, Verb::kMail);
  EXPECT_EQ(mail.path.local_part, "Anna");
  EXPECT_EQ(mail.path.domain, "example.org");
  EXPECT_EQ(mail.path.Address(), "Anna@example.org");
  EXPECT_EQ(mail.mail.size, 5000u);
  EXPECT_TRUE(mail.mail.body_8bitmime);
  EXPECT_TRUE(mail.mail.smtputf8);
  EXPECT_EQ(mail.mail.ret, "HDRS");
  EXPECT_EQ(mail.mail.envid, "QQ+2B1");
  EXPECT_TRUE(Ok("MAIL FROM:<>").path.null);
  EXPECT_TRUE(Ok("mail from:<> AUTH=<>").path.null);
  EXPECT_EQ(Ok("MAIL FROM: <a@b.example>").path.Address(), "a@b.example");  // lenient space
  EXPECT_EQ(Ok("MAIL FROM:a@b.example").path.Address(), "a@b.example");     // lenient brackets
  EXPECT_EQ(Ok("MAIL FROM:<\"a >b\"@b.example>").path.local_part, "\"a >b\"");
}

TEST(ParseCommandTest, MailErrors) {
  EXPECT_EQ(Err("MAIL TO:<a@b>").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<a@b").enhanced, "5.5.4");
  EXPECT_EQ(Err("MAIL FROM:<a>").enhanced, "5.1.7");
  EXPECT_EQ(Err("MAIL FROM:<a..b@c>").enhanced, "5.1.7");
  EXPECT_EQ(Err("MAIL FROM:<a@-c>").enhanced, "5.1.7");
  EXPECT_EQ(Err("MAIL FROM:<a@b> SIZE=x").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<a@b> SIZE=1 SIZE=2").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<a@b> SIZE=-1").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<a@b> BODY=BINARYMIME").code, 555);
  EXPECT_EQ(Err("MAIL FROM:<a@b> FOO=bar").code, 555);
  EXPECT_EQ(Err("MAIL FROM:<a@b> ENVID=a=b").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<a@b>SIZE=1").code, 501);
  EXPECT_EQ(Err("MAIL FROM:<" + std::string(65, 'a') + "@b>").enhanced, "5.1.7");
}

TEST(ParseCommandTest, RcptPaths) {
  Command rcpt = Ok("RCPT TO:<bob@example.org> NOTIFY=success,failure ORCPT=rfc822;bob+40example.org");
  EXPECT_EQ(rcpt.verb, Verb::kRcpt);
  EXPECT_EQ(rcpt.path.Address(), "bob@example.org");
  EXPECT_EQ(rcpt.rcpt.notify, "SUCCESS,FAILURE");
  EXPECT_EQ(rcpt.rcpt.orcpt, "rfc822;bob+40example.org");
  // RFC 5321 4.5.1: <Postmaster> without a domain.
  EXPECT_TRUE(Ok("RCPT TO:<Postmaster>").path.is_postmaster());
  // Source routes are accepted and dropped (RFC 5321 appendix C).
  EXPECT_EQ(Ok("RCPT TO:<@relay.example,@b.example:bob@example.org>").path.Address(), "bob@example.org");
  // An address literal is a domain of its own: the store never finds it local.
  EXPECT_EQ(Ok("RCPT TO:<bob@[127.0.0.1]>").path.domain, "[127.0.0.1]");
  // "%" and "!" are just characters of a local part, never routing.
  EXPECT_EQ(Ok("RCPT TO:<bob%other.example@example.org>").path.domain, "example.org");
  EXPECT_EQ(Ok("RCPT TO:<\"bob@other.example\"@example.org>").path.domain, "example.org");
  EXPECT_TRUE(Ok("RCPT TO:<jösé@exämple.org>").path.utf8);
  EXPECT_FALSE(Ok("RCPT TO:<jose@example.org>").path.utf8);
}

TEST(ParseCommandTest, RcptErrors) {
  EXPECT_EQ(Err("RCPT TO:<>").enhanced, "5.1.3");
  EXPECT_EQ(Err("RCPT TO:<bob>").enhanced, "5.1.3");
  EXPECT_EQ(Err("RCPT TO:<@relay:>").enhanced, "5.1.3");
  EXPECT_EQ(Err("RCPT TO:<bob@example.org> NOTIFY=NEVER,SUCCESS").code, 501);
  EXPECT_EQ(Err("RCPT TO:<bob@example.org> NOTIFY=SOMETIMES").code, 501);
  EXPECT_EQ(Err("RCPT TO:<bob@example.org> ORCPT=nosemicolon").code, 501);
  EXPECT_EQ(Err("RCPT TO:<bob@example.org> SIZE=1").code, 555);
  EXPECT_EQ(Err("RCPT FROM:<bob@example.org>").code, 501);
}

TEST(ParseCommandTest, Bdat) {
  Command bdat = Ok("BDAT 1000");
  EXPECT_EQ(bdat.chunk_size, 1000u);
  EXPECT_FALSE(bdat.last_chunk);
  bdat = Ok("bdat 0 last");
  EXPECT_EQ(bdat.chunk_size, 0u);
  EXPECT_TRUE(bdat.last_chunk);
  EXPECT_EQ(Err("BDAT").code, 501);
  EXPECT_EQ(Err("BDAT -1").code, 501);
  EXPECT_EQ(Err("BDAT 10 FIRST").code, 501);
  EXPECT_EQ(Err("BDAT 99999999999999999999999").code, 501);
}

TEST(ParseCommandTest, Auth) {
  Command auth = Ok("AUTH plain AGFubmEAc2VjcmV0");
  EXPECT_EQ(auth.argument, "PLAIN");
  EXPECT_EQ(auth.initial_response, "AGFubmEAc2VjcmV0");
  EXPECT_FALSE(Ok("AUTH LOGIN").initial_response.has_value());
}

TEST(XtextTest, HexEscapes) {
  EXPECT_TRUE(IsXtext("abc+2B+3D"));
  EXPECT_FALSE(IsXtext("abc+2"));
  EXPECT_FALSE(IsXtext("abc+2b"));
  EXPECT_FALSE(IsXtext("a=b"));
  EXPECT_FALSE(IsXtext("a b"));
}

}  // namespace
}  // namespace kurier::smtp
