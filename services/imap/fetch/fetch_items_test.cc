// FETCH attribute parsing: every item, the macros, sections and partials,
// bad syntax, response names, and atoms as the codec's reader delivers them.
#include <string>

#include "gtest/gtest.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/fetch/fetch_items.h"

namespace kurier::imap {
namespace {

using Kind = FetchItem::Kind;

Arg Atom(const std::string& text) {
  Arg arg;
  arg.value = text;
  return arg;
}

Arg List(std::vector<std::string> items) {
  Arg arg;
  arg.kind = Arg::Kind::kList;
  for (const std::string& i : items) arg.list.push_back(Atom(i));
  return arg;
}

// The FETCH command's second argument as the codec reads it.
Arg ReadFetchArg(const std::string& line) {
  CommandReader reader;
  reader.Feed(line);
  Command command;
  ReadError error;
  EXPECT_EQ(reader.Next(&command, &error), CommandReader::Result::kCommand) << error.message;
  EXPECT_EQ(command.args.size(), 2u);
  return command.args.size() == 2 ? command.args[1] : Arg();
}

TEST(FetchItems, Macros) {
  absl::StatusOr<FetchRequest> all = ParseFetchAttributes(Atom("all"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 4u);
  EXPECT_EQ(all->items[0].kind, Kind::kFlags);
  EXPECT_EQ(all->items[1].kind, Kind::kInternalDate);
  EXPECT_EQ(all->items[2].kind, Kind::kRfc822Size);
  EXPECT_EQ(all->items[3].kind, Kind::kEnvelope);
  EXPECT_FALSE(all->needs_content);
  EXPECT_TRUE(all->needs_structure);
  EXPECT_FALSE(all->sets_seen);

  absl::StatusOr<FetchRequest> fast = ParseFetchAttributes(Atom("FAST"));
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->items.size(), 3u);

  absl::StatusOr<FetchRequest> full = ParseFetchAttributes(Atom("Full"));
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->items.size(), 5u);
  EXPECT_EQ(full->items[4].kind, Kind::kBody);

