// Message contents FETCH has read, kept for every session of the process and
// keyed by blob id: the store names a blob by the SHA-256 of its bytes, so an
// entry can never be stale and needs no invalidation. A mailbox fetched again
// — by a phone after the desktop, after a reconnect, by a client that
// re-reads what it shows — is served without moving the bytes out of the
// store again (what the page cache does for Dovecot's files).
//
// A session only ever asks for blob ids from its own account's records, so
// the cache cannot hand anyone a message that is not theirs; two accounts
// holding the same bytes simply share them.
//
// Memory is bounded: past `max_bytes`, the least recently used contents are
// dropped; messages larger than `max_entry_bytes` are never kept (one huge
// attachment must not flush everybody's mail). Thread-safe: sharded, each
// shard under its own lock.
#ifndef KURIER_SERVICES_IMAP_CONTENT_CACHE_H_
#define KURIER_SERVICES_IMAP_CONTENT_CACHE_H_

#include <array>
#include <cstddef>
#include <list>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace kurier::imap {

class ContentCache {
 public:
  using Content = std::shared_ptr<const std::string>;

  ContentCache(size_t max_bytes, size_t max_entry_bytes);

  // The content of blob `blob_id`, or null.
  Content Find(const std::string& blob_id);

  // Keeps `content` as blob `blob_id`'s, as far as the budget lets.
  void Insert(const std::string& blob_id, Content content);

  // Bytes held (contents and keys).
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 16;

  struct Entry {
    std::string blob_id;
    Content content;
  };
  struct Shard {
    mutable absl::Mutex mu;
    std::list<Entry> recency ABSL_GUARDED_BY(mu);  // most recent first
    absl::flat_hash_map<std::string, std::list<Entry>::iterator> index ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
  };

  Shard& ShardOf(const std::string& blob_id);
  static size_t Charge(const std::string& blob_id, const std::string& content);

  const size_t shard_bytes_;
  const size_t max_entry_bytes_;
  std::array<Shard, kShards> shards_;
};

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CONTENT_CACHE_H_
