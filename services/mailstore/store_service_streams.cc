// The two server-streaming calls: ReadMessage (a message in chunks) and Watch
// (an account's changes as they happen, or with all_accounts every change of
// the shard, for a protocol server's shared change feed).
#include <deque>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "services/mailstore/status_mapping.h"
#include "services/mailstore/store_service.h"

namespace kurier::mailstore {
namespace {

constexpr size_t kChunkBytes = 256 << 10;
// A watcher that falls this far behind is cut off; it resumes with
// GetChanges, so memory per watcher stays bounded. The same bound holds for a
// shard-wide (all_accounts) watcher: a few MB at most.
constexpr size_t kMaxQueuedChanges = 10000;

class ReadReactor : public grpc::ServerWriteReactor<v1::ReadMessageChunk> {
 public:
  ReadReactor(storage::MailStore* store, ThreadPool* pool, const v1::ReadMessageRequest* request) {
    pool->Post([this, store, request] {
      uint64_t size = 0;
      auto data = store->ReadMessage(*request, &size);
      if (!data.ok()) {
        Finish(ToGrpcStatus(data.status(), "ReadMessage"));
        return;
      }
      data_ = *std::move(data);
      size_ = size;
      WriteNext();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    WriteNext();
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (sent_ > 0 && sent_ >= data_.size()) {
      Finish(grpc::Status::OK);
      return;
    }
    chunk_.Clear();
    if (sent_ == 0) chunk_.set_size(size_);
    const size_t n = std::min(kChunkBytes, data_.size() - sent_);
    chunk_.set_data(data_.substr(sent_, n));
    sent_ += n;
    if (sent_ == 0) sent_ = 1;  // an empty range still gets one chunk with the size
    StartWrite(&chunk_);
  }

  std::string data_;
  uint64_t size_ = 0;
  size_t sent_ = 0;
  v1::ReadMessageChunk chunk_;
};

// Shared between the reactor and the store's change listener, which may be
// called (once more) after the reactor is gone; `reactor` is null then.
struct WatchState {
  absl::Mutex mu;
  class WatchReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
};

class WatchReactor : public grpc::ServerWriteReactor<v1::Change> {
 public:
  WatchReactor(storage::MailStore* store, ThreadPool* pool, const v1::WatchRequest* request)
      : state_(std::make_shared<WatchState>()) {
    {
      absl::MutexLock lock(&state_->mu);
      state_->reactor = this;
    }
    if (request->all_accounts()) {
      WatchAll(store);
      return;
    }
    pool->Post([this, store, request, state = state_] {
      // Listen first, then read the log: nothing falls between the two.
      auto subscription = store->Watch(request->account(), [state](const v1::Change& change) {
        absl::MutexLock lock(&state->mu);
        if (state->reactor != nullptr) state->reactor->Enqueue(change, /*live=*/true);
      });
      absl::MutexLock lock(&state->mu);
      if (state->reactor == nullptr) return;  // cancelled meanwhile
      if (!subscription.ok()) {
        FinishLocked(ToGrpcStatus(subscription.status(), "Watch"));
        return;
      }
      subscription_ = *std::move(subscription);
      v1::GetChangesRequest since;
      since.set_account(request->account());
      since.set_since_modseq(request->since_modseq());
      state->mu.Unlock();
      auto log = request->since_modseq() == 0 ? absl::StatusOr<v1::GetChangesResponse>(v1::GetChangesResponse())
                                              : store->GetChanges(since);
      state->mu.Lock();
      if (state->reactor == nullptr) return;
      if (!log.ok()) {
        FinishLocked(ToGrpcStatus(log.status(), "Watch"));
        return;
      }
      for (const v1::Change& change : log->changes()) Enqueue(change, /*live=*/false);
      replayed_ = true;
      for (v1::Change& change : held_) {
        if (change.modseq() > last_replayed_) Enqueue(change, /*live=*/false);
      }
      held_.clear();
      StartNextLocked();
    });
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&state_->mu);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    queue_.pop_front();
    StartNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&state_->mu);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->reactor = nullptr;
    }
    subscription_.reset();
    delete this;
  }

  // all_accounts: live changes only, nothing to replay. Subscribing reads
  // nothing, so it runs here on the gRPC thread. The initial metadata goes
  // out once the store listens: a client that resynchronises after it has
  // arrived misses nothing. The lock keeps the listener from starting a write
  // before the metadata is sent (gRPC forbids sending it after a write).
  void WatchAll(storage::MailStore* store) {
    absl::MutexLock lock(&state_->mu);
    replayed_ = true;
    subscription_ = store->WatchAll([state = state_](const v1::Change& change) {
      absl::MutexLock lock(&state->mu);
      if (state->reactor != nullptr) state->reactor->Enqueue(change, /*live=*/true);
    });
    StartSendInitialMetadata();
  }

  // Called with state_->mu held.
  void Enqueue(const v1::Change& change, bool live) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (finished_) return;
    if (live && !replayed_) {  // the log is still being read; keep it until then
      held_.push_back(change);
      return;
    }
    if (!live) last_replayed_ = std::max(last_replayed_, change.modseq());
    if (queue_.size() >= kMaxQueuedChanges) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "watcher fell behind; resume with GetChanges from the last MODSEQ seen"));
      return;
    }
    queue_.push_back(change);
    if (live) StartNextLocked();
  }

 private:
  void StartNextLocked() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (finished_ || writing_ || queue_.empty() || !replayed_) return;
    writing_ = true;
    StartWrite(&queue_.front());
  }

  void FinishLocked(const grpc::Status& status) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  std::shared_ptr<WatchState> state_;
  std::unique_ptr<storage::MailStore::Subscription> subscription_;
  // All below are guarded by state_->mu.
  std::deque<v1::Change> queue_;  // front is being written while writing_
  std::vector<v1::Change> held_;
  uint64_t last_replayed_ = 0;
  bool replayed_ = false;
  bool writing_ = false;
  bool finished_ = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::ReadMessageChunk>* StoreService::ReadMessage(CallbackServerContext*,
                                                                          const v1::ReadMessageRequest* request) {
  return new ReadReactor(store_, pool_, request);
}

grpc::ServerWriteReactor<v1::Change>* StoreService::Watch(CallbackServerContext*, const v1::WatchRequest* request) {
  return new WatchReactor(store_, pool_, request);
}

}  // namespace kurier::mailstore
