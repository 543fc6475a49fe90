// Reading the store's key space, either inside a write operation (seeing its
// own pending writes) or from a consistent snapshot. The record helpers in
// store_records.h take a KvReader so one piece of code serves both.
#ifndef KURIER_STORAGE_KV_READER_H_
#define KURIER_STORAGE_KV_READER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "storage/keys.h"

namespace kurier::storage {

using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;
// Called once per key of a MultiGet, in order, with the value (valid only
// during the call) or nullopt when the key is absent.
using MultiGetVisitor = std::function<absl::Status(size_t index, std::optional<std::string_view> value)>;

class KvReader {
 public:
  virtual ~KvReader() = default;
  // The value of key, or nullopt if absent. Errors are I/O errors.
  virtual absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, std::string_view key) = 0;
  // Visits keys in [begin, end) in order until visit returns false. An empty
  // end means no upper bound.
  virtual absl::Status Scan(ColumnFamily cf, std::string_view begin, std::string_view end,
                            const ScanVisitor& visit) = 0;
};

// Reads committed data as of its construction.
class SnapshotReader : public KvReader {
 public:
  SnapshotReader(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>* cfs);
  ~SnapshotReader() override;
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, std::string_view key) override;
  absl::Status Scan(ColumnFamily cf, std::string_view begin, std::string_view end,
                    const ScanVisitor& visit) override;
  // Looks up `keys` in one batch (RocksDB shares the index and blob file
  // reads among them) and hands each value to `visit` without copying it;
  // stops at the first error `visit` returns.
  absl::Status MultiGet(ColumnFamily cf, const std::vector<std::string>& keys, const MultiGetVisitor& visit);

 private:
  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* cfs_;
  const rocksdb::Snapshot* snapshot_;
};

// RocksDB status to absl status: NotFound stays NOT_FOUND, anything else is
// UNAVAILABLE (the caller may retry; details stay in the message for logs).
absl::Status FromRocks(const rocksdb::Status& s);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_KV_READER_H_
