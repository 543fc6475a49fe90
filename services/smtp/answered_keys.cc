#include "services/smtp/answered_keys.h"

#include <algorithm>
#include <utility>

#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "services/common/log/log.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;

// The store takes at most this many keys per call.
constexpr size_t kMaxKeysPerCall = 10000;

}  // namespace

AnsweredKeys::AnsweredKeys(store_client::StoreClient* store) : store_(store) {}

void AnsweredKeys::Add(std::vector<std::string> keys, asio::any_io_executor executor) {
  {
    absl::MutexLock lock(&mu_);
    for (std::string& key : keys) pending_.push_back(std::move(key));
    if (scheduled_) return;
    scheduled_ = true;
  }
  asio::co_spawn(executor, SendBatches(), asio::detached);
}

asio::awaitable<void> AnsweredKeys::SendBatches() {
  for (;;) {
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
