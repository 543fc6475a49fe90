#include "tools/kurierctl/command_line.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kurier::kurierctl {
namespace {

absl::Status UsageError(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string FirstWord(const std::string& name) { return name.substr(0, name.find(' ')); }

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& spec : Commands()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// The subcommands of a group ("account" -> "add, del, ..."), empty when the
// word names no group.
std::vector<std::string> Subcommands(const std::string& group) {
  std::vector<std::string> subs;
  for (const CommandSpec& spec : Commands()) {
    size_t space = spec.name.find(' ');
    if (space != std::string::npos && spec.name.substr(0, space) == group) subs.push_back(spec.name.substr(space + 1));
  }
  return subs;
}

absl::Status CheckValue(ValueKind kind, const std::string& what, const std::string& value) {
  if (kind == ValueKind::kBytes) {
    absl::StatusOr<uint64_t> bytes = ParseByteSize(value);
    if (!bytes.ok()) return UsageError(absl::StrCat(what, ": ", bytes.status().message()));
  }
  if (kind == ValueKind::kNumber) {
    absl::StatusOr<uint32_t> number = ParseNumber(value);
    if (!number.ok()) return UsageError(absl::StrCat(what, ": ", number.status().message()));
  }
  return absl::OkStatus();
}

absl::Status CheckArg(const ArgSpec& arg, const std::string& value) {
  if (!arg.choices.empty() && std::find(arg.choices.begin(), arg.choices.end(), value) == arg.choices.end()) {
    std::string expected = arg.choices.size() == 1
                               ? arg.choices[0]
                               : absl::StrCat(absl::StrJoin(arg.choices.begin(), arg.choices.end() - 1, ", "), " or ",
                                              arg.choices.back());
    return UsageError(absl::StrCat(arg.name, " must be ", expected, ", not '", value, "'"));
  }
  return CheckValue(arg.kind, arg.name, value);
}

std::string ArgSynopsis(const ArgSpec& arg) {
  std::string s = arg.choices.empty() ? arg.name : absl::StrJoin(arg.choices, "|");
  if (arg.repeated) s += "...";
  return arg.optional ? absl::StrCat("[", s, "]") : s;
}

std::string Synopsis(const CommandSpec& spec) {
  std::string s = spec.name;
  for (const ArgSpec& arg : spec.args) absl::StrAppend(&s, " ", ArgSynopsis(arg));
  for (const OptionSpec& option : spec.options) {
    if (option.flag) {
      absl::StrAppend(&s, " [--", option.name, "]");
    } else {
      absl::StrAppend(&s, " [--", option.name, "=", option.metavar, option.repeated ? " ..." : "", "]");
    }
  }
  return s;
}

// Words filled into lines of at most width columns, each starting with indent.
std::string Wrap(const std::string& text, const std::string& indent, size_t width) {
  std::string out;
  std::string line = indent;
  std::vector<std::string> words = absl::StrSplit(text, ' ', absl::SkipEmpty());
  for (const std::string& word : words) {
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      absl::StrAppend(&out, line, "\n");
      line = indent;
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
  }
  if (line.size() > indent.size()) absl::StrAppend(&out, line, "\n");
  return out;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const auto* const commands = new std::vector<CommandSpec>{
      {"account add",
       {{"NAME"}},
       {{"password", "PW"}, {"quota", "BYTES", ValueKind::kBytes}, {"alias", "ADDR", ValueKind::kText, true}},
       "Create an account. Without --password a random 16-character password is generated and printed. "
       "Without --quota the store's default quota applies."},
      {"account del", {{"NAME"}}, {}, "Delete an account with all its mailboxes and messages."},
      {"account list", {}, {}, "List every account: name, messages, size used, quota, aliases."},
      {"account passwd",
       {{"NAME"}},
       {{"password", "PW"}},
       "Set an account's password. Without --password one line is read from standard input."},
      {"account pop3",
       {{"NAME"}, {"POLICY", ValueKind::kText, false, false, {"delete", "keep", "default"}},
        {"DAYS", ValueKind::kNumber, true}},
       {},
       "Set what POP3's DELE does to the account's mail. delete removes it (RFC 1939); keep only hides it "
       "from POP3, and IMAP sees it for DAYS more days before the retention job removes it; default follows "
       "the store's store.pop3_policy. Without DAYS, or with 0, the store's store.pop3_keep_days applies."},
      {"account quota", {{"NAME"}, {"BYTES", ValueKind::kBytes}}, {}, "Set an account's quota; 0 means unlimited."},
      {"account show", {{"NAME"}}, {}, "Show one account, with its POP3 policy."},
      {"mailbox list",
       {{"ACCOUNT"}},
       {},
       "List an account's mailboxes: name, special-use, messages, unseen, size, UIDVALIDITY, UIDNEXT."},
      {"mailbox create",
       {{"ACCOUNT"}, {"NAME"}},
       {{"special-use", "USE"}},
       "Create a mailbox (\"/\" separates levels). USE is an RFC 6154 attribute such as Archive or Sent."},
      {"message list",
       {{"ACCOUNT"}, {"MAILBOX", ValueKind::kText, true}},
       {},
       "List the messages of a mailbox (default INBOX): UID, size in bytes, internal date, flags, and "
       "pop3-hidden for those a POP3 session deleted under the keep policy."},
      {"deliver",
       {{"RECIPIENT", ValueKind::kText, false, true}},
       {{"file", "PATH"}},
       "Deliver one message to the INBOX of every RECIPIENT in a single call: exactly the bytes of PATH, or of "
       "standard input without --file or with --file=-. Prints a line per recipient; the exit status is 1 "
       "if any was not delivered."},
      {"backup",
       {{"DIR"}},
       {},
       "Write a consistent backup of the store into DIR, a directory that must not exist yet, on the store's "
       "machine. Prints the path written."},
      {"stats", {}, {}, "Show the store's counters."},
      {"domain add",
       {{"NAME"}},
       {{"catch-all", "ACCOUNT"}},
       "Make NAME a local domain, or replace its settings. With --catch-all, mail for addresses of NAME that "
       "no account has goes to ACCOUNT (an existing account); without, it is refused. Accounts make their own "
       "domains local when they are created. Only the store given by --store is changed: with several store "
       "shards, run it against each shard."},
      {"domain list", {}, {}, "List the local domains with their catch-all accounts."},
      {"domain remove",
       {{"NAME"}},
       {},
       "Stop receiving mail for NAME; its accounts stay. Only the store given by --store is changed: with "
       "several store shards, run it against each shard."},
      {"queue list",
       {},
       {{"content", "", ValueKind::kText, false, true}},
       "List the outbound queue (mail waiting for the relay), oldest first: id, time queued, size, sender, "
       "recipients. With --content each message follows its entry, byte for byte."},
  };
  return *commands;
}

std::string Invocation::Option(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Invocation::OptionValues(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv, const std::string& default_store) {
  Invocation inv;
  inv.store = default_store;
  std::string group;  // a first word that needs a subcommand
  bool help_command = false;
  std::vector<std::string> help_words;
  std::vector<std::string> positionals;
  bool only_positionals = false;

  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& token = argv[i];
    if (!only_positionals && token == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && token.size() > 1 && token[0] == '-') {
      if (token == "-h" || token == "--help") {
        inv.help = true;
        continue;
      }
      if (token.rfind("--", 0) != 0) return UsageError(absl::StrCat("unknown option '", token, "'"));
      size_t eq = token.find('=');
      std::string name = token.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      bool inline_value = eq != std::string::npos;
      const OptionSpec* spec = nullptr;
      bool global = name == "store";
      if (!global) {
        if (inv.command != nullptr) {
          for (const OptionSpec& o : inv.command->options) {
            if (o.name == name) spec = &o;
          }
        }
        if (spec == nullptr) {
          if (name == "help") return UsageError("option '--help' takes no value");
          if (inv.command == nullptr) return UsageError(absl::StrCat("unknown option '--", name, "'"));
          return UsageError(absl::StrCat("unknown option '--", name, "' for '", inv.command->name, "'"));
        }
      }
      std::string value;
      if (!global && spec->flag) {
        if (inline_value) return UsageError(absl::StrCat("option '--", name, "' takes no value"));
        if (inv.options.count(name) == 0) inv.options[name].push_back("");
        continue;
      }
      if (inline_value) {
        value = token.substr(eq + 1);
      } else {
        if (i + 1 >= argv.size()) return UsageError(absl::StrCat("option '--", name, "' needs a value"));
        value = argv[++i];
      }
      if (global) {
        if (value.empty()) return UsageError("option '--store' needs a value");
        inv.store = value;
        continue;
      }
      if (!spec->repeated && inv.options.count(name) > 0) {
        return UsageError(absl::StrCat("option '--", name, "' given more than once"));
      }
      if (absl::Status s = CheckValue(spec->kind, absl::StrCat("--", name), value); !s.ok()) return s;
      inv.options[name].push_back(value);
      continue;
    }

    // A word: the command, its subcommand, or a positional argument.
    if (help_command) {
      help_words.push_back(token);
    } else if (inv.command != nullptr) {
      positionals.push_back(token);
    } else if (group.empty() && token == "help") {
      help_command = true;
    } else if (group.empty()) {
      if (const CommandSpec* spec = FindCommand(token); spec != nullptr) {
        inv.command = spec;
      } else if (!Subcommands(token).empty()) {
        group = token;
      } else {
        return UsageError(absl::StrCat("unknown command '", token, "'"));
      }
    } else {
      const CommandSpec* spec = FindCommand(absl::StrCat(group, " ", token));
      if (spec == nullptr) {
        return UsageError(absl::StrCat("unknown command '", group, " ", token, "' (", group,
                                       " commands: ", absl::StrJoin(Subcommands(group), ", "), ")"));
      }
      inv.command = spec;
    }
  }

  if (help_command) {
    inv.help = true;
    std::string topic = absl::StrJoin(help_words, " ");
    if (!topic.empty() && FindCommand(topic) == nullptr && (help_words.size() > 1 || Subcommands(topic).empty())) {
      return UsageError(absl::StrCat("unknown command '", topic, "'"));
    }
    inv.help_topic = topic;
    return inv;
  }
  if (inv.help) {
    inv.help_topic = inv.command != nullptr ? inv.command->name : group;
    return inv;
  }
  if (inv.command == nullptr) {
    if (!group.empty()) {
      return UsageError(absl::StrCat("'", group, "' needs a subcommand: ", absl::StrJoin(Subcommands(group), ", ")));
    }
    return UsageError("no command given");
  }
  const std::vector<ArgSpec>& wanted = inv.command->args;
  size_t required = 0;
  for (const ArgSpec& arg : wanted) required += arg.optional ? 0 : 1;
  if (positionals.size() < required) {
    std::vector<std::string> missing;
    for (size_t k = positionals.size(); k < required; ++k) missing.push_back(ArgSynopsis(wanted[k]));
    return UsageError(absl::StrCat("'", inv.command->name, "' needs ", absl::StrJoin(missing, " ")));
  }
  const bool open_ended = !wanted.empty() && wanted.back().repeated;
  if (!open_ended && positionals.size() > wanted.size()) {
    return UsageError(
        absl::StrCat("unexpected argument '", positionals[wanted.size()], "' for '", inv.command->name, "'"));
  }
  for (size_t k = 0; k < positionals.size(); ++k) {
    const ArgSpec& arg = k < wanted.size() ? wanted[k] : wanted.back();
    if (absl::Status s = CheckArg(arg, positionals[k]); !s.ok()) return s;
  }
  inv.args = std::move(positionals);
  return inv;
}

absl::StatusOr<uint64_t> ParseByteSize(const std::string& text) {
  auto invalid = [&text]() {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size '", text, "' (expected bytes, optionally with a K, M or G suffix)"));
  };
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || text.size() - digits > 1) return invalid();
  uint64_t multiplier = 1;
  if (digits < text.size()) {
    switch (text[digits]) {
      case 'k':
      case 'K':
        multiplier = uint64_t{1} << 10;
        break;
      case 'm':
      case 'M':
        multiplier = uint64_t{1} << 20;
        break;
      case 'g':
      case 'G':
        multiplier = uint64_t{1} << 30;
        break;
      default:
        return invalid();
    }
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  for (size_t k = 0; k < digits; ++k) {
    uint64_t digit = static_cast<uint64_t>(text[k] - '0');
    if (value > (kMax - digit) / 10) return invalid();
    value = value * 10 + digit;
  }
  if (value > kMax / multiplier) return invalid();
  return value * multiplier;
}

absl::StatusOr<uint32_t> ParseNumber(const std::string& text) {
  uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 10;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    if (ok) value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || value > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid number '", text, "' (expected digits only)"));
  }
  return static_cast<uint32_t>(value);
}

std::string UsageText(const std::string& topic) {
  std::string text;
  if (topic.empty()) {
    text =
        "Usage: kurierctl [--store=HOST:PORT] COMMAND ...\n"
        "\n"
        "The operator's tool for a Kurier mailbox store. The store is --store, else\n"
        "$KURIER_STORE, else 127.0.0.1:17000. Every call has a deadline of 30 s.\n"
        "\n"
        "Commands:\n";
  } else {
    text = "Usage:\n";
  }
  for (const CommandSpec& spec : Commands()) {
    if (!topic.empty() && spec.name != topic && FirstWord(spec.name) != topic) continue;
    absl::StrAppend(&text, "  kurierctl ", Synopsis(spec), "\n", Wrap(spec.summary, "      ", 79));
  }
  if (topic.empty()) {
    absl::StrAppend(&text, "  kurierctl help [COMMAND]\n      Show this text, or the usage of one command.\n",
                    "\n"
                    "Sizes take an optional K, M or G suffix (powers of 1024).\n"
                    "Exit status: 0 on success, 1 when the store refuses or cannot be reached\n"
                    "(or deliver could not deliver to every recipient), 2 for a usage error.\n");
  }
  return text;
}

}  // namespace kurier::kurierctl
