// MailStore: delivering, appending, reading, flagging, copying and expunging
// messages.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "storage/mail_store_impl.h"
#include "storage/names.h"

namespace kurier::storage {
namespace {

bool OverQuota(const v1::Account& account, uint64_t extra_bytes) {
  return account.quota_bytes() != 0 && account.used_bytes() + extra_bytes > account.quota_bytes();
}

absl::Status QuotaError(const v1::Account& account) {
  return absl::ResourceExhaustedError(
      absl::StrCat("over quota: the mailbox of ", account.name(), " holds ", account.used_bytes(), " of ",
                   account.quota_bytes(), " bytes"));
}

// The size of `content` once every bare LF and bare CR became CRLF and an
// unterminated last line got its CRLF: what a POP3 or IMAP client receives.
uint64_t WireSize(const std::string& content) {
  uint64_t size = content.size();
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r')) ++size;
    if (content[i] == '\r' && (i + 1 == content.size() || content[i + 1] != '\n')) ++size;
  }
  if (!content.empty() && content.back() != '\n' && content.back() != '\r') size += 2;
  return size;
}

// The parts of a new message that do not depend on where it goes.
absl::StatusOr<v1::MessageInfo> NewMessage(const std::string& content, const std::string& structure,
                                           const google::protobuf::RepeatedPtrField<std::string>& flags,
                                           int64_t internal_date, uint64_t max_bytes) {
  if (content.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("message of ", content.size(), " bytes is larger than the maximum of ", max_bytes));
  }
  auto normalized = NormalizeFlags(std::vector<std::string>(flags.begin(), flags.end()));
  if (!normalized.ok()) return normalized.status();
  v1::MessageInfo message;
  message.mutable_flags()->Assign(normalized->begin(), normalized->end());
  message.set_internal_date(internal_date != 0 ? internal_date : absl::ToUnixSeconds(absl::Now()));
  message.set_size(content.size());
  message.set_wire_size(WireSize(content));
  message.set_blob_id(Sha256Hex(content));  // hashed here, off the writer thread
  message.set_structure(structure);
  return message;
}

}  // namespace

absl::StatusOr<v1::DeliverResponse> MailStoreImpl::Deliver(const v1::DeliverRequest& request) {
  const bool queue = request.has_outbound();
  if (request.recipients().empty() && !queue) return absl::InvalidArgumentError("no recipients");
  auto message = NewMessage(request.content(), request.structure(), request.flags(), request.internal_date(),
                            options_.max_message_bytes);
  if (!message.ok()) return message.status();
  // The queued bytes: the outbound part's own, else the local copies'.
  const bool own_content = queue && !request.outbound().content().empty();
  const std::string& outbound_content = own_content ? request.outbound().content() : request.content();
  std::string outbound_blob;
  if (queue) {
    if (absl::Status c = CheckOutbound(request.outbound()); !c.ok()) return c;
    if (outbound_content.size() > options_.max_message_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat("outbound message of ", outbound_content.size(),
                                                       " bytes is larger than the maximum of ",
                                                       options_.max_message_bytes));
    }
    outbound_blob = own_content ? Sha256Hex(outbound_content) : message->blob_id();
  }
  const std::string mailbox_name = request.mailbox().empty() ? "INBOX" : request.mailbox();
  if (auto n = NormalizeMailboxName(mailbox_name); !n.ok()) return n.status();

  v1::DeliverResponse response;
  if (request.forget_idempotency_keys_size() > 10000) return absl::InvalidArgumentError("at most 10000 keys to forget");
  absl::Status s = RunIdempotent("Deliver", request.idempotency_key(), &response, [&](WriteTxn& txn) -> absl::Status {
    response.clear_results();
    response.clear_outbound_id();
    // Recipients of the same account (aliases, case) get one copy.
    std::map<uint64_t, std::vector<int>> by_account;
    std::map<uint64_t, AccountRecord> records;
    for (const std::string& recipient : request.recipients()) {
      v1::RecipientResult* result = response.add_results();
      result->set_recipient(recipient);
      auto record = LoadAccountByAddress(txn, recipient);
      if (absl::IsNotFound(record.status()) || absl::IsInvalidArgument(record.status())) {
        result->set_outcome(v1::RecipientResult::UNKNOWN_RECIPIENT);
        continue;
      }
      if (!record.ok()) return record.status();
      const uint64_t id = record->account().id();
      by_account[id].push_back(response.results_size() - 1);
      records.emplace(id, *std::move(record));
    }
    for (auto& [id, indexes] : by_account) {
      AccountWriter writer = Writer(txn, std::move(records[id]));
      const v1::Account& account = writer.record().account();
      v1::RecipientResult::Outcome outcome = v1::RecipientResult::OVER_QUOTA;
      uint32_t uid = 0, uid_validity = 0;
      if (!OverQuota(account, message->size())) {
        auto mailbox = FindMailbox(txn, id, mailbox_name);
        if (absl::IsNotFound(mailbox.status())) mailbox = FindMailbox(txn, id, "INBOX");  // no such folder: INBOX
        if (!mailbox.ok()) return mailbox.status();
        if (absl::Status a = writer.AddMessage(*mailbox, *message, &request.content(), &uid); !a.ok()) return a;
        writer.SaveMailbox(*mailbox);
        writer.Save();
        outcome = v1::RecipientResult::DELIVERED;
        uid_validity = mailbox->uid_validity();
      }
      for (int i : indexes) {
        v1::RecipientResult* result = response.mutable_results(i);
        result->set_outcome(outcome);
        result->set_account(writer.record().account().name());
        result->set_uid(uid);
        result->set_uid_validity(uid_validity);
      }
    }
    if (queue) {
      auto id = QueueOutbound(txn, request.outbound(), outbound_content, outbound_blob);
      if (!id.ok()) return id.status();
      response.set_outbound_id(*id);
    }
    return absl::OkStatus();
  }, &request.forget_idempotency_keys());
  if (!s.ok()) return s;
  deliveries_.fetch_add(1, std::memory_order_relaxed);
  return response;
}

