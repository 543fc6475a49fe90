#include "services/imap/mailboxes/list_response.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/mailboxes/list_matcher.h"
#include "services/imap/mailboxes/status_items.h"

namespace kurier::imap {
namespace {

using store::v1::Mailbox;

// RFC 6154 section 2.
constexpr std::array<absl::string_view, 7> kSpecialUses = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                                           "\\Junk", "\\Sent",    "\\Trash"};

// INBOX's subtree first; then "/" before any other byte, so that a name's
// descendants come right after it (SelectListEntries relies on that).
bool NameLess(absl::string_view a, absl::string_view b) {
  const bool inbox_a = IsInboxOrChild(a);
  const bool inbox_b = IsInboxOrChild(b);
  if (inbox_a != inbox_b) return inbox_a;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == kMailboxDelimiter) return true;
    if (b[i] == kMailboxDelimiter) return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

// A name that may be listed: a mailbox, or a level above one.
struct Node {
  std::string name;
  const Mailbox* mailbox = nullptr;  // null: a level that is no mailbox
  bool matched = false;              // some pattern matches it
  bool percent_matched = false;      // some pattern ending in "%" does
  bool meets = false;                // a mailbox meeting the criteria
};

// The account's names, sorted, levels included.
std::vector<Node> CollectNodes(const std::vector<Mailbox>& mailboxes, const Mailbox* inbox) {
  std::map<std::string, const Mailbox*, decltype(&NameLess)> names(&NameLess);
  for (const Mailbox& mailbox : mailboxes) {
    if (mailbox.name().empty() || !IsValidUtf8(mailbox.name())) continue;
    names.emplace(mailbox.name(), &mailbox);
  }
  names.emplace(inbox->name(), inbox);
  std::vector<std::string> levels;
  for (const auto& [name, mailbox] : names) {
    for (size_t pos = name.find(kMailboxDelimiter); pos != std::string::npos;
         pos = name.find(kMailboxDelimiter, pos + 1)) {
      if (pos > 0) levels.push_back(name.substr(0, pos));
    }
  }
  for (std::string& level : levels) names.emplace(std::move(level), nullptr);
  std::vector<Node> nodes;
  nodes.reserve(names.size());
  for (auto& [name, mailbox] : names) nodes.push_back(Node{name, mailbox});
  return nodes;
}

bool MeetsCriteria(const ListCommand& command, const Mailbox& mailbox) {
  if (command.lsub) return mailbox.subscribed();
  if (command.select.subscribed && !mailbox.subscribed()) return false;
  if (command.select.special_use && SpecialUseAttribute(mailbox.special_use()).empty()) return false;
  return true;
}

std::vector<std::string> ChildInfo(const ListCommand& command) {
  std::vector<std::string> items;
  if (command.select.subscribed) items.push_back("SUBSCRIBED");
  if (command.select.special_use) items.push_back("SPECIAL-USE");
  return items;
}

}  // namespace

absl::string_view SpecialUseAttribute(absl::string_view special_use) {
  for (absl::string_view attribute : kSpecialUses) {
    if (absl::EqualsIgnoreCase(attribute.substr(1), special_use)) return attribute;
  }
  return "";
}

std::vector<ListEntry> SelectListEntries(const ListCommand& command, const std::vector<Mailbox>& mailboxes,
                                         bool imap4rev2) {
  if (command.root_request) return {ListEntry{ListRootName(command.reference), {"\\Noselect"}, {}, nullptr}};

  Mailbox inbox_stub;  // stands for INBOX when the store's list lacks it
  inbox_stub.set_name("INBOX");
  std::vector<Node> nodes = CollectNodes(mailboxes, &inbox_stub);

  std::vector<ListPattern> patterns;
  patterns.reserve(command.patterns.size());
  for (const std::string& pattern : command.patterns) patterns.emplace_back(command.reference, pattern);
  for (Node& node : nodes) {
    for (const ListPattern& pattern : patterns) {
      if (!pattern.Matches(node.name)) continue;
      node.matched = true;
      if (pattern.ends_with_percent()) node.percent_matched = true;
    }
    node.meets = node.mailbox != nullptr && MeetsCriteria(command, *node.mailbox);
  }

  const bool selecting = command.lsub || command.select.subscribed || command.select.special_use;
  const char* level_attribute = command.lsub || (!command.extended && !imap4rev2) ? "\\Noselect" : "\\NonExistent";
  std::vector<ListEntry> entries;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    if (!node.matched) continue;
    // Descendants follow their parent (NameLess). `hidden`: one of them
    // meets the criteria yet matches no pattern, so the client learns of it
    // only through this name.
    const std::string prefix = node.name + kMailboxDelimiter;
    bool has_children = false;
    bool hidden = false;
    for (size_t j = i + 1; j < nodes.size() && absl::StartsWith(nodes[j].name, prefix); ++j) {
      has_children = true;
      if (nodes[j].meets && !nodes[j].matched) hidden = true;
    }

    ListEntry entry;
    entry.name = node.name;
    if (node.meets) {
      if (command.select.recursive_match && hidden) entry.childinfo = ChildInfo(command);
    } else if (!selecting || command.lsub) {
      // RFC 9051 6.3.9 / RFC 3501 6.3.9: "%" last lists the levels.
      // (In LIST, every mailbox meets the criteria: this is a level.)
      if (!node.percent_matched || !hidden) continue;
      entry.attributes.push_back(level_attribute);
    } else {
      // RFC 5258 3.5: a parent of matches, for RECURSIVEMATCH only.
      if (!command.select.recursive_match || !hidden) continue;
      if (node.mailbox == nullptr) entry.attributes.push_back("\\NonExistent");
      entry.childinfo = ChildInfo(command);
    }
    entry.attributes.push_back(has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (node.mailbox != nullptr) {
      if (node.mailbox->subscribed() && (command.ret.subscribed || command.lsub)) {
        entry.attributes.push_back("\\Subscribed");
      }
      absl::string_view special_use = SpecialUseAttribute(node.mailbox->special_use());
      if (!special_use.empty()) entry.attributes.emplace_back(special_use);
      if (command.ret.status && node.meets && node.mailbox != &inbox_stub) entry.status = node.mailbox;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool AppendListEntry(std::string* out, const ListCommand& command, const ListEntry& entry, bool utf8) {
  std::string line = command.lsub ? "* LSUB (" : "* LIST (";
  line += absl::StrJoin(entry.attributes, " ");
  line += ") \"/\" ";
  if (!AppendMailbox(&line, entry.name, utf8).ok()) return false;
  if (!entry.childinfo.empty()) {
    line += " (\"CHILDINFO\" (";
    for (size_t i = 0; i < entry.childinfo.size(); ++i) {
      if (i > 0) line += " ";
      AppendString(&line, entry.childinfo[i]);
    }
    line += "))";
  }
  AppendCrlf(&line);
  if (entry.status != nullptr && !AppendStatusResponse(&line, *entry.status, command.ret.status_items, utf8).ok()) {
    return false;
  }
  out->append(line);
  return true;
}

std::string FormatListResponses(const ListCommand& command, const std::vector<Mailbox>& mailboxes, bool utf8,
                                bool imap4rev2) {
  std::string out;
  for (const ListEntry& entry : SelectListEntries(command, mailboxes, imap4rev2)) {
    AppendListEntry(&out, command, entry, utf8);
  }
  return out;
}

}  // namespace kurier::imap
