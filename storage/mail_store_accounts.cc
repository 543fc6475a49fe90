// MailStore: opening the database, accounts and credentials.
#include <openssl/rand.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "storage/credentials/password_hash.h"
#include "storage/mail_store_impl.h"
#include "storage/names.h"

namespace kurier::storage {
namespace {

struct DefaultMailbox {
  const char* name;
  const char* special_use;
  uint32_t max_age_days;
};
constexpr DefaultMailbox kDefaultMailboxes[] = {
    {"INBOX", "", 0},       {"Sent", "Sent", 0},  {"Drafts", "Drafts", 0},
    {"Trash", "Trash", 30}, {"Junk", "Junk", 30}, {"Archive", "Archive", 0},
};

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

constexpr absl::Duration kScramExchangeLifetime = absl::Minutes(2);
constexpr size_t kMaxScramExchanges = 10000;

// The caches are shared by every column family (RocksDB sizes one budget).
struct Caches {
  std::shared_ptr<rocksdb::Cache> blocks;
  std::shared_ptr<rocksdb::Cache> blobs;
};

rocksdb::ColumnFamilyOptions FamilyOptions(int cf, const Caches& caches) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = caches.blocks;
  // Point lookups (a message, a blob index entry; FETCH makes one per
  // message) skip the files that cannot hold the key, and find it inside a
  // data block by hash instead of by binary search.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same in memory: a lookup skips the write buffers without the key
  // (freshly delivered mail sits there until the next flush).
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  if (cf == kBlobs) {
    // Message bodies go to blob files: the LSM tree stays small and
    // compaction does not rewrite mail.
    options.enable_blob_files = true;
    options.min_blob_size = 4096;
    options.enable_blob_garbage_collection = true;
    options.blob_cache = caches.blobs;
  }
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MailStore>> MailStore::Open(const StoreOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("store data directory is not set");
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create ", options.data_dir, ": ", ec.message()));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  const Caches caches{rocksdb::NewLRUCache(options.block_cache_bytes), rocksdb::NewLRUCache(options.blob_cache_bytes)};
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int cf = 0; cf < kColumnFamilyCount; ++cf)
    families.emplace_back(kColumnFamilyNames[cf], FamilyOptions(cf, caches));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.data_dir, families, &handles, &raw);
  if (!s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the store in ", options.data_dir, ": ", s.ToString()));
  }
  auto store = std::make_unique<MailStoreImpl>(options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles));
  if (absl::Status b = store->BackfillDomains(); !b.ok()) return b;
  return std::unique_ptr<MailStore>(std::move(store));
}

MailStoreImpl::MailStoreImpl(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> cfs)
    : options_(options),
      db_(std::move(db)),
      cfs_(std::move(cfs)),
      auth_cache_(options.auth_cache_ttl),
      scram_secret_(RandomBytes(32)),
      leases_(options.clock),
      writer_(std::make_unique<GroupCommitWriter>(db_.get(), &cfs_, options.sync)) {}

