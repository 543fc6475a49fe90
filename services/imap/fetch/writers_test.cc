// ENVELOPE and BODY / BODYSTRUCTURE of the test messages, compared with
// expected values derived by hand from RFC 9051 7.5.2 / section 9 and the
// parser's outlines (services/common/mime/testdata/golden/): sizes and
// lines are the outline's body sizes plus its bare LFs.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/fetch/bodystructure_writer.h"
#include "services/imap/fetch/envelope_writer.h"
#include "services/imap/fetch/test_support.h"

namespace kurier::imap {
namespace {

using testing::IsWellFormedValue;
using testing::ReadTestMessage;

std::string Envelope(absl::string_view name, bool utf8 = false) {
  std::string out;
  AppendEnvelope(&out, mime::ParseMessage(ReadTestMessage(name)).envelope(), utf8);
  return out;
}

std::string Structure(absl::string_view name, bool extensible, bool imap4rev2 = false) {
  BodyStructureOptions options;
  options.extensible = extensible;
  options.imap4rev2 = imap4rev2;
  std::string out;
  AppendBodyStructure(&out, mime::ParseMessage(ReadTestMessage(name)).body(), options);
  return out;
}

// The RFC 3501 7.4.2 / RFC 9051 7.5.2 example: a 92-line US-ASCII text.
std::string Rfc3501Example() {
  std::string body;
  for (int i = 0; i < 91; ++i) body += std::string(31, 'x') + "\r\n";
  body += std::string(23, 'y') + "\r\n";
  return absl::StrCat(
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
      "To: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
      "\r\n",
      body);
}

TEST(EnvelopeWriter, Rfc3501Example) {
  std::string out;
  AppendEnvelope(&out, mime::ParseMessage(Rfc3501Example()).envelope(), false);
  EXPECT_EQ(out,
            R"x(("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" )x"
            R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
            R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
            R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
            R"x(((NIL NIL "imap" "cac.washington.edu")) )x"
            R"x(((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) )x"
            R"x(NIL NIL "<B27397-0100000@cac.washington.edu>"))x");
}

TEST(BodyStructureWriter, Rfc3501Example) {
  const mime::v1::MessageStructure s = mime::ParseMessage(Rfc3501Example());
  std::string body;
  AppendBodyStructure(&body, s.body(), {.extensible = false});
  EXPECT_EQ(body, R"x(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))x");
  std::string structure;
  AppendBodyStructure(&structure, s.body(), {.extensible = true});
  EXPECT_EQ(structure, R"x(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL))x");
}

TEST(EnvelopeWriter, Plain) {
  EXPECT_EQ(Envelope("plain"),
            R"x(("Mon, 1 Jan 2024 10:00:00 +0000" "Lunch on Friday?" )x"
            R"x((("Alice Example" NIL "alice" "example.com")) )x"
            R"x((("Alice Example" NIL "alice" "example.com")) )x"
            R"x((("Alice Example" NIL "alice" "example.com")) )x"
            R"x((("Bob" NIL "bob" "example.org")(NIL NIL "carol" "example.org")) )x"
            R"x((("Dave, the third" NIL "dave" "example.net")) )x"
            R"x(NIL "<earlier@example.org>" "<20240101100000.1234@example.com>"))x");
}

TEST(EnvelopeWriter, GroupsRoutesAndEmptySubject) {
  // Group start (NIL NIL "name" NIL), end (NIL NIL NIL NIL); a source route
  // in addr-adl; "Subject:" with nothing is "", an absent Bcc list NIL.
  EXPECT_EQ(Envelope("groups_and_obsolete"),
            R"x(("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)" "" )x"
            R"x((("Joe Q. Public" NIL "john.q.public" "example.com")) )x"
            R"x((("Secretary" NIL "sec" "example.com")) )x"
            R"x(((NIL NIL "Team" NIL)(NIL NIL "alice" "example.com"))x"
            R"x(("Bob" "@relay.example" "bob" "example.com")(NIL NIL NIL NIL)) )x"
            R"x(((NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test"))x"
            R"x(("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL)(NIL NIL "Undisclosed recipients" NIL))x"
            R"x((NIL NIL NIL NIL)) )x"
            R"x((("Pete" NIL "pete" "silly.test")("Giant; \"Big\" Box" NIL "sysservices" "example.net")) )x"
            R"x(NIL NIL "<testabcd.1234@silly.test>"))x");
}

