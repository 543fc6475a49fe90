// The pattern side of LIST and LSUB: a reference and a mailbox pattern
// joined into one canonical pattern, matched against UTF-8 mailbox names
// with "/" as the hierarchy delimiter. Pure functions.
//
// STANDARDS
//   RFC 9051 section 6.3.9 and RFC 3501 section 6.3.8 (reference and mailbox
//     name interpretation; "*" matches any characters, "%" any but the
//     delimiter; an empty pattern asks for the delimiter and root name).
//   RFC 9051 section 5.1 (INBOX is case-insensitive).
//
// Choices where the RFCs leave room (RFC 9051 6.3.9 calls the reference
// implementation-defined):
//   - The reference is taken literally (a "*" or "%" in it is no wildcard)
//     and the pattern is appended as is: "archive/" + "%" is "archive/%",
//     and "foo/bar" + "baz" is "foo/barbaz" (one of the readings RFC 9051
//     allows; Dovecot's too). A pattern starting with "/" ignores the
//     reference (RFC 3501's "/usr/doc/foo" example).
//   - INBOX: the store names the inbox "INBOX" and its children "INBOX/x".
//     In such a name the five letters of INBOX match a pattern in any case,
//     so "inbox", "Inbox/%", "inb*" and "INBOX/foo" find them (RFC 9051 5.1
//     makes INBOX case-insensitive; a child's name is INBOX's name plus the
//     delimiter, as in Dovecot and Cyrus). The rest of every name, and every
//     other name ("Inboxes", "inbox2"), matches case-sensitively.
//
// SECURITY
//   Patterns are client-controlled and may be long (up to the codec's line
//   limit). Runs of wildcards are collapsed and matching runs the pattern's
//   automaton on 64 states per machine word: O(name length x pattern length
//   / 64), no backtracking; a pattern with more literal characters than the
//   name is refused at once. Memory is a bit per pattern character and byte
//   value it uses.
#ifndef KURIER_SERVICES_IMAP_MAILBOXES_LIST_MATCHER_H_
#define KURIER_SERVICES_IMAP_MAILBOXES_LIST_MATCHER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kurier::imap {

// The hierarchy delimiter of every Kurier mailbox name.
inline constexpr char kMailboxDelimiter = '/';

// True for "INBOX" and for names below it ("INBOX/Sub"), exactly as the
// store spells them.
bool IsInboxOrChild(absl::string_view name);

// A reference joined with one pattern (both UTF-8), ready to match names.
class ListPattern {
 public:
  ListPattern(absl::string_view reference, absl::string_view pattern);

  // True when `name` (UTF-8, as the store spells it) matches.
  bool Matches(absl::string_view name) const;

  // True when the pattern's last character is the "%" wildcard: then the
  // hierarchy levels it matches are listed even when they are not mailboxes
  // (RFC 9051 6.3.9; RFC 3501 6.3.9 for LSUB).
  bool ends_with_percent() const { return ends_with_percent_; }

 private:
  // Bit k of a state set: the name read so far matches the first k tokens.
  using Bits = std::vector<uint64_t>;
  void Append(absl::string_view text, bool wildcards);
  void Compile();
  // The tokens that are the character `c` (nullptr: none).
  const uint64_t* CharMask(unsigned char c) const;

  // Built by the constructor, then only read.
  enum class Kind { kChar, kStar, kPercent };
  struct Token {
    Kind kind;
    char c;
  };
  std::vector<Token> tokens_;
  size_t literal_chars_ = 0;
  bool ends_with_percent_ = false;
  size_t words_ = 0;                 // 64-bit words per state set
  std::vector<int16_t> char_index_;  // byte -> row of char_masks_, or -1
  Bits char_masks_;                  // one row of words_ per byte used
  Bits star_, percent_, wildcard_;   // the tokens of each kind
};

// The root name in the answer to an empty pattern ("LIST ref """): the
// reference up to and including its first delimiter, or "" when it has none
// (RFC 9051 6.3.9: "/usr/staff/jones" gives "/"; as UW-IMAP and Dovecot).
std::string ListRootName(absl::string_view reference);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MAILBOXES_LIST_MATCHER_H_
