#include "services/imap/content_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace kurier::imap {

ContentCache::ContentCache(size_t max_bytes, size_t max_entry_bytes)
    : shard_bytes_(max_bytes / kShards), max_entry_bytes_(max_entry_bytes) {}

ContentCache::Shard& ContentCache::ShardOf(const std::string& blob_id) {
  return shards_[absl::Hash<std::string>()(blob_id) % kShards];
}

size_t ContentCache::Charge(const std::string& blob_id, const std::string& content) {
  constexpr size_t kEntryOverhead = 128;  // list node, map slot, shared_ptr control block
  return content.size() + 2 * blob_id.size() + kEntryOverhead;
}

ContentCache::Content ContentCache::Find(const std::string& blob_id) {
  Shard& shard = ShardOf(blob_id);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.index.find(blob_id);
  if (it == shard.index.end()) return nullptr;
  shard.recency.splice(shard.recency.begin(), shard.recency, it->second);
  return it->second->content;
}

void ContentCache::Insert(const std::string& blob_id, Content content) {
  if (content == nullptr || content->size() > max_entry_bytes_) return;
  const size_t charge = Charge(blob_id, *content);
  if (charge > shard_bytes_) return;
  Shard& shard = ShardOf(blob_id);
  absl::MutexLock lock(&shard.mu);
  if (shard.index.contains(blob_id)) return;
  while (shard.bytes + charge > shard_bytes_ && !shard.recency.empty()) {
    Entry& oldest = shard.recency.back();
    shard.bytes -= Charge(oldest.blob_id, *oldest.content);
    shard.index.erase(oldest.blob_id);
    shard.recency.pop_back();
  }
  shard.recency.push_front(Entry{blob_id, std::move(content)});
  shard.index.emplace(blob_id, shard.recency.begin());
  shard.bytes += charge;
}

size_t ContentCache::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace kurier::imap
