#include "services/imap/selected/selected_mailbox.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "proto/kurier/store/v1/store.pb.h"

namespace kurier::imap {
namespace {

namespace v1 = ::kurier::store::v1;

constexpr uint64_t kMailbox = 7;

v1::MessageInfo Info(uint32_t uid, std::vector<std::string> flags, uint64_t modseq) {
  v1::MessageInfo info;
  info.set_uid(uid);
  for (const std::string& flag : flags) info.add_flags(flag);
  info.set_modseq(modseq);
  info.set_internal_date(1700000000);
  info.set_size(100);
  return info;
}

v1::Change Change(v1::Change::Kind kind, uint32_t uid, uint64_t modseq, std::vector<std::string> flags = {},
                  uint64_t mailbox = kMailbox) {
  v1::Change change;
  change.set_kind(kind);
  change.set_mailbox_id(mailbox);
  change.set_mailbox("INBOX");
  change.set_uid(uid);
  change.set_modseq(modseq);
  for (const std::string& flag : flags) change.add_flags(flag);
  return change;
}

v1::Change Added(uint32_t uid, uint64_t modseq, std::vector<std::string> flags = {}) {
  return Change(v1::Change::MESSAGE_ADDED, uid, modseq, std::move(flags));
}
v1::Change FlagsChanged(uint32_t uid, uint64_t modseq, std::vector<std::string> flags) {
  return Change(v1::Change::FLAGS_CHANGED, uid, modseq, std::move(flags));
}
v1::Change Expunged(uint32_t uid, uint64_t modseq) { return Change(v1::Change::MESSAGE_EXPUNGED, uid, modseq); }

// Messages with UIDs 1..n, modseq = uid, \Seen on all but `unseen`.
SelectedMailbox Mailbox(uint32_t n, std::vector<uint32_t> unseen = {}) {
  std::vector<v1::MessageInfo> listing;
  for (uint32_t uid = 1; uid <= n; ++uid) {
    const bool seen = std::find(unseen.begin(), unseen.end(), uid) == unseen.end();
    listing.push_back(Info(uid, seen ? std::vector<std::string>{"\\Seen"} : std::vector<std::string>{}, uid));
  }
  return SelectedMailbox("INBOX", kMailbox, false, 42, n + 1, n, std::move(listing));
}

std::string Flush(SelectedMailbox& mailbox, bool allow_expunge, bool uid_in_fetch = false, bool modseq = false) {
  std::string out;
  mailbox.FlushPending(&out, {.allow_expunge = allow_expunge, .uid_in_fetch = uid_in_fetch, .modseq = modseq});
  return out;
}

std::vector<std::string> FlagsAt(const SelectedMailbox& mailbox, uint32_t seq) { return *mailbox.At(seq).flags; }

TEST(SelectedMailboxTest, ListingGivesTheClientsView) {
  std::vector<v1::MessageInfo> listing = {Info(9, {"\\Seen"}, 30), Info(3, {}, 10), Info(5, {"\\Seen", "$Junk"}, 20),
                                          Info(5, {"\\Seen", "$Junk"}, 20)};
  SelectedMailbox mailbox("Archive", kMailbox, true, 42, /*uid_next=*/6, /*highest_modseq=*/25, listing);
  EXPECT_EQ(mailbox.name(), "Archive");
  EXPECT_EQ(mailbox.mailbox_id(), kMailbox);
  EXPECT_TRUE(mailbox.read_only());
  EXPECT_EQ(mailbox.uid_validity(), 42u);
  EXPECT_EQ(mailbox.exists(), 3u);
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{3, 5, 9}));
  EXPECT_EQ(mailbox.UidAt(2), 5u);
  EXPECT_EQ(mailbox.SeqOf(9), 3u);
  EXPECT_EQ(mailbox.SeqOf(4), 0u);
  // The listing wins over a uid_next and highest_modseq read earlier.
  EXPECT_EQ(mailbox.uid_next(), 10u);
  EXPECT_EQ(mailbox.highest_modseq(), 30u);
  EXPECT_EQ(mailbox.unseen(), 1u);
  EXPECT_EQ(mailbox.first_unseen(), 1u);
  std::optional<SelectedMailbox::MessageView> view = mailbox.Find(5);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->seq, 2u);
  EXPECT_EQ(view->modseq, 20u);
  EXPECT_EQ(*view->flags, (std::vector<std::string>{"$Junk", "\\Seen"}));
  EXPECT_FALSE(view->expunged);
  EXPECT_FALSE(mailbox.Find(4).has_value());
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_EQ(Flush(mailbox, true), "");
}

TEST(SelectedMailboxTest, EmptyMailbox) {
  SelectedMailbox mailbox("INBOX", kMailbox, false, 1, 17, 3, {});
  EXPECT_EQ(mailbox.exists(), 0u);
  EXPECT_EQ(mailbox.uid_next(), 17u);
  EXPECT_EQ(mailbox.first_unseen(), 0u);
  mailbox.OnChange(Added(17, 4));
  EXPECT_EQ(Flush(mailbox, false), "* 1 EXISTS\r\n");
  EXPECT_EQ(mailbox.uid_next(), 18u);
}

