#include "services/common/store_client/store_client.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "boost/asio/async_result.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_callback.h"
#include "services/common/store_client/grpc_await.h"
#include "services/common/store_client/transport.h"

namespace kurier::store_client {
namespace {

// Collects one ReadMessage stream. Owns itself until OnDone, which hands the
// result and the reader itself to `done`: the reader (its ClientContext holds
// the channel) must be released on the session's executor, not on the gRPC
// callback thread (see grpc_await.h).
class RangeReader : public grpc::ClientReadReactor<v1::ReadMessageChunk> {
 public:
  using Done = std::function<void(absl::Status, std::string, uint64_t, std::shared_ptr<RangeReader>)>;

  RangeReader(v1::MailStore::Stub* stub, v1::ReadMessageRequest request, std::chrono::milliseconds deadline, Done done)
      : request_(std::move(request)), done_(std::move(done)) {
    context_.set_deadline(std::chrono::system_clock::now() + deadline);
    stub->async()->ReadMessage(&context_, &request_, this);
    StartRead(&chunk_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // end of stream or error; OnDone follows
    if (first_) {
      size_ = chunk_.size();
      first_ = false;
    }
    data_.append(chunk_.data());
    // The store sends at most `length` bytes; never hold more than asked.
    if (request_.length() != 0 && data_.size() > request_.length()) {
      overflow_ = true;
      context_.TryCancel();
      return;
    }
    StartRead(&chunk_);
  }

  void OnDone(const grpc::Status& status) override {
    absl::Status result = ToAbslStatus(status);
    if (overflow_) result = absl::InternalError("store sent more than the requested range");
    Done done = std::move(done_);
    done(std::move(result), std::move(data_), size_, std::shared_ptr<RangeReader>(this));
    // `this` may be gone already.
  }

 private:
  grpc::ClientContext context_;
  v1::ReadMessageRequest request_;
  v1::ReadMessageChunk chunk_;
  Done done_;
  std::string data_;
  uint64_t size_ = 0;
  bool first_ = true;
  bool overflow_ = false;
};

struct RangeResult {
  absl::Status status;
  std::string data;
  uint64_t size = 0;
};

// A duration as gRPC's int channel arguments take it.
int ChannelArgMs(std::chrono::milliseconds d) {
  return static_cast<int>(std::min<std::chrono::milliseconds::rep>(d.count(), std::numeric_limits<int>::max()));
}

}  // namespace

bool IsTemporary(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

StoreClient::StoreClient(std::vector<std::string> shards, std::chrono::milliseconds deadline, Keepalive keepalive)
    : router_(std::move(shards)),
      deadline_(deadline),
      keepalive_{std::max(keepalive.time, kMinKeepaliveTime), std::max(keepalive.timeout, kMinKeepaliveTimeout)} {
  for (const std::string& address : router_.shards()) {
    grpc::ChannelArguments args;
    // Notice a store that vanished without closing the connection: the
    // change feed's Watch streams send nothing while there is no mail, and
    // would otherwise wait on a dead connection for as long as TCP lets them.
    // Pings go out with or without calls, and without a cap on pings between
    // data frames (gRPC's default stops after two); the store accepts them
    // (keepalive.h).
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, ChannelArgMs(keepalive_.time));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ChannelArgMs(keepalive_.timeout));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    // Reconnect quickly after a store restart instead of backing off for
    // up to two minutes; a session waiting on the store has a deadline anyway.
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    // Batched reads and listings of large mailboxes pass gRPC's 4 MB default.
    args.SetMaxReceiveMessageSize(64 << 20);
    // Responses of up to 4 MiB in a few writes (transport.h).
    args.SetInt(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, kHttp2MaxFrameSize);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kHttp2StreamWindow);
    stubs_.push_back(
        v1::MailStore::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
}

v1::MailStore::Stub* StoreClient::StubFor(absl::string_view account) { return stubs_[router_.ShardFor(account)].get(); }

// Each method names its routing key and its stub method; AwaitUnary does the rest.
#define KURIER_UNARY(Method, Response, route)                                                               \
  v1::MailStore::Stub* stub = StubFor(route);                                                               \
  co_return co_await AwaitUnary<v1::Response>(std::move(request), deadline_,                                \
                                              [stub](auto* context, auto* req, auto* resp, auto done) {     \
                                                stub->async()->Method(context, req, resp, std::move(done)); \
                                              })

Awaitable<absl::StatusOr<v1::Account>> StoreClient::GetAccount(v1::GetAccountRequest request) {
  KURIER_UNARY(GetAccount, Account, request.name());
}

Awaitable<absl::StatusOr<v1::VerifyPasswordResponse>> StoreClient::VerifyPassword(v1::VerifyPasswordRequest request) {
  KURIER_UNARY(VerifyPassword, VerifyPasswordResponse, request.name());
}

Awaitable<absl::StatusOr<v1::ScramStartResponse>> StoreClient::ScramStart(absl::string_view user,
                                                                          v1::ScramStartRequest request) {
  KURIER_UNARY(ScramStart, ScramStartResponse, user);
}

Awaitable<absl::StatusOr<v1::ScramFinishResponse>> StoreClient::ScramFinish(absl::string_view user,
                                                                            v1::ScramFinishRequest request) {
  KURIER_UNARY(ScramFinish, ScramFinishResponse, user);
}

Awaitable<absl::StatusOr<v1::Lease>> StoreClient::AcquireLease(v1::AcquireLeaseRequest request) {
  KURIER_UNARY(AcquireLease, Lease, request.account());
}

Awaitable<absl::StatusOr<v1::Lease>> StoreClient::RenewLease(v1::RenewLeaseRequest request) {
  KURIER_UNARY(RenewLease, Lease, request.account());
}

Awaitable<absl::StatusOr<v1::ReleaseLeaseResponse>> StoreClient::ReleaseLease(v1::ReleaseLeaseRequest request) {
  KURIER_UNARY(ReleaseLease, ReleaseLeaseResponse, request.account());
}

Awaitable<absl::StatusOr<v1::FetchMessagesResponse>> StoreClient::FetchMessages(v1::FetchMessagesRequest request) {
  KURIER_UNARY(FetchMessages, FetchMessagesResponse, request.account());
}

Awaitable<absl::StatusOr<v1::StoreFlagsResponse>> StoreClient::StoreFlags(v1::StoreFlagsRequest request) {
  KURIER_UNARY(StoreFlags, StoreFlagsResponse, request.account());
}

Awaitable<absl::StatusOr<v1::Pop3CommitResponse>> StoreClient::Pop3Commit(v1::Pop3CommitRequest request) {
  KURIER_UNARY(Pop3Commit, Pop3CommitResponse, request.account());
}

Awaitable<absl::StatusOr<v1::ReadMessagesResponse>> StoreClient::ReadMessages(v1::ReadMessagesRequest request) {
  KURIER_UNARY(ReadMessages, ReadMessagesResponse, request.account());
}

Awaitable<absl::StatusOr<v1::ListMailboxesResponse>> StoreClient::ListMailboxes(v1::ListMailboxesRequest request) {
  KURIER_UNARY(ListMailboxes, ListMailboxesResponse, request.account());
}

Awaitable<absl::StatusOr<v1::Mailbox>> StoreClient::CreateMailbox(v1::CreateMailboxRequest request) {
  KURIER_UNARY(CreateMailbox, Mailbox, request.account());
}

Awaitable<absl::StatusOr<v1::DeleteMailboxResponse>> StoreClient::DeleteMailbox(v1::DeleteMailboxRequest request) {
  KURIER_UNARY(DeleteMailbox, DeleteMailboxResponse, request.account());
}

Awaitable<absl::StatusOr<v1::Mailbox>> StoreClient::RenameMailbox(v1::RenameMailboxRequest request) {
  KURIER_UNARY(RenameMailbox, Mailbox, request.account());
}

Awaitable<absl::StatusOr<v1::Mailbox>> StoreClient::SetSubscribed(v1::SetSubscribedRequest request) {
  KURIER_UNARY(SetSubscribed, Mailbox, request.account());
}

Awaitable<absl::StatusOr<v1::Mailbox>> StoreClient::GetMailboxStatus(v1::GetMailboxStatusRequest request) {
  KURIER_UNARY(GetMailboxStatus, Mailbox, request.account());
}

Awaitable<absl::StatusOr<v1::AppendResponse>> StoreClient::Append(v1::AppendRequest request) {
  KURIER_UNARY(Append, AppendResponse, request.account());
}

Awaitable<absl::StatusOr<v1::CopyMessagesResponse>> StoreClient::CopyMessages(v1::CopyMessagesRequest request) {
  KURIER_UNARY(CopyMessages, CopyMessagesResponse, request.account());
}

Awaitable<absl::StatusOr<v1::CopyMessagesResponse>> StoreClient::MoveMessages(v1::CopyMessagesRequest request) {
  KURIER_UNARY(MoveMessages, CopyMessagesResponse, request.account());
}

Awaitable<absl::StatusOr<v1::ExpungeResponse>> StoreClient::Expunge(v1::ExpungeRequest request) {
  KURIER_UNARY(Expunge, ExpungeResponse, request.account());
}

Awaitable<absl::StatusOr<v1::GetChangesResponse>> StoreClient::GetChanges(v1::GetChangesRequest request) {
  KURIER_UNARY(GetChanges, GetChangesResponse, request.account());
}

#undef KURIER_UNARY

Awaitable<absl::StatusOr<std::string>> StoreClient::ReadRange(v1::ReadMessageRequest request, uint64_t* message_size) {
  v1::MailStore::Stub* stub = StubFor(request.account());
  RangeResult result = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(RangeResult)>(
      [&](auto handler) {
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        new RangeReader(stub, std::move(request), deadline_,
                        [shared_handler](absl::Status status, std::string data, uint64_t size,
                                         std::shared_ptr<RangeReader> reader) {
                          auto executor = boost::asio::get_associated_executor(*shared_handler);
                          boost::asio::post(executor,
                                            [shared_handler, reader = std::move(reader),
                                             r = RangeResult{std::move(status), std::move(data), size}]() mutable {
                                              std::move (*shared_handler)(std::move(r));
                                            });
                        });
      },
      boost::asio::use_awaitable);
  if (!result.status.ok()) co_return result.status;
  if (message_size != nullptr) *message_size = result.size;
  co_return std::move(result.data);
}

}  // namespace kurier::store_client
