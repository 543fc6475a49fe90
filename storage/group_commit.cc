#include "storage/group_commit.h"

#include <utility>

#include "rocksdb/options.h"

namespace kurier::storage {
namespace {

// A batch stops growing at this many operations or bytes, so that one commit
// never holds the rest of the queue back for long.
constexpr size_t kMaxBatchOperations = 512;
constexpr size_t kMaxBatchBytes = 64 << 20;

}  // namespace

absl::StatusOr<std::optional<std::string>> WriteTxn::Get(ColumnFamily cf, std::string_view key) {
  std::string value;
  rocksdb::Status s = batch_->GetFromBatchAndDB(db_, rocksdb::ReadOptions(), (*cfs_)[cf],
                                                rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s);
  return value;
}

void WriteTxn::Put(ColumnFamily cf, std::string_view key, std::string_view value) {
  batch_->Put((*cfs_)[cf], rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
}

void WriteTxn::Delete(ColumnFamily cf, std::string_view key) {
  batch_->Delete((*cfs_)[cf], rocksdb::Slice(key.data(), key.size()));
}

absl::Status WriteTxn::Scan(ColumnFamily cf, std::string_view begin, std::string_view end,
                            const ScanVisitor& visit) {
  rocksdb::ReadOptions options;
  rocksdb::Slice upper(end.data(), end.size());
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      batch_->NewIteratorWithBase((*cfs_)[cf], db_->NewIterator(options, (*cfs_)[cf])));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    // The batch part of the iterator does not honour iterate_upper_bound.
    if (!end.empty() && key >= end) break;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status());
}

GroupCommitWriter::GroupCommitWriter(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>* cfs,
                                     bool sync)
    : db_(db), cfs_(cfs), sync_(sync), thread_([this] { Loop(); }), sync_thread_([this] { SyncLoop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();  // runs what is queued; then the sync thread drains and ends
  sync_thread_.join();
}

absl::Status GroupCommitWriter::Run(std::function<absl::Status(WriteTxn&)> op) {
  Pending pending{std::move(op)};
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("store is shutting down");
  queue_.push_back(&pending);
  mu_.Await(absl::Condition(&pending.done));
  return pending.result;
}

GroupCommitWriter::Stats GroupCommitWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GroupCommitWriter::Loop() {
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
  while (true) {
    std::vector<Pending*> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) {  // stopping, and nothing left to do
        writer_done_ = true;
        return;
      }
      while (!queue_.empty() && batch.size() < kMaxBatchOperations) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
  }
}

void GroupCommitWriter::CommitBatch(std::vector<Pending*>& batch) {
  // overwrite_key: reads within the batch see the latest write of a key.
  rocksdb::WriteBatchWithIndex wbwi(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
  Written written;
  size_t ran = 0;
  for (Pending* p : batch) {
    if (wbwi.GetDataSize() > kMaxBatchBytes) break;  // the rest goes in the next batch
    ++ran;
    WriteTxn txn(db_, cfs_, &wbwi);
    wbwi.SetSavePoint();
    p->result = p->op(txn);
    if (p->result.ok()) {
      for (auto& fn : txn.after_commit_) written.after_commit.push_back(std::move(fn));
    } else {
      wbwi.RollbackToSavePoint();  // a failed operation leaves nothing behind
    }
  }
  written.operations.assign(batch.begin(), batch.begin() + ran);
  std::vector<Pending*> later(batch.begin() + ran, batch.end());

  // The batch goes to the WAL (the OS has it: it survives a crash of this
  // process) and becomes visible to reads; the sync thread makes it durable
  // against power loss before anyone is told it is done.
  absl::Status status = wbwi.GetWriteBatch()->Count() == 0
                            ? absl::OkStatus()
                            : FromRocks(db_->Write(rocksdb::WriteOptions(), wbwi.GetWriteBatch()));
  std::vector<Written> now;
  {
    absl::MutexLock lock(&mu_);
    // Operations that did not fit run first in the next batch.
    for (auto it = later.rbegin(); it != later.rend(); ++it) queue_.push_front(*it);
    if (status.ok() && sync_) {
      unsynced_.push_back(std::move(written));
      return;
    }
    if (status.ok()) ++stats_.commits;
    now.push_back(std::move(written));
  }
  Complete(now, status);
}

void GroupCommitWriter::SyncLoop() {
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return writer_done_ || !unsynced_.empty(); };
  while (true) {
    std::vector<Written> batches;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&ready));
      if (unsynced_.empty()) return;  // the writer has stopped and all is synced
      batches.swap(unsynced_);
    }
    absl::Status status = FromRocks(db_->SyncWAL());
    if (status.ok()) {
      absl::MutexLock lock(&mu_);
      ++stats_.commits;
    }
    Complete(batches, status);
  }
}

void GroupCommitWriter::Complete(std::vector<Written>& written, const absl::Status& status) {
  if (status.ok()) {
    for (Written& w : written) {
      for (auto& fn : w.after_commit) fn();
    }
  }
  absl::MutexLock lock(&mu_);
  for (Written& w : written) {
    for (Pending* p : w.operations) {
      if (!status.ok() && p->result.ok()) p->result = status;
      p->done = true;
    }
    stats_.operations += w.operations.size();
  }
}

}  // namespace kurier::storage
