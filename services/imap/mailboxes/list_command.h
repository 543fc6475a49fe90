// The arguments of LIST (basic and extended) and LSUB parsed into a
// ListCommand. Pure functions over the codec's Arg tree; list_response.h
// turns a command and the account's mailboxes into responses.
//
// STANDARDS
//   RFC 9051 section 6.3.9 (LIST: [(selection options)] reference
//     pattern-or-(patterns) [RETURN (return options)]), 6.3.9.1 and 6.3.9.2
//     (the options), 9 (grammar: list, list-select-opts, list-return-opts).
//   RFC 5258 section 3 (LIST-EXTENDED: SUBSCRIBED, REMOTE, RECURSIVEMATCH;
//     RETURN SUBSCRIBED, CHILDREN; unknown options are BAD; an option given
//     twice counts once; RECURSIVEMATCH alone or with only REMOTE is BAD).
//   RFC 6154 section 3 (SPECIAL-USE selection and return options).
//   RFC 5819 section 2 (LIST-STATUS: RETURN (STATUS (items))).
//   RFC 3501 section 6.3.9 (LSUB reference pattern).
//   RFC 3501 5.1.3 / RFC 9051 5.1 and RFC 6855 (names in modified UTF-7, or
//     UTF-8 once IMAP4rev2 or UTF8=ACCEPT is enabled).
//
// SECURITY
//   The arguments are client-controlled; the codec bounds their number and
//   size. Reference and patterns are decoded strictly (an invalid modified
//   UTF-7 or UTF-8 name is BAD, so one pattern has one meaning). Error texts
//   are fixed strings that never echo client bytes.
#ifndef KURIER_SERVICES_IMAP_MAILBOXES_LIST_COMMAND_H_
#define KURIER_SERVICES_IMAP_MAILBOXES_LIST_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/mailboxes/status_items.h"

namespace kurier::imap {

// RFC 5258 / RFC 6154 selection options: which names are listed.
struct ListSelectOptions {
  bool subscribed = false;       // subscribed mailboxes only
  bool remote = false;           // accepted; this server has no remote ones
  bool recursive_match = false;  // also parents of matches, with CHILDINFO
  bool special_use = false;      // special-use mailboxes only
};

// RFC 5258 / RFC 6154 / RFC 5819 return options: what is said of each name.
struct ListReturnOptions {
  // \Subscribed; implied by the SUBSCRIBED selection option.
  bool subscribed = false;
  // \HasChildren / \HasNoChildren (sent whether asked or not).
  bool children = false;
  // \Sent...; implied by the SPECIAL-USE selection option (sent whether
  // asked or not).
  bool special_use = false;
  // A STATUS response with `status_items` (then at least one) after the
  // LIST response of each selectable mailbox.
  bool status = false;
  std::vector<StatusItem> status_items;
};

struct ListCommand {
  // LSUB rather than LIST.
  bool lsub = false;
  // RFC 5258's extended syntax: a selection option list, a pattern list, or
  // RETURN was given. Non-existent names are then \NonExistent, not
  // \Noselect, and CHILDINFO may be sent.
  bool extended = false;
  ListSelectOptions select;
  // With the options the selection implies added.
  ListReturnOptions ret;
  // UTF-8, decoded; "" when empty.
  std::string reference;
  // UTF-8, decoded, in the order given; at least one.
  std::vector<std::string> patterns;
  // LIST whose pattern is an empty string (not a pattern list), whatever
  // the options: asks for the delimiter and the reference's root name
  // (RFC 9051 6.3.9), answered with one \Noselect line.
  bool root_request = false;
};

// Parses LIST's arguments (command.args). `utf8`: the client enabled
// IMAP4rev2 or UTF8=ACCEPT. InvalidArgument with a fixed text for a BAD
// reply (unknown option, RECURSIVEMATCH without SUBSCRIBED or SPECIAL-USE,
// bad status item, invalid name, missing or extra arguments).
absl::StatusOr<ListCommand> ParseListCommand(const std::vector<Arg>& args, bool utf8);

// Parses LSUB's arguments: reference pattern. Same errors.
absl::StatusOr<ListCommand> ParseLsubCommand(const std::vector<Arg>& args, bool utf8);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MAILBOXES_LIST_COMMAND_H_
