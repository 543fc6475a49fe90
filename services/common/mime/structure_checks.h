// Invariants of a MessageStructure against the message it was parsed from,
// shared by the corpus test and the fuzz target (testonly).
#ifndef KURIER_SERVICES_COMMON_MIME_STRUCTURE_CHECKS_H_
#define KURIER_SERVICES_COMMON_MIME_STRUCTURE_CHECKS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"

namespace kurier::mime {

// Returns the violated invariants (empty when all hold):
//   - sizes: size is the message size, the top-level header starts at 0;
//   - every part: header_offset + header_size == body_offset; its ranges lie
//     inside its parent's body; children are in order and do not overlap; a
//     message part's message_body starts at its body_offset;
//   - body_lines and the bare LF counts match the bytes of the ranges;
//   - type, subtype and encoding are never empty; nesting within kMaxDepth,
//     part count within kMaxParts;
//   - address lists: group markers balanced, ordinary addresses have a
//     mailbox and a host;
//   - serialization round-trips to the same bytes.
std::vector<std::string> CheckStructure(const v1::MessageStructure& structure, absl::string_view message);

// Group markers balanced and no ordinary address without mailbox or host.
std::vector<std::string> CheckAddresses(const google::protobuf::RepeatedPtrField<v1::Address>& addresses);

}  // namespace kurier::mime

#endif  // KURIER_SERVICES_COMMON_MIME_STRUCTURE_CHECKS_H_
