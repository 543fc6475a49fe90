// STATUS items: parsing (STATUS and the list of RETURN (STATUS (...))) and
// the "* STATUS" response, with RFC 9051 6.3.11's example.
#include "services/imap/mailboxes/status_items.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/imap/mailboxes/mailboxes_test_util.h"

namespace kurier::imap {
namespace {

using testing::MakeMailbox;
using testing::ReadCommand;

absl::StatusOr<StatusCommand> ParseLine(absl::string_view line, bool utf8 = false) {
  Command command;
  if (!ReadCommand(line, &command)) return absl::InternalError("codec refused");
  EXPECT_EQ(command.name, "STATUS");
  return ParseStatusCommand(command.args, utf8);
}

std::string Response(const store::v1::Mailbox& mailbox, const std::vector<StatusItem>& items, bool utf8 = false) {
  std::string out;
  EXPECT_TRUE(AppendStatusResponse(&out, mailbox, items, utf8).ok());
  return out;
}

// RFC 9051 6.3.11: "A042 STATUS blurdybloop (UIDNEXT MESSAGES)" answered
// "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)"; this server answers
// in the order asked.
TEST(StatusItemsTest, RfcExample) {
  absl::StatusOr<StatusCommand> command = ParseLine("A042 STATUS blurdybloop (UIDNEXT MESSAGES)");
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->mailbox, "blurdybloop");
  EXPECT_EQ(command->items, (std::vector<StatusItem>{StatusItem::kUidNext, StatusItem::kMessages}));
  store::v1::Mailbox mailbox = MakeMailbox("blurdybloop");
  mailbox.set_messages(231);
  mailbox.set_uid_next(44292);
  EXPECT_EQ(Response(mailbox, command->items), "* STATUS blurdybloop (UIDNEXT 44292 MESSAGES 231)\r\n");
}

TEST(StatusItemsTest, EveryItem) {
  absl::StatusOr<StatusCommand> command =
      ParseLine("A1 STATUS INBOX (messages uidnext uidvalidity unseen deleted size recent highestmodseq)");
  ASSERT_TRUE(command.ok()) << command.status();
  store::v1::Mailbox mailbox = MakeMailbox("INBOX");
  mailbox.set_messages(3);
  mailbox.set_uid_next(5);
  mailbox.set_uid_validity(1700000000);
  mailbox.set_unseen(1);
  mailbox.set_deleted(2);
  mailbox.set_size_bytes(12345678901);
  mailbox.set_highest_modseq(90000000000);
  EXPECT_EQ(Response(mailbox, command->items),
            "* STATUS INBOX (MESSAGES 3 UIDNEXT 5 UIDVALIDITY 1700000000 UNSEEN 1 DELETED 2 SIZE 12345678901 "
            "RECENT 0 HIGHESTMODSEQ 90000000000)\r\n");
}

TEST(StatusItemsTest, RepeatsAreAnsweredOnce) {
  absl::StatusOr<StatusCommand> command = ParseLine("A1 STATUS INBOX (UNSEEN MESSAGES unseen)");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->items, (std::vector<StatusItem>{StatusItem::kUnseen, StatusItem::kMessages}));
}

TEST(StatusItemsTest, MailboxNames) {
  absl::StatusOr<StatusCommand> inbox = ParseLine("A1 STATUS inbox (MESSAGES)");
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->mailbox, "INBOX");
  // Modified UTF-7 for rev1 clients, UTF-8 for UTF8=ACCEPT / IMAP4rev2.
  absl::StatusOr<StatusCommand> utf7 = ParseLine("A1 STATUS Entw&APw-rfe (MESSAGES)");
  ASSERT_TRUE(utf7.ok());
  EXPECT_EQ(utf7->mailbox, "Entw\xc3\xbcrfe");
  absl::StatusOr<StatusCommand> utf8 = ParseLine("A1 STATUS \"Entw\xc3\xbcrfe\" (MESSAGES)", true);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->mailbox, "Entw\xc3\xbcrfe");

  const store::v1::Mailbox mailbox = MakeMailbox("Entw\xc3\xbcrfe");
  EXPECT_EQ(Response(mailbox, {StatusItem::kRecent}), "* STATUS Entw&APw-rfe (RECENT 0)\r\n");
  EXPECT_EQ(Response(mailbox, {StatusItem::kRecent}, true), "* STATUS \"Entw\xc3\xbcrfe\" (RECENT 0)\r\n");
  EXPECT_EQ(Response(MakeMailbox("Two words"), {StatusItem::kRecent}), "* STATUS \"Two words\" (RECENT 0)\r\n");
}

TEST(StatusItemsTest, NameThatIsNotUtf8IsRefused) {
  std::string out = "kept";
  EXPECT_FALSE(AppendStatusResponse(&out, MakeMailbox("bad\xff"), {StatusItem::kMessages}, false).ok());
  EXPECT_EQ(out, "kept");
}

TEST(StatusItemsTest, BadArguments) {
  for (const char* line : {
           "A1 STATUS INBOX",                 // no items
           "A1 STATUS INBOX ()",              // empty list
           "A1 STATUS INBOX MESSAGES",        // not a list
           "A1 STATUS INBOX (MESSAGES FOO)",  // unknown item
           "A1 STATUS INBOX (\"MESSAGES\")",  // items are atoms
           "A1 STATUS INBOX ((MESSAGES))",    // nested
           "A1 STATUS INBOX (MESSAGES) x",    // extra argument
           "A1 STATUS (INBOX) (MESSAGES)",    // mailbox is an astring
           "A1 STATUS &Jjo (MESSAGES)",       // bad modified UTF-7
           "A1 STATUS \"\" (MESSAGES)",       // empty name
       }) {
    absl::StatusOr<StatusCommand> command = ParseLine(line);
    ASSERT_FALSE(command.ok()) << line;
    EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_FALSE(command.status().message().empty());
    EXPECT_LT(command.status().message().size(), 64u);
  }
}

TEST(StatusItemsTest, ItemNames) {
  EXPECT_EQ(StatusItemName(StatusItem::kHighestModSeq), "HIGHESTMODSEQ");
  EXPECT_EQ(StatusItemName(StatusItem::kSize), "SIZE");
}

}  // namespace
}  // namespace kurier::imap