TEST(SelectedMailboxTest, ChangesTheListingHoldsAreIgnored) {
  // Subscribed, then: 4 added, 2's flags changed, 6 added and expunged,
  // then the listing was read (1..5 without 6), then the changes arrive.
  std::vector<v1::MessageInfo> listing = {Info(1, {}, 1), Info(2, {"\\Flagged"}, 11), Info(3, {}, 3),
                                          Info(4, {}, 10), Info(5, {}, 14)};
  SelectedMailbox mailbox("INBOX", kMailbox, false, 42, 7, 14, listing);
  mailbox.OnChange(Added(4, 10));
  mailbox.OnChange(FlagsChanged(2, 11, {"\\Flagged"}));
  mailbox.OnChange(FlagsChanged(2, 9, {}));  // older still
  mailbox.OnChange(Added(5, 12, {"\\Draft"}));
  mailbox.OnChange(FlagsChanged(5, 14, {}));
  mailbox.OnChange(Expunged(99, 15));  // never known
  mailbox.OnChange(Added(3, 13));
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_EQ(Flush(mailbox, true), "");
  EXPECT_EQ(mailbox.exists(), 5u);
  EXPECT_EQ(FlagsAt(mailbox, 2), (std::vector<std::string>{"\\Flagged"}));
  EXPECT_EQ(mailbox.highest_modseq(), 15u);
}

TEST(SelectedMailboxTest, AddedBelowTheListingsLastUidWasExpungedBeforeIt) {
  // 3 was added and expunged before the listing; its changes arrive after.
  std::vector<v1::MessageInfo> listing = {Info(1, {}, 1), Info(2, {}, 2), Info(4, {}, 6)};
  SelectedMailbox mailbox("INBOX", kMailbox, false, 42, 5, 6, listing);
  mailbox.OnChange(Added(3, 4));
  mailbox.OnChange(Expunged(3, 5));
  mailbox.OnChange(Added(4, 6));
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_EQ(mailbox.exists(), 3u);
}

TEST(SelectedMailboxTest, AddedBeforeTheListingsLastModseqWasExpungedBeforeIt) {
  // 3 was added (modseq 3) and expunged (4), then 2's flags changed (5),
  // then the listing was read: 3 is above the listing's UIDs, yet old.
  std::vector<v1::MessageInfo> listing = {Info(1, {}, 1), Info(2, {"\\Seen"}, 5)};
  SelectedMailbox mailbox("INBOX", kMailbox, false, 42, 3, 5, listing);
  mailbox.OnChange(Added(3, 3));
  EXPECT_FALSE(mailbox.has_pending());
  mailbox.OnChange(Added(4, 6));
  EXPECT_EQ(Flush(mailbox, false), "* 3 EXISTS\r\n");
}

TEST(SelectedMailboxTest, OtherMailboxesAreIgnored) {
  SelectedMailbox mailbox = Mailbox(2);
  mailbox.OnChange(Change(v1::Change::MESSAGE_ADDED, 3, 10, {}, kMailbox + 1));
  mailbox.OnChange(Change(v1::Change::MESSAGE_EXPUNGED, 1, 11, {}, kMailbox + 1));
  mailbox.OnChange(Change(v1::Change::FLAGS_CHANGED, 2, 12, {"\\Deleted"}, kMailbox + 1));
  mailbox.OnChange(Change(v1::Change::MAILBOX_DELETED, 0, 13, {}, kMailbox + 1));
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_FALSE(mailbox.deleted());
  EXPECT_EQ(mailbox.highest_modseq(), 2u);
}

TEST(SelectedMailboxTest, NewMessagesWaitForExists) {
  SelectedMailbox mailbox = Mailbox(3);
  mailbox.OnChange(Added(4, 10, {"\\Seen"}));
  mailbox.OnChange(Added(5, 11));
  EXPECT_TRUE(mailbox.has_pending());
  EXPECT_FALSE(mailbox.has_pending_expunge());
  // Not addressable before the EXISTS.
  EXPECT_EQ(mailbox.exists(), 3u);
  EXPECT_EQ(mailbox.SeqOf(4), 0u);
  EXPECT_FALSE(mailbox.Find(5).has_value());
  EXPECT_EQ(mailbox.uid_next(), 6u);
  // Flag changes before the EXISTS are not reported separately.
  mailbox.OnChange(FlagsChanged(5, 12, {"\\Flagged"}));
  EXPECT_EQ(Flush(mailbox, false), "* 5 EXISTS\r\n");
  EXPECT_EQ(mailbox.exists(), 5u);
  EXPECT_EQ(mailbox.SeqOf(5), 5u);
  EXPECT_EQ(FlagsAt(mailbox, 5), (std::vector<std::string>{"\\Flagged"}));
  EXPECT_EQ(mailbox.unseen(), 1u);
  EXPECT_EQ(mailbox.first_unseen(), 5u);
  EXPECT_FALSE(mailbox.has_pending());
}

