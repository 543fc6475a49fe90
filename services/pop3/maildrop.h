// The maildrop of one POP3 session (RFC 1939 TRANSACTION state): the INBOX
// messages as they were when the session logged in, numbered from 1, with the
// deletion marks of DELE. Pure bookkeeping; the store is not touched until
// QUIT.
#ifndef KURIER_SERVICES_POP3_MAILDROP_H_
#define KURIER_SERVICES_POP3_MAILDROP_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kurier::pop3 {

class Maildrop {
 public:
  struct Message {
    uint32_t uid = 0;
    uint64_t size = 0;
    bool deleted = false;
    bool retrieved = false;
  };

  Maildrop() = default;
  Maildrop(uint32_t uid_validity, std::vector<Message> messages);

  // Messages not marked deleted, and their total size.
  uint32_t live_count() const { return live_count_; }
  uint64_t live_size() const { return live_size_; }
  // Every message, including the ones marked deleted (for scan listings).
  uint32_t total_count() const { return static_cast<uint32_t>(messages_.size()); }

  // Message `number` (1-based) unless it does not exist or is marked deleted.
  const Message* Find(uint32_t number) const;
  // Marks for deletion; false when Find(number) would fail.
  bool MarkDeleted(uint32_t number);
  void MarkRetrieved(uint32_t number);
  // RSET: clears every deletion mark.
  void UnmarkAll();

  // The UIDL of a message: "<uidvalidity>.<uid>". UIDs are never reused in a
  // mailbox and UIDVALIDITY changes if the mailbox is ever recreated, so the
  // value is stable across sessions and unique for the life of the mailbox.
  std::string UniqueId(const Message& message) const;

  std::vector<uint32_t> DeletedUids() const;
  std::vector<uint32_t> RetrievedLiveUids() const;

 private:
  uint32_t uid_validity_ = 0;
  std::vector<Message> messages_;
  uint32_t live_count_ = 0;
  uint64_t live_size_ = 0;
};

}  // namespace kurier::pop3

#endif  // KURIER_SERVICES_POP3_MAILDROP_H_
