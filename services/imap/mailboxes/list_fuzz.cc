// Fuzzes LIST, LSUB and STATUS with arbitrary client bytes. The first byte
// picks the command and the session's state (bit 0: UTF-8 names, bit 1:
// IMAP4rev2, bits 2-3: LIST, LSUB, STATUS, LIST); the rest follows the
// command name in "F <NAME> <rest>\r\n", read through the codec's
// CommandReader, parsed, and answered from a fixed account (levels without
// mailboxes, INBOX children, special uses, non-ASCII names, a duplicate and a
// name that is not UTF-8).
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   - a refusal is InvalidArgument with a short fixed text without CR/LF;
//   - a parsed command is consistent (patterns, implied return options,
//     RECURSIVEMATCH with another selection option, STATUS items unique);
//   - every listed name is unique, in order (INBOX's subtree first), matched
//     by a pattern (or the one root reply), has exactly one of \HasChildren /
//     \HasNoChildren and it is true, \Noselect / \NonExistent only on names
//     that are no mailbox (LSUB: not subscribed), STATUS only for a listed
//     mailbox meeting the criteria, CHILDINFO only with RECURSIVEMATCH;
//   - the output does not depend on the order of the store's list;
//   - every response is "* LIST (", "* LSUB (" or "* STATUS ", its lines end
//     in CRLF and hold no other CR or LF (literals skipped by their count).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "bazel/fuzz_check.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/mailboxes/list_command.h"
#include "services/imap/mailboxes/list_matcher.h"
#include "services/imap/mailboxes/list_response.h"
#include "services/imap/mailboxes/mailboxes_test_util.h"
#include "services/imap/mailboxes/status_items.h"

