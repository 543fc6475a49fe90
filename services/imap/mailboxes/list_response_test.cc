// LIST / LSUB responses: the examples of RFC 9051 6.3.9, RFC 5258 section 5,
// RFC 5819 section 2, RFC 6154 section 5 and RFC 3501 6.3.9 as golden
// transcripts (command line in, untagged responses out), adapted to this
// server: "/" as the delimiter, names written as astrings, \HasChildren or
// \HasNoChildren on every line, INBOX always present, no \Marked,
// \NoInferiors or remote mailboxes, and no subscriptions to mailboxes that
// do not exist (the store keeps none).
#include "services/imap/mailboxes/list_response.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/imap/mailboxes/mailboxes_test_util.h"

namespace kurier::imap {
namespace {

using store::v1::Mailbox;
using testing::MakeMailbox;
using testing::ReadCommand;

struct Options {
  bool utf8 = false;
  bool imap4rev2 = false;
};

// The responses to one command line against `mailboxes`.
std::string Respond(absl::string_view line, const std::vector<Mailbox>& mailboxes, Options options = {}) {
  Command command;
  if (!ReadCommand(line, &command)) return "codec refused";
  absl::StatusOr<ListCommand> parsed = command.name == "LSUB" ? ParseLsubCommand(command.args, options.utf8)
                                                              : ParseListCommand(command.args, options.utf8);
  if (!parsed.ok()) return "BAD " + std::string(parsed.status().message());
  return FormatListResponses(*parsed, mailboxes, options.utf8, options.imap4rev2);
}

std::string Lines(std::initializer_list<const char*> lines) {
  std::string out;
  for (const char* line : lines) out += std::string(line) + "\r\n";
  return out;
}

// `spec`: "name[:flags]" (flags as MakeMailbox's, "," for " ").
std::vector<Mailbox> Account(std::initializer_list<const char*> specs) {
  std::vector<Mailbox> mailboxes;
  uint64_t id = 1;
  for (absl::string_view spec : specs) {
    const size_t colon = spec.find(':');
    std::string flags(colon == absl::string_view::npos ? "" : spec.substr(colon + 1));
    std::replace(flags.begin(), flags.end(), ',', ' ');
    mailboxes.push_back(MakeMailbox(spec.substr(0, colon), flags, id++));
  }
  return mailboxes;
}

// RFC 5258 section 5 examples 1-6: the hierarchy and subscriptions
// ("Fruit/Peach", subscribed but deleted, cannot be represented).
std::vector<Mailbox> Fruits() {
  return Account({"INBOX:sub", "Fruit", "Fruit/Apple", "Fruit/Banana:sub", "Tofu", "Vegetable:sub",
                  "Vegetable/Broccoli:sub", "Vegetable/Corn"});
}

TEST(ListResponseTest, Rfc5258Example1AllMailboxes) {
  EXPECT_EQ(Respond("A01 LIST \"\" \"*\"", Fruits()), Lines({
                                                          "* LIST (\\HasNoChildren) \"/\" INBOX",
                                                          "* LIST (\\HasChildren) \"/\" Fruit",
                                                          "* LIST (\\HasNoChildren) \"/\" Fruit/Apple",
                                                          "* LIST (\\HasNoChildren) \"/\" Fruit/Banana",
                                                          "* LIST (\\HasNoChildren) \"/\" Tofu",
                                                          "* LIST (\\HasChildren) \"/\" Vegetable",
                                                          "* LIST (\\HasNoChildren) \"/\" Vegetable/Broccoli",
                                                          "* LIST (\\HasNoChildren) \"/\" Vegetable/Corn",
                                                      }));
}

TEST(ListResponseTest, Rfc5258Examples2And5Subscribed) {
  const std::string expected = Lines({
      "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
      "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana",
      "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable",
      "* LIST (\\HasNoChildren \\Subscribed) \"/\" Vegetable/Broccoli",
  });
  EXPECT_EQ(Respond("A02 LIST (SUBSCRIBED) \"\" \"*\"", Fruits()), expected);
  EXPECT_EQ(Respond("A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"", Fruits()), expected);
}

TEST(ListResponseTest, Rfc5258Examples3And4Children) {
  const std::string expected = Lines({
      "* LIST (\\HasNoChildren) \"/\" INBOX",
      "* LIST (\\HasChildren) \"/\" Fruit",
      "* LIST (\\HasNoChildren) \"/\" Tofu",
      "* LIST (\\HasChildren) \"/\" Vegetable",
  });
  EXPECT_EQ(Respond("A03 LIST () \"\" \"%\" RETURN (CHILDREN)", Fruits()), expected);
  EXPECT_EQ(Respond("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)", Fruits()), expected);
  // Without CHILDREN the same: the attributes are always sent.
  EXPECT_EQ(Respond("A03 LIST \"\" \"%\"", Fruits()), expected);
}

TEST(ListResponseTest, Rfc5258Example6ReturnSubscribed) {
  EXPECT_EQ(Respond("A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)", Fruits()),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                "* LIST (\\HasChildren) \"/\" Fruit",
                "* LIST (\\HasNoChildren) \"/\" Fruit/Apple",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana",
                "* LIST (\\HasNoChildren) \"/\" Tofu",
                "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Vegetable/Broccoli",
                "* LIST (\\HasNoChildren) \"/\" Vegetable/Corn",
            }));
}

TEST(ListResponseTest, Rfc5258Example7PatternList) {
  const auto account = Account({"INBOX", "Drafts", "Sent/March2004", "Sent/December2003", "Sent/August2004"});
  EXPECT_EQ(Respond("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")", account),
            Lines({
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* LIST (\\HasNoChildren) \"/\" Drafts",
                "* LIST (\\HasNoChildren) \"/\" Sent/August2004",
                "* LIST (\\HasNoChildren) \"/\" Sent/December2003",
                "* LIST (\\HasNoChildren) \"/\" Sent/March2004",
            }));
}

TEST(ListResponseTest, Rfc5258Example8ChildInfo) {
  const char* hierarchy = "* LIST (\\HasNoChildren) \"/\" INBOX";
  EXPECT_EQ(Respond("CA3 LIST \"\" \"%\" RETURN (CHILDREN)", Account({"INBOX", "Foo", "Foo/Bar", "Foo/Baz", "Moo"})),
            Lines({hierarchy, "* LIST (\\HasChildren) \"/\" Foo", "* LIST (\\HasNoChildren) \"/\" Moo"}));

  // A) only "Foo/Baz" is subscribed.
  const auto a = Account({"INBOX", "Foo", "Foo/Bar", "Foo/Baz:sub", "Moo"});
  EXPECT_EQ(Respond("C02 LIST (SUBSCRIBED) \"\" \"*\"", a),
            Lines({"* LIST (\\HasNoChildren \\Subscribed) \"/\" Foo/Baz"}));
  EXPECT_EQ(Respond("C03 LIST (SUBSCRIBED) \"\" \"%\"", a), "");
  EXPECT_EQ(Respond("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", a),
            Lines({"* LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))"}));

  // A1) "Foo" is subscribed too.
  EXPECT_EQ(Respond("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"",
                    Account({"INBOX", "Foo:sub", "Foo/Bar", "Foo/Baz:sub", "Moo"})),
            Lines({"* LIST (\\HasChildren \\Subscribed) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))"}));

  // A2) "Foo" does not exist.
  EXPECT_EQ(
      Respond("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", Account({"INBOX", "Foo/Bar", "Foo/Baz:sub", "Moo"})),
      Lines({"* LIST (\\NonExistent \\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))"}));

  // B) nothing is subscribed.
  EXPECT_EQ(Respond("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"",
                    Account({"INBOX", "Foo", "Foo/Bar", "Foo/Baz", "Moo"})),
            "");

  // C) only "Foo" and "Moo" are subscribed.
  EXPECT_EQ(Respond("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
                    Account({"INBOX", "Foo:sub", "Foo/Bar", "Foo/Baz", "Moo:sub"})),
            Lines({
                "* LIST (\\HasChildren \\Subscribed) \"/\" Foo",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Moo",
            }));
}

std::vector<Mailbox> Example9() {
  return Account({"INBOX", "foo2", "foo2/bar1:sub", "foo2/bar2:sub", "baz2", "baz2/bar2:sub", "baz2/bar22:sub",
                  "baz2/bar222:sub", "eps2:sub", "eps2/mamba:sub", "qux2/bar2:sub"});
}

TEST(ListResponseTest, Rfc5258Example9ChildInfoWhetherOrNotChildrenMatch) {
  EXPECT_EQ(Respond("D02 LIST (SUBSCRIBED) \"\" \"*\"", Example9()),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar2",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar22",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar222",
                "* LIST (\\HasChildren \\Subscribed) \"/\" eps2",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" eps2/mamba",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar1",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" qux2/bar2",
            }));
  // baz2 and qux2 are left out: all their subscribed children are listed
  // (the SHOULD of RFC 5258 3.5).
  EXPECT_EQ(Respond("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"", Example9()),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar2",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar22",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar222",
                "* LIST (\\HasChildren \\Subscribed) \"/\" eps2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                "* LIST (\\HasChildren) \"/\" foo2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" qux2/bar2",
            }));
  // With "*" every CHILDINFO would be redundant: none is sent (the RFC's
  // example shows them; section 3.5 says to suppress them).
  EXPECT_EQ(Respond("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"", Example9()),
            Respond("D02 LIST (SUBSCRIBED) \"\" \"*\"", Example9()));
}