TEST(SelectedMailboxTest, FlagsChangedOftenAreReportedOnceWithTheLatest) {
  SelectedMailbox mailbox = Mailbox(4);
  mailbox.OnChange(FlagsChanged(3, 10, {"\\Flagged", "\\Seen"}));
  mailbox.OnChange(FlagsChanged(1, 11, {}));
  mailbox.OnChange(FlagsChanged(3, 12, {"$Work", "\\Answered", "\\Seen"}));
  EXPECT_EQ(Flush(mailbox, false),
            "* 1 FETCH (FLAGS ())\r\n"
            "* 3 FETCH (FLAGS ($Work \\Answered \\Seen))\r\n");
  EXPECT_EQ(Flush(mailbox, false), "");
}

TEST(SelectedMailboxTest, FetchWithUidAndModseq) {
  SelectedMailbox mailbox = Mailbox(4);
  mailbox.OnChange(FlagsChanged(2, 10, {"\\Deleted"}));
  EXPECT_EQ(Flush(mailbox, false, /*uid_in_fetch=*/true, /*modseq=*/true),
            "* 2 FETCH (UID 2 FLAGS (\\Deleted) MODSEQ (10))\r\n");
  mailbox.OnChange(FlagsChanged(2, 11, {}));
  EXPECT_EQ(Flush(mailbox, false, /*uid_in_fetch=*/true), "* 2 FETCH (UID 2 FLAGS ())\r\n");
}

TEST(SelectedMailboxTest, PendingExpungeKeepsSequenceNumbers) {
  SelectedMailbox mailbox = Mailbox(5);
  mailbox.OnChange(FlagsChanged(2, 9, {"\\Deleted"}));
  mailbox.OnChange(Expunged(2, 10));
  mailbox.OnChange(Expunged(4, 10));
  mailbox.OnChange(Added(6, 11));
  mailbox.OnChange(FlagsChanged(4, 12, {"\\Flagged"}));  // late, of an expunged message
  mailbox.OnChange(FlagsChanged(5, 12, {"\\Flagged"}));
  EXPECT_TRUE(mailbox.has_pending_expunge());
  EXPECT_TRUE(mailbox.IsExpungedPending(2));
  EXPECT_TRUE(mailbox.IsExpungedPending(4));
  EXPECT_FALSE(mailbox.IsExpungedPending(3));

  // During FETCH, STORE or SEARCH: numbers stay, the new message is counted
  // after the expunged ones, and the expunged ones' flag changes are dropped.
  EXPECT_EQ(Flush(mailbox, false), "* 6 EXISTS\r\n* 5 FETCH (FLAGS (\\Flagged))\r\n");
  EXPECT_EQ(mailbox.exists(), 6u);
  EXPECT_EQ(mailbox.UidAt(2), 2u);
  EXPECT_EQ(mailbox.UidAt(6), 6u);
  std::optional<SelectedMailbox::MessageView> gone = mailbox.Find(4);
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->seq, 4u);
  EXPECT_TRUE(gone->expunged);
  EXPECT_TRUE(mailbox.At(2).expunged);
  EXPECT_FALSE(mailbox.At(3).expunged);
  EXPECT_TRUE(mailbox.has_pending());

  // Still withheld.
  EXPECT_EQ(Flush(mailbox, false), "");
  mailbox.OnChange(FlagsChanged(6, 13, {"\\Seen"}));
  // At the end of NOOP: the EXPUNGEs, then FETCH by the new numbers.
  EXPECT_EQ(Flush(mailbox, true), "* 2 EXPUNGE\r\n* 3 EXPUNGE\r\n* 4 FETCH (FLAGS (\\Seen))\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 3, 5, 6}));
  EXPECT_FALSE(mailbox.IsExpungedPending(2));
  EXPECT_FALSE(mailbox.has_pending());
  // The echoes, repeated, change nothing.
  mailbox.OnChange(Expunged(2, 10));
  mailbox.OnChange(Added(2, 1));
  EXPECT_FALSE(mailbox.has_pending());
}

