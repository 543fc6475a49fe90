// StoreClient: the mailstore API as protocol services use it — every call
// asynchronous, awaited from the session's coroutine, with a deadline, and
// sent to the shard that owns the account (StoreRouter).
//
// Errors come back as absl::Status with the store's gRPC code: UNAVAILABLE
// or DEADLINE_EXCEEDED when the store does not answer (the session answers
// with its protocol's temporary error), NOT_FOUND, FAILED_PRECONDITION, ...
// as documented in store.proto. IsTemporary() says which is which.
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_CLIENT_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "services/common/store_client/keepalive.h"
#include "services/common/store_client/store_router.h"

namespace kurier::store_client {

namespace v1 = ::kurier::store::v1;
template <typename T>
using Awaitable = boost::asio::awaitable<T>;

// True for errors a client should answer with "try again later".
bool IsTemporary(const absl::Status& status);

class StoreClient {
 public:
  // HTTP/2 keepalive of each shard's channel (keepalive.h).
  using Keepalive = ChannelKeepalive;

  // One channel per shard address; `deadline` applies to every call.
  StoreClient(std::vector<std::string> shards, std::chrono::milliseconds deadline, Keepalive keepalive = {});

  const StoreRouter& router() const { return router_; }
  std::chrono::milliseconds deadline() const { return deadline_; }
  // The keepalive in use, after raising to the minimums.
  const Keepalive& keepalive() const { return keepalive_; }

  // Accounts and authentication. Routed by the name the client gave.
  Awaitable<absl::StatusOr<v1::Account>> GetAccount(v1::GetAccountRequest request);
  Awaitable<absl::StatusOr<v1::VerifyPasswordResponse>> VerifyPassword(v1::VerifyPasswordRequest request);
  // `user` routes the call (the n= of the client-first-message); ScramFinish
  // must go to the shard that ran ScramStart, so pass the same user.
  Awaitable<absl::StatusOr<v1::ScramStartResponse>> ScramStart(absl::string_view user, v1::ScramStartRequest request);
  Awaitable<absl::StatusOr<v1::ScramFinishResponse>> ScramFinish(absl::string_view user,
                                                                 v1::ScramFinishRequest request);

  // What mail for request.address becomes (SMTP RCPT); see ResolveRecipient
  // in store.proto. Asks the shard of the address. With several shards, an
  // answer other than LOCAL by the account's own address (not LOCAL, or
  // LOCAL by catch-all or subaddress) is checked with the other shards:
  // first for the exact address, then (unless the first answer was a
  // subaddress) for the address without its "+detail", answered with
  // subaddress set. The first LOCAL wins; else the first shard's answer
  // stands. An error from any shard asked is returned: the answer could be
  // wrong without it, and the call can be retried.
  Awaitable<absl::StatusOr<v1::ResolveRecipientResponse>> ResolveRecipient(v1::ResolveRecipientRequest request);

  // Leases.
  Awaitable<absl::StatusOr<v1::Lease>> AcquireLease(v1::AcquireLeaseRequest request);
  Awaitable<absl::StatusOr<v1::Lease>> RenewLease(v1::RenewLeaseRequest request);
  Awaitable<absl::StatusOr<v1::ReleaseLeaseResponse>> ReleaseLease(v1::ReleaseLeaseRequest request);

