#include "tools/kurierctl/command_line.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kurier::kurierctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDefault[] = "127.0.0.1:17000";

absl::StatusOr<Invocation> Parse(std::vector<std::string> argv) { return ParseCommandLine(argv, kDefault); }

// The message of a usage error, or a marker when parsing succeeded.
std::string UsageMessage(std::vector<std::string> argv) {
  absl::StatusOr<Invocation> inv = Parse(argv);
  if (inv.ok()) return "<parsed>";
  EXPECT_EQ(inv.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(inv.status().message());
}

TEST(ParseCommandLine, SimpleCommandUsesDefaultStore) {
  absl::StatusOr<Invocation> inv = Parse({"stats"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->store, kDefault);
  ASSERT_NE(inv->command, nullptr);
  EXPECT_EQ(inv->command->name, "stats");
  EXPECT_THAT(inv->args, IsEmpty());
  EXPECT_FALSE(inv->help);
}

TEST(ParseCommandLine, StoreOptionBeforeOrAfterTheCommand) {
  for (const auto& argv : std::vector<std::vector<std::string>>{{"--store=db:1", "stats"},
                                                                 {"--store", "db:1", "stats"},
                                                                 {"stats", "--store=db:1"}}) {
    absl::StatusOr<Invocation> inv = Parse(argv);
    ASSERT_TRUE(inv.ok()) << inv.status();
    EXPECT_EQ(inv->store, "db:1");
  }
  EXPECT_THAT(UsageMessage({"--store=", "stats"}), HasSubstr("--store"));
  EXPECT_THAT(UsageMessage({"stats", "--store"}), HasSubstr("'--store' needs a value"));
}

TEST(ParseCommandLine, AccountAddWithEveryOption) {
  absl::StatusOr<Invocation> inv = Parse(
      {"account", "add", "demo@localhost", "--password=s3cret", "--quota", "10M", "--alias=a@x", "--alias", "b@y"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->command->name, "account add");
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost"));
  EXPECT_EQ(inv->Option("password"), "s3cret");
  EXPECT_EQ(inv->Option("quota"), "10M");
  EXPECT_THAT(inv->OptionValues("alias"), ElementsAre("a@x", "b@y"));
  EXPECT_FALSE(inv->HasOption("missing"));
  EXPECT_EQ(inv->Option("missing", "fallback"), "fallback");
}

TEST(ParseCommandLine, OptionsMayPrecedePositionals) {
  absl::StatusOr<Invocation> inv = Parse({"account", "add", "--password=pw", "demo@localhost"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost"));
}

TEST(ParseCommandLine, EmptyPasswordValueIsKept) {
  absl::StatusOr<Invocation> inv = Parse({"account", "passwd", "demo@localhost", "--password="});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_TRUE(inv->HasOption("password"));
  EXPECT_EQ(inv->Option("password"), "");
}

TEST(ParseCommandLine, DoubleDashEndsOptions) {
  absl::StatusOr<Invocation> inv = Parse({"mailbox", "create", "demo@localhost", "--", "--weird"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost", "--weird"));
}

TEST(ParseCommandLine, EveryCommandParsesWithItsArguments) {
  for (const CommandSpec& spec : Commands()) {
    std::vector<std::string> argv = {spec.name.substr(0, spec.name.find(' '))};
    if (spec.name.find(' ') != std::string::npos) argv.push_back(spec.name.substr(spec.name.find(' ') + 1));
    for (const ArgSpec& arg : spec.args) {
      argv.push_back(!arg.choices.empty()                ? arg.choices[0]
                     : arg.kind == ValueKind::kBytes  ? "1G"
                     : arg.kind == ValueKind::kNumber ? "30"
                                                      : "x@y");
    }
    absl::StatusOr<Invocation> inv = Parse(argv);
    ASSERT_TRUE(inv.ok()) << spec.name << ": " << inv.status();
    EXPECT_EQ(inv->command, &spec);
    EXPECT_EQ(inv->args.size(), spec.args.size());
  }
}

TEST(ParseCommandLine, UnknownCommandsAreNamed) {
  EXPECT_EQ(UsageMessage({"frobnicate"}), "unknown command 'frobnicate'");
  EXPECT_THAT(UsageMessage({"account", "rename", "x"}), HasSubstr("unknown command 'account rename'"));
  EXPECT_THAT(UsageMessage({"account", "rename", "x"}), HasSubstr("add, del, list, passwd, pop3, quota, show"));
  EXPECT_EQ(UsageMessage({"account"}), "'account' needs a subcommand: add, del, list, passwd, pop3, quota, show");
  EXPECT_EQ(UsageMessage({"message"}), "'message' needs a subcommand: list");
  EXPECT_EQ(UsageMessage({}), "no command given");
  EXPECT_EQ(UsageMessage({"help", "nothing"}), "unknown command 'nothing'");
}

TEST(ParseCommandLine, UnknownOptionsAreNamed) {
  EXPECT_EQ(UsageMessage({"--verbose", "stats"}), "unknown option '--verbose'");
  EXPECT_EQ(UsageMessage({"stats", "--verbose"}), "unknown option '--verbose' for 'stats'");
  EXPECT_EQ(UsageMessage({"account", "del", "x@y", "--password=pw"}),
            "unknown option '--password' for 'account del'");
  EXPECT_EQ(UsageMessage({"-v", "stats"}), "unknown option '-v'");
  EXPECT_EQ(UsageMessage({"account", "--password=pw", "add", "x@y"}), "unknown option '--password'");
  EXPECT_EQ(UsageMessage({"stats", "--help=yes"}), "option '--help' takes no value");
}

TEST(ParseCommandLine, OptionValuesAreChecked) {
  EXPECT_EQ(UsageMessage({"account", "add", "x@y", "--password"}), "option '--password' needs a value");
  EXPECT_EQ(UsageMessage({"account", "add", "x@y", "--password=a", "--password=b"}),
            "option '--password' given more than once");
  EXPECT_THAT(UsageMessage({"account", "add", "x@y", "--quota=lots"}), HasSubstr("--quota: invalid size 'lots'"));
}

TEST(ParseCommandLine, PositionalCountIsChecked) {
  EXPECT_EQ(UsageMessage({"account", "add"}), "'account add' needs NAME");
  EXPECT_EQ(UsageMessage({"mailbox", "create"}), "'mailbox create' needs ACCOUNT NAME");
  EXPECT_EQ(UsageMessage({"account", "quota", "x@y"}), "'account quota' needs BYTES");
  EXPECT_EQ(UsageMessage({"stats", "now"}), "unexpected argument 'now' for 'stats'");
  EXPECT_EQ(UsageMessage({"account", "show", "a@b", "c@d"}), "unexpected argument 'c@d' for 'account show'");
  EXPECT_THAT(UsageMessage({"account", "quota", "x@y", "5X"}), HasSubstr("BYTES: invalid size '5X'"));
  EXPECT_EQ(UsageMessage({"account", "quota", "x@y", "-1"}), "unknown option '-1'");
}

TEST(ParseCommandLine, OptionalAndRepeatedArguments) {
  absl::StatusOr<Invocation> inv = Parse({"message", "list", "demo@localhost"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost"));
  inv = Parse({"message", "list", "demo@localhost", "Archive/2026"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost", "Archive/2026"));
  EXPECT_EQ(UsageMessage({"message", "list", "a@b", "INBOX", "more"}), "unexpected argument 'more' for 'message list'");

  inv = Parse({"deliver", "a@x", "--file=/tmp/m.eml", "b@y", "c@z"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("a@x", "b@y", "c@z"));
  EXPECT_EQ(inv->Option("file"), "/tmp/m.eml");
  EXPECT_EQ(UsageMessage({"deliver"}), "'deliver' needs RECIPIENT...");
  EXPECT_EQ(UsageMessage({"deliver", "--file=m.eml"}), "'deliver' needs RECIPIENT...");
}

TEST(ParseCommandLine, Pop3PolicyChoicesAndDays) {
  for (const char* policy : {"delete", "keep", "default"}) {
    absl::StatusOr<Invocation> inv = Parse({"account", "pop3", "demo@localhost", policy});
    ASSERT_TRUE(inv.ok()) << policy << ": " << inv.status();
    EXPECT_THAT(inv->args, ElementsAre("demo@localhost", policy));
  }
  absl::StatusOr<Invocation> inv = Parse({"account", "pop3", "demo@localhost", "keep", "30"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_THAT(inv->args, ElementsAre("demo@localhost", "keep", "30"));
  EXPECT_EQ(UsageMessage({"account", "pop3", "demo@localhost"}), "'account pop3' needs delete|keep|default");
  EXPECT_EQ(UsageMessage({"account", "pop3", "demo@localhost", "KEEP"}),
            "POLICY must be delete, keep or default, not 'KEEP'");
  EXPECT_THAT(UsageMessage({"account", "pop3", "demo@localhost", "keep", "30d"}),
              HasSubstr("DAYS: invalid number '30d'"));
  EXPECT_THAT(UsageMessage({"account", "pop3", "demo@localhost", "keep", "4294967296"}),
              HasSubstr("DAYS: invalid number"));
  EXPECT_EQ(UsageMessage({"account", "pop3", "demo@localhost", "keep", "1", "2"}),
            "unexpected argument '2' for 'account pop3'");
}

TEST(ParseCommandLine, FlagsTakeNoValue) {
  absl::StatusOr<Invocation> inv = Parse({"queue", "list", "--content"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_TRUE(inv->HasOption("content"));
  EXPECT_TRUE(inv->args.empty());
  inv = Parse({"queue", "list"});
  ASSERT_TRUE(inv.ok());
  EXPECT_FALSE(inv->HasOption("content"));
  EXPECT_EQ(UsageMessage({"queue", "list", "--content=yes"}), "option '--content' takes no value");
  EXPECT_THAT(UsageText("queue"), HasSubstr("kurierctl queue list [--content]\n"));
  inv = Parse({"domain", "add", "example.org", "--catch-all", "alice@example.org"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->Option("catch-all"), "alice@example.org");
  EXPECT_THAT(UsageText("domain"), HasSubstr("shard"));
}

TEST(ParseNumber, DigitsOnlyWithinUint32) {
  EXPECT_EQ(*ParseNumber("0"), 0u);
  EXPECT_EQ(*ParseNumber("30"), 30u);
  EXPECT_EQ(*ParseNumber("4294967295"), 4294967295u);
  for (const char* bad : {"", "-1", "+1", "1.5", "1K", " 1", "4294967296", "99999999999"}) {
    EXPECT_FALSE(ParseNumber(bad).ok()) << bad;
  }
}

TEST(ParseCommandLine, HelpInItsForms) {
  struct Case {
    std::vector<std::string> argv;
    std::string topic;
  };
  for (const Case& c : std::vector<Case>{{{"help"}, ""},
                                         {{"--help"}, ""},
                                         {{"-h"}, ""},
                                         {{"help", "account"}, "account"},
                                         {{"help", "account", "add"}, "account add"},
                                         {{"account", "--help"}, "account"},
                                         {{"account", "add", "--help"}, "account add"},
                                         {{"account", "add", "-h"}, "account add"}}) {
    absl::StatusOr<Invocation> inv = Parse(c.argv);
    ASSERT_TRUE(inv.ok()) << inv.status();
    EXPECT_TRUE(inv->help);
    EXPECT_EQ(inv->help_topic, c.topic);
  }
}

TEST(ParseByteSize, PlainAndSuffixed) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("1K"), 1024u);
  EXPECT_EQ(*ParseByteSize("1k"), 1024u);
  EXPECT_EQ(*ParseByteSize("10M"), 10u << 20);
  EXPECT_EQ(*ParseByteSize("2G"), uint64_t{2} << 30);
  EXPECT_EQ(*ParseByteSize("18446744073709551615"), UINT64_MAX);
}

TEST(ParseByteSize, Rejects) {
  for (const char* bad : {"", "K", "-1", "+1", "1.5G", "1 G", "1KB", "1T", "12x", "18446744073709551616",
                          "17179869184G"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

TEST(UsageText, ListsEveryCommandAndFilters) {
  std::string all = UsageText();
  for (const CommandSpec& spec : Commands()) EXPECT_THAT(all, HasSubstr("kurierctl " + spec.name)) << spec.name;
  EXPECT_THAT(all, HasSubstr("account add NAME [--password=PW] [--quota=BYTES] [--alias=ADDR ...]"));
  EXPECT_THAT(all, HasSubstr("KURIER_STORE"));

  std::string account = UsageText("account");
  EXPECT_THAT(account, HasSubstr("account passwd"));
  EXPECT_THAT(account, ::testing::Not(HasSubstr("kurierctl mailbox")));
  std::string one = UsageText("account quota");
  EXPECT_THAT(one, HasSubstr("account quota NAME BYTES"));
  EXPECT_THAT(one, ::testing::Not(HasSubstr("account show")));

  EXPECT_THAT(all, HasSubstr("kurierctl deliver RECIPIENT... [--file=PATH]\n"));
  EXPECT_THAT(all, HasSubstr("kurierctl account pop3 NAME delete|keep|default [DAYS]\n"));
  EXPECT_THAT(all, HasSubstr("kurierctl message list ACCOUNT [MAILBOX]\n"));
  EXPECT_THAT(UsageText("message"), HasSubstr("pop3-hidden"));
}

}  // namespace
}  // namespace kurier::kurierctl
