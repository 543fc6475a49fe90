#include "services/common/store_client/change_feed.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_callback.h"
#include "services/common/log/log.h"

namespace kurier::store_client {
namespace {

constexpr absl::Duration kFirstRetry = absl::Milliseconds(200);
constexpr absl::Duration kMaxRetry = absl::Seconds(5);
// A stream that stayed live this long resets the retry delay.
constexpr absl::Duration kStable = absl::Seconds(5);

}  // namespace

// One subscription's listener. Shared by its Subscription, the shard's
// account map and a dispatch in progress, so that a dispatch never calls a
// freed listener. Fields other than the constants are guarded by Core::mu_.
struct ChangeFeed::Entry {
  Entry(std::string account, size_t shard, Listener listener)
      : account(std::move(account)), shard(shard), listener(std::move(listener)) {}

  const std::string account;  // normalized: the map key
  const size_t shard;
  // Read without the lock while the entry is its shard's in_call; moved out
  // (and so destroyed on the unsubscribing thread) when it is not.
  Listener listener;
  bool active = true;  // false once unsubscribed: never called again
};

class ChangeFeed::Core : public std::enable_shared_from_this<Core> {
 public:
  explicit Core(StoreClient* client)
      : client_(client), addresses_(client->router().shards()), shards_(addresses_.size()) {}

  std::unique_ptr<Subscription> Subscribe(const std::string& account, Listener listener);
  void Unsubscribe(const std::shared_ptr<Entry>& entry);

  // The opener thread's loop: starts the streams that are due, until Stop.
  void RunOpener();
  // Ends the opener loop; no stream starts after it returns.
  void Stop();
  // After the opener has ended: cancels every stream and waits for their ends.
  void CancelStreamsAndWait();

  // From a stream's reactions (serialized per stream; one stream per shard).
  void Live(size_t shard);
  void Dispatch(size_t shard, const v1::Change& change);
  // The stream will start no more operations: gives up the hold that let
  // CancelStreamsAndWait reach it from outside, unless that took it already.
  void DropHold(Stream* stream);
  // From the stream's OnDone, after the reactor was deleted.
  void StreamDone(size_t shard, const grpc::Status& status);

 private:
  struct Shard {
    // account -> its subscriptions (usually one).
    absl::flat_hash_map<std::string, absl::InlinedVector<std::shared_ptr<Entry>, 1>> accounts;
    size_t subscribers = 0;
    Stream* stream = nullptr;  // open (starting, live or ending) stream
    bool live = false;         // the stream has its initial metadata
    absl::Time live_since;
    // When the opener should (re)open the stream; InfiniteFuture: not wanted.
    absl::Time open_at = absl::InfiniteFuture();
    absl::Duration retry = kFirstRetry;  // the next delay after a failure
    bool reopened = false;  // a stream ended with subscribers: log when back
    // The entry whose callback runs now (at most one per shard: the stream's
    // reactions are serialized), and on which thread.
    const Entry* in_call = nullptr;
    std::thread::id in_call_thread;
  };

  // Runs one callback of `entry` unless it was unsubscribed, without the lock.
  // change == nullptr: on_gap.
  void Call(size_t shard, const std::shared_ptr<Entry>& entry, const v1::Change* change);

  // Used only while the feed exists (Subscribe, the opener).
  StoreClient* const client_;
  // The shards' addresses, for logs: StreamDone may still log after the feed
  // (and then the client) is gone.
  const std::vector<std::string> addresses_;
  absl::Mutex mu_;
  absl::CondVar wake_;  // the opener's: a shard is due earlier, or Stop
  std::vector<Shard> shards_ ABSL_GUARDED_BY(mu_);  // one per client shard; never resized
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  size_t open_streams_ ABSL_GUARDED_BY(mu_) = 0;
};

// One Watch{all_accounts} stream. Owns itself; deleted in OnDone. It holds a
// hold from StartCall on so that the feed can TryCancel it from outside a
// reaction without racing OnDone: whoever clears `hold` (under Core::mu_)
// calls RemoveHold, the feed only after its TryCancel.
class ChangeFeed::Stream : public grpc::ClientReadReactor<v1::Change> {
 public:
  Stream(std::shared_ptr<Core> core, size_t shard) : core_(std::move(core)), shard_(shard) {
    request_.set_all_accounts(true);
  }

  size_t shard() const { return shard_; }

