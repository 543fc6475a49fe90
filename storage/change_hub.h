// Fans committed changes out to the watchers in this process: those of one
// account (a Watch call) and those of every account (a shard-wide Watch that
// serves a whole IMAP server). Listeners are called on the writer thread
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
  // Listens to every account, as Subscribe.
  std::unique_ptr<MailStore::Subscription> SubscribeAll(ChangeListener listener);
  // Calls the account's listeners, then the listeners of every account, with
  // each change in order. `changes` carry their account's name.
  void Publish(uint64_t account_id, const std::vector<v1::Change>& changes);

 private:
  class Handle;
  class AllHandle;
  void Unsubscribe(uint64_t account_id, uint64_t token);
  void UnsubscribeAll(uint64_t token);

  absl::Mutex mu_;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1;
  // account id -> token -> listener
  std::map<uint64_t, std::map<uint64_t, std::shared_ptr<ChangeListener>>> listeners_ ABSL_GUARDED_BY(mu_);
  // token -> listener of every account
  std::map<uint64_t, std::shared_ptr<ChangeListener>> all_listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_CHANGE_HUB_H_