TEST(ListResponseTest, Rfc5258Example10PatternListWithoutChildren) {
  EXPECT_EQ(Respond("a1 LIST \"\" (\"foo\" \"foo/*\")", Account({"INBOX", "foo"})),
            Lines({"* LIST (\\HasNoChildren) \"/\" foo"}));
}

TEST(ListResponseTest, Rfc5258Example11MissingHierarchyLevels) {
  const auto account = Account({"INBOX", "music/rock"});
  EXPECT_EQ(Respond("a1 LIST (REMOTE) \"\" *", account),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\HasNoChildren) \"/\" music/rock"}));
  EXPECT_EQ(Respond("a2 LIST () \"\" %", account),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\NonExistent \\HasChildren) \"/\" music"}));
  EXPECT_EQ(Respond("a3 LIST (REMOTE) \"\" %", account),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\NonExistent \\HasChildren) \"/\" music"}));
  // "music/rock" is listed, so "music" need not be.
  EXPECT_EQ(Respond("a3.1 LIST \"\" (% music/rock)", account),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\HasNoChildren) \"/\" music/rock"}));
}

// RFC 9051 6.3.9's examples.
TEST(ListResponseTest, Rfc9051RootAndDelimiter) {
  EXPECT_EQ(Respond("A101 LIST \"\" \"\"", Fruits()), Lines({"* LIST (\\Noselect) \"/\" \"\""}));
  EXPECT_EQ(Respond("A103 LIST /usr/staff/jones \"\"", Fruits()), Lines({"* LIST (\\Noselect) \"/\" /"}));
  EXPECT_EQ(Respond("A1 LIST Fruit/Apple \"\"", Fruits()), Lines({"* LIST (\\Noselect) \"/\" Fruit/"}));
  // An empty pattern in a pattern list is only a pattern.
  EXPECT_EQ(Respond("A1 LIST \"\" (\"\")", Fruits()), "");
}