absl::StatusOr<v1::AppendResponse> MailStoreImpl::Append(const v1::AppendRequest& request) {
  auto message = NewMessage(request.content(), request.structure(), request.flags(), request.internal_date(),
                            options_.max_message_bytes);
  if (!message.ok()) return message.status();
  v1::AppendResponse response;
  absl::Status s = RunIdempotent("Append", request.idempotency_key(), &response, [&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      auto mailbox = FindMailbox(txn, writer.account_id(), request.mailbox());
      if (!mailbox.ok()) return mailbox.status();
      if (OverQuota(writer.record().account(), message->size())) return QuotaError(writer.record().account());
      uint32_t uid = 0;
      if (absl::Status a = writer.AddMessage(*mailbox, *message, &request.content(), &uid); !a.ok()) return a;
      writer.SaveMailbox(*mailbox);
      response.set_uid(uid);
      response.set_uid_validity(mailbox->uid_validity());
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<v1::FetchMessagesResponse> MailStoreImpl::FetchMessages(const v1::FetchMessagesRequest& request) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  auto mailbox = FindMailbox(reader, record->account().id(), request.mailbox());
  if (!mailbox.ok()) return mailbox.status();
  v1::FetchMessagesResponse response;
  response.set_uid_validity(mailbox->uid_validity());
  absl::Status s = ForEachMessage(reader, record->account().id(), *mailbox, request.uids(), [&](v1::MessageInfo& m) {
    if (request.pop3_visible_only() && m.pop3_hidden_at() != 0) return absl::OkStatus();
    if (m.modseq() <= request.changed_since()) return absl::OkStatus();
    if (request.without_structure()) m.clear_structure();
    *response.add_messages() = std::move(m);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<std::string> MailStoreImpl::ReadMessage(const v1::ReadMessageRequest& request, uint64_t* total_size) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, request.account());
  if (!record.ok()) return record.status();
  auto mailbox = FindMailbox(reader, record->account().id(), request.mailbox());
  if (!mailbox.ok()) return mailbox.status();
  auto message = LoadMessage(reader, record->account().id(), mailbox->id(), request.uid());
  if (!message.ok()) return message.status();
  if (!message->has_value()) return absl::NotFoundError(absl::StrCat("no message with UID ", request.uid()));
  auto content = LoadBlob(reader, **message);
  if (!content.ok()) return content.status();
  std::string& data = *content;
  *total_size = data.size();
  if (request.offset() >= data.size()) return std::string();
  const uint64_t length = request.length() == 0 ? data.size() - request.offset()
                                                : std::min<uint64_t>(request.length(), data.size() - request.offset());
  if (request.offset() == 0 && length == data.size()) return std::move(data);
  return data.substr(request.offset(), length);
}

absl::StatusOr<v1::StoreFlagsResponse> MailStoreImpl::StoreFlags(const v1::StoreFlagsRequest& request) {
  auto flags = NormalizeFlags(std::vector<std::string>(request.flags().begin(), request.flags().end()));
  if (!flags.ok()) return flags.status();
  if (request.mode() == v1::StoreFlagsRequest::MODE_UNSPECIFIED) {
    return absl::InvalidArgumentError("mode must be ADD, REMOVE or REPLACE");
  }
  v1::StoreFlagsResponse response;
  absl::Status s = RunIdempotent("StoreFlags", request.idempotency_key(), &response, [&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      auto mailbox = FindMailbox(txn, writer.account_id(), request.mailbox());
      if (!mailbox.ok()) return mailbox.status();
      std::vector<v1::MessageInfo> selected;
      absl::Status scan = ForEachMessage(txn, writer.account_id(), *mailbox, request.uids(), [&](const v1::MessageInfo& m) {
        selected.push_back(m);
        return absl::OkStatus();
      });
      if (!scan.ok()) return scan;
      for (v1::MessageInfo& m : selected) {
        if (request.unchanged_since() != 0 && m.modseq() > request.unchanged_since()) {
          response.add_modified_uids(m.uid());
          continue;
        }
        std::set<std::string> next(m.flags().begin(), m.flags().end());
        if (request.mode() == v1::StoreFlagsRequest::REPLACE) next.clear();
        for (const std::string& f : *flags) {
          if (request.mode() == v1::StoreFlagsRequest::REMOVE) {
            next.erase(f);
          } else {
            next.insert(f);
          }
        }
        std::vector<std::string> sorted(next.begin(), next.end());
        if (!std::equal(sorted.begin(), sorted.end(), m.flags().begin(), m.flags().end())) {
          writer.UpdateFlags(*mailbox, m, std::move(sorted));
        }
        *response.add_messages() = m;
      }
      writer.SaveMailbox(*mailbox);
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<v1::CopyMessagesResponse> MailStoreImpl::CopyMessages(const v1::CopyMessagesRequest& request,
                                                                     bool move) {
  v1::CopyMessagesResponse response;
  absl::Status s = RunIdempotent(move ? "Move" : "Copy", request.idempotency_key(), &response, [&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      auto source = FindMailbox(txn, writer.account_id(), request.mailbox());
      if (!source.ok()) return source.status();
      auto target = FindMailbox(txn, writer.account_id(), request.destination());
      if (!target.ok()) return target.status();
      if (target->id() == source->id() && move) {
        return absl::InvalidArgumentError("cannot move messages into the mailbox they are in");
      }
      std::vector<v1::MessageInfo> selected;
      uint64_t bytes = 0;
      absl::Status scan = ForEachMessage(txn, writer.account_id(), *source, request.uids(), [&](const v1::MessageInfo& m) {
        selected.push_back(m);
        bytes += m.size();
        return absl::OkStatus();
      });
      if (!scan.ok()) return scan;
      if (!move && OverQuota(writer.record().account(), bytes)) return QuotaError(writer.record().account());
      // A copy within one mailbox reads and writes the same counters.
      v1::Mailbox* into = target->id() == source->id() ? &*source : &*target;
      for (const v1::MessageInfo& m : selected) {
        uint32_t uid = 0;
        if (absl::Status a = writer.AddMessage(*into, m, nullptr, &uid); !a.ok()) return a;
        if (move) {
          if (absl::Status r = writer.RemoveMessage(*source, m); !r.ok()) return r;
        }
        response.add_source_uids(m.uid());
        response.add_destination_uids(uid);
      }
      response.set_uid_validity(into->uid_validity());
      writer.SaveMailbox(*source);
      if (into != &*source) writer.SaveMailbox(*target);
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return response;
}

absl::Status MailStoreImpl::ExpungeIn(AccountWriter& writer, v1::Mailbox& mailbox,
                                      const google::protobuf::RepeatedPtrField<v1::UidRange>& uids,
                                      bool ignore_deleted_flag, std::vector<uint32_t>* expunged) {
  // The message list is read before removing, so the scan never walks keys
  // this operation is deleting.
  std::vector<v1::MessageInfo> doomed;
  absl::Status scan = ForEachMessage(writer.txn(), writer.account_id(), mailbox, uids, [&](const v1::MessageInfo& m) {
    if (ignore_deleted_flag || HasFlag(m, "\\Deleted")) doomed.push_back(m);
    return absl::OkStatus();
  });
  if (!scan.ok()) return scan;
  for (const v1::MessageInfo& m : doomed) {
    if (absl::Status r = writer.RemoveMessage(mailbox, m); !r.ok()) return r;
    expunged->push_back(m.uid());
  }
  writer.SaveMailbox(mailbox);
  return absl::OkStatus();
}

absl::StatusOr<v1::ExpungeResponse> MailStoreImpl::Expunge(const v1::ExpungeRequest& request) {
  v1::ExpungeResponse response;
  absl::Status s = RunIdempotent("Expunge", request.idempotency_key(), &response, [&](WriteTxn& txn) {
    return WithAccount(txn, request.account(), [&](AccountWriter& writer) -> absl::Status {
      auto mailbox = FindMailbox(txn, writer.account_id(), request.mailbox());
      if (!mailbox.ok()) return mailbox.status();
      std::vector<uint32_t> expunged;
      if (absl::Status e = ExpungeIn(writer, *mailbox, request.uids(), request.ignore_deleted_flag(), &expunged);
          !e.ok()) {
        return e;
      }
      response.mutable_expunged_uids()->Assign(expunged.begin(), expunged.end());
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return response;
}

}  // namespace kurier::storage
