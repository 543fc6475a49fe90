// The idempotency keys of messages whose "250" reached the client, handed
// to the store with the next Deliver call, or in a batch of their own when
// no Deliver comes soon (StoreClient::ForgetDeliverKeys). Until then the
// store treats a message with the same envelope and bytes as a retry of one
// it already has — which is right after a "451" that followed a write the
// store did commit, and wrong for a message someone really sends twice.
//
// Best effort: keys still pending when the process stops are not sent, so
// an identical message within the store's idempotency TTL would be taken
// for a retry (and answered 250 without a second copy).
#ifndef KURIER_SERVICES_SMTP_ANSWERED_KEYS_H_
#define KURIER_SERVICES_SMTP_ANSWERED_KEYS_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/awaitable.hpp"
#include "services/common/store_client/store_client.h"

namespace kurier::smtp {

class AnsweredKeys {
 public:
  // `store` must outlive this object and every call in flight.
  explicit AnsweredKeys(store_client::StoreClient* store,
                        std::chrono::milliseconds delay = std::chrono::milliseconds(50));

  // From any thread: the keys' answers were written to the client. Unless a
  // Deliver takes them first (Take), they are sent on `executor` after the
  // delay, in one ForgetIdempotencyKeys call with what arrived meanwhile.
  void Add(std::vector<std::string> keys, boost::asio::any_io_executor executor);

  // Up to `max` pending keys, for a Deliver call to carry
  // (DeliverRequest.forget_idempotency_keys): no call of their own. If that
  // Deliver fails, give them back with Add.
  std::vector<std::string> Take(size_t max);

 private:
  boost::asio::awaitable<void> SendLater(boost::asio::any_io_executor executor);

  store_client::StoreClient* const store_;
  const std::chrono::milliseconds delay_;
  absl::Mutex mu_;
  std::vector<std::string> pending_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kurier::smtp

#endif  // KURIER_SERVICES_SMTP_ANSWERED_KEYS_H_
