// Key layout of the store. Every integer is big-endian so that RocksDB's byte
// order is numeric order, and an account's records are one contiguous range.
//
//   column family   key                                  value
//   accounts        account_id                           AccountRecord
//   addresses       normalized address                   account_id
//   mailboxes       account_id mailbox_id                Mailbox
//   messages        account_id mailbox_id uid            MessageInfo
//   blobs           sha256(content)                      content (blob files)
//   blob_refs       sha256(content)                      reference count
//   changes         account_id modseq index              Change
//   idempotency     method \0 key                        IdempotencyRecord
//   domains         lower-case domain name               v1::Domain
//   outbound        queue id (24 hex digits)             OutboundRecord
//   default         "next_account_id"                    counter
#ifndef KURIER_STORAGE_KEYS_H_
#define KURIER_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kurier::storage {

enum ColumnFamily : int {
  kDefault = 0,
  kAccounts,
  kAddresses,
  kMailboxes,
  kMessages,
  kBlobs,
  kBlobRefs,
  kChanges,
  kIdempotency,
  kDomains,
  kOutbound,
  kColumnFamilyCount,
};

// Names as RocksDB knows them, indexed by ColumnFamily.
extern const char* const kColumnFamilyNames[kColumnFamilyCount];

void AppendU32(std::string* out, uint32_t v);
void AppendU64(std::string* out, uint64_t v);
uint32_t ReadU32(std::string_view in);  // first 4 bytes, big-endian
uint64_t ReadU64(std::string_view in);  // first 8 bytes, big-endian

std::string AccountKey(uint64_t account_id);
std::string MailboxKey(uint64_t account_id, uint64_t mailbox_id);
std::string MessageKey(uint64_t account_id, uint64_t mailbox_id, uint32_t uid);
std::string ChangeKey(uint64_t account_id, uint64_t modseq, uint32_t index);
// The UID stored at the end of a MessageKey.
uint32_t UidOfMessageKey(std::string_view key);

// The smallest key greater than every key that starts with prefix.
std::string PrefixEnd(std::string_view prefix);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_KEYS_H_