TEST(EnvelopeWriter, NoHeaderIsAllNil) {
  EXPECT_EQ(Envelope("no_header"), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(Envelope("empty"), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(EnvelopeWriter, EightBitValuesAreLiteralsUnlessUtf8) {
  const std::string subject = "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen \xe2\x80\x94 \xf0\x9f\x8d\xba";
  const std::string joerg = "J\xc3\xb6rg M\xc3\xbcller";
  const std::string francois = "Fran\xe7ois";  // Latin-1: never valid UTF-8
  const std::string from = absl::StrCat("((", "{", joerg.size(), "}\r\n", joerg, " NIL \"joerg\" \"example.de\"))");
  EXPECT_EQ(Envelope("eightbit_headers"),
            absl::StrCat("(NIL {", subject.size(), "}\r\n", subject, " ", from, " ", from, " ", from,
                         " ((\"=?utf-8?Q?Ren=C3=A9?=\" NIL \"rene\" \"example.fr\")({", francois.size(),
                         "}\r\n", francois, " NIL \"francois\" \"example.fr\")) NIL NIL NIL NIL)"));
  const std::string from8 = absl::StrCat("((\"", joerg, "\" NIL \"joerg\" \"example.de\"))");
  EXPECT_EQ(Envelope("eightbit_headers", /*utf8=*/true),
            absl::StrCat("(NIL \"", subject, "\" ", from8, " ", from8, " ", from8,
                         " ((\"=?utf-8?Q?Ren=C3=A9?=\" NIL \"rene\" \"example.fr\")({", francois.size(),
                         "}\r\n", francois, " NIL \"francois\" \"example.fr\")) NIL NIL NIL NIL)"));
}

TEST(BodyStructureWriter, Plain) {
  EXPECT_EQ(Structure("plain", true),
            R"x(("text" "plain" ("charset" "UTF-8" "format" "flowed") NIL NIL "8bit" 70 6 NIL NIL NIL NIL))x");
  EXPECT_EQ(Structure("plain", false), R"x(("text" "plain" ("charset" "UTF-8" "format" "flowed") NIL NIL "8bit" 70 6))x");
}

TEST(BodyStructureWriter, NestedMessage) {
  const std::string inner_envelope =
      R"x(("Tue, 2 Jan 2024 09:00:00 +0000" "Report" (("Reporter" NIL "rep" "example.net")) )x"
      R"x((("Reporter" NIL "rep" "example.net")) (("Reporter" NIL "rep" "example.net")) )x"
      R"x(((NIL NIL "fwd" "example.com")) NIL NIL NIL "<report@example.net>"))x";
  EXPECT_EQ(Structure("nested_rfc822", true),
            absl::StrCat(R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 26 1 NIL NIL NIL NIL))x",
                         R"x(("message" "rfc822" NIL NIL "Forwarded message" "7BIT" 381 )x", inner_envelope,
                         R"x( (("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 15 1 NIL NIL NIL NIL))x",
                         R"x(("text" "html" ("charset" "us-ascii") NIL NIL "7BIT" 22 1 NIL NIL NIL NIL))x",
                         R"x( "alternative" ("boundary" "inner") NIL NIL NIL) 17 NIL NIL NIL NIL))x",
                         R"x( "mixed" ("boundary" "outer") NIL NIL NIL))x"));
  EXPECT_EQ(Structure("nested_rfc822", false),
            absl::StrCat(R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 26 1))x",
                         R"x(("message" "rfc822" NIL NIL "Forwarded message" "7BIT" 381 )x", inner_envelope,
                         R"x( (("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 15 1))x",
                         R"x(("text" "html" ("charset" "us-ascii") NIL NIL "7BIT" 22 1) "alternative") 17))x",
                         R"x( "mixed"))x"));
}

