// STATUS: the item list a client asks for (in STATUS and in LIST's RETURN
// (STATUS (...))) and the "* STATUS" response written from a store mailbox.
// Pure functions; the caller fetches the mailbox.
//
// STANDARDS
//   RFC 9051 section 6.3.11 (STATUS; items MESSAGES, UIDNEXT, UIDVALIDITY,
//     UNSEEN, DELETED, SIZE) and 7.3.3 (the STATUS response).
//   RFC 3501 sections 6.3.10 and 7.2.4 (adds RECENT; this server never sets
//     \Recent, so RECENT is always 0; accepted from rev2 clients too, as
//     Dovecot does).
//   RFC 7162 section 3.1 (CONDSTORE: the HIGHESTMODSEQ item).
//   RFC 8438 (STATUS=SIZE: SIZE is the mailbox's total octets).
//   RFC 5819 section 2 (LIST-STATUS uses the same items).
//
// SECURITY
//   The item list is client-controlled; its length is bounded by the codec's
//   argument limit and repeats are kept once. Error texts are fixed strings
//   that never echo client bytes.
#ifndef KURIER_SERVICES_IMAP_MAILBOXES_STATUS_ITEMS_H_
#define KURIER_SERVICES_IMAP_MAILBOXES_STATUS_ITEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/kurier/store/v1/store.pb.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap {

enum class StatusItem {
  kMessages,
  kUidNext,
  kUidValidity,
  kUnseen,
  kDeleted,
  kSize,
  kRecent,
  kHighestModSeq,
};

// The item's name as written in the response: "MESSAGES", "HIGHESTMODSEQ".
absl::string_view StatusItemName(StatusItem item);

// Parses a status item list, "(MESSAGES UNSEEN)": `list` must be a
// non-empty list of atoms, each an item name in any case. Items come back
// in the order asked, a repeated one only the first time. InvalidArgument
// with a fixed text for a BAD reply otherwise.
absl::StatusOr<std::vector<StatusItem>> ParseStatusItems(const Arg& list);

// The arguments of STATUS: mailbox (items).
struct StatusCommand {
  // The UTF-8 name the store knows ("INBOX" in any case is "INBOX").
  std::string mailbox;
  std::vector<StatusItem> items;
};

// Parses STATUS's arguments (command.args). `utf8`: the client enabled
// IMAP4rev2 or UTF8=ACCEPT, so the name is UTF-8, else modified UTF-7.
// InvalidArgument with a fixed text for a BAD reply.
absl::StatusOr<StatusCommand> ParseStatusCommand(const std::vector<Arg>& args, bool utf8);

// The value of one item for a store mailbox: SIZE is size_bytes, DELETED
// the messages marked \Deleted, RECENT always 0.
uint64_t StatusItemValue(const store::v1::Mailbox& mailbox, StatusItem item);

// Appends "* STATUS <name> (MESSAGES 3 UIDNEXT 5)\r\n" with `items` in their
// order; the name is the mailbox's, an astring in UTF-8 when `utf8`, else in
// modified UTF-7. InvalidArgument (nothing written) when the mailbox's name
// is not valid UTF-8.
absl::Status AppendStatusResponse(std::string* out, const store::v1::Mailbox& mailbox,
                                  const std::vector<StatusItem>& items, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MAILBOXES_STATUS_ITEMS_H_
