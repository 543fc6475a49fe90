#include "services/smtp/answered_keys.h"

#include <algorithm>
#include <utility>

#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "services/common/log/log.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;

// The store takes at most this many keys per call.
constexpr size_t kMaxKeysPerCall = 10000;

}  // namespace

AnsweredKeys::AnsweredKeys(store_client::StoreClient* store, std::chrono::milliseconds delay)
    : store_(store), delay_(delay) {}

void AnsweredKeys::Add(std::vector<std::string> keys, asio::any_io_executor executor) {
  if (keys.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    for (std::string& key : keys) pending_.push_back(std::move(key));
    if (scheduled_) return;
    scheduled_ = true;
  }
  asio::co_spawn(executor, SendLater(executor), asio::detached);
}

std::vector<std::string> AnsweredKeys::Take(size_t max) {
  absl::MutexLock lock(&mu_);
  const size_t n = std::min(max, pending_.size());
  std::vector<std::string> taken(std::make_move_iterator(pending_.end() - n), std::make_move_iterator(pending_.end()));
  pending_.resize(pending_.size() - n);
  return taken;
}

asio::awaitable<void> AnsweredKeys::SendLater(asio::any_io_executor executor) {
  for (;;) {
    asio::steady_timer timer(executor, delay_);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    std::vector<std::string> batch;
    {
      absl::MutexLock lock(&mu_);
      if (pending_.empty()) {
        scheduled_ = false;
        co_return;
      }
      const size_t n = std::min(pending_.size(), kMaxKeysPerCall);
      batch.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.begin() + n));
      pending_.erase(pending_.begin(), pending_.begin() + n);
    }
    absl::Status forgotten = co_await store_->ForgetDeliverKeys(std::move(batch));
    if (!forgotten.ok()) log::Info("idempotency keys not forgotten", {{"error", forgotten.ToString()}});
  }
}

}  // namespace kurier::smtp
