#include "storage/credentials/auth_cache.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include "storage/credentials/crypto_util.h"

namespace kurier::storage {
namespace {

// Length-prefixed, so ("ab", "c") and ("a", "bc") never share a digest input.
std::string DigestInput(std::string_view account, std::string_view password) {
  std::string out;
  out.reserve(8 + account.size() + password.size());
  uint64_t n = account.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * (7 - i))) & 0xff);
  out.append(account);
  out.append(password);
  return out;
}

}  // namespace

AuthCache::AuthCache(absl::Duration ttl, size_t max_entries)
    : ttl_(ttl),
      max_entries_(std::max<size_t>(max_entries, 1)),
      key_(credentials_internal::RandomBytes(credentials_internal::kSha256Size)) {}

std::string AuthCache::Digest(std::string_view account, std::string_view password) const {
  std::string input = DigestInput(account, password);
  std::string digest = credentials_internal::HmacSha256(key_, input);
  // The input holds the plaintext; do not leave it in freed memory.
  OPENSSL_cleanse(input.data(), input.size());
  return digest;
}

void AuthCache::EraseLocked(Order::iterator it) {
  index_.erase(std::string_view(it->account));
  order_.erase(it);
}

bool AuthCache::Check(std::string_view account, std::string_view password, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration()) return false;
  const std::string digest = Digest(account, password);  // outside the lock: HMAC is the slow part
  absl::MutexLock lock(&mu_);
  auto found = index_.find(account);
  if (found == index_.end()) return false;
  if (now >= found->second->expires) {
    EraseLocked(found->second);
    return false;
  }
  return credentials_internal::SecretEquals(found->second->digest, digest);
}

void AuthCache::Remember(std::string_view account, std::string_view password, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration()) return;
  std::string digest = Digest(account, password);
  absl::MutexLock lock(&mu_);
  auto found = index_.find(account);
  if (found != index_.end()) EraseLocked(found->second);
  // Drop what has expired at the front, then make room if still full.
  while (!order_.empty() && now >= order_.front().expires) EraseLocked(order_.begin());
  while (order_.size() >= max_entries_) EraseLocked(order_.begin());
  order_.push_back(Entry{std::string(account), std::move(digest), now + ttl_});
  index_.emplace(std::string_view(order_.back().account), std::prev(order_.end()));
}

void AuthCache::Forget(std::string_view account) {
  absl::MutexLock lock(&mu_);
  auto found = index_.find(account);
  if (found != index_.end()) EraseLocked(found->second);
}

size_t AuthCache::size() const {
  absl::MutexLock lock(&mu_);
  return order_.size();
}

}  // namespace kurier::storage