TEST(SelectedMailboxTest, ExpungeNumbersFollowTheRfcExample) {
  // RFC 9051 7.5.1: expunging 3, 4, 7 and 11 of 11 messages reads
  // "* 3 EXPUNGE", "* 3 EXPUNGE", "* 5 EXPUNGE", "* 8 EXPUNGE".
  SelectedMailbox mailbox = Mailbox(11);
  for (uint32_t uid : {11, 4, 7, 3}) mailbox.OnChange(Expunged(uid, 20));
  EXPECT_EQ(Flush(mailbox, true), "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 2, 5, 6, 8, 9, 10}));
}

TEST(SelectedMailboxTest, ExpungingEverything) {
  SelectedMailbox mailbox = Mailbox(3);
  for (uint32_t uid : {1, 2, 3}) mailbox.OnChange(Expunged(uid, 20));
  EXPECT_EQ(Flush(mailbox, true), "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n");
  EXPECT_EQ(mailbox.exists(), 0u);
  EXPECT_EQ(mailbox.uid_next(), 4u);
}

TEST(SelectedMailboxTest, AddedAndExpungedBeforeAnnouncedIsNeverMentioned) {
  SelectedMailbox mailbox = Mailbox(2);
  mailbox.OnChange(Added(3, 10));
  mailbox.OnChange(Added(4, 11));
  mailbox.OnChange(FlagsChanged(3, 12, {"\\Deleted"}));
  mailbox.OnChange(Expunged(3, 13));
  mailbox.OnChange(Added(3, 10));  // a replay must not bring it back
  EXPECT_EQ(Flush(mailbox, false), "* 3 EXISTS\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 2, 4}));
  mailbox.OnChange(Expunged(5, 14));  // expunged before its add arrived
  mailbox.OnChange(Added(5, 13));
  EXPECT_FALSE(mailbox.has_pending());
}

TEST(SelectedMailboxTest, AddsOutOfOrderOrRepeated) {
  SelectedMailbox mailbox = Mailbox(2);
  mailbox.OnChange(Added(5, 12, {"\\Seen"}));
  mailbox.OnChange(Added(3, 10));
  mailbox.OnChange(Added(5, 12, {"\\Seen"}));
  mailbox.OnChange(Added(4, 11));
  mailbox.OnChange(Added(3, 10));
  EXPECT_EQ(Flush(mailbox, false), "* 5 EXISTS\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(mailbox.out_of_order_adds(), 0u);
  // 7 announced; 6 arriving after it cannot be numbered in UID order.
  mailbox.OnChange(Added(7, 14));
  EXPECT_EQ(Flush(mailbox, false), "* 6 EXISTS\r\n");
  mailbox.OnChange(Added(6, 13));
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_EQ(mailbox.out_of_order_adds(), 1u);
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 2, 3, 4, 5, 7}));
}

TEST(SelectedMailboxTest, OwnStoreIsNotReportedAgain) {
  SelectedMailbox mailbox = Mailbox(3);
  // Result first, echo after.
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(2, {"\\Flagged", "\\Seen"}, 10)));
  EXPECT_EQ(FlagsAt(mailbox, 2), (std::vector<std::string>{"\\Flagged", "\\Seen"}));
  mailbox.OnChange(FlagsChanged(2, 10, {"\\Flagged", "\\Seen"}));
  EXPECT_FALSE(mailbox.has_pending());
  // Unchanged by the store: the message comes back with its old MODSEQ.
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(2, {"\\Flagged", "\\Seen"}, 10)));
  EXPECT_FALSE(mailbox.has_pending());
  // Echo first: its report is withdrawn.
  mailbox.OnChange(FlagsChanged(1, 11, {}));
  EXPECT_TRUE(mailbox.has_pending());
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(1, {}, 11)));
  EXPECT_FALSE(mailbox.has_pending());
  EXPECT_EQ(Flush(mailbox, true), "");
  // Another session's change, then this STORE's echo, then its result: the
  // STORE's FETCH says it all.
  mailbox.OnChange(FlagsChanged(2, 20, {"\\Seen"}));
  mailbox.OnChange(FlagsChanged(2, 21, {"$Mine", "\\Seen"}));
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(2, {"$Mine", "\\Seen"}, 21)));
  EXPECT_EQ(Flush(mailbox, false), "");
}

TEST(SelectedMailboxTest, OwnStoreOvertakenByAnotherChange) {
  SelectedMailbox mailbox = Mailbox(3);
  // Another session changed the message after this STORE: the STORE's
  // (older) FETCH is corrected at the end of the command.
  mailbox.OnChange(FlagsChanged(3, 12, {}));
  EXPECT_FALSE(mailbox.ApplyOwnFlags(Info(3, {"\\Answered", "\\Seen"}, 11)));
  EXPECT_EQ(FlagsAt(mailbox, 3), (std::vector<std::string>{}));
  EXPECT_EQ(Flush(mailbox, false), "* 3 FETCH (FLAGS ())\r\n");
  // The same with the echo first.
  mailbox.OnChange(FlagsChanged(3, 22, {"$Mine"}));
  mailbox.OnChange(FlagsChanged(3, 23, {"$Theirs"}));
  EXPECT_FALSE(mailbox.ApplyOwnFlags(Info(3, {"$Mine"}, 22)));
  EXPECT_EQ(Flush(mailbox, false), "* 3 FETCH (FLAGS ($Theirs))\r\n");
  // Unknown, and expunge-pending messages.
  EXPECT_FALSE(mailbox.ApplyOwnFlags(Info(9, {}, 24)));
  mailbox.OnChange(Expunged(1, 25));
  EXPECT_FALSE(mailbox.ApplyOwnFlags(Info(1, {"\\Seen"}, 26)));
  EXPECT_EQ(mailbox.highest_modseq(), 26u);
  EXPECT_EQ(Flush(mailbox, true), "* 1 EXPUNGE\r\n");
}