TEST(ListResponseTest, Rfc9051PercentListsLevels) {
  const auto account = Account({"INBOX", "~/Mail/foo/bar", "~/Mail/meetings"});
  EXPECT_EQ(Respond("A202 LIST ~/Mail/ %", account), Lines({
                                                         "* LIST (\\Noselect \\HasChildren) \"/\" ~/Mail/foo",
                                                         "* LIST (\\HasNoChildren) \"/\" ~/Mail/meetings",
                                                     }));
  // IMAP4rev2 clients and the extended syntax get the accurate \NonExistent.
  EXPECT_EQ(Respond("A202 LIST ~/Mail/ %", account, {.imap4rev2 = true}),
            Lines({
                "* LIST (\\NonExistent \\HasChildren) \"/\" ~/Mail/foo",
                "* LIST (\\HasNoChildren) \"/\" ~/Mail/meetings",
            }));
  EXPECT_EQ(Respond("A202 LIST ~/Mail/ % RETURN ()", account),
            Lines({
                "* LIST (\\NonExistent \\HasChildren) \"/\" ~/Mail/foo",
                "* LIST (\\HasNoChildren) \"/\" ~/Mail/meetings",
            }));
  // Only a pattern ending in "%" lists levels.
  EXPECT_EQ(Respond("A1 LIST \"\" *", Account({"INBOX", "a/b/c"})),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\HasNoChildren) \"/\" a/b/c"}));
  EXPECT_EQ(Respond("A1 LIST \"\" a", Account({"INBOX", "a/b/c"})), "");
  EXPECT_EQ(Respond("A1 LIST \"\" a/%", Account({"INBOX", "a/b/c"})),
            Lines({"* LIST (\\Noselect \\HasChildren) \"/\" a/b"}));
  EXPECT_EQ(Respond("A1 LIST \"\" %/%", Account({"INBOX", "a/b/c"})),
            Lines({"* LIST (\\Noselect \\HasChildren) \"/\" a/b"}));
}

