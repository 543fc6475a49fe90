// kurierctl's command line: the table of commands and a pure parser over
// argv. Nothing here talks to the store; commands.h runs what this returns.
#ifndef KURIER_TOOLS_KURIERCTL_COMMAND_LINE_H_
#define KURIER_TOOLS_KURIERCTL_COMMAND_LINE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kurier::kurierctl {

// How a value given on the command line is checked before any call is made.
enum class ValueKind {
  kText,
  kBytes,   // a size: digits with an optional K, M or G suffix (powers of 1024)
  kNumber,  // a count: digits only, at most 4294967295
};

struct ArgSpec {
  std::string name;  // as shown in usage, e.g. "NAME"
  ValueKind kind = ValueKind::kText;
  // May be left out. Only trailing arguments are optional.
  bool optional = false;
  // The last argument only: takes every remaining word (at least one unless
  // optional); usage shows "NAME...".
  bool repeated = false;
  // When not empty, the value must be one of these; usage shows "a|b|c".
  std::vector<std::string> choices = {};
};

// A command option takes a value ("--quota=1G" or "--quota 1G"), unless it
// is a flag ("--content"), which takes none and is recorded with the value "".
struct OptionSpec {
  std::string name;     // without the leading "--"
  std::string metavar;  // as shown in usage, e.g. "PW"; unused for a flag
  ValueKind kind = ValueKind::kText;
  bool repeated = false;
  bool flag = false;
};

struct CommandSpec {
  std::string name;  // one or two words: "stats", "account add"
  std::vector<ArgSpec> args;  // in order; see ArgSpec::optional and repeated
  std::vector<OptionSpec> options;
  std::string summary;  // one or two sentences for the usage text
};

// The commands kurierctl knows, in the order the usage text lists them.
const std::vector<CommandSpec>& Commands();

// What the user asked for. When help is set, command and args are not
// checked: help_topic names what to describe ("" for everything, a group
// such as "account", or a command such as "account add").
struct Invocation {
  std::string store;
  bool help = false;
  std::string help_topic;
  const CommandSpec* command = nullptr;
  // The positional words, already checked against command->args: one per
  // ArgSpec given (optional ones may be missing), every word of a repeated
  // last one.
  std::vector<std::string> args;
  std::map<std::string, std::vector<std::string>> options;

  // The value of a single-valued option, or fallback when it was not given.
  std::string Option(const std::string& name, const std::string& fallback = "") const;
  bool HasOption(const std::string& name) const { return options.count(name) > 0; }
  // Every value of a repeated option, in command-line order.
  std::vector<std::string> OptionValues(const std::string& name) const;
};

// Parses argv without the program name. default_store is used unless
// --store is given (the caller reads KURIER_STORE). A usage error comes back
// as INVALID_ARGUMENT whose message names the offending word or option.
absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv, const std::string& default_store);

// Parses "4096", "512K", "10M", "2G" (case-insensitive suffix, powers of
// 1024) into bytes. Rejects signs, spaces, other suffixes and overflow.
absl::StatusOr<uint64_t> ParseByteSize(const std::string& text);

// Parses a ValueKind::kNumber: decimal digits only, up to 4294967295.
absl::StatusOr<uint32_t> ParseNumber(const std::string& text);

// The usage text for a help topic (see Invocation::help_topic).
std::string UsageText(const std::string& topic = "");

}  // namespace kurier::kurierctl

#endif  // KURIER_TOOLS_KURIERCTL_COMMAND_LINE_H_
