// Whole "* n FETCH (...)" responses: the RFC 3501 7.4.2 example, sections
// as literals, literal8 for BINARY with NUL, UID FETCH, \Seen, errors.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/fetch/content_transforms.h"
#include "services/imap/fetch/fetch_response.h"
#include "services/imap/fetch/test_support.h"

namespace kurier::imap {
namespace {

FetchRequest Request(std::vector<std::string> atoms) {
  Arg list;
  list.kind = Arg::Kind::kList;
  for (std::string& a : atoms) {
    Arg arg;
    arg.value = std::move(a);
    list.list.push_back(std::move(arg));
  }
  absl::StatusOr<FetchRequest> r = ParseFetchAttributes(list);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : FetchRequest();
}

absl::StatusOr<std::string> Fetch(uint32_t seq, const FetchRequest& request, const FetchMetadata& metadata,
                                  const std::string& message, const FetchResponseOptions& options = {}) {
  const mime::v1::MessageStructure s = mime::ParseMessage(message);
  std::string out = "before|";
  absl::Status status = AppendFetchResponse(
      &out, seq, request, metadata, &s, [&](const FetchItem& item) { return ReadFetchItem(s, message, item); },
      options);
  if (!status.ok()) {
    EXPECT_EQ(out, "before|");  // nothing appended
    return status;
  }
  EXPECT_TRUE(absl::StartsWith(out, "before|"));
  return out.substr(7);
}

TEST(InternalDate, Format) {
  const absl::TimeZone pdt = absl::FixedTimeZone(-7 * 3600);
  EXPECT_EQ(FormatInternalDate(absl::FromCivil(absl::CivilSecond(1996, 7, 17, 2, 44, 25), pdt), pdt),
            "\"17-Jul-1996 02:44:25 -0700\"");
  const absl::TimeZone ist = absl::FixedTimeZone(5 * 3600 + 30 * 60);
  EXPECT_EQ(FormatInternalDate(absl::FromCivil(absl::CivilSecond(2024, 1, 1, 0, 0, 0), absl::UTCTimeZone()), ist),
            "\" 1-Jan-2024 05:30:00 +0530\"");
}

TEST(FetchResponse, Rfc3501Example) {
  std::string body;
  for (int i = 0; i < 91; ++i) body += std::string(31, 'x') + "\r\n";
  body += std::string(23, 'y') + "\r\n";
  const std::string header =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
      "To: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
      "\r\n";
  FetchMetadata metadata;
  metadata.flags = {"\\Seen"};
  metadata.internal_date_zone = absl::FixedTimeZone(-7 * 3600);
  metadata.internal_date = absl::FromCivil(absl::CivilSecond(1996, 7, 17, 2, 44, 25), metadata.internal_date_zone);
  Arg full;
  full.value = "FULL";
  absl::StatusOr<FetchRequest> request = ParseFetchAttributes(full);
  ASSERT_TRUE(request.ok());
  absl::StatusOr<std::string> out = Fetch(12, *request, metadata, header + body);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, absl::StrCat(
                      "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE ",
                      header.size() + 3028,
                      " ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
                      "\"IMAP4rev1 WG mtg summary and minutes\" "
                      "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                      "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                      "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                      "((NIL NIL \"imap\" \"cac.washington.edu\")) "
                      "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) "
                      "NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
                      "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"));
}

TEST(FetchResponse, SectionsAreLiterals) {
  const std::string message = testing::ReadTestMessage("nested_rfc822");
  FetchMetadata metadata;
  metadata.uid = 42;
  absl::StatusOr<std::string> out = Fetch(
      3, Request({"UID", "BODY.PEEK[2.HEADER.FIELDS (Subject)]", "BODY[1]<4.3>", "BODY[9]", "RFC822.HEADER"}),
      metadata, message);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, absl::StrCat("* 3 FETCH (UID 42 BODY[2.HEADER.FIELDS (Subject)] {19}\r\nSubject: Report\r\n\r\n"
                               " BODY[1]<4> {3}\r\nthe BODY[9] {0}\r\n RFC822.HEADER {184}\r\n",
                               message.substr(0, 184), ")\r\n"));
}

TEST(FetchResponse, UidFetchAndSeen) {
  const std::string message = "Subject: x\r\n\r\nhi\r\n";
  FetchMetadata metadata;
  metadata.uid = 7;
  metadata.flags = {"\\Seen", "$Junk"};
  metadata.modseq = 12345;
  FetchResponseOptions options;
  options.uid_command = true;
  options.flags_changed = true;
  absl::StatusOr<std::string> out = Fetch(1, Request({"BODY[TEXT]", "MODSEQ", "RFC822.SIZE"}), metadata, message,
                                          options);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "* 1 FETCH (UID 7 BODY[TEXT] {4}\r\nhi\r\n MODSEQ (12345) RFC822.SIZE 18 FLAGS (\\Seen $Junk))\r\n");
  // Asked for: no second UID or FLAGS.
  out = Fetch(1, Request({"FLAGS", "UID"}), metadata, message, options);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "* 1 FETCH (FLAGS (\\Seen $Junk) UID 7)\r\n");
}