MailStoreImpl::~MailStoreImpl() {
  writer_.reset();  // finish queued writes before the handles go
  for (auto* handle : cfs_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

AccountWriter MailStoreImpl::Writer(WriteTxn& txn, AccountRecord record) {
  std::string name = record.account().name();
  return AccountWriter(txn, std::move(record),
                       [this, name = std::move(name)](uint64_t id, std::vector<v1::Change> changes) {
                         for (v1::Change& change : changes) change.set_account(name);
                         hub_.Publish(id, changes);
                       });
}

namespace {

std::string IdempotencyRecordKey(std::string_view method, std::string_view key) {
  return std::string(method) + std::string(1, '\0') + std::string(key);
}

}  // namespace

absl::Status MailStoreImpl::RunIdempotent(std::string_view method, std::string_view key,
                                          google::protobuf::Message* response,
                                          std::function<absl::Status(WriteTxn&)> op,
                                          const google::protobuf::RepeatedPtrField<std::string>* forget) {
  auto forget_first = [&](WriteTxn& txn) {
    if (forget == nullptr) return;
    for (const std::string& old : *forget) {
      if (!old.empty()) txn.Delete(kIdempotency, IdempotencyRecordKey(method, old));
    }
  };
  if (key.empty()) {
    return writer_->Run([&](WriteTxn& txn) {
      forget_first(txn);
      return op(txn);
    });
  }
  const std::string record_key = IdempotencyRecordKey(method, key);
  return writer_->Run([&](WriteTxn& txn) -> absl::Status {
    forget_first(txn);
    auto seen = txn.Get(kIdempotency, record_key);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      IdempotencyRecord record;
      if (!record.ParseFromString(**seen) || !response->ParseFromString(record.response())) {
        return absl::DataLossError("corrupt idempotency record");
      }
      return absl::OkStatus();
    }
    if (absl::Status s = op(txn); !s.ok()) return s;
    IdempotencyRecord record;
    record.set_created_at(absl::ToUnixSeconds(absl::Now()));
    record.set_method(std::string(method));
    record.set_response(response->SerializeAsString());
    txn.Put(kIdempotency, record_key, record.SerializeAsString());
    return absl::OkStatus();
  });
}

absl::Status MailStoreImpl::ForgetIdempotencyKeys(std::string_view method, const std::vector<std::string>& keys) {
  if (keys.size() > 10000) return absl::InvalidArgumentError("at most 10000 keys at a time");
  if (keys.empty()) return absl::OkStatus();
  return writer_->Run([&](WriteTxn& txn) -> absl::Status {
    for (const std::string& key : keys) {
      if (!key.empty()) txn.Delete(kIdempotency, IdempotencyRecordKey(method, key));
    }
    return absl::OkStatus();
  });
}

absl::Status MailStoreImpl::WithAccount(WriteTxn& txn, std::string_view name,
                                        const std::function<absl::Status(AccountWriter&)>& fn) {
  auto record = LoadAccountByAddress(txn, name);
  if (!record.ok()) return record.status();
  AccountWriter writer = Writer(txn, *std::move(record));
  if (absl::Status s = fn(writer); !s.ok()) return s;
  writer.Save();
  return absl::OkStatus();
}

absl::StatusOr<v1::Mailbox> MailStoreImpl::NewMailbox(AccountWriter& writer, const std::string& name,
                                                      std::string_view special_use, uint32_t max_age_days) {
  if (!IsSpecialUse(special_use)) {
    return absl::InvalidArgumentError(absl::StrCat("not a special-use attribute: ", std::string(special_use)));
  }
  AccountRecord& record = writer.record();
  v1::Mailbox mailbox;
  mailbox.set_id(record.next_mailbox_id());
  record.set_next_mailbox_id(record.next_mailbox_id() + 1);
  mailbox.set_name(name);
  mailbox.set_special_use(std::string(special_use));
  mailbox.set_subscribed(true);
  mailbox.set_uid_validity(record.next_uid_validity());
  record.set_next_uid_validity(record.next_uid_validity() + 1);
  mailbox.set_uid_next(1);
  mailbox.set_max_age_days(max_age_days);
  mailbox.set_highest_modseq(writer.Modseq());
  writer.SaveMailbox(mailbox);
  v1::Change change;
  change.set_kind(v1::Change::MAILBOX_CREATED);
  change.set_mailbox_id(mailbox.id());
  change.set_mailbox(name);
  writer.Log(std::move(change));
  return mailbox;
}

absl::StatusOr<v1::Account> MailStoreImpl::CreateAccount(const v1::CreateAccountRequest& request) {
  auto name = NormalizeAddress(request.name());
  if (!name.ok()) return name.status();
  std::vector<std::string> addresses = {*name};
  for (const std::string& alias : request.aliases()) {
    auto normalized = NormalizeAddress(alias);
    if (!normalized.ok()) return normalized.status();
    addresses.push_back(*normalized);
  }
  if (request.password().empty()) return absl::InvalidArgumentError("the password is empty");
  // The slow hashes are made before the write, off the writer thread.
  auto hash = HashPassword(request.password(), options_.scrypt_n);
  if (!hash.ok()) return hash.status();
  const std::string verifier = EncodeScramVerifier(MakeScramVerifier(request.password()));

  v1::Account result;
  absl::Status s =
      RunIdempotent("CreateAccount", request.idempotency_key(), &result, [&](WriteTxn& txn) -> absl::Status {
        for (const std::string& address : addresses) {
          auto taken = txn.Get(kAddresses, address);
          if (!taken.ok()) return taken.status();
          if (taken->has_value()) return absl::AlreadyExistsError(absl::StrCat("the address ", address, " is taken"));
        }
        auto counter = txn.Get(kDefault, "next_account_id");
        if (!counter.ok()) return counter.status();
        const uint64_t id = counter->has_value() ? ReadU64(**counter) : 1;
        std::string next;
        AppendU64(&next, id + 1);
        txn.Put(kDefault, "next_account_id", next);

        AccountRecord record;
        v1::Account* account = record.mutable_account();
        account->set_id(id);
        account->set_name(*name);
        for (size_t i = 1; i < addresses.size(); ++i) account->add_aliases(addresses[i]);
        account->set_quota_bytes(request.quota_bytes() != 0 ? request.quota_bytes() : options_.default_quota_bytes);
        account->set_created_at(absl::ToUnixSeconds(absl::Now()));
        record.set_password_hash(*hash);
        record.set_scram_verifier(verifier);
        record.set_next_mailbox_id(kInboxId);
        // UIDVALIDITY starts at the creation time, so that an account deleted and
        // made again does not repeat the values a client may have cached.
        record.set_next_uid_validity(static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now())));
        std::string id_value;
        AppendU64(&id_value, id);
        for (const std::string& address : addresses) txn.Put(kAddresses, address, id_value);
        if (absl::Status d = AddDomainsOf(txn, addresses); !d.ok()) return d;

        AccountWriter writer = Writer(txn, std::move(record));
        for (const DefaultMailbox& m : kDefaultMailboxes) {
          auto mailbox = NewMailbox(writer, m.name, m.special_use, m.max_age_days);
          if (!mailbox.ok()) return mailbox.status();
        }
        writer.Save();
        result = writer.record().account();
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return result;
}

absl::Status MailStoreImpl::DeleteAccount(std::string_view name) {
  std::string account_name;
  absl::Status s = writer_->Run([&](WriteTxn& txn) -> absl::Status {
    auto record = LoadAccountByAddress(txn, name);
    if (!record.ok()) return record.status();
    const uint64_t id = record->account().id();
    account_name = record->account().name();
    std::string prefix = AccountKey(id);
    // Keys are collected first and deleted after the scan: writing to the
    // batch while iterating it is not safe.
    std::vector<std::string> message_keys, blob_ids;
    absl::Status scan =
        txn.Scan(kMessages, prefix, PrefixEnd(prefix), [&](std::string_view key, std::string_view value) {
          v1::MessageInfo message;
          message.ParseFromArray(value.data(), value.size());
          blob_ids.push_back(message.blob_id());
          message_keys.emplace_back(key);
          return true;
        });
    if (!scan.ok()) return scan;
    for (const std::string& key : message_keys) txn.Delete(kMessages, key);
    for (const std::string& blob_id : blob_ids) {
      if (absl::Status d = DropBlobRef(txn, blob_id); !d.ok()) return d;
    }
    for (ColumnFamily cf : {kMailboxes, kChanges}) {
      std::vector<std::string> keys;
      absl::Status s2 = txn.Scan(cf, prefix, PrefixEnd(prefix), [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return true;
      });
      if (!s2.ok()) return s2;
      for (const std::string& key : keys) txn.Delete(cf, key);
    }
    txn.Delete(kAddresses, record->account().name());
    for (const std::string& alias : record->account().aliases()) txn.Delete(kAddresses, alias);
    if (absl::Status c = ClearCatchAll(txn, record->account().name()); !c.ok()) return c;
    txn.Delete(kAccounts, prefix);
    return absl::OkStatus();
  });
  if (s.ok()) auth_cache_.Forget(account_name);
  return s;
}

absl::StatusOr<v1::Account> MailStoreImpl::GetAccount(std::string_view name) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, name);
  if (!record.ok()) return record.status();
  return record->account();
}

