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
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "services/common/store_client/store_router.h"

namespace kurier::store_client {

namespace v1 = ::kurier::store::v1;
template <typename T>
using Awaitable = boost::asio::awaitable<T>;

// True for errors a client should answer with "try again later".
bool IsTemporary(const absl::Status& status);

class StoreClient {
 public:
  // One channel per shard address; `deadline` applies to every call.
  StoreClient(std::vector<std::string> shards, std::chrono::milliseconds deadline);

  const StoreRouter& router() const { return router_; }
  std::chrono::milliseconds deadline() const { return deadline_; }

  // Accounts and authentication. Routed by the name the client gave.
  Awaitable<absl::StatusOr<v1::Account>> GetAccount(v1::GetAccountRequest request);
  Awaitable<absl::StatusOr<v1::VerifyPasswordResponse>> VerifyPassword(v1::VerifyPasswordRequest request);
  // `user` routes the call (the n= of the client-first-message); ScramFinish
  // must go to the shard that ran ScramStart, so pass the same user.
  Awaitable<absl::StatusOr<v1::ScramStartResponse>> ScramStart(absl::string_view user, v1::ScramStartRequest request);
  Awaitable<absl::StatusOr<v1::ScramFinishResponse>> ScramFinish(absl::string_view user,
                                                                 v1::ScramFinishRequest request);

  // Leases.
  Awaitable<absl::StatusOr<v1::Lease>> AcquireLease(v1::AcquireLeaseRequest request);
  Awaitable<absl::StatusOr<v1::Lease>> RenewLease(v1::RenewLeaseRequest request);
  Awaitable<absl::StatusOr<v1::ReleaseLeaseResponse>> ReleaseLease(v1::ReleaseLeaseRequest request);

  // Messages.
  Awaitable<absl::StatusOr<v1::FetchMessagesResponse>> FetchMessages(v1::FetchMessagesRequest request);
  Awaitable<absl::StatusOr<v1::StoreFlagsResponse>> StoreFlags(v1::StoreFlagsRequest request);
  Awaitable<absl::StatusOr<v1::Pop3CommitResponse>> Pop3Commit(v1::Pop3CommitRequest request);
  Awaitable<absl::StatusOr<v1::ReadMessagesResponse>> ReadMessages(v1::ReadMessagesRequest request);

  // Reads bytes [offset, offset+length) of a message (length 0: to the end),
  // collected from the ReadMessage stream. At most `length` bytes are held,
  // so callers bound memory by reading large messages range by range.
  // The first chunk's total size is stored in *message_size when given.
  Awaitable<absl::StatusOr<std::string>> ReadRange(v1::ReadMessageRequest request, uint64_t* message_size = nullptr);

 private:
  v1::MailStore::Stub* StubFor(absl::string_view account);

  StoreRouter router_;
  std::chrono::milliseconds deadline_;
  std::vector<std::unique_ptr<v1::MailStore::Stub>> stubs_;
};

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_CLIENT_H_
