#include "services/imap/message_loader.h"

#include <functional>

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

namespace {

// ReadMessages for `count` UIDs (uid_at(i)), call after call, until each has
// come back: the store answers a prefix that fits its 4 MiB. `prepare` sets
// the request's options; `take` gets every answer in order.
asio::awaitable<absl::Status> ReadAll(store_client::StoreClient& store, const std::string& account,
                                      const std::string& mailbox, size_t count,
                                      const std::function<uint32_t(size_t)>& uid_at,
                                      const std::function<void(v1::ReadMessagesRequest&)>& prepare,
                                      const std::function<void(size_t, v1::ReadMessagesResponse::Content&)>& take) {
  size_t next = 0;
  while (next < count) {
    v1::ReadMessagesRequest request;
    request.set_account(account);
    request.set_mailbox(mailbox);
    prepare(request);
    for (size_t i = next; i < count && i < next + kMaxUidsPerRead; ++i) request.add_uids(uid_at(i));
    absl::StatusOr<v1::ReadMessagesResponse> response = co_await store.ReadMessages(std::move(request));
    if (!response.ok()) co_return response.status();
    if (response->messages().empty()) co_return absl::InternalError("the store returned no message");
    for (v1::ReadMessagesResponse::Content& content : *response->mutable_messages()) take(next++, content);
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<absl::StatusOr<std::vector<std::optional<std::string>>>> LoadContents(
    store_client::StoreClient& store, const std::string& account, const std::string& mailbox,
    const std::vector<v1::MessageInfo>& infos, bool header_only) {
  std::vector<std::optional<std::string>> contents(infos.size());
  absl::Status read = co_await ReadAll(
      store, account, mailbox, infos.size(), [&](size_t i) { return infos[i].uid(); },
      [&](v1::ReadMessagesRequest& request) { request.set_header_only(header_only); },
      [&](size_t i, v1::ReadMessagesResponse::Content& content) {
        if (content.found()) contents[i] = std::move(*content.mutable_data());
      });
  if (!read.ok()) co_return read;
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
  absl::Status read = co_await ReadAll(
      store, account, mailbox, sorted_uids.size(), [&](size_t i) { return sorted_uids[i]; },
      [&](v1::ReadMessagesRequest& request) {
        request.set_with_info(true);
        request.set_without_structure(!with_structure);
      },
      [&](size_t, v1::ReadMessagesResponse::Content& content) {
        if (!content.found()) return;
        loaded.infos.push_back(std::move(*content.mutable_info()));
        loaded.contents.push_back(std::move(*content.mutable_data()));
      });
  if (!read.ok()) co_return read;
  co_return loaded;
}

::kurier::mime::v1::MessageStructure StructureOf(const v1::MessageInfo& info, const std::string* content) {
  ::kurier::mime::v1::MessageStructure structure;
  if (!info.structure().empty() && structure.ParseFromString(info.structure())) return structure;
  if (content != nullptr) return mime::ParseMessage(*content);
  return structure;
}

}  // namespace kurier::imap