absl::StatusOr<v1::ListAccountsResponse> MailStoreImpl::ListAccounts(const v1::ListAccountsRequest& request) {
  const uint32_t limit = request.limit() == 0 ? 1000 : std::min<uint32_t>(request.limit(), 10000);
  SnapshotReader reader(db_.get(), &cfs_);
  v1::ListAccountsResponse response;
  // Walk the address index in name order; aliases are skipped by comparing
  // with the account's primary name.
  std::string begin = request.after().empty() ? std::string() : request.after() + std::string(1, '\0');
  absl::Status inner;
  absl::Status s = reader.Scan(kAddresses, begin, "", [&](std::string_view key, std::string_view value) {
    auto record = LoadAccount(reader, ReadU64(value));
    if (!record.ok()) {
      inner = record.status();
      return false;
    }
    if (record->account().name() == key) *response.add_accounts() = record->account();
    return static_cast<uint32_t>(response.accounts_size()) < limit;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return response;
}

absl::Status MailStoreImpl::SetPassword(std::string_view name, std::string_view password) {
  if (password.empty()) return absl::InvalidArgumentError("the password is empty");
  auto hash = HashPassword(password, options_.scrypt_n);
  if (!hash.ok()) return hash.status();
  const std::string verifier = EncodeScramVerifier(MakeScramVerifier(password));
  std::string account_name;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, name, [&](AccountWriter& writer) {
      writer.record().set_password_hash(*hash);
      writer.record().set_scram_verifier(verifier);
      account_name = writer.record().account().name();
      return absl::OkStatus();
    });
  });
  if (s.ok()) auth_cache_.Forget(account_name);
  return s;
}

