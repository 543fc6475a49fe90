#include "services/imap/mailboxes/mailboxes_test_util.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kurier::imap::testing {

bool ReadCommand(absl::string_view line, Command* command) {
  CommandReader reader;
  reader.Feed(absl::StrCat(line, "\r\n"));
  ReadError error;
  for (;;) {
    switch (reader.Next(command, &error)) {
      case CommandReader::Result::kCommand:
        return true;
      case CommandReader::Result::kContinuation:
        continue;
      case CommandReader::Result::kNeedMore:
      case CommandReader::Result::kError:
        return false;
    }
  }
}

store::v1::Mailbox MakeMailbox(absl::string_view name, absl::string_view flags, uint64_t id) {
  store::v1::Mailbox mailbox;
  mailbox.set_id(id);
  mailbox.set_name(std::string(name));
  mailbox.set_uid_validity(static_cast<uint32_t>(1000 + id));
  mailbox.set_uid_next(static_cast<uint32_t>(10 * id + 1));
  mailbox.set_messages(static_cast<uint32_t>(id + 2));
  mailbox.set_unseen(static_cast<uint32_t>(id));
  mailbox.set_deleted(static_cast<uint32_t>(id % 2));
  mailbox.set_size_bytes(1024 * id);
  mailbox.set_highest_modseq(100 + id);
  for (absl::string_view flag : absl::StrSplit(flags, ' ', absl::SkipEmpty())) {
    if (flag == "sub") mailbox.set_subscribed(true);
    if (absl::ConsumePrefix(&flag, "use=")) mailbox.set_special_use(std::string(flag));
  }
  return mailbox;
}

}  // namespace kurier::imap::testing