  // Macros stand alone (RFC 9051 9: fetch = ... ("ALL" / "FULL" / "FAST" /
  // fetch-att / "(" fetch-att *(SP fetch-att) ")").
  EXPECT_FALSE(ParseFetchAttributes(List({"ALL"})).ok());
  EXPECT_FALSE(ParseFetchAttributes(List({"FLAGS", "FAST"})).ok());
}

TEST(FetchItems, SimpleItems) {
  absl::StatusOr<FetchRequest> r = ParseFetchAttributes(
      List({"FLAGS", "internaldate", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", "UID", "MODSEQ"}));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->items.size(), 8u);
  EXPECT_EQ(r->items[4].kind, Kind::kBody);
  EXPECT_EQ(r->items[5].kind, Kind::kBodyStructure);
  EXPECT_TRUE(r->has_uid);
  EXPECT_TRUE(r->has_modseq);
  EXPECT_FALSE(r->needs_content);
  EXPECT_FALSE(r->sets_seen);

  absl::StatusOr<FetchRequest> flags = ParseFetchAttributes(List({"FLAGS", "UID"}));
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->needs_structure);
}

TEST(FetchItems, Rfc822Items) {
  absl::StatusOr<FetchRequest> r = ParseFetchAttributes(List({"RFC822.HEADER"}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->sets_seen);
  EXPECT_TRUE(r->needs_content);
  EXPECT_EQ(r->items[0].section.text, Section::Text::kHeader);

  r = ParseFetchAttributes(Atom("RFC822"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->sets_seen);
  EXPECT_EQ(r->items[0].section, Section());

  r = ParseFetchAttributes(Atom("RFC822.TEXT"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->sets_seen);
  EXPECT_EQ(r->items[0].section.text, Section::Text::kText);
}

TEST(FetchItems, Sections) {
  absl::StatusOr<FetchItem> item = ParseFetchItem("BODY[]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->kind, Kind::kBodySection);
  EXPECT_FALSE(item->peek);
  EXPECT_TRUE(item->sets_seen());
  EXPECT_TRUE(item->section.part.empty());
  EXPECT_FALSE(item->partial);

  item = ParseFetchItem("body.peek[1.2.3.header.fields.not (From \"X-A]B\" Received)]<10.200>");
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_TRUE(item->peek);
  EXPECT_FALSE(item->sets_seen());
  EXPECT_EQ(item->section.part, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(item->section.text, Section::Text::kHeaderFieldsNot);
  EXPECT_EQ(item->section.fields, (std::vector<std::string>{"From", "X-A]B", "Received"}));
  ASSERT_TRUE(item->partial);
  EXPECT_EQ(item->partial->offset, 10u);
  EXPECT_EQ(item->partial->length, 200u);

  item = ParseFetchItem("BODY[4.2.MIME]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->section.text, Section::Text::kMime);
  item = ParseFetchItem("BODY[TEXT]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->section.text, Section::Text::kText);
  item = ParseFetchItem("BODY[3.TEXT]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->section.part, (std::vector<uint32_t>{3}));
  item = ParseFetchItem("BODY[HEADER]<0.1>");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->section.text, Section::Text::kHeader);
  item = ParseFetchItem("BODY[4294967295]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->section.part[0], 4294967295u);
}

TEST(FetchItems, Binary) {
  absl::StatusOr<FetchItem> item = ParseFetchItem("BINARY[1.2]<0.100>");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->kind, Kind::kBinary);
  EXPECT_TRUE(item->sets_seen());
  item = ParseFetchItem("BINARY.PEEK[]");
  ASSERT_TRUE(item.ok());
  EXPECT_FALSE(item->sets_seen());
  item = ParseFetchItem("binary.size[3]");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->kind, Kind::kBinarySize);
  EXPECT_FALSE(item->sets_seen());
  EXPECT_TRUE(item->is_content());
}

TEST(FetchItems, BadSyntax) {
  for (const char* bad : {
           "BODY.PEEK", "BINARY", "BINARY.SIZE", "FOO", "BODY[MIME]", "BODY[0]", "BODY[1.]", "BODY[.1]",
           "BODY[1..2]", "BODY[01x]", "BODY[4294967296]", "BODY[]<0.0>", "BODY[]<1>", "BODY[]<1.>",
           "BODY[]<.1>", "BODY[]<-1.2>", "BODY[]<1.2", "BODY[]x", "BODY[HEADER.FIELDS]",
           "BODY[HEADER.FIELDS ()]", "BODY[HEADER.FIELDS (A  B)]", "BODY[HEADER.FIELDS ( A)]",
           "BODY[HEADER.FIELDS (A)x]", "BODY[HEADER.FIELDS A]", "BODY[HEADER.FIELDS (\"A)]", "BODY[HEADER ]",
           "BODY[TEXT (A)]", "BODY[HEADERS]", "BODY[1.HEADER.FIELDS.NOT]", "BINARY[HEADER]", "BINARY[1.MIME]",
           "BINARY.SIZE[1]<0.10>", "BODY[", "BODY[]<9223372036854775808.1>", "RFC822.PEEK", "BODYSTRUCTURE[]",
       }) {
    EXPECT_FALSE(ParseFetchItem(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseFetchItem("BODY[]<9223372036854775807.1>").ok());
  EXPECT_FALSE(ParseFetchAttributes(List({})).ok());
  Arg string_arg;
  string_arg.kind = Arg::Kind::kString;
  string_arg.value = "FLAGS";
  EXPECT_FALSE(ParseFetchAttributes(string_arg).ok());
  Arg nested = List({"FLAGS"});
  nested.list.push_back(List({"UID"}));
  EXPECT_FALSE(ParseFetchAttributes(nested).ok());
  // The message is fixed text, never the client's bytes.
  absl::StatusOr<FetchItem> bad = ParseFetchItem("X-EVIL\r\n* OK");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("EVIL"), absl::string_view::npos);
}

TEST(FetchItems, ResponseNames) {
  auto name = [](const char* atom) {
    absl::StatusOr<FetchItem> item = ParseFetchItem(atom);
    EXPECT_TRUE(item.ok()) << atom;
    return item.ok() ? ResponseItemName(*item) : std::string();
  };
  EXPECT_EQ(name("flags"), "FLAGS");
  EXPECT_EQ(name("rfc822.header"), "RFC822.HEADER");
  EXPECT_EQ(name("body[]"), "BODY[]");
  EXPECT_EQ(name("BODY.PEEK[]<0.2048>"), "BODY[]<0>");
  EXPECT_EQ(name("body.peek[1.2.mime]"), "BODY[1.2.MIME]");
  EXPECT_EQ(name("BODY.PEEK[header.fields (From \"X Y\" Date)]<5.10>"),
            "BODY[HEADER.FIELDS (From \"X Y\" Date)]<5>");
  EXPECT_EQ(name("BODY[2.HEADER.FIELDS.NOT (Received)]"), "BODY[2.HEADER.FIELDS.NOT (Received)]");
  EXPECT_EQ(name("binary.peek[1]<7.8>"), "BINARY[1]<7>");
  EXPECT_EQ(name("BINARY.SIZE[]"), "BINARY.SIZE[]");
  // A name holding "]" or a special is quoted so the section still ends at
  // its "]"; an empty one is "".
  EXPECT_EQ(name("BODY[HEADER.FIELDS (\"X-A]B\" \"a\\\"b\" \"\" \"x y\")]"),
            "BODY[HEADER.FIELDS (\"X-A]B\" \"a\\\"b\" \"\" \"x y\")]");
  EXPECT_FALSE(ParseFetchItem("BODY[HEADER.FIELDS (\"Fr\xadom\")]").ok());
}

TEST(FetchItems, FromTheCodecReader) {
  // RFC 9051 6.4.5 examples.
  Arg arg = ReadFetchArg("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
  absl::StatusOr<FetchRequest> r = ParseFetchAttributes(arg);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[1].section.fields, (std::vector<std::string>{"DATE", "FROM"}));
  EXPECT_TRUE(r->sets_seen);

  arg = ReadFetchArg("a FETCH 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date "
                     "Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type "
                     "Reply-To)]<0.2048>)\r\n");
  r = ParseFetchAttributes(arg);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->items.size(), 4u);
  EXPECT_EQ(r->items[3].section.fields.size(), 14u);
  EXPECT_FALSE(r->sets_seen);

  arg = ReadFetchArg("a FETCH 1:* ALL\r\n");
  r = ParseFetchAttributes(arg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items.size(), 4u);

  arg = ReadFetchArg("a FETCH 1 BODY.PEEK[1.HEADER.FIELDS.NOT (\"Received\" X-Spam)]\r\n");
  r = ParseFetchAttributes(arg);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->items[0].section.fields, (std::vector<std::string>{"Received", "X-Spam"}));

  arg = ReadFetchArg("a FETCH 1 (BINARY.PEEK[1]<0.100> BINARY.SIZE[2] MODSEQ)\r\n");
  r = ParseFetchAttributes(arg);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->items.size(), 3u);
}

}  // namespace
}  // namespace kurier::imap