  // Not under Core::mu_: gRPC may run callbacks inline.
  void Start(v1::MailStore::Stub* stub) {
    stub->async()->Watch(&context_, &request_, this);
    AddHold();
    // The first read starts once the stream is live (OnReadInitialMetadataDone),
    // so that on_gap and on_change never run at the same time.
    StartCall();
  }

  // By the holder of the hold, not under Core::mu_.
  void CancelAndRelease() {
    context_.TryCancel();
    RemoveHold();
  }

  void OnReadInitialMetadataDone(bool ok) override {
    if (!ok) {  // failed before the store answered (e.g. UNAVAILABLE)
      core_->DropHold(this);
      return;
    }
    core_->Live(shard_);
    StartRead(&change_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      core_->DropHold(this);
      return;
    }
    core_->Dispatch(shard_, change_);
    StartRead(&change_);
  }

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<Core> core = std::move(core_);
    const size_t shard = shard_;
    // The ClientContext goes first, while the StoreClient's stub still holds
    // the channel (the feed waits for StreamDone before the client may go):
    // the channel's last reference is never dropped on this gRPC thread.
    delete this;
    core->StreamDone(shard, status);
  }

  bool hold = true;  // guarded by Core::mu_

 private:
  std::shared_ptr<Core> core_;
  const size_t shard_;
  grpc::ClientContext context_;
  v1::WatchRequest request_;
  v1::Change change_;
};

std::unique_ptr<ChangeFeed::Subscription> ChangeFeed::Core::Subscribe(const std::string& account,
                                                                      Listener listener) {
  std::string key = StoreRouter::NormalizeAccount(account);
  const size_t shard = client_->router().ShardFor(key);
  auto entry = std::make_shared<Entry>(key, shard, std::move(listener));
  absl::MutexLock lock(&mu_);
  Shard& s = shards_[shard];
  s.accounts[std::move(key)].push_back(entry);
  ++s.subscribers;
  if (s.stream == nullptr && s.open_at == absl::InfiniteFuture() && !stopping_) {
    s.open_at = absl::Now();
    wake_.Signal();
  }
  return std::unique_ptr<Subscription>(new Subscription(shared_from_this(), std::move(entry)));
}

void ChangeFeed::Core::Unsubscribe(const std::shared_ptr<Entry>& entry) {
  Listener doomed;  // destroyed after the lock is released
  absl::MutexLock lock(&mu_);
  Shard& s = shards_[entry->shard];
  entry->active = false;
  if (auto it = s.accounts.find(entry->account); it != s.accounts.end()) {
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), entry), list.end());
    if (list.empty()) s.accounts.erase(it);
  }
  --s.subscribers;
  if (s.in_call == entry.get()) {
    // From its own callback: it cannot wait for itself. The dispatch holds
    // the entry and destroys the listener when the callback has returned.
    if (s.in_call_thread == std::this_thread::get_id()) return;
    const Entry* self = entry.get();
    auto returned = [&s, self]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return s.in_call != self; };
    mu_.Await(absl::Condition(&returned));
  }
  doomed = std::move(entry->listener);
}

void ChangeFeed::Core::Call(size_t shard, const std::shared_ptr<Entry>& entry, const v1::Change* change) {
  {
    absl::MutexLock lock(&mu_);
    if (!entry->active) return;
    shards_[shard].in_call = entry.get();
    shards_[shard].in_call_thread = std::this_thread::get_id();
  }
  // Unsubscribe leaves the listener alone while the entry is in_call.
  const Listener& listener = entry->listener;
  if (change != nullptr) {
    if (listener.on_change) listener.on_change(*change);
  } else {
    if (listener.on_gap) listener.on_gap();
  }
  absl::MutexLock lock(&mu_);
  shards_[shard].in_call = nullptr;
}

void ChangeFeed::Core::Live(size_t shard) {
  std::vector<std::shared_ptr<Entry>> targets;
  bool reopened = false;
  {
    absl::MutexLock lock(&mu_);
    Shard& s = shards_[shard];
    s.live = true;
    s.live_since = absl::Now();
    reopened = std::exchange(s.reopened, false);
    // Every subscriber present now subscribed while the stream was not live,
    // or saw it break: all get on_gap. Later ones subscribe to a live stream.
    targets.reserve(s.subscribers);
    for (auto& [account, list] : s.accounts) targets.insert(targets.end(), list.begin(), list.end());
  }
  if (reopened) {
    log::Info("change feed stream is back",
              {{"shard", addresses_[shard]}, {"subscribers", absl::StrCat(targets.size())}});
  }
  for (const auto& entry : targets) Call(shard, entry, nullptr);
}

