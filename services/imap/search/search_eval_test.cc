// EvaluateSearch: every key against messages read through FakeMessage (which
// counts content reads), NOT/OR nesting, NeedsHeader/NeedsBody/NeedsMetadata,
// a prepared (cached) header, and the examples of RFC 9051 6.4.4 run over a
// small mailbox.
#include "services/imap/search/search_eval.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/search/search_date.h"
#include "services/imap/search/search_result.h"
#include "services/imap/search/search_test_util.h"

namespace kurier::imap {
namespace {

using testing::FakeMessage;
using testing::ParseSearchText;

constexpr char kRich[] =
    "Date: Tue, 1 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
    "Subject: =?utf-8?B?SW52aXRhdGlvbiBmb3IgdGhlIGFmdGVybm9vbg==?=\r\n"
    "To: mooch@owatagu.siam.edu.example\r\n"
    "Cc: =?iso-8859-1?Q?Andr=E9?= <andre@example.org>\r\n"
    "Bcc: hidden@example.net\r\n"
    "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"
    "X-Folded: first line\r\n"
    "  second line\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
    "\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "SGVsbG8gSm9lLCBkbyB5b3UgdGhpbmsgd2UgY2FuIG1lZXQgYXQgMzozMCB0b21vcnJvdz8gw5xuw69jb2Rl\r\n"
    "--XX\r\n"
    "Content-Type: text/html; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>Caf=E9 au lait, very=\r\n"
    " long line</p>\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "c2VjcmV0IGF0dGFjaG1lbnQ=\r\n"
    "--XX--\r\n";

// A message without Date:, with an 8-bit Latin-1 body and no encoding.
constexpr char kLatin1[] =
    "From: \"John Smith\" <smith@example.com>\r\n"
    "Subject: plain\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Gr\xfc\xdf"
    "e aus K\xf6ln\r\n";

class SearchEvalTest : public ::testing::Test {
 protected:
  SearchEvalTest() : rich_(kRich), latin1_(kLatin1) {
    SearchMessage& r = rich_.info();
    r.seq = 3;
    r.uid = 42;
    r.flags = {"\\Seen", "\\Answered", "$Forwarded"};
    r.internal_date = DaysFromCivil(1994, 2, 1) * 86400 + 36000;  // 1-Feb-1994 10:00 UTC
    r.size = 1000;
    r.modseq = 500;
    SearchMessage& l = latin1_.info();
    l.seq = 4;
    l.uid = 50;
    l.flags = {"\\Deleted", "\\Draft", "\\Flagged"};
    l.internal_date = DaysFromCivil(2024, 5, 17) * 86400;
    l.size = 200;
    l.modseq = 7;
    mailbox_.message_count = 4;
    mailbox_.uid_star = 50;
    mailbox_.saved_uids = {{40, 42}};
  }

  // Parses and resolves `text`; a refusal fails the test.
  SearchQuery Query(absl::string_view text) {
    SearchQuery query;
    SearchError error;
    EXPECT_TRUE(ParseSearchText(text, &query, &error)) << text << ": " << error.text;
    ResolveSearchSets(mailbox_, &query);
    return query;
  }

  // Evaluates `text` on `message`, and checks NOT text gives the opposite.
  bool Matches(FakeMessage& message, absl::string_view text) {
    const SearchQuery query = Query(text);
    const bool result = EvaluateSearch(query, message.View());
    SearchKey negated;
    negated.kind = SearchKeyKind::kNot;
    negated.children.push_back(query.root);
    EXPECT_EQ(EvaluateSearchKey(negated, message.View()), !result) << text;
    return result;
  }

