// ParseSearchQuery: every key of RFC 9051 and RFC 3501, RETURN, CHARSET and
// bad input, read through the real codec.
#include "services/imap/search/search_query.h"

#include <string>

#include "gtest/gtest.h"
#include "services/imap/search/search_date.h"
#include "services/imap/search/search_test_util.h"

namespace kurier::imap {
namespace {

using testing::ParseSearchText;
using K = SearchKeyKind;

SearchQuery Parse(absl::string_view text) {
  SearchQuery query;
  SearchError error;
  EXPECT_TRUE(ParseSearchText(text, &query, &error)) << text << ": " << error.text;
  return query;
}

// The only key of a one-key query.
SearchKey One(absl::string_view text) {
  SearchQuery query = Parse(text);
  EXPECT_EQ(query.root.kind, K::kAnd);
  EXPECT_EQ(query.root.children.size(), 1u) << text;
  if (query.root.children.size() != 1) return SearchKey();
  return query.root.children[0];
}

SearchError Refused(absl::string_view text) {
  SearchQuery query;
  SearchError error;
  EXPECT_FALSE(ParseSearchText(text, &query, &error)) << text;
  return error;
}

// A compact outline of a key tree, to compare whole trees.
std::string Outline(const SearchKey& key) {
  std::string out;
  switch (key.kind) {
    case K::kAll: return "ALL";
    case K::kNone: return "NONE";
    case K::kAnd:
    case K::kOr:
    case K::kNot:
      out = key.kind == K::kAnd ? "AND(" : key.kind == K::kOr ? "OR(" : "NOT(";
      for (size_t i = 0; i < key.children.size(); ++i) {
        if (i > 0) out += " ";
        out += Outline(key.children[i]);
      }
      return out + ")";
    case K::kFlag: return std::string(key.flag_set ? "+" : "-") + key.text;
    case K::kHeader: return "H[" + key.field + "]=" + key.text;
    case K::kBody: return "BODY=" + key.text;
    case K::kText: return "TEXT=" + key.text;
    case K::kBefore: return "BEFORE" + std::to_string(key.days);
    case K::kOn: return "ON" + std::to_string(key.days);
    case K::kSince: return "SINCE" + std::to_string(key.days);
    case K::kSentBefore: return "SENTBEFORE" + std::to_string(key.days);
    case K::kSentOn: return "SENTON" + std::to_string(key.days);
    case K::kSentSince: return "SENTSINCE" + std::to_string(key.days);
    case K::kLarger: return ">" + std::to_string(key.number);
    case K::kSmaller: return "<" + std::to_string(key.number);
    case K::kSequenceSet: return "SEQ" + std::to_string(key.set.items().size());
    case K::kUidSet: return "UID" + std::to_string(key.set.items().size());
    case K::kModSeq: return "MODSEQ" + std::to_string(key.number);
  }
  return "?";
}

TEST(SearchQueryTest, FlagKeys) {
  struct Case {
    const char* key;
    const char* flag;
    bool set;
  } cases[] = {
      {"ANSWERED", "\\Answered", true}, {"DELETED", "\\Deleted", true},   {"DRAFT", "\\Draft", true},
      {"FLAGGED", "\\Flagged", true},   {"SEEN", "\\Seen", true},         {"UNANSWERED", "\\Answered", false},
      {"UNDELETED", "\\Deleted", false}, {"UNDRAFT", "\\Draft", false},   {"UNFLAGGED", "\\Flagged", false},
      {"unseen", "\\Seen", false},
  };
  for (const Case& c : cases) {
    const SearchKey key = One(c.key);
    EXPECT_EQ(key.kind, K::kFlag) << c.key;
    EXPECT_EQ(key.text, c.flag) << c.key;
    EXPECT_EQ(key.flag_set, c.set) << c.key;
    EXPECT_EQ(key.content, 0) << c.key;
  }
  SearchKey key = One("KEYWORD $Forwarded");
  EXPECT_EQ(Outline(key), "+$Forwarded");
  key = One("UNKEYWORD Junk");
  EXPECT_EQ(Outline(key), "-Junk");
}

TEST(SearchQueryTest, AllNewOldRecent) {
  EXPECT_EQ(One("ALL").kind, K::kAll);
  EXPECT_EQ(One("OLD").kind, K::kAll);
  EXPECT_EQ(One("NEW").kind, K::kNone);
  EXPECT_EQ(One("RECENT").kind, K::kNone);
}

TEST(SearchQueryTest, HeaderKeys) {
  EXPECT_EQ(Outline(One("FROM \"Smith\"")), "H[From]=Smith");
  EXPECT_EQ(Outline(One("TO bob")), "H[To]=bob");
  EXPECT_EQ(Outline(One("CC bob")), "H[Cc]=bob");
  EXPECT_EQ(Outline(One("BCC bob")), "H[Bcc]=bob");
  EXPECT_EQ(Outline(One("SUBJECT \"Hello World\"")), "H[Subject]=Hello World");
  EXPECT_EQ(Outline(One("HEADER X-Mailer \"\"")), "H[X-Mailer]=");
  EXPECT_EQ(Outline(One("HEADER \"List-Id\" kurier")), "H[List-Id]=kurier");
  const SearchKey key = One("SUBJECT \"CaFÉ\"");
  EXPECT_EQ(key.folded, "café");
  EXPECT_EQ(key.content, 1);
}

TEST(SearchQueryTest, TextKeys) {
  SearchKey key = One("BODY \"Some Text\"");
  EXPECT_EQ(Outline(key), "BODY=Some Text");
  EXPECT_EQ(key.folded, "some text");
  EXPECT_EQ(key.content, 2);
  key = One("TEXT {5}\r\nHELLO");
  EXPECT_EQ(Outline(key), "TEXT=HELLO");
  EXPECT_EQ(key.folded, "hello");
}

TEST(SearchQueryTest, DateKeys) {
  const int64_t day = DaysFromCivil(1994, 2, 1);
  EXPECT_EQ(Outline(One("BEFORE 1-Feb-1994")), "BEFORE" + std::to_string(day));
  EXPECT_EQ(Outline(One("ON \"01-feb-1994\"")), "ON" + std::to_string(day));
  EXPECT_EQ(Outline(One("SINCE 1-FEB-1994")), "SINCE" + std::to_string(day));
  EXPECT_EQ(Outline(One("SENTBEFORE 1-Feb-1994")), "SENTBEFORE" + std::to_string(day));
  EXPECT_EQ(Outline(One("SENTON 1-Feb-1994")), "SENTON" + std::to_string(day));
  EXPECT_EQ(Outline(One("SENTSINCE 1-Feb-1994")), "SENTSINCE" + std::to_string(day));
  EXPECT_EQ(One("SENTON 1-Feb-1994").content, 1);
  EXPECT_EQ(One("ON 1-Feb-1994").content, 0);
}

TEST(SearchQueryTest, SizeModSeqAndSets) {
  EXPECT_EQ(Outline(One("LARGER 1000")), ">1000");
  EXPECT_EQ(Outline(One("SMALLER 9223372036854775807")), "<9223372036854775807");
  EXPECT_EQ(Outline(One("MODSEQ 620162338")), "MODSEQ620162338");
  EXPECT_EQ(Outline(One("MODSEQ \"/flags/\\\\draft\" all 620162338")), "MODSEQ620162338");
  EXPECT_EQ(Outline(One("1:3,5,7:*")), "SEQ3");
  EXPECT_EQ(Outline(One("UID 2:4")), "UID1");
  EXPECT_TRUE(One("$").set.is_saved_result());
  EXPECT_TRUE(One("UID $").set.is_saved_result());
}

TEST(SearchQueryTest, NotOrAndNesting) {
  EXPECT_EQ(Outline(Parse("DELETED FROM \"SMITH\" SINCE 1-Feb-1994").root),
            "AND(+\\Deleted H[From]=SMITH SINCE" + std::to_string(DaysFromCivil(1994, 2, 1)) + ")");
  EXPECT_EQ(Outline(Parse("NOT NOT SEEN").root), "AND(NOT(NOT(+\\Seen)))");
  EXPECT_EQ(Outline(Parse("OR SEEN (FLAGGED DRAFT)").root), "AND(OR(+\\Seen AND(+\\Flagged +\\Draft)))");
  EXPECT_EQ(Outline(Parse("OR OR SEEN DRAFT NOT (DELETED)").root),
            "AND(OR(OR(+\\Seen +\\Draft) NOT(+\\Deleted)))");
  EXPECT_EQ(Outline(Parse("(((SEEN)))").root), "AND(+\\Seen)");
  EXPECT_EQ(Outline(Parse("NOT OR 1 UID 5 BODY x").root), "AND(NOT(OR(SEQ1 UID1)) BODY=x)");
  EXPECT_EQ(Parse("NOT OR 1 UID 5 BODY x").root.content, 2);
}

TEST(SearchQueryTest, ReturnOptions) {
  SearchQuery q = Parse("RETURN (MIN MAX COUNT) ALL");
  EXPECT_TRUE(q.has_return);
  EXPECT_TRUE(q.ret.min && q.ret.max && q.ret.count);
  EXPECT_FALSE(q.ret.all || q.ret.save);
  q = Parse("RETURN () SEEN");
  EXPECT_TRUE(q.has_return && q.ret.all);
  q = Parse("return (save all) SEEN");
  EXPECT_TRUE(q.ret.save && q.ret.all);
  q = Parse("SEEN");
  EXPECT_FALSE(q.has_return);
  EXPECT_EQ(Refused("RETURN (PARTIAL) ALL").text, "Invalid search return option");
  EXPECT_EQ(Refused("RETURN ALL").condition, Condition::kBad);
  EXPECT_EQ(Refused("RETURN").condition, Condition::kBad);
  EXPECT_EQ(Refused("RETURN (MIN)").text, "Missing search keys");
}

TEST(SearchQueryTest, Charset) {
  EXPECT_EQ(Parse("CHARSET UTF-8 TEXT x").charset, "UTF-8");
  EXPECT_EQ(Parse("CHARSET \"us-ascii\" TEXT x").charset, "US-ASCII");
  EXPECT_EQ(Parse("RETURN (COUNT) CHARSET utf-8 ALL").charset, "UTF-8");
  const SearchError error = Refused("CHARSET WINDOWS-1252 TEXT \"x\"");
  EXPECT_EQ(error.condition, Condition::kNo);
  EXPECT_EQ(error.code, "BADCHARSET (UTF-8 US-ASCII)");
  EXPECT_EQ(Refused("CHARSET").condition, Condition::kBad);
  EXPECT_EQ(Refused("CHARSET UTF-8").text, "Missing search keys");
}

TEST(SearchQueryTest, BadInput) {
  EXPECT_EQ(Refused("").condition, Condition::kBad);  // the codec reads no args
  EXPECT_EQ(Refused("FOO").text, "Unknown search key");
  EXPECT_EQ(Refused("\"SEEN\"").text, "Unknown search key");
  EXPECT_EQ(Refused("SEEN FOO").text, "Unknown search key");
  EXPECT_EQ(Refused("FROM").text, "Missing search argument");
  EXPECT_EQ(Refused("FROM (a)").text, "Invalid search argument");
  EXPECT_EQ(Refused("HEADER Subject").text, "Missing search argument");
  EXPECT_EQ(Refused("HEADER \"\" x").text, "Invalid search argument");
  EXPECT_EQ(Refused("OR SEEN").text, "Missing search argument");
  EXPECT_EQ(Refused("NOT").text, "Missing search argument");
  EXPECT_EQ(Refused("()").text, "Empty search key list");
  EXPECT_EQ(Refused("(SEEN").text, "codec");  // unbalanced: the codec says BAD
  EXPECT_EQ(Refused("SEEN)").text, "codec");
  EXPECT_EQ(Refused("(SEEN FOO)").text, "Unknown search key");
  EXPECT_EQ(Refused("SINCE 31-Feb-1994").text, "Invalid date in search");
  EXPECT_EQ(Refused("SINCE 1-Foo-1994").text, "Invalid date in search");
  EXPECT_EQ(Refused("SINCE 1994-02-01").text, "Invalid date in search");
  EXPECT_EQ(Refused("SINCE 1-Feb-94").text, "Invalid date in search");
  EXPECT_EQ(Refused("SINCE 123-Feb-1994").text, "Invalid date in search");
  EXPECT_EQ(Refused("SINCE").text, "Missing search argument");
  EXPECT_EQ(Refused("LARGER -1").text, "Invalid number in search");
  EXPECT_EQ(Refused("LARGER 12x").text, "Invalid number in search");
  EXPECT_EQ(Refused("LARGER 9223372036854775808").text, "Invalid number in search");
  EXPECT_EQ(Refused("LARGER \"12\"").text, "Invalid number in search");
  EXPECT_EQ(Refused("UID x").text, "Invalid sequence set in search");
  EXPECT_EQ(Refused("1:").text, "Invalid sequence set in search");
  EXPECT_EQ(Refused("0").text, "Invalid sequence set in search");
  EXPECT_EQ(Refused("KEYWORD").text, "Missing search argument");
  EXPECT_EQ(Refused("KEYWORD \"a b\"").text, "Invalid search argument");
  EXPECT_EQ(Refused("MODSEQ \"/flags/\\\\seen\" bogus 5").text, "Invalid search argument");
  EXPECT_EQ(Refused("MODSEQ \"x\" all 5").text, "Invalid search argument");
}

TEST(SearchQueryTest, DepthIsBounded) {
  std::string deep;
  for (int i = 0; i < kMaxSearchDepth; ++i) deep += "NOT ";
  Parse(deep + "SEEN");
  EXPECT_EQ(Refused(deep + "NOT NOT SEEN").text, "Search keys nested too deeply");
  std::string ors;
  for (int i = 0; i < 2000; ++i) ors += "OR SEEN ";
  EXPECT_EQ(Refused(ors + "SEEN").text, "Search keys nested too deeply");
}

TEST(SearchQueryTest, ResolveSets) {
  SearchQuery q = Parse("OR 2:* UID 10:* $");
  SearchMailbox mailbox;
  mailbox.message_count = 5;
  mailbox.uid_star = 40;
  mailbox.saved_uids = {{7, 9}};
  ResolveSearchSets(mailbox, &q);
  const SearchKey& seq = q.root.children[0].children[0];
  const SearchKey& uid = q.root.children[0].children[1];
  const SearchKey& saved = q.root.children[1];
  EXPECT_EQ(seq.ranges, (std::vector<NumberRange>{{2, 5}}));
  EXPECT_FALSE(seq.set_is_uids);
  EXPECT_EQ(uid.ranges, (std::vector<NumberRange>{{10, 40}}));
  EXPECT_TRUE(uid.set_is_uids);
  EXPECT_EQ(saved.ranges, (std::vector<NumberRange>{{7, 9}}));
  EXPECT_TRUE(saved.set_is_uids);
  // Beyond the mailbox: no BAD, it just matches nothing there.
  q = Parse("7:9");
  ResolveSearchSets(mailbox, &q);
  EXPECT_EQ(q.root.children[0].ranges, (std::vector<NumberRange>{{7, 9}}));
}

}  // namespace
}  // namespace kurier::imap