TEST(SelectedMailboxTest, OwnSilentStore) {
  using Mode = v1::StoreFlagsRequest;
  SelectedMailbox mailbox = Mailbox(3, /*unseen=*/{1, 2, 3});
  // The client asked for +FLAGS.SILENT (\flagged) and knows it: nothing to
  // say, echo first or after.
  const SelectedMailbox::SilentStore flag{Mode::ADD, {"\\flagged"}};
  mailbox.OnChange(FlagsChanged(1, 10, {"\\Flagged"}));
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(1, {"\\Flagged"}, 10), &flag));
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(2, {"\\Flagged"}, 11), &flag));
  mailbox.OnChange(FlagsChanged(2, 11, {"\\Flagged"}));
  EXPECT_FALSE(mailbox.has_pending());
  // Another session set \Flagged and \Seen first; this STORE changed
  // nothing. The client believes \Flagged alone: it is told the rest.
  mailbox.OnChange(FlagsChanged(3, 12, {"\\Flagged", "\\Seen"}));
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(3, {"\\Flagged", "\\Seen"}, 12), &flag));
  EXPECT_EQ(Flush(mailbox, false), "* 3 FETCH (FLAGS (\\Flagged \\Seen))\r\n");
  // -FLAGS.SILENT and FLAGS.SILENT.
  const SelectedMailbox::SilentStore unflag{Mode::REMOVE, {"\\Flagged"}};
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(3, {"\\Seen"}, 13), &unflag));
  const SelectedMailbox::SilentStore replace{Mode::REPLACE, {"$B", "$A"}};
  mailbox.OnChange(FlagsChanged(1, 14, {"$A", "$B"}));
  EXPECT_TRUE(mailbox.ApplyOwnFlags(Info(1, {"$A", "$B"}, 14), &replace));
  EXPECT_FALSE(mailbox.has_pending());
  // Changed by another session and changed back: nothing to say, but for
  // the MODSEQ under CONDSTORE.
  mailbox.OnChange(FlagsChanged(2, 15, {}));
  mailbox.OnChange(FlagsChanged(2, 16, {"\\Flagged"}));
  EXPECT_EQ(Flush(mailbox, false), "");
  mailbox.OnChange(FlagsChanged(2, 17, {}));
  mailbox.OnChange(FlagsChanged(2, 18, {"\\Flagged"}));
  EXPECT_EQ(Flush(mailbox, false, true, true), "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (18))\r\n");
}

