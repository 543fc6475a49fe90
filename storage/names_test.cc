#include "storage/names.h"

#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

TEST(NormalizeAddress, LowercasesAndTrims) {
  EXPECT_EQ(*NormalizeAddress("  Demo@LocalHost "), "demo@localhost");
}

TEST(NormalizeAddress, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"", "demo", "@localhost", "demo@", "a b@c", "a@b@c", "<a@b>", "a\x01@b"}) {
    EXPECT_FALSE(NormalizeAddress(bad).ok()) << bad;
  }
  EXPECT_FALSE(NormalizeAddress(std::string(250, 'a') + "@b.cc").ok());
}

TEST(NormalizeMailboxName, InboxInAnyCaseIsInbox) {
  EXPECT_EQ(*NormalizeMailboxName("inbox"), "INBOX");
  EXPECT_EQ(*NormalizeMailboxName("InBoX/Sub"), "INBOX/Sub");
  EXPECT_EQ(*NormalizeMailboxName("Inboxes"), "Inboxes");
}

TEST(NormalizeMailboxName, RefusesBadNames) {
  for (const char* bad : {"", "/a", "a/", "a//b", "a\tb", "\xff\xfe", "a\xc3"}) {
    EXPECT_FALSE(NormalizeMailboxName(bad).ok()) << bad;
  }
  EXPECT_TRUE(NormalizeMailboxName("Entw\xc3\xbcrfe").ok());
  EXPECT_FALSE(NormalizeMailboxName(std::string(513, 'a')).ok());
}

TEST(IsBelow, OnlyRealChildren) {
  EXPECT_TRUE(IsBelow("a/b", "a"));
  EXPECT_TRUE(IsBelow("a/b/c", "a"));
  EXPECT_FALSE(IsBelow("ab", "a"));
  EXPECT_FALSE(IsBelow("a", "a"));
}

TEST(NormalizeFlags, CanonicalSortedUnique) {
  auto flags = NormalizeFlags({"\\seen", "$Forwarded", "\\SEEN", "\\Flagged"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags, (std::vector<std::string>{"$Forwarded", "\\Flagged", "\\Seen"}));
}

TEST(NormalizeFlags, RefusesRecentAndBadKeywords) {
  EXPECT_FALSE(NormalizeFlags({"\\Recent"}).ok());
  EXPECT_FALSE(NormalizeFlags({"a b"}).ok());
  EXPECT_FALSE(NormalizeFlags({"(x"}).ok());
  EXPECT_FALSE(NormalizeFlags({""}).ok());
}

}  // namespace
}  // namespace kurier::storage
