// StoreRouter: which mailstore shard owns an account.
//
// Rendezvous (highest-random-weight) hashing of the normalized account name
// over the configured shard addresses: every client that has the same shard
// list picks the same shard, and adding a shard moves only the accounts that
// the new shard wins (about 1/N of them). The hash is a fixed function of the
// bytes (FNV-1a then a 64-bit mixer), never std::hash, so that it is the same
// in every process and on every build.
//
// Accounts are routed by the name the client typed, lower-cased: a login with
// an alias whose account lives on another shard is not found. Development and
// single-shard deployments are unaffected.
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_ROUTER_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_ROUTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kurier::store_client {

class StoreRouter {
 public:
  // shards: at least one address; the order does not matter.
  explicit StoreRouter(std::vector<std::string> shards);

  // Index into shards() of the shard that owns `account`.
  size_t ShardFor(absl::string_view account) const;
  const std::vector<std::string>& shards() const { return shards_; }

  // The weight of (shard, account); exposed for tests.
  static uint64_t Weight(absl::string_view shard, absl::string_view normalized_account);
  // ASCII lower-case, surrounding spaces removed: the routing key.
  static std::string NormalizeAccount(absl::string_view account);

 private:
  std::vector<std::string> shards_;
};

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_STORE_ROUTER_H_
