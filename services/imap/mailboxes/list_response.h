// The answer to LIST and LSUB: which names of the account are listed, with
// which attributes and CHILDINFO, each followed by its STATUS response when
// RETURN (STATUS ...) asks. Pure functions over a parsed command and the
// mailboxes the store listed; the session writes the tagged OK.
//
// STANDARDS
//   RFC 9051 section 6.3.9 ("%" last lists hierarchy levels; the empty name
//     asks for the delimiter and root) and 7.3.1 (the LIST response and its
//     attributes); RFC 3501 6.3.8, 6.3.9, 7.2.2, 7.2.3 (rev1 LIST, LSUB).
//   RFC 5258 sections 3, 3.3, 3.5 and 4 (selection criteria, \NonExistent,
//     \Subscribed, CHILDINFO, \HasChildren / \HasNoChildren).
//   RFC 6154 (special-use attributes, the SPECIAL-USE selection option).
//   RFC 5819 section 2 (LIST-STATUS: a STATUS response after the LIST
//     response of each listed mailbox that can be selected).
//
// Choices where the RFCs leave room (most as Dovecot does):
//   - \HasChildren or \HasNoChildren is on every line, asked for or not
//     (RFC 5258 4 allows it), and so is a mailbox's special-use attribute
//     (RFC 6154 allows it), LSUB lines included.
//   - \Subscribed is sent with the SUBSCRIBED return option (given, or implied
//     by the selection option) and on LSUB lines. \NoInferiors, \Marked,
//     \Unmarked and \Remote are never sent.
//   - A hierarchy level that is not a mailbox ("a" when only "a/b" exists) is
//     listed when a pattern ending in "%" matches it and some mailbox below it
//     matches no pattern (RFC 5258 example 11: LIST "" (% music/rock) need not
//     list "music"): as \Noselect to a rev1 client's basic LIST (RFC 3501),
//     as \NonExistent with the extended syntax or IMAP4rev2 (RFC 5258: it
//     implies \Noselect and must be accurate).
//   - SUBSCRIBED and SPECIAL-USE selection together select mailboxes that
//     are both. REMOTE changes nothing: there are no remote mailboxes.
//   - CHILDINFO is sent only when a descendant that meets the selection
//     criteria matches no pattern (RFC 5258 3.5 says to suppress redundant
//     ones; its example 9 with "*" shows them anyway), written
//     ("CHILDINFO" ("SUBSCRIBED")) as in RFC 5258's examples.
//   - LSUB lists subscribed mailboxes; a level matching a pattern that ends in
//     "%", not itself subscribed, with a subscribed descendant that matches no
//     pattern, is listed \Noselect (RFC 3501 6.3.9).
//   - STATUS follows only mailboxes that exist and meet the selection
//     criteria, not parents listed for CHILDINFO (RFC 5819's example 2).
//   - INBOX is listed even when the store's list lacks it (then without
//     STATUS). Order: INBOX and its children first, then by name with "/"
//     before every other character, so children follow their parent.
//   - A store name that is not valid UTF-8, or is empty, cannot be sent and
//     is left out; the first of two mailboxes with one name wins.
#ifndef KURIER_SERVICES_IMAP_MAILBOXES_LIST_RESPONSE_H_
#define KURIER_SERVICES_IMAP_MAILBOXES_LIST_RESPONSE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/kurier/store/v1/store.pb.h"
#include "services/imap/mailboxes/list_command.h"

namespace kurier::imap {

// One name to list.
struct ListEntry {
  // UTF-8, as the store spells it ("" or the root for a root request).
  std::string name;
  // In the order sent: "\Noselect" or "\NonExistent", "\HasChildren" or
  // "\HasNoChildren", "\Subscribed", the special-use attribute.
  std::vector<std::string> attributes;
  // The selection options of the CHILDINFO item ("SUBSCRIBED",
  // "SPECIAL-USE"); empty: no CHILDINFO.
  std::vector<std::string> childinfo;
  // Non-null: a STATUS response for this mailbox follows the LIST line.
  // Points into the `mailboxes` given to SelectListEntries.
  const store::v1::Mailbox* status = nullptr;
};

// The special-use attribute for the store's special_use ("Sent" → "\Sent";
// any case); "" for none or a value RFC 6154 does not define.
absl::string_view SpecialUseAttribute(absl::string_view special_use);

// The names `command` lists from the account's `mailboxes`, in order.
// `imap4rev2`: the client enabled IMAP4rev2 (levels are \NonExistent).
std::vector<ListEntry> SelectListEntries(const ListCommand& command, const std::vector<store::v1::Mailbox>& mailboxes,
                                         bool imap4rev2);

// The untagged responses: "* LIST (\HasNoChildren) "/" INBOX\r\n" ("* LSUB"
// for LSUB), with " ("CHILDINFO" ("SUBSCRIBED"))" when set, and after it
// "* STATUS INBOX (MESSAGES 3)\r\n" when the entry asks. Names in UTF-8
// when `utf8` (IMAP4rev2 / UTF8=ACCEPT), else modified UTF-7.
std::string FormatListResponses(const ListCommand& command, const std::vector<store::v1::Mailbox>& mailboxes, bool utf8,
                                bool imap4rev2);

// One entry as FormatListResponses writes it (the STATUS line included).
// False, with nothing written, when the name is not valid UTF-8.
bool AppendListEntry(std::string* out, const ListCommand& command, const ListEntry& entry, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MAILBOXES_LIST_RESPONSE_H_
