// StoreClient: the calls that may need more than one shard — resolving an
// SMTP recipient whose address is not routed to its account's shard (an
// alias, a subaddress, a catch-all), and delivering one message to accounts
// on several shards plus the outbound queue.
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/store_client/grpc_await.h"
#include "services/common/store_client/store_client.h"

namespace kurier::store_client {
namespace {

using Outcome = v1::ResolveRecipientResponse;

bool LocalByOwnAddress(const v1::ResolveRecipientResponse& r) {
  return r.outcome() == Outcome::LOCAL && !r.catch_all() && !r.subaddress();
}

// "Anna+news@x" -> "anna@x" (lower-case); empty when there is no '+' in the
// local part or nothing before it. The store checks the address itself.
std::string WithoutSubaddress(const std::string& address) {
  const std::string normalized = StoreRouter::NormalizeAccount(address);
  const size_t at = normalized.rfind('@');
  if (at == std::string::npos) return "";
  const size_t plus = normalized.find('+');
  if (plus == std::string::npos || plus == 0 || plus > at) return "";
  return normalized.substr(0, plus) + normalized.substr(at);
}

}  // namespace

Awaitable<absl::StatusOr<v1::ResolveRecipientResponse>> StoreClient::ResolveOn(size_t shard,
                                                                                v1::ResolveRecipientRequest request) {
  v1::MailStore::Stub* stub = stubs_[shard].get();
  co_return co_await AwaitUnary<v1::ResolveRecipientResponse>(
      std::move(request), deadline_, [stub](auto* context, auto* req, auto* resp, auto done) {
        stub->async()->ResolveRecipient(context, req, resp, std::move(done));
      });
}

Awaitable<absl::StatusOr<v1::DeliverResponse>> StoreClient::DeliverOn(size_t shard, v1::DeliverRequest request) {
  v1::MailStore::Stub* stub = stubs_[shard].get();
  co_return co_await AwaitUnary<v1::DeliverResponse>(
      std::move(request), deadline_, [stub](auto* context, auto* req, auto* resp, auto done) {
        stub->async()->Deliver(context, req, resp, std::move(done));
      });
}

Awaitable<absl::StatusOr<std::optional<v1::ResolveRecipientResponse>>> StoreClient::ResolveExactElsewhere(
    size_t skip, const std::string& address, uint64_t message_size) {
  for (size_t shard = 0; shard < stubs_.size(); ++shard) {
    if (shard == skip) continue;
    v1::ResolveRecipientRequest exact;
    exact.set_address(address);
    exact.set_message_size(message_size);
    exact.set_exact_only(true);
    absl::StatusOr<v1::ResolveRecipientResponse> answer = co_await ResolveOn(shard, std::move(exact));
    if (!answer.ok()) co_return answer.status();
    if (answer->outcome() == Outcome::LOCAL) co_return std::optional<v1::ResolveRecipientResponse>(*std::move(answer));
  }
  co_return std::optional<v1::ResolveRecipientResponse>();
}

Awaitable<absl::StatusOr<v1::ResolveRecipientResponse>> StoreClient::ResolveRecipient(
    v1::ResolveRecipientRequest request) {
  const size_t first_shard = router_.ShardFor(request.address());
  const std::string address = request.address();
  const uint64_t message_size = request.message_size();
  const bool exact_only = request.exact_only();
  absl::StatusOr<v1::ResolveRecipientResponse> first = co_await ResolveOn(first_shard, std::move(request));
  if (!first.ok() || stubs_.size() == 1 || LocalByOwnAddress(*first)) co_return first;

  // The account's own address on another shard beats a subaddress or a
  // catch-all here, as it would on one shard.
  auto exact = co_await ResolveExactElsewhere(first_shard, address, message_size);
  if (!exact.ok()) co_return exact.status();
  if (exact->has_value()) co_return **exact;
  if (first->subaddress() || exact_only) co_return first;

  // "anna+news@x" routes by its full address; anna may live elsewhere.
  if (const std::string base = WithoutSubaddress(address); !base.empty()) {
    auto owner = co_await ResolveExactElsewhere(first_shard, base, message_size);
    if (!owner.ok()) co_return owner.status();
    if (owner->has_value()) {
      v1::ResolveRecipientResponse answer = **owner;
      answer.set_subaddress(true);
      co_return answer;
    }
  }
  co_return first;
}

Awaitable<absl::StatusOr<v1::DeliverResponse>> StoreClient::Deliver(v1::DeliverRequest request) {
  if (stubs_.size() == 1) co_return co_await DeliverOn(0, std::move(request));
  // Keys to forget belong to every shard (each with its suffix): sent apart.
  if (request.forget_idempotency_keys_size() > 0) {
    std::vector<std::string> forget(request.forget_idempotency_keys().begin(), request.forget_idempotency_keys().end());
    request.clear_forget_idempotency_keys();
    (void)co_await ForgetDeliverKeys(std::move(forget));
  }

  constexpr size_t kNone = static_cast<size_t>(-1);
  const size_t outbound_shard =
      !request.has_outbound() ? kNone
      : request.outbound().submitter().empty() ? 0
                                               : router_.ShardFor(request.outbound().submitter());
  std::vector<std::vector<int>> by_shard(stubs_.size());
  for (int i = 0; i < request.recipients_size(); ++i) by_shard[router_.ShardFor(request.recipients(i))].push_back(i);
  // Nothing to deliver and nothing to queue: the store says what is wrong.
  if (request.recipients().empty() && outbound_shard == kNone) co_return co_await DeliverOn(0, std::move(request));

  // Everything but the recipients, the content and the outbound part.
  v1::DeliverRequest common = request;
  common.clear_recipients();
  common.clear_content();
  common.clear_outbound();

  v1::DeliverResponse merged;
  for (int i = 0; i < request.recipients_size(); ++i) merged.add_results();
  for (size_t shard = 0; shard < stubs_.size(); ++shard) {
    const std::vector<int>& indexes = by_shard[shard];
    if (indexes.empty() && shard != outbound_shard) continue;
    v1::DeliverRequest part = common;
    for (int i : indexes) part.add_recipients(request.recipients(i));
    if (!request.idempotency_key().empty()) {
      part.set_idempotency_key(absl::StrCat(request.idempotency_key(), "/", shard));
    }
    if (!indexes.empty()) part.set_content(request.content());
    if (shard == outbound_shard) {
      *part.mutable_outbound() = request.outbound();
      // Queued alone: the bytes go as the outbound part's own.
      if (indexes.empty() && part.outbound().content().empty()) part.mutable_outbound()->set_content(request.content());
    }
    absl::StatusOr<v1::DeliverResponse> answer = co_await DeliverOn(shard, std::move(part));
    if (!answer.ok()) co_return answer.status();
    if (answer->results_size() != static_cast<int>(indexes.size())) {
      co_return absl::InternalError(absl::StrCat("store shard ", shard, " answered ", answer->results_size(),
                                                 " results for ", indexes.size(), " recipients"));
    }
    for (size_t j = 0; j < indexes.size(); ++j) *merged.mutable_results(indexes[j]) = answer->results(j);
    if (shard == outbound_shard) merged.set_outbound_id(answer->outbound_id());
  }
  co_return merged;
}

}  // namespace kurier::store_client

namespace kurier::store_client {

Awaitable<absl::Status> StoreClient::ForgetDeliverKeys(std::vector<std::string> keys) {
  absl::Status first_error;
  for (size_t shard = 0; shard < stubs_.size(); ++shard) {
    v1::ForgetIdempotencyKeysRequest request;
    request.set_method("Deliver");
    for (const std::string& key : keys) {
      // Deliver suffixes the key with the shard when there are several.
      request.add_keys(stubs_.size() == 1 ? key : absl::StrCat(key, "/", shard));
    }
    v1::MailStore::Stub* stub = stubs_[shard].get();
    absl::StatusOr<v1::ForgetIdempotencyKeysResponse> done = co_await AwaitUnary<v1::ForgetIdempotencyKeysResponse>(
        std::move(request), deadline_, [stub](auto* context, auto* req, auto* resp, auto callback) {
          stub->async()->ForgetIdempotencyKeys(context, req, resp, std::move(callback));
        });
    if (!done.ok() && first_error.ok()) first_error = done.status();
  }
  co_return first_error;
}

}  // namespace kurier::store_client
