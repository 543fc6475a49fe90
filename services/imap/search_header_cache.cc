#include "services/imap/search_header_cache.h"

#include "absl/strings/str_cat.h"

namespace kurier::imap {

// The per-entry bookkeeping of the hash map and the shared_ptr control block.
constexpr size_t kEntryOverhead = 64;

std::string SearchHeaderCache::MailboxKey(const std::string& account, uint64_t mailbox_id, uint32_t uid_validity) {
  // Account names hold no NUL, so the key cannot be read two ways.
  return absl::StrCat(account, absl::string_view("\0", 1), mailbox_id, "/", uid_validity);
}

void SearchHeaderCache::Touch(absl::flat_hash_map<std::string, Mailbox>::iterator it) {
  recency_.splice(recency_.begin(), recency_, it->second.recency);
}

std::vector<SearchHeaderCache::Header> SearchHeaderCache::Find(const std::string& mailbox,
                                                               const std::vector<uint32_t>& uids) {
  std::vector<Header> found(uids.size());
  absl::MutexLock lock(&mu_);
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end()) return found;
  Touch(it);
  for (size_t i = 0; i < uids.size(); ++i) {
    auto entry = it->second.headers.find(uids[i]);
    if (entry != it->second.headers.end()) found[i] = entry->second;
  }
  return found;
}

void SearchHeaderCache::Insert(const std::string& mailbox, std::vector<std::pair<uint32_t, Header>> headers) {
  absl::MutexLock lock(&mu_);
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end()) {
    recency_.push_front(mailbox);
    it = mailboxes_.emplace(mailbox, Mailbox{.recency = recency_.begin()}).first;
  } else {
    Touch(it);
  }
  Mailbox& target = it->second;
  for (auto& [uid, header] : headers) {
    if (header == nullptr) continue;
    const size_t size = header->MemoryBytes() + kEntryOverhead;
    // Room is made from the least recently used other mailboxes.
    while (bytes_ + size > max_bytes_ && recency_.back() != mailbox) {
      auto victim = mailboxes_.find(recency_.back());
      bytes_ -= victim->second.bytes;
      mailboxes_.erase(victim);
      recency_.pop_back();
    }
    if (bytes_ + size > max_bytes_) break;
    if (target.headers.emplace(uid, std::move(header)).second) {
      target.bytes += size;
      bytes_ += size;
    }
  }
  if (target.headers.empty()) {
    recency_.erase(target.recency);
    mailboxes_.erase(it);
  }
}

size_t SearchHeaderCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace kurier::imap
