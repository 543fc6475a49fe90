#include "storage/kv_reader.h"

namespace kurier::storage {

absl::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNotFound()) return absl::NotFoundError(s.ToString());
  return absl::UnavailableError("storage: " + s.ToString());
}

SnapshotReader::SnapshotReader(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>* cfs)
    : db_(db), cfs_(cfs), snapshot_(db->GetSnapshot()) {}

SnapshotReader::~SnapshotReader() { db_->ReleaseSnapshot(snapshot_); }

absl::StatusOr<std::optional<std::string>> SnapshotReader::Get(ColumnFamily cf, std::string_view key) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::string value;
  rocksdb::Status s = db_->Get(options, (*cfs_)[cf], rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s);
  return value;
}

absl::Status SnapshotReader::MultiGet(ColumnFamily cf, const std::vector<std::string>& keys,
                                      const MultiGetVisitor& visit) {
  if (keys.empty()) return absl::OkStatus();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(options, (*cfs_)[cf], keys.size(), slices.data(), values.data(), statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<std::string_view> value;
    if (statuses[i].ok()) {
      value = std::string_view(values[i].data(), values[i].size());
    } else if (!statuses[i].IsNotFound()) {
      return FromRocks(statuses[i]);
    }
    absl::Status s = visit(i, value);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status SnapshotReader::Scan(ColumnFamily cf, std::string_view begin, std::string_view end,
                                  const ScanVisitor& visit) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  rocksdb::Slice upper(end.data(), end.size());
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, (*cfs_)[cf]));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status());
}

}  // namespace kurier::storage
