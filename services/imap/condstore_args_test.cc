// CONDSTORE arguments (RFC 7162 section 7): CHANGEDSINCE, UNCHANGEDSINCE and
// SELECT's CONDSTORE parameter, read from command lines by the real codec.
#include "services/imap/condstore_args.h"

#include <string>

#include "gtest/gtest.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap {
namespace {

// The arguments of one command line as the codec reads them.
std::vector<Arg> ReadArgs(const std::string& line) {
  CommandReader reader;
  reader.Feed(line);
  Command command;
  ReadError error;
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand) << error.message;
  return command.args;
}

Arg Atom(const std::string& text) {
  Arg arg;
  arg.value = text;
  return arg;
}

TEST(ModSequence, Bounds) {
  EXPECT_EQ(ParseModSequence(Atom("1"), false), 1u);
  EXPECT_EQ(ParseModSequence(Atom("9223372036854775807"), false), kMaxModSequence);
  EXPECT_EQ(ParseModSequence(Atom("0"), true), 0u);
  EXPECT_EQ(ParseModSequence(Atom("0"), false), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("9223372036854775808"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("18446744073709551615"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("99999999999999999999"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom(""), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("-1"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("+5"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom("12a"), true), std::nullopt);
  EXPECT_EQ(ParseModSequence(Atom(" 12"), true), std::nullopt);
  Arg quoted = Atom("12");
  quoted.kind = Arg::Kind::kString;
  EXPECT_EQ(ParseModSequence(quoted, true), std::nullopt);
}

TEST(FetchModifiers, ChangedSince) {
  // RFC 7162 3.1.4.1's example.
  std::vector<Arg> args = ReadArgs("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n");
  ASSERT_EQ(args.size(), 3u);
  absl::StatusOr<FetchModifiers> parsed = ParseFetchModifiers(args[2]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->changed_since, 12345u);

  args = ReadArgs("a FETCH 1 FLAGS (changedsince 9223372036854775807)\r\n");
  ASSERT_EQ(args.size(), 3u);
  parsed = ParseFetchModifiers(args[2]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->changed_since, kMaxModSequence);
}

TEST(FetchModifiers, Refused) {
  for (const char* line : {
           "a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n",  // mod-sequence-value starts at 1
           "a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE)\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE x)\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE \"5\")\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE (5))\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE 5 CHANGEDSINCE 6)\r\n",
           "a FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)\r\n",  // QRESYNC: not supported
           "a FETCH 1 FLAGS (VANISHED)\r\n",
           "a FETCH 1 FLAGS (UNCHANGEDSINCE 5)\r\n",
           "a FETCH 1 FLAGS ()\r\n",
           "a FETCH 1 FLAGS CHANGEDSINCE\r\n",
       }) {
    std::vector<Arg> args = ReadArgs(line);
    ASSERT_EQ(args.size(), 3u) << line;
    absl::StatusOr<FetchModifiers> parsed = ParseFetchModifiers(args[2]);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << line;
  }
}

TEST(StoreModifiers, UnchangedSince) {
  // RFC 7162 3.1.3's example.
  std::vector<Arg> args = ReadArgs("a103 UID STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n");
  ASSERT_EQ(args.size(), 4u);
  absl::StatusOr<StoreModifiers> parsed = ParseStoreModifiers(args[1]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->unchanged_since, 320162338u);

  // mod-sequence-valzer: 0 is allowed (and fails for every message).
  args = ReadArgs("a STORE 1 (unchangedsince 0) FLAGS (\\Seen)\r\n");
  parsed = ParseStoreModifiers(args[1]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->unchanged_since, 0u);
}

TEST(StoreModifiers, Refused) {
  for (const char* line : {
           "a STORE 1 (UNCHANGEDSINCE -1) FLAGS (\\Seen)\r\n",
           "a STORE 1 (UNCHANGEDSINCE 9223372036854775808) FLAGS (\\Seen)\r\n",
           "a STORE 1 (UNCHANGEDSINCE) FLAGS (\\Seen)\r\n",
           "a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS (\\Seen)\r\n",
           "a STORE 1 (CHANGEDSINCE 1) FLAGS (\\Seen)\r\n",
           "a STORE 1 () FLAGS (\\Seen)\r\n",
           "a STORE 1 (\"UNCHANGEDSINCE\" 1) FLAGS (\\Seen)\r\n",
       }) {
    std::vector<Arg> args = ReadArgs(line);
    ASSERT_GE(args.size(), 2u) << line;
    absl::StatusOr<StoreModifiers> parsed = ParseStoreModifiers(args[1]);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << line;
  }
}

TEST(SelectParams, Condstore) {
  std::vector<Arg> args = ReadArgs("a SELECT INBOX (CONDSTORE)\r\n");
  ASSERT_EQ(args.size(), 2u);
  absl::StatusOr<SelectParams> parsed = ParseSelectParams(args[1]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->condstore);
  args = ReadArgs("a EXAMINE INBOX (condstore)\r\n");
  parsed = ParseSelectParams(args[1]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->condstore);

  for (const char* line :
       {"a SELECT INBOX ()\r\n", "a SELECT INBOX (QRESYNC (1 2))\r\n", "a SELECT INBOX (CONDSTORE CONDSTORE)\r\n",
        "a SELECT INBOX CONDSTORE\r\n", "a SELECT INBOX (\"CONDSTORE\")\r\n"}) {
    args = ReadArgs(line);
    ASSERT_EQ(args.size(), 2u) << line;
    EXPECT_EQ(ParseSelectParams(args[1]).status().code(), absl::StatusCode::kInvalidArgument) << line;
  }
}

}  // namespace
}  // namespace kurier::imap
