#include "services/imap/mailboxes/status_items.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/codec/response_writer.h"

namespace kurier::imap {
namespace {

constexpr std::array<std::pair<absl::string_view, StatusItem>, 8> kItems = {{
    {"MESSAGES", StatusItem::kMessages},
    {"UIDNEXT", StatusItem::kUidNext},
    {"UIDVALIDITY", StatusItem::kUidValidity},
    {"UNSEEN", StatusItem::kUnseen},
    {"DELETED", StatusItem::kDeleted},
    {"SIZE", StatusItem::kSize},
    {"RECENT", StatusItem::kRecent},
    {"HIGHESTMODSEQ", StatusItem::kHighestModSeq},
}};

}  // namespace

absl::string_view StatusItemName(StatusItem item) {
  for (const auto& [name, value] : kItems) {
    if (value == item) return name;
  }
  return "";
}

absl::StatusOr<std::vector<StatusItem>> ParseStatusItems(const Arg& list) {
  if (!list.is_list() || list.list.empty()) return absl::InvalidArgumentError("Expected a list of status items");
  std::vector<StatusItem> items;
  for (const Arg& arg : list.list) {
    if (!arg.is_atom()) return absl::InvalidArgumentError("Invalid status item");
    const auto it = std::find_if(kItems.begin(), kItems.end(),
                                 [&](const auto& entry) { return absl::EqualsIgnoreCase(entry.first, arg.value); });
    if (it == kItems.end()) return absl::InvalidArgumentError("Unknown status item");
    // Asked twice, answered once: an item may appear only once in the reply.
    if (std::find(items.begin(), items.end(), it->second) == items.end()) items.push_back(it->second);
  }
  return items;
}

absl::StatusOr<StatusCommand> ParseStatusCommand(const std::vector<Arg>& args, bool utf8) {
  if (args.size() != 2) return absl::InvalidArgumentError("Expected a mailbox and a list of status items");
  if (!args[0].is_astring()) return absl::InvalidArgumentError("Invalid mailbox name");
  absl::StatusOr<std::string> name = MailboxNameFromWire(args[0].value, utf8);
  if (!name.ok()) return absl::InvalidArgumentError("Invalid mailbox name");
  absl::StatusOr<std::vector<StatusItem>> items = ParseStatusItems(args[1]);
  if (!items.ok()) return items.status();
  return StatusCommand{*std::move(name), *std::move(items)};
}

uint64_t StatusItemValue(const store::v1::Mailbox& mailbox, StatusItem item) {
  switch (item) {
    case StatusItem::kMessages:
      return mailbox.messages();
    case StatusItem::kUidNext:
      return mailbox.uid_next();
    case StatusItem::kUidValidity:
      return mailbox.uid_validity();
    case StatusItem::kUnseen:
      return mailbox.unseen();
    case StatusItem::kDeleted:
      return mailbox.deleted();
    case StatusItem::kSize:
      return mailbox.size_bytes();
    case StatusItem::kRecent:
      return 0;
    case StatusItem::kHighestModSeq:
      return mailbox.highest_modseq();
  }
  return 0;
}

absl::Status AppendStatusResponse(std::string* out, const store::v1::Mailbox& mailbox,
                                  const std::vector<StatusItem>& items, bool utf8) {
  std::string response = "* STATUS ";
  if (absl::Status status = AppendMailbox(&response, mailbox.name(), utf8); !status.ok()) return status;
  response += " (";
  for (size_t i = 0; i < items.size(); ++i) {
    absl::StrAppend(&response, i == 0 ? "" : " ", StatusItemName(items[i]), " ", StatusItemValue(mailbox, items[i]));
  }
  response += ")";
  AppendCrlf(&response);
  out->append(response);
  return absl::OkStatus();
}

}  // namespace kurier::imap