TEST(SelectedMailboxTest, OwnExpunge) {
  SelectedMailbox mailbox = Mailbox(6);
  mailbox.OnChange(Expunged(6, 10));  // another session's, still pending
  mailbox.OnChange(Added(7, 11));
  mailbox.OnChange(FlagsChanged(4, 12, {"\\Flagged"}));
  std::string out;
  // 7 is not announced yet; 9 is unknown.
  mailbox.ApplyOwnExpunge(std::vector<uint32_t>{4, 2, 7, 9}, &out);
  EXPECT_EQ(out, "* 2 EXPUNGE\r\n* 3 EXPUNGE\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 3, 5, 6}));
  EXPECT_TRUE(mailbox.IsExpungedPending(6));
  // The echoes.
  for (uint32_t uid : {2, 4, 7}) mailbox.OnChange(Expunged(uid, 13));
  mailbox.OnChange(Added(7, 11));
  EXPECT_EQ(Flush(mailbox, true), "* 4 EXPUNGE\r\n");
  EXPECT_EQ(mailbox.uids(), (std::vector<uint32_t>{1, 3, 5}));
  EXPECT_FALSE(mailbox.has_pending());
  // Expunging a pending-expunged message itself.
  mailbox.OnChange(Expunged(3, 14));
  out.clear();
  mailbox.ApplyOwnExpunge(std::vector<uint32_t>{3}, &out);
  EXPECT_EQ(out, "* 2 EXPUNGE\r\n");
  EXPECT_FALSE(mailbox.has_pending());
}

TEST(SelectedMailboxTest, MailboxRenamedAndDeleted) {
  SelectedMailbox mailbox = Mailbox(2);
  v1::Change renamed = Change(v1::Change::MAILBOX_RENAMED, 0, 5);
  renamed.set_mailbox("Archive/2026");
  mailbox.OnChange(renamed);
  EXPECT_EQ(mailbox.name(), "Archive/2026");
  EXPECT_FALSE(mailbox.deleted());
  // DeleteMailbox expunges every message first, then logs the deletion.
  mailbox.OnChange(Expunged(1, 6));
  mailbox.OnChange(Expunged(2, 6));
  mailbox.OnChange(Change(v1::Change::MAILBOX_DELETED, 0, 6));
  EXPECT_TRUE(mailbox.deleted());
  EXPECT_EQ(Flush(mailbox, true), "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n");
}

TEST(SelectedMailboxTest, MayWriteExpunge) {
  for (const char* command : {"FETCH", "store", "Search", "SORT", "THREAD"}) {
    EXPECT_FALSE(MayWriteExpunge(command, false)) << command;
    EXPECT_TRUE(MayWriteExpunge(command, true)) << command;
  }
  for (const char* command : {"NOOP", "IDLE", "CHECK", "EXPUNGE", "COPY", "MOVE", "SELECT", "APPEND", "STATUS"}) {
    EXPECT_TRUE(MayWriteExpunge(command, false)) << command;
  }
}

TEST(SelectedMailboxTest, MemoryPerMessage) {
  constexpr uint32_t kMessages = 100000;
  const std::vector<std::vector<std::string>> kinds = {
      {}, {"\\Seen"}, {"\\Answered", "\\Seen"}, {"$Junk", "\\Seen"}, {"$Forwarded", "\\Flagged", "\\Seen"}};
  std::vector<v1::MessageInfo> listing;
  for (uint32_t uid = 1; uid <= kMessages; ++uid) {
    listing.push_back(Info(uid, kinds[(uid * 7919u) % kinds.size()], uid));
  }
  SelectedMailbox mailbox("INBOX", kMailbox, false, 1, kMessages + 1, kMessages, std::move(listing));
  EXPECT_EQ(mailbox.exists(), kMessages);
  const size_t bytes = mailbox.ApproximateBytes();
  EXPECT_LE(bytes, 16u * kMessages + 4096) << bytes;
  // Changes the same sets; none is added or lost.
  for (uint32_t uid = 1; uid <= 1000; ++uid) mailbox.OnChange(FlagsChanged(uid, kMessages + uid, kinds[uid % 5]));
  std::string out;
  mailbox.FlushPending(&out, {});
  EXPECT_LE(mailbox.ApproximateBytes(), 16u * kMessages + 4096);
  EXPECT_EQ(FlagsAt(mailbox, 1000), kinds[0]);
}

// ------------------------------------------------------------ randomized

// The store as storage/store_records.cc keeps it: one MODSEQ per operation,
// UIDs in MODSEQ order, changes logged with the full flag list.
class FakeStore {
 public:
  struct Message {
    std::vector<std::string> flags;
    uint64_t modseq = 0;
  };

  v1::MessageInfo Add(std::vector<std::string> flags) {
    const uint64_t modseq = mailbox_modseq_ = ++modseq_;
    const uint32_t uid = next_uid_++;
    messages_[uid] = {flags, modseq};
    log_.push_back(Added(uid, modseq, flags));
    return Info(uid, flags, modseq);
  }

  // StoreFlags: the response lists every message that exists, with its
  // old MODSEQ when the operation left its flags as they were.
  std::vector<v1::MessageInfo> SetFlags(const std::vector<uint32_t>& uids, v1::StoreFlagsRequest::Mode mode,
                                        const std::vector<std::string>& flags) {
    std::vector<v1::MessageInfo> infos;
    uint64_t modseq = 0;
    for (uint32_t uid : uids) {
      auto it = messages_.find(uid);
      if (it == messages_.end()) continue;
      const std::vector<std::string> next = Apply(mode, it->second.flags, flags);
      if (it->second.flags != next) {
        if (modseq == 0) modseq = mailbox_modseq_ = ++modseq_;
        it->second = {next, modseq};
        log_.push_back(FlagsChanged(uid, modseq, next));
      }
      infos.push_back(Info(uid, it->second.flags, it->second.modseq));
    }
    return infos;
  }

  // A StoreFlags mode applied to sorted flags, sorted.
  static std::vector<std::string> Apply(v1::StoreFlagsRequest::Mode mode, const std::vector<std::string>& old,
                                        const std::vector<std::string>& flags) {
    std::vector<std::string> next;
    if (mode == v1::StoreFlagsRequest::REPLACE) {
      next = flags;
    } else if (mode == v1::StoreFlagsRequest::ADD) {
      next = old;
      next.insert(next.end(), flags.begin(), flags.end());
    } else {
      for (const std::string& flag : old) {
        if (std::find(flags.begin(), flags.end(), flag) == flags.end()) next.push_back(flag);
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    return next;
  }

  std::vector<uint32_t> Expunge(const std::vector<uint32_t>& uids) {
    std::vector<uint32_t> removed;
    uint64_t modseq = 0;
    for (uint32_t uid : uids) {
      if (messages_.erase(uid) == 0) continue;
      if (modseq == 0) modseq = mailbox_modseq_ = ++modseq_;
      log_.push_back(Expunged(uid, modseq));
      removed.push_back(uid);
    }
    return removed;
  }

  // A change to another mailbox of the account.
  void Elsewhere() {
    log_.push_back(Change(v1::Change::MESSAGE_ADDED, next_uid_, ++modseq_, {}, kMailbox + 1));
  }

  std::vector<v1::MessageInfo> Listing() const {
    std::vector<v1::MessageInfo> listing;
    for (const auto& [uid, message] : messages_) listing.push_back(Info(uid, message.flags, message.modseq));
    return listing;
  }

  const std::map<uint32_t, Message>& messages() const { return messages_; }
  const std::vector<v1::Change>& log() const { return log_; }
  uint32_t next_uid() const { return next_uid_; }
  // The mailbox's HIGHESTMODSEQ (modseq_ counts the whole account).
  uint64_t mailbox_modseq() const { return mailbox_modseq_; }

 private:
  uint64_t modseq_ = 0;
  uint64_t mailbox_modseq_ = 0;
  uint32_t next_uid_ = 1;
  std::map<uint32_t, Message> messages_;
  std::vector<v1::Change> log_;
};

// What a client knows, built only from the untagged responses it read (and,
// for messages an EXISTS announced, the FETCH UID FLAGS it would send next).
struct Client {
  std::vector<uint32_t> uids;
  std::vector<std::vector<std::string>> flags;

  void Read(const std::string& out, const SelectedMailbox& mailbox, bool expunge_allowed) {
    for (absl::string_view line : absl::StrSplit(out, "\r\n", absl::SkipEmpty())) {
      SCOPED_TRACE(std::string(line));
      ASSERT_TRUE(absl::ConsumePrefix(&line, "* "));
      const size_t space = line.find(' ');
      uint32_t n = 0;
      ASSERT_TRUE(absl::SimpleAtoi(line.substr(0, space), &n));
      absl::string_view rest = line.substr(space + 1);
      if (rest == "EXPUNGE") {
        ASSERT_TRUE(expunge_allowed);
        ASSERT_GE(n, 1u);
        ASSERT_LE(n, uids.size());
        uids.erase(uids.begin() + (n - 1));
        flags.erase(flags.begin() + (n - 1));
      } else if (rest == "EXISTS") {
        ASSERT_GE(n, uids.size());  // EXISTS never lowers the count
        for (uint32_t seq = static_cast<uint32_t>(uids.size()) + 1; seq <= n; ++seq) {
          uids.push_back(mailbox.UidAt(seq));
          flags.push_back(*mailbox.At(seq).flags);
        }
      } else {
        ASSERT_TRUE(absl::ConsumePrefix(&rest, "FETCH ("));
        ASSERT_GE(n, 1u);
        ASSERT_LE(n, uids.size());
        if (absl::ConsumePrefix(&rest, "UID ")) {
          const size_t end = rest.find(' ');
          uint32_t uid = 0;
          ASSERT_TRUE(absl::SimpleAtoi(rest.substr(0, end), &uid));
          ASSERT_EQ(uid, uids[n - 1]);
          rest.remove_prefix(end + 1);
        }
        ASSERT_TRUE(absl::ConsumePrefix(&rest, "FLAGS ("));
        const size_t close = rest.find(')');
        flags[n - 1] = absl::StrSplit(rest.substr(0, close), ' ', absl::SkipEmpty());
        rest.remove_prefix(close + 1);
        if (absl::ConsumePrefix(&rest, " MODSEQ (")) rest.remove_prefix(rest.find(')') + 1);
        ASSERT_EQ(rest, ")");
      }
    }
  }
};

class RandomTest {
 public:
  explicit RandomTest(uint32_t seed) : rng_(seed) {}

  void Run(int steps) {
    for (int i = Below(20); i > 0; --i) OtherOperation();
    subscribed_ = store_.log().size();
    const uint32_t uid_next = store_.next_uid();  // GetMailboxStatus before the listing
    for (int i = Below(10); i > 0; --i) OtherOperation();
    mailbox_.emplace("INBOX", kMailbox, false, 42, uid_next, store_.mailbox_modseq(), store_.Listing());
    for (const auto& [uid, message] : store_.messages()) {
      client_.uids.push_back(uid);
      client_.flags.push_back(message.flags);
    }
    delivered_ = subscribed_;
    for (int step = 0; step < steps && !::testing::Test::HasFatalFailure(); ++step) {
      const int r = Below(100);
      if (r < 25) {
        OtherOperation();
      } else if (r < 50) {
        Deliver(1 + Below(5));
      } else if (r < 60) {
        OwnStore();
      } else if (r < 68) {
        OwnExpunge();
      } else if (r < 73) {
        OwnAppend();
      } else {
        const bool allow_expunge = Below(2) == 0;
        EndCommand(allow_expunge);
        if (allow_expunge && delivered_ == store_.log().size()) CheckTruth();
      }
    }
    Deliver(store_.log().size());
    EndCommand(true);
    CheckTruth();
    EXPECT_EQ(mailbox_->out_of_order_adds(), 0u);
  }

 private:
  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::vector<std::string> RandomFlags() {
    static const char* const kFlags[] = {"$Junk", "\\Answered", "\\Deleted", "\\Flagged", "\\Seen"};
    std::vector<std::string> flags;
    for (const char* flag : kFlags) {
      if (Below(3) == 0) flags.push_back(flag);
    }
    return flags;
  }

  v1::StoreFlagsRequest::Mode RandomMode() {
    static const v1::StoreFlagsRequest::Mode kModes[] = {v1::StoreFlagsRequest::REPLACE, v1::StoreFlagsRequest::ADD,
                                                         v1::StoreFlagsRequest::REMOVE};
    return kModes[Below(3)];
  }

  // Some of the store's messages, or (as a client would name them) of the
  // client's view.
  std::vector<uint32_t> SomeUids(bool from_client) {
    std::vector<uint32_t> all;
    if (from_client) {
      all = mailbox_->uids();
    } else {
      for (const auto& [uid, message] : store_.messages()) all.push_back(uid);
    }
    std::vector<uint32_t> some;
    const int keep = 1 + Below(4);
    for (uint32_t uid : all) {
      if (Below(static_cast<int>(all.size())) < keep) some.push_back(uid);
    }
    return some;
  }

  // Another session or server.
  void OtherOperation() {
    const int r = Below(10);
    if (r < 4 || store_.messages().empty()) {
      store_.Add(RandomFlags());
    } else if (r < 7) {
      store_.SetFlags(SomeUids(false), RandomMode(), RandomFlags());
    } else if (r < 9) {
      store_.Expunge(SomeUids(false));
    } else {
      store_.Elsewhere();
    }
  }

  // The next `n` changes of the stream, with repeats now and then of
  // earlier ones made since the session subscribed (a reconnect's replay).
  void Deliver(size_t n) {
    for (; n > 0 && delivered_ < store_.log().size(); --n) {
      mailbox_->OnChange(store_.log()[delivered_++]);
      if (Below(10) == 0) {
        const size_t from = subscribed_ + static_cast<size_t>(Below(static_cast<int>(delivered_ - subscribed_)));
        for (size_t i = from; i < delivered_ && i < from + 5; ++i) mailbox_->OnChange(store_.log()[i]);
      }
    }
  }

  void MaybeDeliver() {
    if (Below(2) == 0) Deliver(1 + Below(4));
  }

  // The end of a command: what it may write.
  void EndCommand(bool allow_expunge) {
    std::string out;
    mailbox_->FlushPending(&out, {.allow_expunge = allow_expunge, .uid_in_fetch = Below(2) == 0,
                                  .modseq = Below(2) == 0});
    client_.Read(out, *mailbox_, allow_expunge);
    CheckView();
  }

  // STORE or STORE.SILENT: the store's answer may come after other changes
  // were delivered, and before or after its own echo. The session writes a
  // FETCH from the answer unless silent; a silent client applies what it
  // asked for to the flags it knew. When nothing else happened, the end of
  // the command must not repeat the change.
  void OwnStore() {
    const bool quiet = delivered_ == store_.log().size() && !mailbox_->has_pending() && Below(2) == 0;
    SelectedMailbox::SilentStore request{RandomMode(), RandomFlags()};
    const bool silent = Below(2) == 0;
    std::vector<v1::MessageInfo> infos = store_.SetFlags(SomeUids(true), request.mode, request.flags);
    if (quiet) {
      if (Below(2) == 0) Deliver(store_.log().size());  // the echo first
    } else {
      if (Below(2) == 0) OtherOperation();
      MaybeDeliver();
    }
    std::string out;
    for (const v1::MessageInfo& info : infos) {
      mailbox_->ApplyOwnFlags(info, silent ? &request : nullptr);
      const uint32_t seq = mailbox_->SeqOf(info.uid());
      if (seq == 0) continue;
      if (silent) {
        client_.flags[seq - 1] = FakeStore::Apply(request.mode, client_.flags[seq - 1], request.flags);
        continue;
      }
      out += "* " + std::to_string(seq) + " FETCH (FLAGS (";
      for (int i = 0; i < info.flags_size(); ++i) out += (i == 0 ? "" : " ") + info.flags(i);
      out += "))\r\n";
    }
    client_.Read(out, *mailbox_, false);
    if (quiet) {
      Deliver(store_.log().size());  // the echo after, if not before
      std::string end;
      mailbox_->FlushPending(&end, {.allow_expunge = true});
      ASSERT_EQ(end, "") << "the STORE's own change reported again";
      CheckTruth();
      return;
    }
    EndCommand(/*allow_expunge=*/Below(2) == 0);  // STORE or UID STORE
  }

  void OwnExpunge() {
    std::vector<uint32_t> removed = store_.Expunge(SomeUids(true));
    MaybeDeliver();
    std::string out;
    mailbox_->ApplyOwnExpunge(removed, &out);
    client_.Read(out, *mailbox_, true);
    EndCommand(true);
  }

  void OwnAppend() {
    store_.Add(RandomFlags());
    MaybeDeliver();
    EndCommand(true);
  }

  // After any FlushPending: the client numbers messages as the server does
  // and knows the flags of each that is not expunge-pending.
  void CheckView() {
    ASSERT_EQ(client_.uids, mailbox_->uids());
    for (uint32_t seq = 1; seq <= mailbox_->exists(); ++seq) {
      if (mailbox_->At(seq).expunged) continue;
      ASSERT_EQ(client_.flags[seq - 1], *mailbox_->At(seq).flags) << "seq " << seq;
    }
  }

  // After a FlushPending that could write everything, of everything
  // delivered: the client's view is the store's.
  void CheckTruth() {
    ASSERT_FALSE(mailbox_->has_pending());
    std::vector<uint32_t> uids;
    std::vector<std::vector<std::string>> flags;
    for (const auto& [uid, message] : store_.messages()) {
      uids.push_back(uid);
      flags.push_back(message.flags);
    }
    ASSERT_EQ(client_.uids, uids);
    ASSERT_EQ(client_.flags, flags);
    ASSERT_EQ(mailbox_->highest_modseq(), store_.mailbox_modseq());
  }

  std::mt19937 rng_;
  FakeStore store_;
  std::optional<SelectedMailbox> mailbox_;
  Client client_;
  size_t subscribed_ = 0;
  size_t delivered_ = 0;
};

TEST(SelectedMailboxTest, RandomChangesKeepTheClientInStep) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    RandomTest(seed).Run(400);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace kurier::imap