  SearchMailbox mailbox_;
  FakeMessage rich_;
  FakeMessage latin1_;
};

TEST_F(SearchEvalTest, Flags) {
  EXPECT_TRUE(Matches(rich_, "SEEN"));
  EXPECT_TRUE(Matches(rich_, "ANSWERED"));
  EXPECT_FALSE(Matches(rich_, "DELETED"));
  EXPECT_FALSE(Matches(rich_, "DRAFT"));
  EXPECT_FALSE(Matches(rich_, "FLAGGED"));
  EXPECT_FALSE(Matches(rich_, "UNSEEN"));
  EXPECT_FALSE(Matches(rich_, "UNANSWERED"));
  EXPECT_TRUE(Matches(rich_, "UNDELETED"));
  EXPECT_TRUE(Matches(rich_, "UNDRAFT"));
  EXPECT_TRUE(Matches(rich_, "UNFLAGGED"));
  EXPECT_TRUE(Matches(latin1_, "DELETED DRAFT FLAGGED UNSEEN UNANSWERED"));
  EXPECT_TRUE(Matches(rich_, "KEYWORD $forwarded"));
  EXPECT_FALSE(Matches(rich_, "UNKEYWORD $Forwarded"));
  EXPECT_FALSE(Matches(rich_, "KEYWORD $Junk"));
  EXPECT_TRUE(Matches(rich_, "UNKEYWORD $Junk"));
  // \Recent is never set.
  EXPECT_FALSE(Matches(rich_, "RECENT"));
  EXPECT_FALSE(Matches(latin1_, "NEW"));
  EXPECT_TRUE(Matches(rich_, "OLD"));
  EXPECT_TRUE(Matches(rich_, "ALL"));
  EXPECT_EQ(rich_.header_reads() + rich_.content_reads(), 0);
}

TEST_F(SearchEvalTest, AddressAndHeaderKeys) {
  EXPECT_TRUE(Matches(rich_, "FROM fred"));
  EXPECT_TRUE(Matches(rich_, "FROM \"BLURDYBLOOP.example\""));
  EXPECT_FALSE(Matches(rich_, "FROM smith"));
  EXPECT_TRUE(Matches(latin1_, "FROM smith"));
  EXPECT_TRUE(Matches(rich_, "TO mooch"));
  EXPECT_FALSE(Matches(rich_, "TO fred"));
  // Encoded words are decoded, and folding covers non-ASCII letters.
  EXPECT_TRUE(Matches(rich_, "CC \"andré\""));
  EXPECT_TRUE(Matches(rich_, "CC \"ANDRÉ <andre@\""));
  EXPECT_FALSE(Matches(rich_, "CC \"=?iso\""));
  EXPECT_TRUE(Matches(rich_, "BCC hidden"));
  EXPECT_FALSE(Matches(latin1_, "BCC hidden"));
  EXPECT_TRUE(Matches(rich_, "SUBJECT \"invitation FOR\""));
  EXPECT_FALSE(Matches(rich_, "SUBJECT SW52aXRh"));
  EXPECT_TRUE(Matches(rich_, "HEADER message-id B27397"));
  EXPECT_TRUE(Matches(rich_, "HEADER X-Folded \"first line  second\""));
  // An empty string: any message with the field.
  EXPECT_TRUE(Matches(rich_, "HEADER Bcc \"\""));
  EXPECT_FALSE(Matches(latin1_, "HEADER Bcc \"\""));
  EXPECT_FALSE(Matches(rich_, "HEADER X-Missing \"\""));
  // Header keys do not look into the body, nor body keys into the header.
  EXPECT_FALSE(Matches(rich_, "SUBJECT Joe"));
  EXPECT_FALSE(Matches(rich_, "BODY Fred"));
}

TEST_F(SearchEvalTest, BodyAndText) {
  EXPECT_TRUE(Matches(rich_, "BODY \"meet at 3:30\""));             // base64
  EXPECT_TRUE(Matches(rich_, "BODY \"ÜNÏCODE\""));                  // folded UTF-8
  EXPECT_TRUE(Matches(rich_, "BODY \"café au lait, very long\""));  // QP, Latin-1
  EXPECT_FALSE(Matches(rich_, "BODY \"secret attachment\""));       // not text/*
  EXPECT_FALSE(Matches(rich_, "BODY SGVsbG8"));                     // the encoded form
  EXPECT_TRUE(Matches(rich_, "TEXT fred"));
  EXPECT_TRUE(Matches(rich_, "TEXT \"invitation\""));
  EXPECT_TRUE(Matches(rich_, "TEXT tomorrow"));
  EXPECT_TRUE(Matches(rich_, "TEXT \"\""));
  EXPECT_FALSE(Matches(rich_, "TEXT \"string not in mailbox\""));
  EXPECT_TRUE(Matches(latin1_, "BODY \"grüße aus köln\""));  // ISO-8859-1 8bit
  EXPECT_TRUE(Matches(latin1_, "CHARSET UTF-8 TEXT {5}\r\nKÖLN"));
}

TEST_F(SearchEvalTest, StructureFromTheStoreIsUsed) {
  const mime::v1::MessageStructure structure = mime::ParseMessage(kRich);
  SearchMessage view = rich_.View();
  view.structure = &structure;
  EXPECT_TRUE(EvaluateSearch(Query("BODY \"café au\""), view));
  // A structure that does not fit the bytes reads nothing outside them.
  mime::v1::MessageStructure wrong;
  wrong.mutable_body()->set_type("text");
  wrong.mutable_body()->set_body_offset(1u << 30);
  wrong.mutable_body()->set_body_size(1u << 30);
  view.structure = &wrong;
  EXPECT_FALSE(EvaluateSearch(Query("BODY \"café au\""), view));
}

TEST_F(SearchEvalTest, InternalDates) {
  EXPECT_FALSE(Matches(rich_, "BEFORE 1-Feb-1994"));
  EXPECT_TRUE(Matches(rich_, "BEFORE 2-Feb-1994"));
  EXPECT_TRUE(Matches(rich_, "ON 1-Feb-1994"));
  EXPECT_FALSE(Matches(rich_, "ON 2-Feb-1994"));
  EXPECT_TRUE(Matches(rich_, "SINCE 1-Feb-1994"));
  EXPECT_FALSE(Matches(rich_, "SINCE 2-Feb-1994"));
  // The UTC day boundary: 23:59:59 is still that day.
  rich_.info().internal_date = DaysFromCivil(1994, 2, 1) * 86400 + 86399;
  EXPECT_TRUE(Matches(rich_, "ON 1-Feb-1994"));
  EXPECT_EQ(rich_.header_reads() + rich_.content_reads(), 0);
}

TEST_F(SearchEvalTest, SentDates) {
  // Date: Tue, 1 Feb 1994 21:52:25 -0800 (the day as written, not UTC's 2nd).
  EXPECT_TRUE(Matches(rich_, "SENTON 1-Feb-1994"));
  EXPECT_FALSE(Matches(rich_, "SENTON 2-Feb-1994"));
  EXPECT_TRUE(Matches(rich_, "SENTBEFORE 2-Feb-1994"));
  EXPECT_FALSE(Matches(rich_, "SENTBEFORE 1-Feb-1994"));
  EXPECT_TRUE(Matches(rich_, "SENTSINCE 1-Feb-1994"));
  EXPECT_FALSE(Matches(rich_, "SENTSINCE 2-Feb-1994"));
  // No Date: none of them match (and NOT of each does).
  EXPECT_FALSE(Matches(latin1_, "SENTON 17-May-2024"));
  EXPECT_FALSE(Matches(latin1_, "SENTBEFORE 1-Jan-3000"));
  EXPECT_FALSE(Matches(latin1_, "SENTSINCE 1-Jan-1900"));
  EXPECT_TRUE(Matches(latin1_, "NOT SENTSINCE 1-Jan-1900"));
  FakeMessage obsolete("Date: 6 Nov 94 08:49 EST\r\n\r\nx");
  EXPECT_TRUE(Matches(obsolete, "SENTON 6-Nov-1994"));
  FakeMessage bad("Date: someday\r\n\r\nx");
  EXPECT_FALSE(Matches(bad, "OR SENTON 6-Nov-1994 OR SENTBEFORE 1-Jan-3000 SENTSINCE 1-Jan-1900"));
}

TEST_F(SearchEvalTest, SizeSetsModSeq) {
  EXPECT_TRUE(Matches(rich_, "LARGER 999"));
  EXPECT_FALSE(Matches(rich_, "LARGER 1000"));
  EXPECT_FALSE(Matches(rich_, "SMALLER 1000"));
  EXPECT_TRUE(Matches(rich_, "SMALLER 1001"));
  EXPECT_TRUE(Matches(rich_, "3"));
  EXPECT_TRUE(Matches(rich_, "1,3:*"));
  EXPECT_FALSE(Matches(rich_, "1:2,4"));
  EXPECT_TRUE(Matches(latin1_, "*"));
  EXPECT_FALSE(Matches(rich_, "*"));
  EXPECT_TRUE(Matches(rich_, "UID 40:45"));
  EXPECT_FALSE(Matches(rich_, "UID 43:*"));
  EXPECT_TRUE(Matches(latin1_, "UID 43:*"));
  EXPECT_TRUE(Matches(rich_, "$"));  // saved UIDs 40:42
  EXPECT_TRUE(Matches(rich_, "UID $"));
  EXPECT_FALSE(Matches(latin1_, "$"));
  EXPECT_TRUE(Matches(rich_, "MODSEQ 500"));
  EXPECT_FALSE(Matches(rich_, "MODSEQ 501"));
  EXPECT_TRUE(Matches(rich_, "MODSEQ \"/flags/\\\\seen\" priv 10"));
  mailbox_.saved_uids.clear();
  EXPECT_FALSE(Matches(rich_, "$"));
}

TEST_F(SearchEvalTest, NotOrNesting) {
  EXPECT_TRUE(Matches(rich_, "OR DELETED SEEN"));
  EXPECT_TRUE(Matches(rich_, "OR SEEN DELETED"));
  EXPECT_FALSE(Matches(rich_, "OR DELETED DRAFT"));
  EXPECT_TRUE(Matches(rich_, "NOT DELETED"));
  EXPECT_FALSE(Matches(rich_, "NOT NOT DELETED"));
  EXPECT_TRUE(Matches(rich_, "NOT (DELETED SEEN)"));
  EXPECT_FALSE(Matches(rich_, "NOT (UNDELETED SEEN)"));
  EXPECT_TRUE(Matches(rich_, "OR (DELETED SEEN) (SEEN FROM fred)"));
  EXPECT_TRUE(Matches(rich_, "OR OR DELETED DRAFT NOT OR FLAGGED BODY nothing"));
  EXPECT_FALSE(Matches(rich_, "SEEN NOT OR FROM fred BODY nothing"));
  EXPECT_TRUE(Matches(latin1_, "DELETED FROM \"SMITH\" SINCE 1-Feb-1994"));
}

TEST_F(SearchEvalTest, ContentIsReadOnlyWhenNeeded) {
  Matches(rich_, "SEEN LARGER 5 UID 1:* 3 ON 1-Feb-1994 MODSEQ 1 KEYWORD $Forwarded");
  EXPECT_EQ(rich_.header_reads(), 0);
  EXPECT_EQ(rich_.content_reads(), 0);

  FakeMessage header_only(kRich);
  EXPECT_TRUE(
      EvaluateSearch(Query("FROM fred SUBJECT invitation SENTON 1-Feb-1994 HEADER To mooch"), header_only.View()));
  EXPECT_EQ(header_only.header_reads(), 1);  // once for all four keys
  EXPECT_EQ(header_only.content_reads(), 0);

  FakeMessage body(kRich);
  EXPECT_TRUE(EvaluateSearch(Query("BODY tomorrow TEXT fred FROM fred"), body.View()));
  EXPECT_EQ(body.content_reads(), 1);
  EXPECT_EQ(body.header_reads(), 1);  // FROM runs first, before content is needed

  FakeMessage text_only(kRich);
  EXPECT_TRUE(EvaluateSearch(Query("TEXT fred"), text_only.View()));
  EXPECT_EQ(text_only.content_reads(), 1);
  EXPECT_EQ(text_only.header_reads(), 0);

  // Cheap keys decide first, whatever their position.
  FakeMessage short_circuit(kRich);
  short_circuit.info().flags = {};
  EXPECT_FALSE(EvaluateSearch(Query("BODY tomorrow FROM fred SEEN"), short_circuit.View()));
  EXPECT_TRUE(EvaluateSearch(Query("OR BODY tomorrow UNSEEN"), short_circuit.View()));
  EXPECT_TRUE(EvaluateSearch(Query("OR (FROM fred BODY x) (UNSEEN)"), short_circuit.View()));
  EXPECT_EQ(short_circuit.content_reads() + short_circuit.header_reads(), 0);

  // Without a header callback, header keys use the content.
  FakeMessage no_header(kRich);
  SearchMessage view = no_header.View();
  view.header = nullptr;
  EXPECT_TRUE(EvaluateSearch(Query("FROM fred"), view));
  EXPECT_EQ(no_header.content_reads(), 1);
}

TEST_F(SearchEvalTest, NeedsHeaderBodyAndMetadata) {
  struct Case {
    const char* query;
    bool header;
    bool body;
    bool metadata;
  } cases[] = {
      {"ALL", false, false, false},
      {"SEEN UNSEEN KEYWORD a UNKEYWORD b NEW OLD RECENT", false, false, true},
      {"LARGER 1 SMALLER 9 BEFORE 1-Jan-2000 ON 1-Jan-2000 SINCE 1-Jan-2000", false, false, true},
      {"1:* UID 5 $", false, false, false},
      {"1:* UID 5 $ MODSEQ 3", false, false, true},
      {"FROM a", true, false, false},
      {"TO a", true, false, false},
      {"CC a", true, false, false},
      {"BCC a", true, false, false},
      {"SUBJECT a", true, false, false},
      {"HEADER X a", true, false, false},
      {"SENTBEFORE 1-Jan-2000", true, false, false},
      {"SENTON 1-Jan-2000", true, false, false},
      {"SENTSINCE 1-Jan-2000", true, false, false},
      {"BODY a", false, true, false},
      {"TEXT a", true, true, false},
      {"NOT OR SEEN (DELETED NOT BODY a)", false, true, true},
      {"OR SEEN NOT (DELETED SUBJECT a)", true, false, true},
      {"OR 1:3 NOT (UID 4 SUBJECT a)", true, false, false},
  };
  for (const Case& c : cases) {
    const SearchQuery query = Query(c.query);
    EXPECT_EQ(NeedsHeader(query), c.header) << c.query;
    EXPECT_EQ(NeedsBody(query), c.body) << c.query;
    EXPECT_EQ(NeedsMetadata(query), c.metadata) << c.query;
  }
  EXPECT_TRUE(UsesModSeq(Query("NOT MODSEQ 5")));
  EXPECT_FALSE(UsesModSeq(Query("SEEN")));
}

// A prepared header (what a session caches) answers every header key as the
// bytes do, and nothing is read.
TEST_F(SearchEvalTest, PreparedHeaderAnswersLikeTheBytes) {
  const char* queries[] = {
      "FROM fred",
      "FROM smith",
      "SUBJECT invitation",
      "SUBJECT \"for THE\"",
      "CC \"andré\"",
      "BCC hidden",
      "HEADER X-Folded \"line second\"",
      "HEADER X-Folded \"line  second\"",
      "HEADER Message-Id \"\"",
      "HEADER X-Missing \"\"",
      "SENTON 1-Feb-1994",
      "SENTBEFORE 2-Feb-1994",
      "SENTSINCE 2-Feb-1994",
      "OR TO mooch SUBJECT nothing",
  };
  for (FakeMessage* message : {&rich_, &latin1_}) {
    const std::string bytes(message == &rich_ ? kRich : kLatin1);
    const SearchHeader prepared = PrepareSearchHeader(bytes.substr(0, bytes.find("\r\n\r\n") + 4));
    EXPECT_GT(prepared.MemoryBytes(), 0u);
    for (const char* text : queries) {
      const SearchQuery query = Query(text);
      const bool from_bytes = EvaluateSearch(query, message->View());
      SearchMessage cached = message->info();
      cached.prepared_header = &prepared;
      EXPECT_EQ(EvaluateSearch(query, cached), from_bytes) << text;
    }
  }
  EXPECT_EQ(PrepareSearchHeader(kRich).sent_day, DaysFromCivil(1994, 2, 1));
  EXPECT_FALSE(PrepareSearchHeader(kLatin1).sent_day.has_value());
}

// The examples of RFC 9051 6.4.4 (IMAP4rev2: ESEARCH responses) over a
// mailbox of 43 messages: 2, 10 and 11 are flagged, since 1-Feb-1994 and
// not from Smith; 5 is all that but from Smith; 6 is too old; 43 holds
// "отпуск" in a KOI8-R quoted-printable body, in capitals.
class RfcExampleTest : public ::testing::Test {
 protected:
  RfcExampleTest() {
    for (uint32_t seq = 1; seq <= 43; ++seq) {
      std::string content = "From: someone@example.org\r\nSubject: note " + std::to_string(seq) + "\r\n\r\nhello\r\n";
      if (seq == 5) content = "From: \"Smith, John\" <js@example.org>\r\n\r\nhi\r\n";
      if (seq == 43) {
        content =
            "From: a@example.ru\r\nContent-Type: text/plain; charset=koi8-r\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n=EF=F4=F0=F5=F3=EB!\r\n";
      }
      auto message = std::make_unique<FakeMessage>(content);
      SearchMessage& info = message->info();
      info.seq = seq;
      info.uid = 100 + seq;
      info.internal_date = DaysFromCivil(1995, 1, 1) * 86400;
      if (seq == 2 || seq == 10 || seq == 11 || seq == 5 || seq == 6) info.flags = {"\\Flagged"};
      if (seq == 6) info.internal_date = DaysFromCivil(1994, 1, 31) * 86400;
      messages_.push_back(std::move(message));
    }
  }