// RFC 2231 parameters come decoded from the parser: as RFC 2047 encoded
// words to a client without UTF-8, as UTF-8 to one with it.
TEST(BodyStructureWriter, ExtensionFieldsAndRfc2231) {
  const std::string first =
      R"x((("text" "plain" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 19 1 NIL NIL ("de-DE" "en") NIL))x";
  const std::string last =
      R"x(("text" "plain" ("name" "=?UTF-8?B?bm90ZXMudHh0?=" "charset" "us-ascii") NIL NIL "7BIT" 5 1 NIL)x"
      R"x( ("attachment" ("filename" "=?UTF-8?Q?Notiz=C3=A9n.txt?=")) NIL NIL))x"
      R"x( "mixed" ("boundary" "b1") NIL NIL NIL))x";
  EXPECT_EQ(
      Structure("rfc2231_attachment", true),
      absl::StrCat(first, R"x(("application" "pdf" ("name" "=?UTF-8?Q?Rechnung_f=C3=BCr_M=C3=A4rz_2024_=E2=80=94_)x",
                   R"x(Kunde=2Epdf?=") NIL "Invoice (PDF)" "base64" 20 "Q2hlY2sgSW50ZWdyaXR5IQ==")x",
                   R"x( ("attachment" ("filename" "=?UTF-8?Q?Rechnung_f=C3=BCr_M=C3=A4rz=2Epdf?=" "size" "12")))x",
                   R"x( NIL "http://example.com/invoices/march.pdf"))x", last));
  BodyStructureOptions utf8;
  utf8.utf8 = true;
  std::string out;
  AppendBodyStructure(&out, mime::ParseMessage(ReadTestMessage("rfc2231_attachment")).body(), utf8);
  EXPECT_EQ(out,
            absl::StrCat(first, "(\"application\" \"pdf\" (\"name\" \"Rechnung f\xC3\xBCr M\xC3\xA4rz 2024 ",
                         "\xE2\x80\x94 Kunde.pdf\") NIL \"Invoice (PDF)\" \"base64\" 20 ",
                         "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"attachment\" (\"filename\" \"Rechnung f\xC3\xBCr ",
                         "M\xC3\xA4rz.pdf\" \"size\" \"12\")) NIL \"http://example.com/invoices/march.pdf\")", last));
}

// Values that are not UTF-8 (8-bit header bytes in another charset, or an
// RFC 2231 value in a charset that does not convert) stay literals.
TEST(BodyStructureWriter, EightBitParameterThatIsNotUtf8IsALiteral) {
  const std::string message =
      "Content-Type: text/plain; charset=utf-8; name=\"caf\xE9.txt\"\r\n"
      "Content-Disposition: attachment; filename*=x-unknown''caf%E9.txt\r\n\r\nx";
  std::string out;
  AppendBodyStructure(&out, mime::ParseMessage(message).body(), BodyStructureOptions{});
  EXPECT_EQ(out,
            "(\"text\" \"plain\" (\"charset\" \"utf-8\" \"name\" {8}\r\ncaf\xE9.txt) NIL NIL \"7BIT\" 1 1 NIL "
            "(\"attachment\" (\"filename\" {8}\r\ncaf\xE9.txt)) NIL NIL)");
}

TEST(BodyStructureWriter, AlternativeRelated) {
  EXPECT_EQ(Structure("alternative_related", true),
            R"x((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 41 1 NIL NIL NIL NIL))x"
            R"x((("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 69 1 NIL NIL NIL NIL))x"
            R"x(("image" "png" ("name" "logo.png") "<logo@shop.example>" NIL "base64" 164 NIL)x"
            R"x( ("inline" ("filename" "logo.png")) NIL NIL))x"
            R"x( "related" ("type" "text/html" "boundary" "----=_Part_1_rel") NIL NIL NIL))x"
            R"x( "alternative" ("boundary" "----=_Part_1_alt") NIL NIL NIL))x");
}

