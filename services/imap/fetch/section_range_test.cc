// Sections of the test messages: which bytes are read, what is sent.
// Offsets are from the parser's outlines
// (services/common/mime/testdata/golden/<name>.txt).
#include <string>

#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/fetch/content_transforms.h"
#include "services/imap/fetch/section_range.h"
#include "services/imap/fetch/test_support.h"

namespace kurier::imap {
namespace {

using testing::ReadTestMessage;

class SectionTest : public ::testing::Test {
 protected:
  void Load(absl::string_view name) {
    message_ = ReadTestMessage(name);
    structure_ = mime::ParseMessage(message_);
  }

  Section Parse(absl::string_view spec, bool binary = false) {
    absl::StatusOr<Section> section = ParseSection(spec, binary);
    EXPECT_TRUE(section.ok()) << spec;
    return section.ok() ? *section : Section();
  }

  SectionPlan Plan(absl::string_view spec, bool binary = false, std::optional<Partial> partial = std::nullopt) {
    absl::StatusOr<SectionPlan> plan = PlanSection(structure_, Parse(spec, binary), binary, partial);
    EXPECT_TRUE(plan.ok()) << spec << ": " << plan.status();
    return plan.ok() ? *plan : SectionPlan();
  }

  // The value sent for BODY[spec] (or BINARY[spec]), checking the plan's
  // promised sizes against what reading gives.
  std::string Body(absl::string_view spec, std::optional<Partial> partial = std::nullopt, bool binary = false) {
    const SectionPlan plan = Plan(spec, binary, partial);
    absl::StatusOr<SectionContent> content = ReadSection(structure_, message_, Parse(spec, binary), binary, partial);
    EXPECT_TRUE(content.ok()) << spec << ": " << content.status();
    if (!content.ok()) return "<error>";
    if (plan.output_size) {
      EXPECT_EQ(*plan.output_size, content->bytes().size()) << spec;
    }
    if (plan.total_size) {
      EXPECT_EQ(*plan.total_size, content->total_size) << spec;
    }
    return std::string(content->bytes());
  }

  std::string Binary(absl::string_view spec, std::optional<Partial> partial = std::nullopt) {
    return Body(spec, partial, true);
  }

