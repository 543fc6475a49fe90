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
    : db_(db), cfs_(cfs), sync_(sync), thread_([this] { Loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
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
      if (queue_.empty()) return;  // stopping, and nothing left to do
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
  std::vector<std::function<void()>> after_commit;
  size_t ran = 0;
  for (Pending* p : batch) {
    if (wbwi.GetDataSize() > kMaxBatchBytes) break;  // the rest goes in the next batch
    ++ran;
    WriteTxn txn(db_, cfs_, &wbwi);
    wbwi.SetSavePoint();
    p->result = p->op(txn);
    if (p->result.ok()) {
      for (auto& fn : txn.after_commit_) after_commit.push_back(std::move(fn));
    } else {
      wbwi.RollbackToSavePoint();  // a failed operation leaves nothing behind
    }
  }
  std::vector<Pending*> later(batch.begin() + ran, batch.end());
  batch.resize(ran);

  rocksdb::WriteOptions options;
  options.sync = sync_;
  absl::Status written = wbwi.GetWriteBatch()->Count() == 0
                             ? absl::OkStatus()
                             : FromRocks(db_->Write(options, wbwi.GetWriteBatch()));
  if (written.ok()) {
    for (auto& fn : after_commit) fn();
  }
  absl::MutexLock lock(&mu_);
  for (Pending* p : batch) {
    if (!written.ok() && p->result.ok()) p->result = written;
    p->done = true;
  }
  // Operations that did not fit run first in the next batch.
  for (auto it = later.rbegin(); it != later.rend(); ++it) queue_.push_front(*it);
  stats_.commits += written.ok() && wbwi.GetWriteBatch()->Count() > 0 ? 1 : 0;
  stats_.operations += batch.size();
}

}  // namespace kurier::storage
