// Group commit: every write to the store runs as an operation on one writer
// thread. The writer takes all operations that queued while it was busy, runs
// them one after another against a shared batch (each sees the writes of
// those before it), and writes the batch to the WAL. A second thread fsyncs
// the WAL for every batch written since its last sync and only then reports
// those operations done. So concurrent writers share syncs, the next batch is
// prepared while the previous one syncs, and the logic of an operation never
// races another: no per-record locks, no deadlocks.
#ifndef KURIER_STORAGE_GROUP_COMMIT_H_
#define KURIER_STORAGE_GROUP_COMMIT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/keys.h"
#include "storage/kv_reader.h"

namespace kurier::storage {

// What one operation sees: reads through the pending batch to the database,
// and writes into the batch. Valid only during the operation.
class WriteTxn : public KvReader {
 public:
  WriteTxn(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>* cfs,
           rocksdb::WriteBatchWithIndex* batch)
      : db_(db), cfs_(cfs), batch_(batch) {}

  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, std::string_view key) override;
  void Put(ColumnFamily cf, std::string_view key, std::string_view value);
  void Delete(ColumnFamily cf, std::string_view key);
  // Sees the keys as the batch would leave them.
  absl::Status Scan(ColumnFamily cf, std::string_view begin, std::string_view end,
                    const ScanVisitor& visit) override;
  // Runs after the batch holding this operation is durable; not run if the
  // operation or the commit fails. Used to notify watchers.
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }

 private:
  friend class GroupCommitWriter;
  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* cfs_;
  rocksdb::WriteBatchWithIndex* batch_;
  std::vector<std::function<void()>> after_commit_;
};

class GroupCommitWriter {
 public:
  struct Stats {
    uint64_t commits = 0;     // WAL syncs (or unsynced batch writes with sync off)
    uint64_t operations = 0;  // operations committed in them
  };

  // sync: fsync the WAL before an operation is reported done.
  GroupCommitWriter(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>* cfs, bool sync);
  ~GroupCommitWriter();  // finishes queued operations, then stops the thread

  // Runs op on the writer thread and returns once its writes are durable.
  // If op fails, none of its writes are kept and its status is returned.
  absl::Status Run(std::function<absl::Status(WriteTxn&)> op);

  Stats stats() const;

 private:
  struct Pending {
    std::function<absl::Status(WriteTxn&)> op;
    absl::Status result;
    bool done = false;
  };
  struct Written {
    std::vector<Pending*> operations;
    std::vector<std::function<void()>> after_commit;
  };
  void Loop();
  void SyncLoop();
  void CommitBatch(std::vector<Pending*>& batch);
  // Reports operations done and runs their after-commit work.
  void Complete(std::vector<Written>& written, const absl::Status& status);

  rocksdb::DB* const db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* const cfs_;
  const bool sync_;
  mutable absl::Mutex mu_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Batches in the WAL, waiting for the sync thread.
  std::vector<Written> unsynced_ ABSL_GUARDED_BY(mu_);
  bool writer_done_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
  std::thread sync_thread_;
};

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_GROUP_COMMIT_H_
