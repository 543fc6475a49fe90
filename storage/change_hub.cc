#include "storage/change_hub.h"

namespace kurier::storage {

class ChangeHub::Handle : public MailStore::Subscription {
 public:
  Handle(ChangeHub* hub, uint64_t account_id, uint64_t token) : hub_(hub), account_id_(account_id), token_(token) {}
  ~Handle() override { hub_->Unsubscribe(account_id_, token_); }

 private:
  ChangeHub* hub_;
  uint64_t account_id_;
  uint64_t token_;
};

class ChangeHub::AllHandle : public MailStore::Subscription {
 public:
  AllHandle(ChangeHub* hub, uint64_t token) : hub_(hub), token_(token) {}
  ~AllHandle() override { hub_->UnsubscribeAll(token_); }

 private:
  ChangeHub* hub_;
  uint64_t token_;
};

std::unique_ptr<MailStore::Subscription> ChangeHub::Subscribe(uint64_t account_id, ChangeListener listener) {
  absl::MutexLock lock(&mu_);
  uint64_t token = next_token_++;
  listeners_[account_id][token] = std::make_shared<ChangeListener>(std::move(listener));
  return std::make_unique<Handle>(this, account_id, token);
}

std::unique_ptr<MailStore::Subscription> ChangeHub::SubscribeAll(ChangeListener listener) {
  absl::MutexLock lock(&mu_);
  uint64_t token = next_token_++;
  all_listeners_[token] = std::make_shared<ChangeListener>(std::move(listener));
  return std::make_unique<AllHandle>(this, token);
}

void ChangeHub::Unsubscribe(uint64_t account_id, uint64_t token) {
  absl::MutexLock lock(&mu_);
  auto it = listeners_.find(account_id);
  if (it == listeners_.end()) return;
  it->second.erase(token);
  if (it->second.empty()) listeners_.erase(it);
}

void ChangeHub::UnsubscribeAll(uint64_t token) {
  absl::MutexLock lock(&mu_);
  all_listeners_.erase(token);
}

void ChangeHub::Publish(uint64_t account_id, const std::vector<v1::Change>& changes) {
  std::vector<std::shared_ptr<ChangeListener>> targets;
  {
    absl::MutexLock lock(&mu_);
    auto it = listeners_.find(account_id);
    if (it != listeners_.end()) {
      for (auto& [token, listener] : it->second) targets.push_back(listener);
    }
    for (auto& [token, listener] : all_listeners_) targets.push_back(listener);
  }
  for (const auto& listener : targets) {
    for (const v1::Change& change : changes) (*listener)(change);
  }
}

}  // namespace kurier::storage
