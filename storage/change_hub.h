// Fans committed changes out to the account's watchers (IMAP IDLE sessions,
// sync clients) in this process. Listeners are called on the writer thread
// after the commit and must not block.
#ifndef KURIER_STORAGE_CHANGE_HUB_H_
#define KURIER_STORAGE_CHANGE_HUB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/mail_store.h"

namespace kurier::storage {

class ChangeHub {
 public:
  // Listens to account_id until the returned subscription is destroyed. The
  // hub must outlive every subscription.
  std::unique_ptr<MailStore::Subscription> Subscribe(uint64_t account_id, ChangeListener listener);
  void Publish(uint64_t account_id, const std::vector<v1::Change>& changes);

 private:
  class Handle;
  void Unsubscribe(uint64_t account_id, uint64_t token);

  absl::Mutex mu_;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::map<uint64_t, std::shared_ptr<ChangeListener>>> listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_CHANGE_HUB_H_