void ChangeFeed::Core::Dispatch(size_t shard, const v1::Change& change) {
  absl::InlinedVector<std::shared_ptr<Entry>, 2> targets;
  {
    absl::MutexLock lock(&mu_);
    Shard& s = shards_[shard];
    auto it = s.accounts.find(change.account());
    if (it == s.accounts.end()) return;
    targets.assign(it->second.begin(), it->second.end());
  }
  for (const auto& entry : targets) Call(shard, entry, &change);
}

void ChangeFeed::Core::DropHold(Stream* stream) {
  {
    absl::MutexLock lock(&mu_);
    if (!stream->hold) return;  // CancelStreamsAndWait has it
    stream->hold = false;
  }
  stream->RemoveHold();
}

void ChangeFeed::Core::StreamDone(size_t shard, const grpc::Status& status) {
  bool reopen = false;
  absl::Duration retry;
  {
    absl::MutexLock lock(&mu_);
    --open_streams_;
    Shard& s = shards_[shard];
    s.stream = nullptr;
    const bool was_live = s.live;
    s.live = false;
    if (stopping_) return;
    const absl::Time now = absl::Now();
    if (was_live && now - s.live_since >= kStable) s.retry = kFirstRetry;
    if (s.subscribers > 0) {
      reopen = true;
      retry = s.retry;
      s.open_at = now + s.retry;
      s.retry = std::min(s.retry * 2, kMaxRetry);
      s.reopened = true;
      wake_.Signal();
    } else {
      s.open_at = absl::InfiniteFuture();  // the next Subscribe reopens it
    }
  }
  const std::string& address = addresses_[shard];
  const std::string why = absl::StrCat(status.error_code(), " ", status.error_message());
  if (reopen) {
    log::Warning("change feed stream ended; reopening, then its subscribers get on_gap",
                 {{"shard", address}, {"status", why}, {"retry_in", absl::FormatDuration(retry)}});
  } else {
    log::Info("change feed stream ended; no subscribers, reopened by the next one", {{"shard", address}, {"status", why}});
  }
}

void ChangeFeed::Core::RunOpener() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    absl::Time next = absl::InfiniteFuture();
    std::vector<Stream*> due;
    for (size_t i = 0; i < shards_.size(); ++i) {
      Shard& s = shards_[i];
      if (s.stream != nullptr || s.open_at == absl::InfiniteFuture()) continue;
      if (s.open_at > now) {
        next = std::min(next, s.open_at);
        continue;
      }
      s.open_at = absl::InfiniteFuture();
      s.stream = new Stream(shared_from_this(), i);
      ++open_streams_;
      due.push_back(s.stream);
    }
    if (!due.empty()) {
      // Started without the lock: their reactions take it. Stop waits for
      // this thread, so the feed cancels only streams that have started.
      mu_.Unlock();
      for (Stream* stream : due) stream->Start(client_->StubAt(stream->shard()));
      mu_.Lock();
      continue;
    }
    wake_.WaitWithDeadline(&mu_, next);
  }
}

void ChangeFeed::Core::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  wake_.Signal();
}

void ChangeFeed::Core::CancelStreamsAndWait() {
  std::vector<Stream*> held;
  {
    absl::MutexLock lock(&mu_);
    for (Shard& s : shards_) {
      if (s.stream != nullptr && s.stream->hold) {
        s.stream->hold = false;
        held.push_back(s.stream);
      }
    }
  }
  // Without the lock: TryCancel may run reactions inline, and they take it.
  // The hold keeps each stream from OnDone until RemoveHold.
  for (Stream* stream : held) stream->CancelAndRelease();
  absl::MutexLock lock(&mu_);
  auto ended = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return open_streams_ == 0; };
  mu_.Await(absl::Condition(&ended));
}

ChangeFeed::Subscription::Subscription(std::shared_ptr<Core> core, std::shared_ptr<Entry> entry)
    : core_(std::move(core)), entry_(std::move(entry)) {}

ChangeFeed::Subscription::~Subscription() { core_->Unsubscribe(entry_); }

ChangeFeed::ChangeFeed(StoreClient* client) : core_(std::make_shared<Core>(client)) {
  opener_ = std::thread([core = core_] { core->RunOpener(); });
}

ChangeFeed::~ChangeFeed() {
  core_->Stop();
  opener_.join();
  core_->CancelStreamsAndWait();
}

std::unique_ptr<ChangeFeed::Subscription> ChangeFeed::Subscribe(const std::string& account, Listener listener) {
  return core_->Subscribe(account, std::move(listener));
}

}  // namespace kurier::store_client