  // What the session would send for "<tag> [UID ]SEARCH <args>" (IMAP4rev2
  // when esearch), tagged line included.
  std::string Run(absl::string_view tag, absl::string_view args, bool uid, bool esearch) {
    SearchQuery query;
    SearchError error;
    if (!ParseSearchText(args, &query, &error)) {
      std::string out;
      AppendTagged(&out, tag, error.condition, error.code, error.text);
      return out;
    }
    SearchMailbox mailbox;
    mailbox.message_count = static_cast<uint32_t>(messages_.size());
    mailbox.uid_star = 143;
    ResolveSearchSets(mailbox, &query);
    std::vector<uint32_t> matches;
    for (auto& message : messages_) {
      if (EvaluateSearch(query, message->View())) {
        matches.push_back(uid ? message->info().uid : message->info().seq);
      }
    }
    std::string out = FormatSearchResult(query, tag, uid, esearch, matches);
    AppendTagged(&out, tag, Condition::kOk, "", "SEARCH completed");
    return out;
  }

  std::vector<std::unique_ptr<FakeMessage>> messages_;
};

TEST_F(RfcExampleTest, Rfc9051Examples) {
  EXPECT_EQ(Run("A282", "RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", false, true),
            "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\nA282 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A283", "RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", false, true),
            "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\nA283 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A284", "TEXT \"string not in mailbox\"", false, true),
            "* ESEARCH (TAG \"A284\")\r\nA284 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A285", "CHARSET UTF-8 TEXT {12}\r\nотпуск", false, true),
            "* ESEARCH (TAG \"A285\") ALL 43\r\nA285 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A286", "CHARSET WINDOWS-1252 TEXT \"x\"", false, true),
            "A286 NO [BADCHARSET (UTF-8 US-ASCII)] The specified charset is not supported\r\n");
  // 6.4.4.1 (SEARCHRES): SAVE alone sends no ESEARCH.
  EXPECT_EQ(Run("A282", "RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", false, true),
            "A282 OK SEARCH completed\r\n");
  // UID SEARCH.
  EXPECT_EQ(Run("A287", "RETURN (MIN MAX ALL COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", true, true),
            "* ESEARCH (TAG \"A287\") UID MIN 102 MAX 111 ALL 102,110:111 COUNT 3\r\nA287 OK SEARCH completed\r\n");
}

TEST_F(RfcExampleTest, Rfc3501Examples) {
  EXPECT_EQ(Run("A282", "FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", false, false),
            "* SEARCH 2 10 11\r\nA282 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A283", "TEXT \"string not in mailbox\"", false, false), "* SEARCH\r\nA283 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A284", "CHARSET UTF-8 TEXT {12}\r\nотпуск", false, false),
            "* SEARCH 43\r\nA284 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A285", "UID 110:* FLAGGED", true, false), "* SEARCH 110 111\r\nA285 OK SEARCH completed\r\n");
  EXPECT_EQ(Run("A286", "FLAGGED (SEEN", false, false).substr(0, 9), "A286 BAD ");
}

}  // namespace
}  // namespace kurier::imap
