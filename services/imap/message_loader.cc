#include "services/imap/message_loader.h"

#include "services/common/mime/mime_parser.h"
#include "services/imap/message_set.h"

namespace kurier::imap {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// ReadMessagesRequest allows at most this many UIDs per call.
constexpr size_t kMaxUidsPerRead = 1000;

asio::awaitable<absl::StatusOr<std::vector<v1::MessageInfo>>> LoadInfos(store_client::StoreClient& store,
                                                                        const std::string& account,
                                                                        const std::string& mailbox,
                                                                        const std::vector<uint32_t>& sorted_uids,
                                                                        bool with_structure) {
  std::vector<v1::MessageInfo> infos;
  if (sorted_uids.empty()) co_return infos;
  v1::FetchMessagesRequest request;
  request.set_account(account);
  request.set_mailbox(mailbox);
  request.set_without_structure(!with_structure);
  for (const v1::UidRange& range : ToUidRanges(sorted_uids)) *request.add_uids() = range;
  absl::StatusOr<v1::FetchMessagesResponse> response = co_await store.FetchMessages(std::move(request));
  if (!response.ok()) co_return response.status();
  infos.reserve(response->messages_size());
  for (v1::MessageInfo& info : *response->mutable_messages()) infos.push_back(std::move(info));
  co_return infos;
}

asio::awaitable<absl::StatusOr<std::vector<std::optional<std::string>>>> LoadContents(
    store_client::StoreClient& store, const std::string& account, const std::string& mailbox,
    const std::vector<v1::MessageInfo>& infos, bool header_only) {
  std::vector<std::optional<std::string>> contents(infos.size());
  size_t next = 0;
  while (next < infos.size()) {
    v1::ReadMessagesRequest request;
    request.set_account(account);
    request.set_mailbox(mailbox);
    request.set_header_only(header_only);
    for (size_t i = next; i < infos.size() && i < next + kMaxUidsPerRead; ++i) request.add_uids(infos[i].uid());
    absl::StatusOr<v1::ReadMessagesResponse> response = co_await store.ReadMessages(std::move(request));
    if (!response.ok()) co_return response.status();
    if (response->messages().empty()) co_return absl::InternalError("the store returned no message");
    // A prefix of the UIDs asked for comes back, in order.
    for (v1::ReadMessagesResponse::Content& content : *response->mutable_messages()) {
      if (content.found()) contents[next] = std::move(*content.mutable_data());
      ++next;
    }
  }
  co_return contents;
}

asio::awaitable<absl::StatusOr<LoadedMessages>> LoadInfosWithContents(store_client::StoreClient& store,
                                                                      const std::string& account,
                                                                      const std::string& mailbox,
                                                                      const std::vector<uint32_t>& sorted_uids,
                                                                      bool with_structure) {
  LoadedMessages loaded;
  loaded.infos.reserve(sorted_uids.size());
  loaded.contents.reserve(sorted_uids.size());
  size_t next = 0;
  while (next < sorted_uids.size()) {
    v1::ReadMessagesRequest request;
    request.set_account(account);
    request.set_mailbox(mailbox);
    request.set_with_info(true);
    request.set_without_structure(!with_structure);
    for (size_t i = next; i < sorted_uids.size() && i < next + kMaxUidsPerRead; ++i) request.add_uids(sorted_uids[i]);
    absl::StatusOr<v1::ReadMessagesResponse> response = co_await store.ReadMessages(std::move(request));
    if (!response.ok()) co_return response.status();
    if (response->messages().empty()) co_return absl::InternalError("the store returned no message");
    // A prefix of the UIDs asked for comes back, in order.
    for (v1::ReadMessagesResponse::Content& content : *response->mutable_messages()) {
      ++next;
      if (!content.found()) continue;
      loaded.infos.push_back(std::move(*content.mutable_info()));
      loaded.contents.push_back(std::move(*content.mutable_data()));
    }
  }
  co_return loaded;
}

::kurier::mime::v1::MessageStructure StructureOf(const v1::MessageInfo& info, const std::string* content) {
  ::kurier::mime::v1::MessageStructure structure;
  if (!info.structure().empty() && structure.ParseFromString(info.structure())) return structure;
  if (content != nullptr) return mime::ParseMessage(*content);
  return structure;
}

}  // namespace kurier::imap