absl::StatusOr<v1::Account> MailStoreImpl::SetQuota(std::string_view name, uint64_t quota_bytes) {
  v1::Account result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, name, [&](AccountWriter& writer) {
      writer.record().mutable_account()->set_quota_bytes(quota_bytes);
      result = writer.record().account();
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<v1::Account> MailStoreImpl::SetAliases(std::string_view name, const std::vector<std::string>& aliases) {
  std::vector<std::string> normalized;
  for (const std::string& alias : aliases) {
    auto a = NormalizeAddress(alias);
    if (!a.ok()) return a.status();
    normalized.push_back(*a);
  }
  std::sort(normalized.begin(), normalized.end());
  normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
  v1::Account result;
  absl::Status s = writer_->Run([&](WriteTxn& txn) {
    return WithAccount(txn, name, [&](AccountWriter& writer) -> absl::Status {
      v1::Account* account = writer.record().mutable_account();
      std::string id_value;
      AppendU64(&id_value, account->id());
      for (const std::string& alias : normalized) {
        auto owner = txn.Get(kAddresses, alias);
        if (!owner.ok()) return owner.status();
        if (owner->has_value() && **owner != id_value) {
          return absl::AlreadyExistsError(absl::StrCat("the address ", alias, " belongs to another account"));
        }
        if (alias == account->name()) return absl::InvalidArgumentError("an alias cannot be the account's own name");
      }
      for (const std::string& old : account->aliases()) txn.Delete(kAddresses, old);
      account->clear_aliases();
      for (const std::string& alias : normalized) {
        txn.Put(kAddresses, alias, id_value);
        account->add_aliases(alias);
      }
      if (absl::Status d = AddDomainsOf(txn, normalized); !d.ok()) return d;
      result = *account;
      return absl::OkStatus();
    });
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::string> MailStoreImpl::ResolveAddress(std::string_view address) {
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, address);
  if (!record.ok()) return record.status();
  return record->account().name();
}

absl::StatusOr<v1::VerifyPasswordResponse> MailStoreImpl::VerifyPassword(std::string_view name,
                                                                         std::string_view password) {
  v1::VerifyPasswordResponse response;
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, name);
  if (absl::IsNotFound(record.status()) || absl::IsInvalidArgument(record.status())) return response;  // ok = false
  if (!record.ok()) return record.status();
  const std::string& account = record->account().name();
  if (auth_cache_.Check(account, password) || VerifyPasswordHash(password, record->password_hash())) {
    auth_cache_.Remember(account, password);
    response.set_ok(true);
    response.set_account(account);
  }
  return response;
}

absl::StatusOr<v1::ScramStartResponse> MailStoreImpl::ScramStart(std::string_view client_first) {
  auto server = ScramServer::Begin(client_first);
  if (!server.ok()) return server.status();
  SnapshotReader reader(db_.get(), &cfs_);
  auto record = LoadAccountByAddress(reader, server->username());
  std::string account;
  ScramVerifier verifier;
  if (record.ok()) {
    auto decoded = DecodeScramVerifier(record->scram_verifier());
    if (!decoded.ok()) return decoded.status();
    verifier = *decoded;
    account = record->account().name();
  } else if (absl::IsNotFound(record.status()) || absl::IsInvalidArgument(record.status())) {
    // An unknown user gets a plausible challenge, so SCRAM does not tell
    // which accounts exist; the exchange fails at the proof.
    verifier = FakeScramVerifier(server->username(), scram_secret_);
  } else {
    return record.status();
  }
  v1::ScramStartResponse response;
  response.set_server_first(server->ServerFirst(verifier));
  response.set_exchange_id(absl::BytesToHexString(RandomBytes(16)));
  absl::MutexLock lock(&scram_mu_);
  const absl::Time now = absl::Now();
  for (auto it = scram_exchanges_.begin(); it != scram_exchanges_.end();) {
    it = it->second.expires < now ? scram_exchanges_.erase(it) : std::next(it);
  }
  if (scram_exchanges_.size() >= kMaxScramExchanges) {
    return absl::ResourceExhaustedError("too many SCRAM exchanges in progress");
  }
  scram_exchanges_.emplace(response.exchange_id(),
                           ScramExchange{*std::move(server), account, now + kScramExchangeLifetime});
  return response;
}

absl::StatusOr<v1::ScramFinishResponse> MailStoreImpl::ScramFinish(std::string_view exchange_id,
                                                                   std::string_view client_final) {
  std::optional<ScramExchange> exchange;
  {
    absl::MutexLock lock(&scram_mu_);
    auto it = scram_exchanges_.find(std::string(exchange_id));
    if (it == scram_exchanges_.end() || it->second.expires < absl::Now()) {
      return absl::FailedPreconditionError("no SCRAM exchange with this id; start again");
    }
    exchange.emplace(std::move(it->second));
    scram_exchanges_.erase(it);
  }
  v1::ScramFinishResponse response;
  auto server_final = exchange->server.Finish(client_final);
  if (absl::IsInvalidArgument(server_final.status())) return server_final.status();
  if (server_final.ok() && !exchange->account.empty()) {
    response.set_ok(true);
    response.set_account(exchange->account);
    response.set_server_final(*server_final);
  }
  return response;
}

}  // namespace kurier::storage
