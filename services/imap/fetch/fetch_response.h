// Assembles one "* n FETCH (...)" response (RFC 9051 7.5.2) from the parsed
// items, the message's metadata, its stored MIME structure and the section
// values the session read.
//
// STANDARDS
//   RFC 9051 / RFC 3501 7.5.2 / 7.4.2 (msg-att: FLAGS, INTERNALDATE
//   date-time, RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE, UID,
//   BODY[section]<origin>, RFC822, RFC822.HEADER, RFC822.TEXT); RFC 3516
//   (BINARY[part]<origin> as literal8 when it holds NUL, BINARY.SIZE);
//   RFC 7162 (MODSEQ (n)).
//
// As Dovecot: section values always go out as literals ("{0}\r\n" for an
// empty one); UID comes first for UID FETCH; FLAGS is added at the end when
// the fetch set \Seen and the client did not ask for it.
#ifndef KURIER_SERVICES_IMAP_FETCH_FETCH_RESPONSE_H_
#define KURIER_SERVICES_IMAP_FETCH_FETCH_RESPONSE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/mime/message_structure.pb.h"
#include "services/imap/fetch/fetch_items.h"
#include "services/imap/fetch/section_range.h"

namespace kurier::imap {

// What the store says about one message.
struct FetchMetadata {
  uint32_t uid = 0;
  std::vector<std::string> flags;
  absl::Time internal_date = absl::UnixEpoch();
  // The zone INTERNALDATE is written in (the offset kept with the date).
  absl::TimeZone internal_date_zone = absl::UTCTimeZone();
  uint64_t modseq = 0;
};

struct FetchResponseOptions {
  // UID FETCH: write UID (first) even when not asked for.
  bool uid_command = false;
  // \Seen was just set by this fetch: write FLAGS (last) even when not
  // asked for.
  bool flags_changed = false;
  // The client takes UTF-8 in quoted strings (IMAP4rev2, UTF8=ACCEPT).
  bool utf8 = false;
  // IMAP4rev2 grammar (message/global in BODYSTRUCTURE).
  bool imap4rev2 = false;
};

// RFC 9051 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (day space-padded), with
// the quotes.
std::string FormatInternalDate(absl::Time time, absl::TimeZone zone);

// Appends "* <seq> FETCH (<items>)\r\n" for `request`. `structure` must be
// non-null when request.needs_structure. `content` is called once per
// content item (RFC822*, BODY[...], BINARY[...], BINARY.SIZE) in order and
// returns its value (PlanFetchItem + the store read + MaterializeSection);
// its first error is returned and nothing is appended.
absl::Status AppendFetchResponse(std::string* out, uint32_t seq, const FetchRequest& request,
                                 const FetchMetadata& metadata, const mime::v1::MessageStructure* structure,
                                 absl::FunctionRef<absl::StatusOr<SectionContent>(const FetchItem&)> content,
                                 const FetchResponseOptions& options);

// A `content` callback for AppendFetchResponse when the whole message is in
// memory: ReadSection on it.
absl::StatusOr<SectionContent> ReadFetchItem(const mime::v1::MessageStructure& structure, absl::string_view message,
                                             const FetchItem& item);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_FETCH_FETCH_RESPONSE_H_
