// The command arguments RFC 7162 section 3.1 (CONDSTORE) adds, parsed from
// the codec's Arg tree: the FETCH modifier CHANGEDSINCE, the STORE modifier
// UNCHANGEDSINCE and the SELECT/EXAMINE parameter CONDSTORE. Pure functions
// (the codec and Abseil only); the handlers act on the result.
//
// STANDARDS
//   RFC 7162 section 7 (formal syntax): fetch-modifier (chgsince-fetch-mod
//   = "CHANGEDSINCE" SP mod-sequence-value), store-modifier
//   ("UNCHANGEDSINCE" SP mod-sequence-valzer), select-param ("CONDSTORE"),
//   mod-sequence-value (1 to 2^63-1), mod-sequence-valzer ("0" or a
//   mod-sequence-value). RFC 4466 section 2 (a modifier list is a
//   parenthesized, non-empty list; each modifier at most once). VANISHED and
//   QRESYNC (section 3.2) are not supported and are refused.
//
// SECURITY
//   The arguments are client input. Numbers are bounded (at most 19 digits,
//   at most 2^63-1); failures are InvalidArgument with a fixed message (no
//   client bytes) that the session answers as "<tag> BAD <message>".
#ifndef KURIER_SERVICES_IMAP_CONDSTORE_ARGS_H_
#define KURIER_SERVICES_IMAP_CONDSTORE_ARGS_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap {

// The largest mod-sequence (RFC 7162: a positive 63-bit integer).
inline constexpr uint64_t kMaxModSequence = 0x7fffffffffffffffULL;

// A mod-sequence-value (1..2^63-1), or with allow_zero a
// mod-sequence-valzer (0..2^63-1): an atom of digits only. nullopt for
// anything else.
std::optional<uint64_t> ParseModSequence(const Arg& arg, bool allow_zero);

// FETCH's optional third argument, "(CHANGEDSINCE n)".
struct FetchModifiers {
  // Only messages whose mod-sequence is above it; MODSEQ in each response.
  std::optional<uint64_t> changed_since;
};
absl::StatusOr<FetchModifiers> ParseFetchModifiers(const Arg& list);

// STORE's optional second argument, "(UNCHANGEDSINCE n)".
struct StoreModifiers {
  // Messages whose mod-sequence is above it are left alone (0: all are).
  std::optional<uint64_t> unchanged_since;
};
absl::StatusOr<StoreModifiers> ParseStoreModifiers(const Arg& list);

// SELECT's and EXAMINE's optional second argument, "(CONDSTORE)".
struct SelectParams {
  bool condstore = false;
};
absl::StatusOr<SelectParams> ParseSelectParams(const Arg& list);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CONDSTORE_ARGS_H_