  // Messages.
  Awaitable<absl::StatusOr<v1::FetchMessagesResponse>> FetchMessages(v1::FetchMessagesRequest request);
  Awaitable<absl::StatusOr<v1::StoreFlagsResponse>> StoreFlags(v1::StoreFlagsRequest request);
  Awaitable<absl::StatusOr<v1::Pop3CommitResponse>> Pop3Commit(v1::Pop3CommitRequest request);
  Awaitable<absl::StatusOr<v1::ReadMessagesResponse>> ReadMessages(v1::ReadMessagesRequest request);
  // Delivers to request.recipients (account names, as ResolveRecipient
  // answered) and queues request.outbound for the relay. One shard: exactly
  // one call with the request unchanged. Several: the recipients are split
  // by shard and the outbound part goes to the shard of outbound.submitter
  // (shard 0 when empty), one call per shard involved, one after another,
  // each with idempotency_key + "/" + the shard's index (when a key is
  // given). Results come back in the request's recipient order, with the
  // queued message's outbound_id. The first shard that fails fails the call;
  // retrying with the same key delivers nothing twice.
  // request.forget_idempotency_keys go with the call on one shard, or by
  // ForgetDeliverKeys first on several.
  Awaitable<absl::StatusOr<v1::DeliverResponse>> Deliver(v1::DeliverRequest request);
  // Tells the store that the Deliver calls with these idempotency keys were
  // answered to the client, so a later identical message is delivered again.
  // Sent to every shard, with the per-shard keys Deliver used.
  Awaitable<absl::Status> ForgetDeliverKeys(std::vector<std::string> keys);

  // Mailboxes (IMAP).
  Awaitable<absl::StatusOr<v1::ListMailboxesResponse>> ListMailboxes(v1::ListMailboxesRequest request);
  Awaitable<absl::StatusOr<v1::Mailbox>> CreateMailbox(v1::CreateMailboxRequest request);
  Awaitable<absl::StatusOr<v1::DeleteMailboxResponse>> DeleteMailbox(v1::DeleteMailboxRequest request);
  Awaitable<absl::StatusOr<v1::Mailbox>> RenameMailbox(v1::RenameMailboxRequest request);
  Awaitable<absl::StatusOr<v1::Mailbox>> SetSubscribed(v1::SetSubscribedRequest request);
  Awaitable<absl::StatusOr<v1::Mailbox>> GetMailboxStatus(v1::GetMailboxStatusRequest request);
  // Messages (IMAP).
  Awaitable<absl::StatusOr<v1::AppendResponse>> Append(v1::AppendRequest request);
  Awaitable<absl::StatusOr<v1::CopyMessagesResponse>> CopyMessages(v1::CopyMessagesRequest request);
  Awaitable<absl::StatusOr<v1::CopyMessagesResponse>> MoveMessages(v1::CopyMessagesRequest request);
  Awaitable<absl::StatusOr<v1::ExpungeResponse>> Expunge(v1::ExpungeRequest request);
  Awaitable<absl::StatusOr<v1::GetChangesResponse>> GetChanges(v1::GetChangesRequest request);

  // The stub of one shard, by index (streams other than ReadMessage).
  v1::MailStore::Stub* StubAt(size_t shard) { return stubs_[shard].get(); }

  // Reads bytes [offset, offset+length) of a message (length 0: to the end),
  // collected from the ReadMessage stream. At most `length` bytes are held,
  // so callers bound memory by reading large messages range by range.
  // The first chunk's total size is stored in *message_size when given.
  Awaitable<absl::StatusOr<std::string>> ReadRange(v1::ReadMessageRequest request, uint64_t* message_size = nullptr);

 private:
  v1::MailStore::Stub* StubFor(absl::string_view account);
  // One call to one shard, by index.
  Awaitable<absl::StatusOr<v1::ResolveRecipientResponse>> ResolveOn(size_t shard, v1::ResolveRecipientRequest request);
  Awaitable<absl::StatusOr<v1::DeliverResponse>> DeliverOn(size_t shard, v1::DeliverRequest request);
  // The first LOCAL answer of the shards other than `skip` for the exact
  // `address`; nullopt when none has it.
  Awaitable<absl::StatusOr<std::optional<v1::ResolveRecipientResponse>>> ResolveExactElsewhere(
      size_t skip, const std::string& address, uint64_t message_size);

  StoreRouter router_;
  std::chrono::milliseconds deadline_;
  Keepalive keepalive_;
  std::vector<std::unique_ptr<v1::MailStore::Stub>> stubs_;
};

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_CLIENT_H_