namespace {

using namespace kurier::imap;  // NOLINT
using kurier::store::v1::Mailbox;

std::vector<Mailbox> MakeAccount() {
  using testing::MakeMailbox;
  return {
      MakeMailbox("INBOX", "sub", 1),
      MakeMailbox("INBOX/Sub", "", 2),
      MakeMailbox("Fruit", "", 3),
      MakeMailbox("Fruit/Apple", "sub", 4),
      MakeMailbox("Fruit/Banana", "", 5),
      MakeMailbox("Vegetable/Broccoli", "sub", 6),
      MakeMailbox("Vegetable/Root/Carrot", "", 7),
      MakeMailbox("Sent", "sub use=Sent", 8),
      MakeMailbox("Entw\xc3\xbcrfe", "use=Drafts", 9),
      MakeMailbox("&Co", "sub", 10),
      MakeMailbox("\xe6\x97\xa5\xe6\x9c\xac/\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab", "sub use=Archive", 11),
      MakeMailbox("a b", "", 12),
      MakeMailbox("Trash", "use=Trash", 13),
      MakeMailbox("bad\xff", "sub", 14),
      MakeMailbox("Fruit", "", 3),
  };
}

void CheckError(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(!status.message().empty() && status.message().size() < 64);
  FUZZ_CHECK(status.message().find_first_of("\r\n") == absl::string_view::npos);
}

// Splits `out` into responses; each must start with one of the prefixes.
void CheckResponses(const std::string& out) {
  size_t pos = 0;
  while (pos < out.size()) {
    const absl::string_view rest = absl::string_view(out).substr(pos);
    FUZZ_CHECK(absl::StartsWith(rest, "* LIST (") || absl::StartsWith(rest, "* LSUB (") ||
               absl::StartsWith(rest, "* STATUS "));
    for (;;) {
      const size_t eol = out.find("\r\n", pos);
      FUZZ_CHECK(eol != std::string::npos);
      const absl::string_view line = absl::string_view(out).substr(pos, eol - pos);
      FUZZ_CHECK(line.find_first_of("\r\n") == absl::string_view::npos);
      pos = eol + 2;
      // A line ending in "{n}" continues after n bytes of literal.
      const size_t open = line.rfind('{');
      uint64_t n = 0;
      if (!absl::EndsWith(line, "}") || open == absl::string_view::npos ||
          !absl::SimpleAtoi(line.substr(open + 1, line.size() - open - 2), &n)) {
        break;
      }
      FUZZ_CHECK(n <= out.size() - pos);
      pos += n;
    }
  }
}

bool IsMailbox(const std::vector<Mailbox>& account, const std::string& name, const Mailbox** found) {
  for (const Mailbox& mailbox : account) {
    if (mailbox.name() == name) {
      *found = &mailbox;
      return true;
    }
  }
  return false;
}

void CheckCommand(const ListCommand& command) {
  FUZZ_CHECK(!command.patterns.empty());
  FUZZ_CHECK(IsValidUtf8(command.reference));
  for (const std::string& pattern : command.patterns) FUZZ_CHECK(IsValidUtf8(pattern));
  if (command.select.recursive_match) FUZZ_CHECK(command.select.subscribed || command.select.special_use);
  if (command.select.subscribed) FUZZ_CHECK(command.ret.subscribed);
  if (command.select.special_use) FUZZ_CHECK(command.ret.special_use);
  FUZZ_CHECK(command.ret.status == !command.ret.status_items.empty());
  std::set<StatusItem> unique(command.ret.status_items.begin(), command.ret.status_items.end());
  FUZZ_CHECK(unique.size() == command.ret.status_items.size());
  if (command.root_request) FUZZ_CHECK(!command.lsub && command.patterns.size() == 1 && command.patterns[0].empty());
  if (command.lsub) FUZZ_CHECK(!command.extended && command.patterns.size() == 1);
}

void CheckEntries(const ListCommand& command, const std::vector<Mailbox>& account,
                  const std::vector<ListEntry>& entries) {
  if (command.root_request) {
    FUZZ_CHECK(entries.size() == 1 && entries[0].attributes == std::vector<std::string>{"\\Noselect"});
    return;
  }
  std::vector<ListPattern> patterns;
  for (const std::string& pattern : command.patterns) patterns.emplace_back(command.reference, pattern);
  std::set<std::string> seen;
  bool past_inbox = false;
  for (const ListEntry& entry : entries) {
    FUZZ_CHECK(seen.insert(entry.name).second);
    const bool inbox = IsInboxOrChild(entry.name);
    FUZZ_CHECK(!(inbox && past_inbox));
    past_inbox = past_inbox || !inbox;
    FUZZ_CHECK(
        std::any_of(patterns.begin(), patterns.end(), [&](const ListPattern& p) { return p.Matches(entry.name); }));

    bool has_children = false;
    for (const Mailbox& mailbox : account) {
      if (IsValidUtf8(mailbox.name()) && absl::StartsWith(mailbox.name(), entry.name + "/")) has_children = true;
    }
    const auto& attrs = entry.attributes;
    auto has = [&](const char* a) { return std::count(attrs.begin(), attrs.end(), a) == 1; };
    FUZZ_CHECK(has(has_children ? "\\HasChildren" : "\\HasNoChildren"));
    FUZZ_CHECK(std::count(attrs.begin(), attrs.end(), has_children ? "\\HasNoChildren" : "\\HasChildren") == 0);

    const Mailbox* mailbox = nullptr;
    const bool exists = IsMailbox(account, entry.name, &mailbox) || entry.name == "INBOX";
    const bool unselectable = has("\\Noselect") || has("\\NonExistent");
    if (unselectable) FUZZ_CHECK(entry.status == nullptr);
    if (has("\\NonExistent")) FUZZ_CHECK(!exists && !command.lsub);
    if (has("\\Noselect")) FUZZ_CHECK(command.lsub ? (mailbox == nullptr || !mailbox->subscribed()) : !exists);
    if (command.lsub && !unselectable) FUZZ_CHECK(mailbox != nullptr && mailbox->subscribed());
    if (has("\\Subscribed")) FUZZ_CHECK(mailbox != nullptr && mailbox->subscribed());
    if (entry.status != nullptr) {
      FUZZ_CHECK(command.ret.status && entry.status->name() == entry.name);
      if (command.select.subscribed) FUZZ_CHECK(entry.status->subscribed());
      if (command.select.special_use) FUZZ_CHECK(!SpecialUseAttribute(entry.status->special_use()).empty());
    }
    if (!entry.childinfo.empty()) FUZZ_CHECK(command.select.recursive_match);
  }
}

void CheckList(const ListCommand& command, bool utf8, bool imap4rev2) {
  static const std::vector<Mailbox>* account = new std::vector<Mailbox>(MakeAccount());
  static const std::vector<Mailbox>* reversed = new std::vector<Mailbox>(account->rbegin(), account->rend());
  CheckCommand(command);
  const std::vector<ListEntry> entries = SelectListEntries(command, *account, imap4rev2);
  CheckEntries(command, *account, entries);
  std::string written;
  for (const ListEntry& entry : entries) FUZZ_CHECK(AppendListEntry(&written, command, entry, utf8));
  const std::string out = FormatListResponses(command, *account, utf8, imap4rev2);
  FUZZ_CHECK(out == written);
  FUZZ_CHECK(FormatListResponses(command, *reversed, utf8, imap4rev2) == out);
  CheckResponses(out);
}

void CheckStatus(const StatusCommand& command, bool utf8) {
  FUZZ_CHECK(!command.items.empty() && IsValidUtf8(command.mailbox));
  std::set<StatusItem> unique(command.items.begin(), command.items.end());
  FUZZ_CHECK(unique.size() == command.items.size());
  Mailbox mailbox = testing::MakeMailbox(command.mailbox, "", 7);
  std::string out;
  FUZZ_CHECK(AppendStatusResponse(&out, mailbox, command.items, utf8).ok());
  CheckResponses(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 8192) return 0;
  const bool utf8 = (data[0] & 1) != 0;
  const bool imap4rev2 = (data[0] & 2) != 0;
  static const char* const kNames[] = {"LIST", "LSUB", "STATUS", "LIST"};
  const std::string name = kNames[(data[0] >> 2) & 3];

  CommandReader reader;
  std::string input = "F " + name + " ";
  input.append(reinterpret_cast<const char*>(data + 1), size - 1);
  input.append("\r\n");
  reader.Feed(input);

  Command command;
  ReadError read_error;
  for (int events = 0; events < 64; ++events) {
    const CommandReader::Result r = reader.Next(&command, &read_error);
    if (r == CommandReader::Result::kNeedMore) break;
    if (r != CommandReader::Result::kCommand) continue;
    if (command.name == "STATUS") {
      absl::StatusOr<StatusCommand> status = ParseStatusCommand(command.args, utf8);
      if (!status.ok()) {
        CheckError(status.status());
        continue;
      }
      CheckStatus(*status, utf8);
      continue;
    }
    if (command.name != "LIST" && command.name != "LSUB") continue;
    absl::StatusOr<ListCommand> list =
        command.name == "LSUB" ? ParseLsubCommand(command.args, utf8) : ParseListCommand(command.args, utf8);
    if (!list.ok()) {
      CheckError(list.status());
      continue;
    }
    CheckList(*list, utf8, imap4rev2);
  }
  return 0;
}
