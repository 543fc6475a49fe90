// Open-connection limits: in total and per client (LimitsConfig
// max_connections, max_connections_per_ip). A connection holds a Slot for
// its lifetime; destroying the Slot gives it back.
//
// "Per IP" is per ClientKey: an IPv4 address (IPv4-mapped IPv6 addresses
// count as IPv4), or an IPv6 /64, since one IPv6 client usually owns a whole
// /64.
//
// Thread-safe. A Slot may outlive its ConnectionLimits (the counters are
// shared), so shutdown order does not matter here.
#ifndef KURIER_SERVICES_COMMON_NET_CONNECTION_LIMITS_H_
#define KURIER_SERVICES_COMMON_NET_CONNECTION_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/ip/address.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "proto/kurier/config/v1/config.pb.h"

namespace kurier::net {
namespace asio = boost::asio;

// Which limit refused a connection.
enum class LimitKind { kNone, kTotal, kPerIp };

// The address limits and throttles count by (see above).
asio::ip::address ClientKey(const asio::ip::address& ip);

class ConnectionLimits {
  struct State;

 public:
  class Slot {
   public:
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConnectionLimits;
    Slot(std::shared_ptr<State> state, asio::ip::address key) : state_(std::move(state)), key_(key) {}
    void Release();
    std::shared_ptr<State> state_;
    asio::ip::address key_;
  };

  // 0 means no limit.
  ConnectionLimits(uint32_t max_total, uint32_t max_per_ip);
  explicit ConnectionLimits(const kurier::config::v1::LimitsConfig& limits);
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  // A slot, or nullopt (and *refused set) when a limit is reached.
  std::optional<Slot> TryAcquire(const asio::ip::address& ip, LimitKind* refused = nullptr);

  size_t total() const;
  size_t count(const asio::ip::address& ip) const;

 private:
  struct State {
    State(uint32_t total, uint32_t per_ip) : max_total(total), max_per_ip(per_ip) {}
    const uint32_t max_total;
    const uint32_t max_per_ip;
    mutable absl::Mutex mu;
    size_t total ABSL_GUARDED_BY(mu) = 0;
    absl::flat_hash_map<asio::ip::address, uint32_t, std::hash<asio::ip::address>> per_ip ABSL_GUARDED_BY(mu);
  };
  const std::shared_ptr<State> state_;
};

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_CONNECTION_LIMITS_H_
