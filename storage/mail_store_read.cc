// MailStore::ReadMessages: the content of messages for FETCH, RETR and
// SEARCH. A FETCH asks for runs of consecutive UIDs, so the records are read
// by scanning those runs, and the blobs of a response in one MultiGet; both
// are far cheaper than a point lookup per key.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "storage/mail_store_impl.h"

namespace kurier::storage {
namespace {

constexpr uint64_t kMaxBytes = 4 << 20;
constexpr int kMaxUids = 1000;

// The length of the header with the empty line that ends it; the whole
// message when it has no body.
size_t HeaderEnd(std::string_view message) {
  const size_t crlf = message.find("\r\n\r\n");
  const size_t lf = message.find("\n\n");
  const size_t end = std::min(crlf == std::string_view::npos ? message.size() : crlf + 4,
                              lf == std::string_view::npos ? message.size() : lf + 2);
  return end;
}

// The records of `uids` that exist, read by scanning each run of
// consecutive UIDs (UID 0 names no message).
absl::StatusOr<absl::flat_hash_map<uint32_t, v1::MessageInfo>> LocateMessages(
    KvReader& reader, uint64_t account_id, const v1::Mailbox& mailbox,
    const google::protobuf::RepeatedField<uint32_t>& uids, bool with_structure) {
  const google::protobuf::RepeatedPtrField<v1::UidRange> runs = UidRuns({uids.begin(), uids.end()});
  absl::flat_hash_map<uint32_t, v1::MessageInfo> located;
  if (runs.empty()) return located;
  located.reserve(uids.size());
  absl::Status s = ForEachMessage(reader, account_id, mailbox, runs, [&](v1::MessageInfo& message) {
    if (!with_structure) message.clear_structure();
    const uint32_t uid = message.uid();
    located[uid] = std::move(message);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return located;
}

// A found message whose content is still to be read.
struct PendingContent {
  int response_index = 0;
  uint64_t recorded_size = 0;
};

}  // namespace

absl::StatusOr<v1::ReadMessagesResponse> MailStoreImpl::ReadMessages(const v1::ReadMessagesRequest& request) {
  if (request.uids_size() > kMaxUids) return absl::InvalidArgumentError("at most 1000 UIDs per call");
  const uint64_t max_bytes = request.max_bytes() == 0 ? kMaxBytes : std::min<uint64_t>(request.max_bytes(), kMaxBytes);
  const bool header_only = request.header_only();
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  auto mailbox = FindMailbox(reader, record->account().id(), request.mailbox());
  if (!mailbox.ok()) return mailbox.status();
  auto located = LocateMessages(reader, record->account().id(), *mailbox, request.uids(),
                                request.with_info() && !request.without_structure());
  if (!located.ok()) return located.status();

  // The prefix of the UIDs that fits, decided on the recorded sizes before
  // any blob is read (a header's size is known only after).
  v1::ReadMessagesResponse response;
  std::vector<PendingContent> pending;
  std::vector<std::string> blob_ids;
  uint64_t planned = 0;
  for (uint32_t uid : request.uids()) {
    auto it = located->find(uid);
    if (it == located->end()) {
      response.add_messages()->set_uid(uid);
      continue;
    }
    const v1::MessageInfo& info = it->second;
    // A structure sent along counts too (the MIME tree of odd mail can be
    // large).
    const uint64_t size = (header_only ? 0 : info.size()) + (request.with_info() ? info.structure().size() : 0);
    if (size > max_bytes || (planned + size > max_bytes && response.messages_size() > 0)) break;
    planned += size;
    v1::ReadMessagesResponse::Content* out = response.add_messages();
    out->set_uid(uid);
    out->set_found(true);
    if (request.with_info()) *out->mutable_info() = info;
    pending.push_back({response.messages_size() - 1, info.size()});
    blob_ids.push_back(info.blob_id());
  }

  // The blobs, in batches of at most max_bytes as recorded: a header-only
  // read still pins whole blobs until their header is cut.
  uint64_t total = 0;
  int cut_after = -1;  // header_only: the response ends with this message
  for (size_t begin = 0; begin < pending.size() && cut_after < 0;) {
    size_t end = begin;
    uint64_t batch_bytes = 0;
    while (end < pending.size() && (end == begin || batch_bytes + pending[end].recorded_size <= max_bytes)) {
      batch_bytes += pending[end++].recorded_size;
    }
    const std::vector<std::string> keys(blob_ids.begin() + begin, blob_ids.begin() + end);
    absl::Status s = reader.MultiGet(kBlobs, keys, [&](size_t i, std::optional<std::string_view> value) {
      if (!value.has_value()) return absl::DataLossError(absl::StrCat("blob ", keys[i], " is missing"));
      if (cut_after >= 0) return absl::OkStatus();
      std::string_view data = *value;
      if (header_only) data = data.substr(0, HeaderEnd(data));
      const int index = pending[begin + i].response_index;
      response.mutable_messages(index)->set_data(data.data(), data.size());
      total += data.size();
      if (header_only && total >= max_bytes) cut_after = index;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    begin = end;
  }
  if (cut_after >= 0) {
    response.mutable_messages()->DeleteSubrange(cut_after + 1, response.messages_size() - cut_after - 1);
  }
  return response;
}

}  // namespace kurier::storage
