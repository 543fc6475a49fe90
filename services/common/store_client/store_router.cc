#include "services/common/store_client/store_router.h"

#include <utility>

#include "absl/strings/ascii.h"

namespace kurier::store_client {
namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t Fnv1a(uint64_t hash, absl::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= kFnvPrime;
  }
  return hash;
}

// splitmix64's finalizer: spreads FNV's weak low bits over the whole word.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

StoreRouter::StoreRouter(std::vector<std::string> shards) : shards_(std::move(shards)) {}

uint64_t StoreRouter::Weight(absl::string_view shard, absl::string_view normalized_account) {
  uint64_t hash = Fnv1a(kFnvOffset, shard);
  hash = Fnv1a(hash, absl::string_view("\0", 1));
  return Mix(Fnv1a(hash, normalized_account));
}

std::string StoreRouter::NormalizeAccount(absl::string_view account) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(account));
}

size_t StoreRouter::ShardFor(absl::string_view account) const {
  if (shards_.size() <= 1) return 0;
  const std::string key = NormalizeAccount(account);
  size_t best = 0;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < shards_.size(); ++i) {
    const uint64_t weight = Weight(shards_[i], key);
    // Ties (practically impossible) go to the lower address, not the lower
    // index, so that the order of the configured list never matters.
    if (i == 0 || weight > best_weight || (weight == best_weight && shards_[i] < shards_[best])) {
      best = i;
      best_weight = weight;
    }
  }
  return best;
}

}  // namespace kurier::store_client
