#include "storage/keys.h"

namespace kurier::storage {

const char* const kColumnFamilyNames[kColumnFamilyCount] = {
    "default", "accounts", "addresses", "mailboxes", "messages",
    "blobs",   "blob_refs", "changes",  "idempotency", "domains", "outbound",
};

void AppendU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t ReadU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4 && i < static_cast<int>(in.size()); ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && i < static_cast<int>(in.size()); ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string AccountKey(uint64_t account_id) {
  std::string key;
  AppendU64(&key, account_id);
  return key;
}

std::string MailboxKey(uint64_t account_id, uint64_t mailbox_id) {
  std::string key = AccountKey(account_id);
  AppendU64(&key, mailbox_id);
  return key;
}

std::string MessageKey(uint64_t account_id, uint64_t mailbox_id, uint32_t uid) {
  std::string key = MailboxKey(account_id, mailbox_id);
  AppendU32(&key, uid);
  return key;
}

std::string ChangeKey(uint64_t account_id, uint64_t modseq, uint32_t index) {
  std::string key = AccountKey(account_id);
  AppendU64(&key, modseq);
  AppendU32(&key, index);
  return key;
}

uint32_t UidOfMessageKey(std::string_view key) {
  return key.size() < 4 ? 0 : ReadU32(key.substr(key.size() - 4));
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<uint8_t>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // prefix was all 0xff: no upper bound
}

}  // namespace kurier::storage
