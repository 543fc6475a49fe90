#include "services/pop3/maildrop.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kurier::pop3 {

Maildrop::Maildrop(uint32_t uid_validity, std::vector<Message> messages)
    : uid_validity_(uid_validity), messages_(std::move(messages)) {
  UnmarkAll();
}

const Maildrop::Message* Maildrop::Find(uint32_t number) const {
  if (number == 0 || number > messages_.size()) return nullptr;
  const Message& message = messages_[number - 1];
  return message.deleted ? nullptr : &message;
}

bool Maildrop::MarkDeleted(uint32_t number) {
  if (Find(number) == nullptr) return false;
  Message& message = messages_[number - 1];
  message.deleted = true;
  --live_count_;
  live_size_ -= message.size;
  return true;
}

void Maildrop::MarkRetrieved(uint32_t number) {
  if (number >= 1 && number <= messages_.size()) messages_[number - 1].retrieved = true;
}

void Maildrop::UnmarkAll() {
  live_count_ = 0;
  live_size_ = 0;
  for (Message& message : messages_) {
    message.deleted = false;
    ++live_count_;
    live_size_ += message.size;
  }
}

std::string Maildrop::UniqueId(const Message& message) const {
  return absl::StrCat(uid_validity_, ".", message.uid);
}

std::vector<uint32_t> Maildrop::DeletedUids() const {
  std::vector<uint32_t> uids;
  for (const Message& message : messages_) {
    if (message.deleted) uids.push_back(message.uid);
  }
  return uids;
}

std::vector<uint32_t> Maildrop::RetrievedLiveUids() const {
  std::vector<uint32_t> uids;
  for (const Message& message : messages_) {
    if (message.retrieved && !message.deleted) uids.push_back(message.uid);
  }
  return uids;
}

}  // namespace kurier::pop3
