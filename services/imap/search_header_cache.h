// The headers SEARCH has prepared (search/search_eval.h SearchHeader), kept
// for every session of the process: a mailbox searched once by header keys
// (SUBJECT, FROM, HEADER…) is searched again without reading its messages
// from the store. What Dovecot's dovecot.index.cache does, in memory.
//
// Entries are keyed by account, mailbox id and UIDVALIDITY, then UID. A
// message's bytes never change under one UID, so an entry is never stale;
// a mailbox deleted and made again gets a new id and UIDVALIDITY. Accounts
// never share an entry.
//
// Memory is bounded: past `max_bytes`, whole mailboxes are dropped, least
// recently searched first; a mailbox larger than the budget stops growing.
// Thread-safe.
#ifndef KURIER_SERVICES_IMAP_SEARCH_HEADER_CACHE_H_
#define KURIER_SERVICES_IMAP_SEARCH_HEADER_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/imap/search/search_eval.h"

namespace kurier::imap {

class SearchHeaderCache {
 public:
  using Header = std::shared_ptr<const SearchHeader>;

  explicit SearchHeaderCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Which mailbox, as a cache key.
  static std::string MailboxKey(const std::string& account, uint64_t mailbox_id, uint32_t uid_validity);

  // The headers of `uids` that are cached (null where not), in order.
  std::vector<Header> Find(const std::string& mailbox, const std::vector<uint32_t>& uids);

  // Remembers headers (uid, header) of one mailbox, as far as the budget lets.
  void Insert(const std::string& mailbox, std::vector<std::pair<uint32_t, Header>> headers);

  size_t bytes() const;

 private:
  struct Mailbox {
    absl::flat_hash_map<uint32_t, Header> headers;
    size_t bytes = 0;
    std::list<std::string>::iterator recency;  // into recency_
  };

  // Marks `it` most recently used.
  void Touch(absl::flat_hash_map<std::string, Mailbox>::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Mailbox> mailboxes_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> recency_ ABSL_GUARDED_BY(mu_);  // most recent first
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_HEADER_CACHE_H_
