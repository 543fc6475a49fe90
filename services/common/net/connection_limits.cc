#include "services/common/net/connection_limits.h"

namespace kurier::net {

asio::ip::address ClientKey(const asio::ip::address& ip) {
  if (!ip.is_v6()) return ip;
  asio::ip::address_v6 v6 = ip.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;  // the /64
  return asio::ip::address_v6(bytes);
}

ConnectionLimits::ConnectionLimits(uint32_t max_total, uint32_t max_per_ip)
    : state_(std::make_shared<State>(max_total, max_per_ip)) {}

ConnectionLimits::ConnectionLimits(const kurier::config::v1::LimitsConfig& limits)
    : ConnectionLimits(limits.max_connections(), limits.max_connections_per_ip()) {}

std::optional<ConnectionLimits::Slot> ConnectionLimits::TryAcquire(const asio::ip::address& ip,
                                                                   LimitKind* refused) {
  const asio::ip::address key = ClientKey(ip);
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  if (s.max_total != 0 && s.total >= s.max_total) {
    if (refused != nullptr) *refused = LimitKind::kTotal;
    return std::nullopt;
  }
  uint32_t& n = s.per_ip[key];
  if (s.max_per_ip != 0 && n >= s.max_per_ip) {
    if (refused != nullptr) *refused = LimitKind::kPerIp;
    return std::nullopt;  // n > 0 here: nothing to clean up
  }
  ++n;
  ++s.total;
  if (refused != nullptr) *refused = LimitKind::kNone;
  return Slot(state_, key);
}

size_t ConnectionLimits::total() const {
  absl::MutexLock lock(&state_->mu);
  return state_->total;
}

size_t ConnectionLimits::count(const asio::ip::address& ip) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->per_ip.find(ClientKey(ip));
  return it == state_->per_ip.end() ? 0 : it->second;
}

void ConnectionLimits::Slot::Release() {
  if (!state_) return;
  {
    absl::MutexLock lock(&state_->mu);
    auto it = state_->per_ip.find(key_);
    if (it != state_->per_ip.end() && --it->second == 0) state_->per_ip.erase(it);
    --state_->total;
  }
  state_.reset();
}

ConnectionLimits::Slot& ConnectionLimits::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
    key_ = other.key_;
  }
  return *this;
}

ConnectionLimits::Slot::~Slot() { Release(); }

}  // namespace kurier::net
