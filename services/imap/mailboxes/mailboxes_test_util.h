// Helpers of the mailboxes tests and fuzz target: command lines read through
// the real codec, and store mailboxes built in one line.
#ifndef KURIER_SERVICES_IMAP_MAILBOXES_MAILBOXES_TEST_UTIL_H_
#define KURIER_SERVICES_IMAP_MAILBOXES_MAILBOXES_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/kurier/store/v1/store.pb.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap::testing {

// Reads one whole command line ("A01 LIST \"\" *", CRLF added; literals
// inline as "{n}\r\n" plus data) through a CommandReader. False when the
// codec refused it or it is incomplete.
bool ReadCommand(absl::string_view line, Command* command);

// A store mailbox named `name` (UTF-8). `flags` is a space-separated list
// of: "sub" (subscribed), "use=<Sent|Drafts|...>" (special use); the
// counters get distinct values derived from `id`.
store::v1::Mailbox MakeMailbox(absl::string_view name, absl::string_view flags = "", uint64_t id = 1);

}  // namespace kurier::imap::testing

#endif  // KURIER_SERVICES_IMAP_MAILBOXES_MAILBOXES_TEST_UTIL_H_
