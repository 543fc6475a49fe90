// MailStore: the outbound queue, messages waiting for the relay service.
//
// Deliver puts an entry on it in the same write as the local copies
// (QueueOutbound). An entry's bytes are a reference in the content-addressed
// blob store, like a message copy, so a message that is both delivered here
// and relayed is stored once; the queue counts against no account's quota.
// Ids are 16 hex digits of the time queued in microseconds (never below the
// last id's) and 8 hex digits of a counter: they sort in queue order.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/mail_store_impl.h"

namespace kurier::storage {
namespace {

// Addresses of the relay are other systems': only what would break the SMTP
// dialogue or the path length (RFC 5321 4.5.3.1.3) is refused.
absl::Status CheckPath(std::string_view what, std::string_view address) {
  if (address.empty() || address.size() > 254 || address.find('@') == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("outbound ", std::string(what), " is not an address: \"",
                                                   std::string(address), "\""));
  }
  for (unsigned char c : address) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat("outbound ", std::string(what), " contains a control character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckOutbound(const v1::OutboundMessage& outbound) {
  if (outbound.recipients().empty()) return absl::InvalidArgumentError("the outbound message has no recipients");
  if (!outbound.envelope_from().empty()) {
    if (absl::Status s = CheckPath("sender", outbound.envelope_from()); !s.ok()) return s;
  }
  for (const v1::OutboundRecipient& recipient : outbound.recipients()) {
    if (absl::Status s = CheckPath("recipient", recipient.address()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MailStoreImpl::QueueOutbound(WriteTxn& txn, v1::OutboundMessage outbound,
                                                         const std::string& content, const std::string& blob_id) {
  const absl::Time now = Now();
  last_outbound_micros_ = std::max<uint64_t>(last_outbound_micros_, absl::ToUnixMicros(now));
  std::string id;
  for (;;) {  // taken only if the clock was set back across a restart
    id = absl::StrFormat("%016x%08x", last_outbound_micros_, outbound_counter_++);
    auto taken = txn.Get(kOutbound, id);
    if (!taken.ok()) return taken.status();
    if (!taken->has_value()) break;
  }
  if (absl::Status s = AddBlobRef(txn, blob_id, &content); !s.ok()) return s;
  OutboundRecord record;
  outbound.clear_content();
  outbound.set_id(id);
  outbound.set_queued_at(absl::ToUnixSeconds(now));
  outbound.set_size(content.size());
  *record.mutable_message() = std::move(outbound);
  record.set_blob_id(blob_id);
  txn.Put(kOutbound, id, record.SerializeAsString());
  return id;
}

absl::StatusOr<v1::ListOutboundResponse> MailStoreImpl::ListOutbound(const v1::ListOutboundRequest& request) {
  const uint32_t limit = request.limit() == 0 ? 100 : std::min<uint32_t>(request.limit(), 1000);
  SnapshotReader reader(db_.get(), &cfs_);
  v1::ListOutboundResponse response;
  const std::string begin = request.after().empty() ? std::string() : request.after() + std::string(1, '\0');
  absl::Status inner;
  absl::Status s = reader.Scan(kOutbound, begin, "", [&](std::string_view, std::string_view value) {
    OutboundRecord record;
    if (!record.ParseFromArray(value.data(), value.size())) {
      inner = absl::DataLossError("corrupt outbound record");
      return false;
    }
    v1::OutboundMessage* message = response.add_messages();
    *message = std::move(*record.mutable_message());
    if (request.include_content()) {
      auto content = reader.Get(kBlobs, record.blob_id());
      if (!content.ok() || !content->has_value()) {
        inner = content.ok() ? absl::DataLossError(absl::StrCat("blob ", record.blob_id(), " is missing"))
                             : content.status();
        return false;
      }
      message->set_content(std::move(**content));
    }
    return static_cast<uint32_t>(response.messages_size()) < limit;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return response;
}

absl::Status MailStoreImpl::DeleteOutbound(std::string_view id) {
  return writer_->Run([&](WriteTxn& txn) -> absl::Status {
    auto bytes = txn.Get(kOutbound, id);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return absl::NotFoundError(absl::StrCat("no queued message ", std::string(id)));
    OutboundRecord record;
    if (!record.ParseFromString(**bytes)) return absl::DataLossError("corrupt outbound record");
    if (absl::Status s = DropBlobRef(txn, record.blob_id()); !s.ok()) return s;
    txn.Delete(kOutbound, id);
    return absl::OkStatus();
  });
}

}  // namespace kurier::storage
