// The messages a command names: a sequence set of sequence numbers or UIDs,
// or "$" (the saved search result, RFC 5182), resolved against the selected
// mailbox to the UIDs it holds.
#ifndef KURIER_SERVICES_IMAP_MESSAGE_SET_H_
#define KURIER_SERVICES_IMAP_MESSAGE_SET_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/kurier/store/v1/store.pb.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/codec/sequence_set.h"
#include "services/imap/selected/selected_mailbox.h"

namespace kurier::imap {

// Sorted UIDs of messages in `mailbox`. InvalidArgument (a text for BAD)
// for a malformed set or a sequence number past the last message.
absl::StatusOr<std::vector<uint32_t>> ResolveMessageSet(const SelectedMailbox& mailbox, const Arg& arg, bool uid,
                                                        const std::vector<NumberRange>& saved);

// Sorted numbers as ranges (runs merged).
std::vector<NumberRange> ToNumberRanges(const std::vector<uint32_t>& sorted);

// Sorted UIDs as the store's ranges (runs merged).
std::vector<::kurier::store::v1::UidRange> ToUidRanges(const std::vector<uint32_t>& sorted_uids);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MESSAGE_SET_H_