TEST(FetchResponse, BinaryLiteral8AndSize) {
  const std::string message = "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n";
  absl::StatusOr<std::string> out =
      Fetch(2, Request({"BINARY.PEEK[1]", "BINARY.SIZE[1]", "BODY.PEEK[1]"}), {}, message);
  ASSERT_TRUE(out.ok());
  constexpr char kExpected[] = "* 2 FETCH (BINARY[1] ~{3}\r\n\0\1\2 BINARY.SIZE[1] 3 BODY[1] {6}\r\nAAEC\r\n)\r\n";
  EXPECT_EQ(*out, std::string(kExpected, sizeof(kExpected) - 1));
  // Without NUL a BINARY value is an ordinary literal.
  out = Fetch(2, Request({"BINARY[1]"}), {}, "Content-Transfer-Encoding: base64\r\n\r\naGk=\r\n");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "* 2 FETCH (BINARY[1] {2}\r\nhi)\r\n");
  // BODY[] of a message with NUL: the literal carries 0x80 instead.
  out = Fetch(2, Request({"BODY.PEEK[TEXT]"}), {}, std::string("\r\na\0b", 5));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "* 2 FETCH (BODY[TEXT] {3}\r\na\x80" "b)\r\n");
}

TEST(FetchResponse, UnknownCteAppendsNothing) {
  absl::StatusOr<std::string> out =
      Fetch(1, Request({"FLAGS", "BINARY[1]"}), {}, "Content-Transfer-Encoding: x-uue\r\n\r\nbegin\r\n");
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(IsUnknownCte(out.status()));
}

TEST(FetchResponse, StructureRequired) {
  std::string out;
  absl::Status status = AppendFetchResponse(
      &out, 1, Request({"ENVELOPE"}), {}, nullptr,
      [](const FetchItem&) -> absl::StatusOr<SectionContent> { return SectionContent(); }, {});
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(out.empty());
}

TEST(FetchResponse, EveryTestMessage) {
  for (const char* const* name = testing::TestMessageNames(); *name != nullptr; ++name) {
    SCOPED_TRACE(*name);
    const std::string message = testing::ReadTestMessage(*name);
    absl::StatusOr<std::string> out =
        Fetch(1, Request({"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE",
                          "BODY.PEEK[]", "BODY.PEEK[HEADER.FIELDS (From Subject)]", "BODY.PEEK[1]<0.10>",
                          "BINARY.PEEK[]"}),
              {}, message);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_TRUE(absl::StartsWith(*out, "* 1 FETCH ")) << *out;
    ASSERT_TRUE(absl::EndsWith(*out, "\r\n"));
    EXPECT_TRUE(testing::IsWellFormedValue(absl::string_view(*out).substr(10, out->size() - 12))) << *out;
  }
}

}  // namespace
}  // namespace kurier::imap