TEST(BodyStructureWriter, DigestDefaultsToMessageRfc822) {
  const std::string env1 =
      R"x((NIL "first post" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) )x"
      R"x(((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL))x";
  const std::string env2 =
      R"x((NIL "second post" ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) )x"
      R"x(((NIL NIL "two" "example.com")) NIL NIL NIL NIL NIL))x";
  EXPECT_EQ(Structure("digest", true),
            absl::StrCat(R"x((("message" "rfc822" NIL NIL NIL "7BIT" 57 )x", env1,
                         R"x( ("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 11 1 NIL NIL NIL NIL) 4)x",
                         R"x( NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7BIT" 94 )x", env2,
                         R"x( ("text" "plain" ("charset" "utf-8") NIL NIL "7BIT" 6 1 NIL NIL NIL NIL) 5)x",
                         R"x( NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 34 1)x",
                         R"x( NIL NIL NIL NIL) "digest" ("boundary" "digest") NIL NIL NIL))x"));
}

TEST(BodyStructureWriter, EmptyMultipartAsDovecot) {
  EXPECT_EQ(Structure("boundary_never_appears", true),
            R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))x"
            R"x( "mixed" ("boundary" "never-seen") NIL NIL NIL))x");
  EXPECT_EQ(Structure("boundary_never_appears", false),
            R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed"))x");
}

TEST(BodyStructureWriter, UnparsedMessagePartIsOctetStream) {
  // The base64 message/rfc822 part has no parsed message: no envelope.
  EXPECT_EQ(Structure("bad_base64", true),
            R"x((("image" "jpeg" NIL NIL NIL "base64" 31 NIL NIL NIL NIL))x"
            R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "x-uuencode-or-whatever" 11 1 NIL NIL NIL NIL))x"
            R"x(("application" "octet-stream" NIL NIL NIL "base64" 20 NIL NIL NIL NIL))x"
            R"x( "mixed" ("boundary" "q") NIL NIL NIL))x");
}

TEST(BodyStructureWriter, BareLfSizesAreCrlfSizes) {
  // text/plain "line one\nline two" (17 bytes, 1 bare LF) is 18 octets;
  // text/csv "a,b\n1,2\n" (8 bytes, 2 bare LFs) is 10.
  EXPECT_EQ(Structure("bare_lf", true),
            R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 18 2 NIL NIL NIL NIL))x"
            R"x(("text" "csv" ("charset" "us-ascii") NIL NIL "7BIT" 10 2 NIL NIL NIL NIL))x"
            R"x( "mixed" ("boundary" "lf") NIL NIL NIL))x");
}

TEST(BodyStructureWriter, EmptyAndHeaderOnly) {
  EXPECT_EQ(Structure("empty", true), R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL))x");
  EXPECT_EQ(Structure("header_only", false), R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 0 0))x");
}

TEST(BodyStructureWriter, MessageGlobal) {
  const std::string message =
      "Content-Type: message/global\r\n\r\nSubject: inner\r\n\r\nhello\r\n";
  const mime::v1::MessageStructure s = mime::ParseMessage(message);
  ASSERT_TRUE(s.body().has_message_body());
  std::string rev1;
  AppendBodyStructure(&rev1, s.body(), {.extensible = false, .imap4rev2 = false});
  EXPECT_EQ(rev1, R"x(("message" "global" NIL NIL NIL "7BIT" 25))x");
  std::string rev2;
  AppendBodyStructure(&rev2, s.body(), {.extensible = false, .imap4rev2 = true});
  EXPECT_EQ(rev2,
            R"x(("message" "global" NIL NIL NIL "7BIT" 25 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL))x"
            R"x( ("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 7 1) 3))x");
}

TEST(Writers, EveryTestMessageGivesWellFormedValues) {
  for (const char* const* name = testing::TestMessageNames(); *name != nullptr; ++name) {
    SCOPED_TRACE(*name);
    const mime::v1::MessageStructure s = mime::ParseMessage(ReadTestMessage(*name));
    for (bool utf8 : {false, true}) {
      std::string env;
      AppendEnvelope(&env, s.envelope(), utf8);
      EXPECT_TRUE(IsWellFormedValue(env)) << env;
      for (bool extensible : {false, true}) {
        std::string body;
        AppendBodyStructure(&body, s.body(), {.extensible = extensible, .utf8 = utf8});
        EXPECT_TRUE(IsWellFormedValue(body)) << body;
      }
    }
  }
}

}  // namespace
}  // namespace kurier::imap