  std::string message_;
  mime::v1::MessageStructure structure_;
};

TEST_F(SectionTest, NestedMessageSections) {
  Load("nested_rfc822");
  EXPECT_EQ(Body(""), message_);
  EXPECT_EQ(Body("HEADER"), message_.substr(0, 184));
  EXPECT_EQ(Body("TEXT"), message_.substr(184, 540));
  EXPECT_EQ(Body("1"), "See the forwarded message.");
  EXPECT_EQ(Body("1.MIME"), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(Body("2"), message_.substr(330, 381));
  EXPECT_EQ(Body("2.MIME"), "Content-Type: message/rfc822\r\nContent-Description: Forwarded message\r\n\r\n");
  EXPECT_EQ(Body("2.HEADER"), message_.substr(330, 220));
  EXPECT_EQ(Body("2.TEXT"), message_.substr(550, 161));
  EXPECT_EQ(Body("2.HEADER.FIELDS (subject MESSAGE-ID)"),
            "Subject: Report\r\nMessage-ID: <report@example.net>\r\n\r\n");
  EXPECT_EQ(Body("2.1"), "Numbers are up.");
  EXPECT_EQ(Body("2.2"), "<p>Numbers are up.</p>");
  EXPECT_EQ(Body("2.2.MIME"), "Content-Type: text/html; charset=us-ascii\r\n\r\n");
  // Part 1 of a non-multipart entity is itself (as Dovecot).
  EXPECT_EQ(Body("1.1"), "See the forwarded message.");
  EXPECT_EQ(Body("2.1.1"), "Numbers are up.");
}

TEST_F(SectionTest, ReadsOnlyTheSectionsBytes) {
  Load("nested_rfc822");
  SectionPlan plan = Plan("2.1");
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_EQ(plan.pieces[0].offset, 605u);
  EXPECT_EQ(plan.pieces[0].size, 15u);
  EXPECT_EQ(PlannedReadBytes(plan), 15u);
  EXPECT_EQ(plan.total_size, 15u);

  plan = Plan("2.HEADER.FIELDS (Subject)");
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_EQ(plan.pieces[0].offset, 330u);
  EXPECT_EQ(plan.pieces[0].size, 220u);
  EXPECT_EQ(plan.pieces[0].transform, PieceTransform::kHeaderFields);
  EXPECT_FALSE(plan.total_size);  // known only after filtering

  // A partial of CRLF bytes narrows the read itself.
  plan = Plan("", false, Partial{100, 50});
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_EQ(plan.pieces[0].offset, 100u);
  EXPECT_EQ(plan.pieces[0].size, 50u);
  EXPECT_FALSE(plan.partial);
  EXPECT_EQ(plan.total_size, 724u);
  EXPECT_EQ(plan.output_size, 50u);

  absl::StatusOr<SectionContent> content = MaterializeSection(plan, message_.substr(100, 50));
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->bytes(), message_.substr(100, 50));
  EXPECT_EQ(content->total_size, 724u);
  EXPECT_FALSE(MaterializeSection(plan, message_.substr(100, 49)).ok());
}

TEST_F(SectionTest, PartialStartingInsideACrlf) {
  // Found by fetch_fuzz: the narrowed read started with the LF of a CRLF,
  // which was converted as if bare.
  message_ = "Frxm: x\r\n\r\nbody";
  structure_ = mime::ParseMessage(message_);
  EXPECT_EQ(Body("", Partial{8, 4}), "\n\r\nb");
  EXPECT_EQ(Body("TEXT", Partial{0, 2}), "bo");
}

TEST_F(SectionTest, MissingPartsAreEmpty) {
  Load("nested_rfc822");
  for (const char* spec : {"3", "2.3", "2.1.2", "2.1.1.1", "1.2", "1.HEADER", "1.TEXT", "1.HEADER.FIELDS (From)", "3.MIME",
                           "2.2.HEADER", "4294967295"}) {
    const SectionPlan plan = Plan(spec);
    EXPECT_FALSE(plan.found) << spec;
    EXPECT_TRUE(plan.pieces.empty()) << spec;
    EXPECT_EQ(Body(spec), "") << spec;
  }
  Load("boundary_never_appears");  // a multipart without parts
  EXPECT_FALSE(Plan("1").found);
  EXPECT_EQ(Body("TEXT"), message_.substr(109));
}

TEST_F(SectionTest, Partials) {
  Load("nested_rfc822");
  EXPECT_EQ(Body("", Partial{0, 10}), "From: Forw");
  EXPECT_EQ(Body("1", Partial{4, 3}), "the");
  EXPECT_EQ(Body("", Partial{720, 100}), "--\r\n");
  EXPECT_EQ(Body("", Partial{724, 10}), "");
  EXPECT_EQ(Body("", Partial{99999, 1}), "");
  EXPECT_EQ(Body("2.HEADER.FIELDS (Subject)", Partial{9, 6}), "Report");
  EXPECT_EQ(Body("2.HEADER.FIELDS (Subject)", Partial{17, 100}), "\r\n");
  EXPECT_EQ(Body("2.HEADER.FIELDS (Subject)", Partial{19, 100}), "");
  absl::StatusOr<SectionContent> c =
      ReadSection(structure_, message_, Parse("2.HEADER.FIELDS (Subject)"), false, Partial{0, 1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->total_size, 19u);
}

TEST_F(SectionTest, BareLfMessageIsSentInCrlfForm) {
  Load("bare_lf");
  const std::string crlf =
      "From: unix@example.com\r\nSubject: written by a script\r\nContent-Type: multipart/mixed; boundary=lf\r\n\r\n"
      "--lf\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n--lf\r\nContent-Type: text/csv\r\n\r\n"
      "a,b\r\n1,2\r\n\r\n--lf--\r\n";
  EXPECT_EQ(crlf.size(), 206u);
  EXPECT_EQ(ImapMessageSize(structure_), 206u);
  EXPECT_EQ(Body(""), crlf);
  EXPECT_EQ(Plan("").total_size, 206u);
  EXPECT_EQ(Body("HEADER"), crlf.substr(0, 100));
  EXPECT_EQ(Body("TEXT"), crlf.substr(100));
  EXPECT_EQ(Body("1"), "line one\r\nline two");
  EXPECT_EQ(Body("1.MIME"), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(Body("2"), "a,b\r\n1,2\r\n");
  EXPECT_EQ(Body("HEADER.FIELDS (SUBJECT)"), "Subject: written by a script\r\n\r\n");
  EXPECT_EQ(Binary("1"), "line one\r\nline two");

  // Partials count CRLF octets: the read cannot be narrowed, the partial is
  // applied after converting.
  const SectionPlan plan = Plan("", false, Partial{20, 10});
  EXPECT_TRUE(plan.partial);
  EXPECT_EQ(plan.output_size, 10u);
  EXPECT_EQ(Body("", Partial{20, 10}), crlf.substr(20, 10));
  EXPECT_EQ(Body("1", Partial{5, 6}), "one\r\nl");
  EXPECT_EQ(Body("1", Partial{17, 6}), "o");
  EXPECT_EQ(Body("", Partial{205, 6}), "\n");
}

TEST_F(SectionTest, BinaryDecodes) {
  Load("alternative_related");
  EXPECT_EQ(Binary("1"), "Sale! 50% off \xE2\x80\x94 this week only.\r\n");
  std::string png;
  for (int i = 0; i < 120; ++i) png.push_back(static_cast<char>(i));
  EXPECT_EQ(Binary("2.2"), png);
  EXPECT_EQ(Binary("2.2", Partial{100, 50}), png.substr(100));
  EXPECT_EQ(Binary("2"), Body("2"));  // a multipart: its body, undecoded
  EXPECT_EQ(Binary(""), message_);
  EXPECT_TRUE(Plan("2.2", true).binary);
  EXPECT_FALSE(Plan("2.2", true).total_size);  // decoding tells

  absl::StatusOr<SectionContent> size =
      ReadSection(structure_, message_, Parse("2.2", true), true, std::nullopt);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->total_size, 120u);
}

TEST_F(SectionTest, BinaryUnknownEncoding) {
  Load("bad_base64");
  absl::StatusOr<SectionPlan> plan = PlanSection(structure_, Parse("2", true), true, std::nullopt);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(IsUnknownCte(plan.status())) << plan.status();
  // BODY[2] is still the raw body.
  EXPECT_EQ(Body("2"), "begin 644 x");
  // The unparsed (base64) message/rfc822 part decodes.
  EXPECT_EQ(Binary("3"), "From: a@b\r\n\r\nhi");
  // Broken base64 decodes as far as it goes.
  EXPECT_EQ(Binary("1"), DecodeBase64("/9j/4AAQ!!!not base64@@@\r\n====="));
  // The root multipart's own (wrong) base64 encoding is not applied.
  EXPECT_EQ(Binary(""), message_);
}

TEST_F(SectionTest, BinaryOfASinglePartMessage) {
  message_ = "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n";
  structure_ = mime::ParseMessage(message_);
  const std::string header =
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  EXPECT_EQ(Binary(""), header + std::string("\0\1\2", 3));
  EXPECT_EQ(Binary("1"), std::string("\0\1\2", 3));
  EXPECT_EQ(Body("1"), "AAEC\r\n");
  EXPECT_EQ(Binary("1", Partial{1, 1}), "\1");

  message_ = "Content-Transfer-Encoding: binary\n\na\nb";
  structure_ = mime::ParseMessage(message_);
  EXPECT_EQ(Binary("1"), "a\nb");  // exactly as stored
  EXPECT_EQ(Body("1"), "a\r\nb");
}

TEST_F(SectionTest, DigestParts) {
  Load("digest");
  EXPECT_EQ(Body("1.HEADER"), "From: one@example.com\r\nSubject: first post\r\n\r\n");
  EXPECT_EQ(Body("1.TEXT"), "Hello list.");
  EXPECT_EQ(Body("1.1"), "Hello list.");
  EXPECT_EQ(Body("2.HEADER.FIELDS.NOT (From Subject)"), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(Body("1.MIME"), "\r\n");
  EXPECT_EQ(Body("3"), "An explicit text part in a digest.");
}

TEST_F(SectionTest, EmptyAndHeaderOnly) {
  Load("empty");
  EXPECT_EQ(Body(""), "");
  EXPECT_EQ(Body("HEADER"), "");
  EXPECT_EQ(Body("1"), "");
  EXPECT_EQ(Body("HEADER.FIELDS (From)"), "\r\n");
  Load("header_only");
  EXPECT_EQ(Body("HEADER"), message_);
  EXPECT_EQ(Body("TEXT"), "");
  EXPECT_EQ(Body("HEADER.FIELDS (subject)"), "Subject: no body at all\r\n\r\n");
}

TEST_F(SectionTest, PlansStayInsideEveryMessage) {
  const char* const specs[] = {"",  "HEADER", "TEXT", "1", "2", "1.MIME", "2.MIME", "1.1", "1.2", "2.1",
                               "2.2", "1.2.1", "2.HEADER", "2.TEXT", "3", "3.1", "HEADER.FIELDS (From To)",
                               "1.HEADER.FIELDS.NOT (Subject)", "2.1.MIME"};
  for (const char* const* name = testing::TestMessageNames(); *name != nullptr; ++name) {
    SCOPED_TRACE(*name);
    Load(*name);
    for (const char* spec : specs) {
      for (bool binary : {false, true}) {
        absl::StatusOr<Section> section = ParseSection(spec, binary);
        if (!section.ok()) continue;
        for (std::optional<Partial> partial : {std::optional<Partial>(), std::optional<Partial>(Partial{3, 7})}) {
          absl::StatusOr<SectionPlan> plan = PlanSection(structure_, *section, binary, partial);
          if (!plan.ok()) {
            EXPECT_TRUE(IsUnknownCte(plan.status()));
            continue;
          }
          for (const SectionPiece& p : plan->pieces) {
            EXPECT_LE(p.offset + p.size, message_.size()) << spec;
          }
          absl::StatusOr<SectionContent> c = ReadSection(structure_, message_, *section, binary, partial);
          ASSERT_TRUE(c.ok());
          if (plan->output_size) {
            EXPECT_EQ(*plan->output_size, c->bytes().size()) << spec;
          }
          if (plan->total_size) {
            EXPECT_EQ(*plan->total_size, c->total_size) << spec;
          }
          if (partial) {
            EXPECT_LE(c->bytes().size(), 7u);
          }
          if (!binary) {
            EXPECT_EQ(CountBareLfs(c->bytes()), 0u) << spec;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace kurier::imap
