// Reads messages of the selected mailbox from the store for FETCH and
// SEARCH: metadata (and MIME structures) by UID ranges, content (alone or
// with the metadata) in batches of at most the store's 4 MiB per call.
#ifndef KURIER_SERVICES_IMAP_MESSAGE_LOADER_H_
#define KURIER_SERVICES_IMAP_MESSAGE_LOADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/mime/message_structure.pb.h"
#include "services/common/store_client/store_client.h"

namespace kurier::imap {

// MessageInfo of those `uids` that still exist, in UID order.
boost::asio::awaitable<absl::StatusOr<std::vector<::kurier::store::v1::MessageInfo>>> LoadInfos(
    store_client::StoreClient& store, const std::string& account, const std::string& mailbox,
    const std::vector<uint32_t>& sorted_uids, bool with_structure);

// The content of each of `infos` (only the header with header_only), in the
// same order; nullopt for a message expunged meanwhile.
boost::asio::awaitable<absl::StatusOr<std::vector<std::optional<std::string>>>> LoadContents(
    store_client::StoreClient& store, const std::string& account, const std::string& mailbox,
    const std::vector<::kurier::store::v1::MessageInfo>& infos, bool header_only = false);

// Records and contents of a batch, parallel: contents[i] is infos[i]'s.
struct LoadedMessages {
  std::vector<::kurier::store::v1::MessageInfo> infos;
  std::vector<std::string> contents;
};

// MessageInfo and content of those `sorted_uids` that still exist, in UID
// order, read together (ReadMessages with_info): one round trip per 4 MiB
// instead of LoadInfos and then LoadContents.
boost::asio::awaitable<absl::StatusOr<LoadedMessages>> LoadInfosWithContents(
    store_client::StoreClient& store, const std::string& account, const std::string& mailbox,
    const std::vector<uint32_t>& sorted_uids, bool with_structure);

// The stored structure, or the content parsed when none was stored (mail
// written by an older version or by a tool without a parser).
::kurier::mime::v1::MessageStructure StructureOf(const ::kurier::store::v1::MessageInfo& info,
                                                 const std::string* content);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_MESSAGE_LOADER_H_