// RFC 5819 section 2's examples.
TEST(ListResponseTest, Rfc5819ListStatus) {
  std::vector<Mailbox> account = Account({"INBOX", "foo", "bar/baz"});
  account[0].set_messages(17);
  account[0].set_unseen(16);
  account[1].set_messages(30);
  account[1].set_unseen(29);
  EXPECT_EQ(Respond("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", account),
            Lines({
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* STATUS INBOX (MESSAGES 17 UNSEEN 16)",
                "* LIST (\\NonExistent \\HasChildren) \"/\" bar",
                "* LIST (\\HasNoChildren) \"/\" foo",
                "* STATUS foo (MESSAGES 30 UNSEEN 29)",
            }));

  std::vector<Mailbox> subscribed = Account({"INBOX:sub", "foo", "foo/bar:sub"});
  subscribed[0].set_messages(17);
  EXPECT_EQ(Respond("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))", subscribed),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                "* STATUS INBOX (MESSAGES 17)",
                "* LIST (\\HasChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            }));
}

// RFC 6154 section 5's hierarchy.
std::vector<Mailbox> SpecialUses() {
  return Account({"INBOX", "ToDo", "Projects", "Projects/2023:use=Archive", "SentMail:use=Sent", "MyDrafts:use=Drafts",
                  "Trash:use=Trash"});
}

TEST(ListResponseTest, Rfc6154SpecialUse) {
  const std::string all = Lines({
      "* LIST (\\HasNoChildren) \"/\" INBOX",
      "* LIST (\\HasNoChildren \\Drafts) \"/\" MyDrafts",
      "* LIST (\\HasChildren) \"/\" Projects",
      "* LIST (\\HasNoChildren \\Sent) \"/\" SentMail",
      "* LIST (\\HasNoChildren) \"/\" ToDo",
      "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
  });
  EXPECT_EQ(Respond("t1 LIST \"\" \"%\"", SpecialUses()), all);
  EXPECT_EQ(Respond("t2 LIST \"\" \"%\" RETURN (SPECIAL-USE)", SpecialUses()), all);
  EXPECT_EQ(Respond("t3 LIST (SPECIAL-USE) \"\" \"*\"", SpecialUses()),
            Lines({
                "* LIST (\\HasNoChildren \\Drafts) \"/\" MyDrafts",
                "* LIST (\\HasNoChildren \\Archive) \"/\" Projects/2023",
                "* LIST (\\HasNoChildren \\Sent) \"/\" SentMail",
                "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            }));
  EXPECT_EQ(Respond("t4 LIST (SPECIAL-USE RECURSIVEMATCH) \"\" \"%\"", SpecialUses()),
            Lines({
                "* LIST (\\HasNoChildren \\Drafts) \"/\" MyDrafts",
                "* LIST (\\HasChildren) \"/\" Projects (\"CHILDINFO\" (\"SPECIAL-USE\"))",
                "* LIST (\\HasNoChildren \\Sent) \"/\" SentMail",
                "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            }));
}

TEST(ListResponseTest, SubscribedAndSpecialUseSelectBoth) {
  const auto account =
      Account({"INBOX", "Sent:use=Sent,sub", "Trash:use=Trash", "Work:sub", "Work/Old:use=Archive,sub"});
  EXPECT_EQ(Respond("A1 LIST (SUBSCRIBED SPECIAL-USE) \"\" *", account),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent",
                "* LIST (\\HasNoChildren \\Subscribed \\Archive) \"/\" Work/Old",
            }));
  EXPECT_EQ(Respond("A1 LIST (SUBSCRIBED SPECIAL-USE RECURSIVEMATCH) \"\" %", account),
            Lines({
                "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent",
                "* LIST (\\HasChildren \\Subscribed) \"/\" Work (\"CHILDINFO\" (\"SUBSCRIBED\" \"SPECIAL-USE\"))",
            }));
}

// RFC 3501 6.3.9.
TEST(ListResponseTest, Lsub) {
  const auto news = Account({"INBOX", "news/comp/mail/mime:sub", "news/comp/mail/misc:sub", "news/comp/mail/other"});
  EXPECT_EQ(Respond("A002 LSUB \"news/\" \"comp/mail/*\"", news),
            Lines({
                "* LSUB (\\HasNoChildren \\Subscribed) \"/\" news/comp/mail/mime",
                "* LSUB (\\HasNoChildren \\Subscribed) \"/\" news/comp/mail/misc",
            }));
  // "foo/bar" subscribed, "foo" not: "%" must give foo, \Noselect, whether
  // "foo" exists or not.
  EXPECT_EQ(Respond("A1 LSUB \"\" %", Account({"INBOX:sub", "foo", "foo/bar:sub"})),
            Lines({
                "* LSUB (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                "* LSUB (\\Noselect \\HasChildren) \"/\" foo",
            }));
  EXPECT_EQ(Respond("A1 LSUB \"\" %", Account({"INBOX", "foo/bar:sub"})),
            Lines({"* LSUB (\\Noselect \\HasChildren) \"/\" foo"}));
  // Without "%" last, only subscribed names.
  EXPECT_EQ(Respond("A1 LSUB \"\" f*", Account({"INBOX", "foo", "foo/bar:sub"})),
            Lines({"* LSUB (\\HasNoChildren \\Subscribed) \"/\" foo/bar"}));
  EXPECT_EQ(Respond("A1 LSUB \"\" \"\"", Account({"INBOX:sub"})), "");
  // Special-use attributes too (as Dovecot, for Outlook).
  EXPECT_EQ(Respond("A1 LSUB \"\" Sent", Account({"INBOX", "Sent:sub,use=Sent"})),
            Lines({"* LSUB (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent"}));
}

TEST(ListResponseTest, InboxIsAlwaysThereAndFirst) {
  EXPECT_EQ(Respond("A1 LIST \"\" *", Account({"Archive", "Zeta"})), Lines({
                                                                         "* LIST (\\HasNoChildren) \"/\" INBOX",
                                                                         "* LIST (\\HasNoChildren) \"/\" Archive",
                                                                         "* LIST (\\HasNoChildren) \"/\" Zeta",
                                                                     }));
  // No STATUS for an INBOX the store did not list.
  EXPECT_EQ(Respond("A1 LIST \"\" INBOX RETURN (STATUS (MESSAGES))", Account({"Archive"})),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX"}));
  EXPECT_EQ(Respond("A1 LIST \"\" inbox", Account({"Archive"})), Lines({"* LIST (\\HasNoChildren) \"/\" INBOX"}));
}

TEST(ListResponseTest, InboxChildren) {
  const auto account = Account({"INBOX", "INBOX/Sub", "INBOXES"});
  EXPECT_EQ(Respond("A1 LIST \"\" %", account), Lines({
                                                    "* LIST (\\HasChildren) \"/\" INBOX",
                                                    "* LIST (\\HasNoChildren) \"/\" INBOXES",
                                                }));
  EXPECT_EQ(Respond("A1 LIST \"\" inbox/%", account), Lines({"* LIST (\\HasNoChildren) \"/\" INBOX/Sub"}));
  EXPECT_EQ(Respond("A1 LIST inbox/ %", account), Lines({"* LIST (\\HasNoChildren) \"/\" INBOX/Sub"}));
  EXPECT_EQ(Respond("A1 LIST \"\" inboxes", account), "");
}

TEST(ListResponseTest, OrderPutsChildrenAfterTheirParent) {
  EXPECT_EQ(Respond("A1 LIST \"\" *", Account({"a-c", "a b", "a/b", "a", "B", "INBOX"})),
            Lines({
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* LIST (\\HasNoChildren) \"/\" B",
                "* LIST (\\HasChildren) \"/\" a",
                "* LIST (\\HasNoChildren) \"/\" a/b",
                "* LIST (\\HasNoChildren) \"/\" \"a b\"",
                "* LIST (\\HasNoChildren) \"/\" a-c",
            }));
}

TEST(ListResponseTest, NamesInModifiedUtf7OrUtf8) {
  const auto account = Account({"INBOX", "Entw\xc3\xbcrfe:use=Drafts", "&Co"});
  EXPECT_EQ(Respond("A1 LIST \"\" E*", account), Lines({"* LIST (\\HasNoChildren \\Drafts) \"/\" Entw&APw-rfe"}));
  EXPECT_EQ(Respond("A1 LIST \"\" Entw&APw-rfe", account),
            Lines({"* LIST (\\HasNoChildren \\Drafts) \"/\" Entw&APw-rfe"}));
  EXPECT_EQ(Respond("A1 LIST \"\" &-*", account), Lines({"* LIST (\\HasNoChildren) \"/\" &-Co"}));
  EXPECT_EQ(Respond("A1 LIST \"\" \"Entw\xc3\xbc*\"", account, {.utf8 = true}),
            Lines({"* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw\xc3\xbcrfe\""}));
  EXPECT_EQ(Respond("A1 LIST \"\" &*", account, {.utf8 = true}), Lines({"* LIST (\\HasNoChildren) \"/\" &Co"}));
}

TEST(ListResponseTest, BadStoreNamesAreLeftOut) {
  std::vector<Mailbox> account = Account({"INBOX", "ok", "bad\xff", "", "ok"});
  account[4].set_subscribed(true);  // the second "ok": ignored
  EXPECT_EQ(Respond("A1 LIST \"\" * RETURN (SUBSCRIBED)", account),
            Lines({"* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\HasNoChildren) \"/\" ok"}));
}

TEST(ListResponseTest, SelectListEntries) {
  const auto account = Account({"INBOX", "a/b:sub"});
  absl::StatusOr<ListCommand> command = ListCommand();
  command->reference = "";
  command->patterns = {"%"};
  command->ret.status = true;
  command->ret.status_items = {StatusItem::kMessages};
  const std::vector<ListEntry> entries = SelectListEntries(*command, account, false);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "INBOX");
  EXPECT_EQ(entries[0].status, &account[0]);
  EXPECT_EQ(entries[1].name, "a");
  EXPECT_EQ(entries[1].attributes, (std::vector<std::string>{"\\Noselect", "\\HasChildren"}));
  EXPECT_EQ(entries[1].status, nullptr);
}

TEST(ListResponseTest, SpecialUseAttribute) {
  EXPECT_EQ(SpecialUseAttribute("Sent"), "\\Sent");
  EXPECT_EQ(SpecialUseAttribute("junk"), "\\Junk");
  EXPECT_EQ(SpecialUseAttribute("All"), "\\All");
  EXPECT_EQ(SpecialUseAttribute(""), "");
  EXPECT_EQ(SpecialUseAttribute("Important"), "");
  EXPECT_EQ(SpecialUseAttribute("\\Sent"), "");
}

}  // namespace
}  // namespace kurier::imap
