#include "services/imap/selected/selected_mailbox.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/codec/response_writer.h"

namespace kurier::imap {
namespace {

namespace v1 = ::kurier::store::v1;

std::vector<std::string> ToVector(const google::protobuf::RepeatedPtrField<std::string>& flags) {
  return std::vector<std::string>(flags.begin(), flags.end());
}

// A system flag in the store's spelling ("\\seen" -> "\\Seen"), as
// storage/names.cc NormalizeFlags writes it; keywords as they are.
std::string StoredFlag(const std::string& flag) {
  for (absl::string_view system : {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"}) {
    if (absl::EqualsIgnoreCase(flag, system)) return std::string(system);
  }
  return flag;
}

// The flags a client believes a message has after a STORE.SILENT, from
// those it knew (unsorted; FlagSets::Intern sorts).
std::vector<std::string> Believed(const SelectedMailbox::SilentStore& store, const std::vector<std::string>& known) {
  std::vector<std::string> asked;
  for (const std::string& flag : store.flags) asked.push_back(StoredFlag(flag));
  switch (store.mode) {
    case v1::StoreFlagsRequest::REPLACE:
      return asked;
    case v1::StoreFlagsRequest::ADD: {
      std::vector<std::string> flags = known;
      flags.insert(flags.end(), asked.begin(), asked.end());
      return flags;
    }
    case v1::StoreFlagsRequest::REMOVE: {
      std::vector<std::string> flags;
      for (const std::string& flag : known) {
        if (std::find(asked.begin(), asked.end(), flag) == asked.end()) flags.push_back(flag);
      }
      return flags;
    }
    default:
      return known;
  }
}

}  // namespace

bool MayWriteExpunge(absl::string_view command, bool uid) {
  if (uid) return true;
  for (absl::string_view barred : {"FETCH", "STORE", "SEARCH", "SORT", "THREAD"}) {
    if (absl::EqualsIgnoreCase(command, barred)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- FlagSets

uint32_t SelectedMailbox::FlagSets::Intern(std::vector<std::string> flags) {
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  if (auto it = ids_.find(flags); it != ids_.end()) {
    ++sets_[it->second].refs;
    return it->second;
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(sets_.size());
    sets_.emplace_back();
  }
  Set& set = sets_[id];
  set.seen = std::binary_search(flags.begin(), flags.end(), "\\Seen");
  set.refs = 1;
  set.flags = flags;
  ids_.emplace(std::move(flags), id);
  return id;
}

void SelectedMailbox::FlagSets::Release(uint32_t id) {
  Set& set = sets_[id];
  if (--set.refs != 0) return;
  ids_.erase(set.flags);
  set.flags = {};
  free_.push_back(id);
}

size_t SelectedMailbox::FlagSets::ApproximateBytes() const {
  size_t bytes = sets_.capacity() * sizeof(Set) + free_.capacity() * sizeof(uint32_t) +
                 ids_.capacity() * (sizeof(std::pair<std::vector<std::string>, uint32_t>) + 1);
  for (const Set& set : sets_) {
    // Twice: in the set and in the key of ids_.
    for (const std::string& flag : set.flags) bytes += 2 * (sizeof(std::string) + flag.capacity());
  }
  return bytes;
}

// ---------------------------------------------------------- SelectedMailbox

SelectedMailbox::SelectedMailbox(std::string name, uint64_t mailbox_id, bool read_only, uint32_t uid_validity,
                                 uint32_t uid_next, uint64_t highest_modseq, std::vector<v1::MessageInfo> listing)
    : name_(std::move(name)),
      mailbox_id_(mailbox_id),
      read_only_(read_only),
      uid_validity_(uid_validity),
      uid_next_(uid_next),
      highest_modseq_(highest_modseq) {
  std::sort(listing.begin(), listing.end(),
            [](const v1::MessageInfo& a, const v1::MessageInfo& b) { return a.uid() < b.uid(); });
  uids_.reserve(listing.size());
  flag_sets_.reserve(listing.size());
  modseqs_.reserve(listing.size());
  for (const v1::MessageInfo& info : listing) {
    if (info.uid() == 0 || (!uids_.empty() && info.uid() == uids_.back())) continue;
    // Neighbours mostly share their flags: reuse the last set without
    // hashing when the stored (sorted) list is the same.
    uint32_t set;
    if (!flag_sets_.empty() && std::equal(info.flags().begin(), info.flags().end(),
                                          sets_.Get(flag_sets_.back()).begin(), sets_.Get(flag_sets_.back()).end())) {
      set = flag_sets_.back();
      sets_.Ref(set);
    } else {
      set = sets_.Intern(ToVector(info.flags()));
    }
    uids_.push_back(info.uid());
    flag_sets_.push_back(set);
    modseqs_.push_back(info.modseq());
    listing_modseq_ = std::max(listing_modseq_, info.modseq());
  }
  SeeModseq(listing_modseq_);
  uids_.shrink_to_fit();
  flag_sets_.shrink_to_fit();
  modseqs_.shrink_to_fit();
  floor_ = uids_.empty() ? 1 : uids_.back() + 1;
  if (uid_next_ < floor_) uid_next_ = floor_;
}

std::optional<size_t> SelectedMailbox::AnnouncedIndex(uint32_t uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return std::nullopt;
  return static_cast<size_t>(it - uids_.begin());
}

std::optional<size_t> SelectedMailbox::ArrivedIndex(uint32_t uid) const {
  auto it = std::lower_bound(arrived_.begin(), arrived_.end(), uid,
                             [](const Arrived& a, uint32_t u) { return a.uid < u; });
  if (it == arrived_.end() || it->uid != uid) return std::nullopt;
  return static_cast<size_t>(it - arrived_.begin());
}

SelectedMailbox::MessageView SelectedMailbox::ViewAt(size_t index) const {
  MessageView view;
  view.seq = static_cast<uint32_t>(index + 1);
  view.uid = uids_[index];
  view.modseq = modseqs_[index];
  view.flags = &sets_.Get(flag_sets_[index]);
  view.expunged = expunge_pending_.contains(view.uid);
  return view;
}

uint32_t SelectedMailbox::SeqOf(uint32_t uid) const {
  std::optional<size_t> index = AnnouncedIndex(uid);
  return index.has_value() ? static_cast<uint32_t>(*index + 1) : 0;
}

SelectedMailbox::MessageView SelectedMailbox::At(uint32_t seq) const { return ViewAt(seq - 1); }

std::optional<SelectedMailbox::MessageView> SelectedMailbox::Find(uint32_t uid) const {
  std::optional<size_t> index = AnnouncedIndex(uid);
  if (!index.has_value()) return std::nullopt;
  return ViewAt(*index);
}

uint32_t SelectedMailbox::unseen() const {
  uint32_t count = 0;
  for (uint32_t set : flag_sets_) count += sets_.Seen(set) ? 0 : 1;
  return count;
}

uint32_t SelectedMailbox::first_unseen() const {
  for (size_t i = 0; i < flag_sets_.size(); ++i) {
    if (!sets_.Seen(flag_sets_[i])) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

void SelectedMailbox::Replace(uint32_t* slot, std::vector<std::string> flags) {
  // Intern first, so that an unchanged set is not freed on the way.
  const uint32_t set = sets_.Intern(std::move(flags));
  sets_.Release(*slot);
  *slot = set;
}

void SelectedMailbox::OnChange(const v1::Change& change) {
  if (change.mailbox_id() != mailbox_id_) return;
  switch (change.kind()) {
    case v1::Change::MESSAGE_ADDED:
      SeeModseq(change.modseq());
      Add(change.uid(), ToVector(change.flags()), change.modseq());
      break;
    case v1::Change::FLAGS_CHANGED:
      SeeModseq(change.modseq());
      FlagsChanged(change.uid(), ToVector(change.flags()), change.modseq());
      break;
    case v1::Change::MESSAGE_EXPUNGED:
      SeeModseq(change.modseq());
      Expunged(change.uid());
      break;
    case v1::Change::MAILBOX_RENAMED:
      SeeModseq(change.modseq());
      name_ = change.mailbox();
      break;
    case v1::Change::MAILBOX_DELETED:
      deleted_ = true;
      break;
    default:
      break;
  }
}

void SelectedMailbox::Add(uint32_t uid, std::vector<std::string> flags, uint64_t modseq) {
  // Added before the listing was read: in it, or expunged since.
  if (uid < floor_ || modseq <= listing_modseq_ || expunged_since_floor_.contains(uid)) return;
  if (AnnouncedIndex(uid).has_value() || ArrivedIndex(uid).has_value()) return;  // an echo or a repeat
  if (!uids_.empty() && uid < uids_.back()) {
    ++out_of_order_adds_;
    return;
  }
  auto it = std::lower_bound(arrived_.begin(), arrived_.end(), uid,
                             [](const Arrived& a, uint32_t u) { return a.uid < u; });
  arrived_.insert(it, Arrived{uid, sets_.Intern(std::move(flags)), modseq});
  if (uid != UINT32_MAX && uid_next_ <= uid) uid_next_ = uid + 1;
}

void SelectedMailbox::FlagsChanged(uint32_t uid, std::vector<std::string> flags, uint64_t modseq) {
  if (std::optional<size_t> index = AnnouncedIndex(uid)) {
    if (modseq <= modseqs_[*index] || expunge_pending_.contains(uid)) return;
    if (!flags_pending_.contains(uid)) {
      // The client knows the flags held until now.
      sets_.Ref(flag_sets_[*index]);
      flags_pending_.emplace(uid, flag_sets_[*index]);
    }
    Replace(&flag_sets_[*index], std::move(flags));
    modseqs_[*index] = modseq;
  } else if (std::optional<size_t> arrived = ArrivedIndex(uid)) {
    // Not announced: the client reads its flags after the EXISTS.
    Arrived& message = arrived_[*arrived];
    if (modseq <= message.modseq) return;
    Replace(&message.flag_set, std::move(flags));
    message.modseq = modseq;
  }
}

void SelectedMailbox::Expunged(uint32_t uid) {
  if (uid >= floor_) expunged_since_floor_.insert(uid);
  if (AnnouncedIndex(uid).has_value()) {
    expunge_pending_.insert(uid);
    DropFlagsPending(uid);
  } else if (std::optional<size_t> arrived = ArrivedIndex(uid)) {
    // Never announced: it goes without a word.
    sets_.Release(arrived_[*arrived].flag_set);
    arrived_.erase(arrived_.begin() + static_cast<std::ptrdiff_t>(*arrived));
  }
}

void SelectedMailbox::DropFlagsPending(uint32_t uid) {
  auto pending = flags_pending_.find(uid);
  if (pending == flags_pending_.end()) return;
  sets_.Release(pending->second);
  flags_pending_.erase(pending);
}

bool SelectedMailbox::ApplyOwnFlags(const v1::MessageInfo& info, const SilentStore* silent) {
  SeeModseq(info.modseq());
  const uint32_t uid = info.uid();
  std::optional<size_t> index = AnnouncedIndex(uid);
  if (!index.has_value()) {
    std::optional<size_t> arrived = ArrivedIndex(uid);
    if (!arrived.has_value()) return false;
    // Not announced: the client reads its flags after the EXISTS.
    Arrived& message = arrived_[*arrived];
    if (info.modseq() < message.modseq) return false;
    Replace(&message.flag_set, ToVector(info.flags()));
    message.modseq = info.modseq();
    return true;
  }
  if (expunge_pending_.contains(uid)) return false;
  auto pending = flags_pending_.find(uid);
  const uint32_t known = pending != flags_pending_.end() ? pending->second : flag_sets_[*index];
  // What the client believes now: what the caller reports, or what it asked
  // for applied to what it knew.
  const uint32_t believed =
      sets_.Intern(silent != nullptr ? Believed(*silent, sets_.Get(known)) : ToVector(info.flags()));
  const bool latest = info.modseq() >= modseqs_[*index];
  if (info.modseq() > modseqs_[*index]) {
    Replace(&flag_sets_[*index], ToVector(info.flags()));
    modseqs_[*index] = info.modseq();
  }
  if (believed == flag_sets_[*index]) {
    sets_.Release(believed);
    DropFlagsPending(uid);
  } else if (pending != flags_pending_.end()) {
    sets_.Release(pending->second);
    pending->second = believed;
  } else {
    flags_pending_.emplace(uid, believed);
  }
  return latest;
}

void SelectedMailbox::RemoveAnnounced(const std::vector<size_t>& indices, std::string* out) {
  if (indices.empty()) return;
  // Each EXPUNGE renumbers the messages after it at once (RFC 9051 7.5.1):
  // the k-th removal, counting from 0 in ascending order, is numbered k
  // lower than the message's number before any of them.
  for (size_t k = 0; k < indices.size(); ++k) absl::StrAppend(out, "* ", indices[k] + 1 - k, " EXPUNGE\r\n");
  size_t write = indices.front();
  size_t next = 0;
  for (size_t read = indices.front(); read < uids_.size(); ++read) {
    if (next < indices.size() && indices[next] == read) {
      ++next;
      sets_.Release(flag_sets_[read]);
      expunge_pending_.erase(uids_[read]);
      DropFlagsPending(uids_[read]);
      continue;
    }
    uids_[write] = uids_[read];
    flag_sets_[write] = flag_sets_[read];
    modseqs_[write] = modseqs_[read];
    ++write;
  }
  uids_.resize(write);
  flag_sets_.resize(write);
  modseqs_.resize(write);
}

void SelectedMailbox::ApplyOwnExpunge(absl::Span<const uint32_t> uids, std::string* out) {
  std::vector<uint32_t> sorted(uids.begin(), uids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<size_t> indices;
  for (uint32_t uid : sorted) {
    if (uid >= floor_) expunged_since_floor_.insert(uid);
    if (std::optional<size_t> index = AnnouncedIndex(uid)) {
      indices.push_back(*index);
    } else if (std::optional<size_t> arrived = ArrivedIndex(uid)) {
      sets_.Release(arrived_[*arrived].flag_set);
      arrived_.erase(arrived_.begin() + static_cast<std::ptrdiff_t>(*arrived));
    }
  }
  RemoveAnnounced(indices, out);
}

void SelectedMailbox::FlushPending(std::string* out, const FlushOptions& options) {
  if (options.allow_expunge && !expunge_pending_.empty()) {
    std::vector<size_t> indices;
    indices.reserve(expunge_pending_.size());
    for (uint32_t uid : expunge_pending_) indices.push_back(*AnnouncedIndex(uid));  // ascending, as UIDs
    RemoveAnnounced(indices, out);
  }
  if (!arrived_.empty()) {
    for (const Arrived& message : arrived_) {
      uids_.push_back(message.uid);
      flag_sets_.push_back(message.flag_set);
      modseqs_.push_back(message.modseq);
    }
    arrived_.clear();
    absl::StrAppend(out, "* ", uids_.size(), " EXISTS\r\n");
  }
  for (const auto& [uid, known] : flags_pending_) {
    std::optional<size_t> index = AnnouncedIndex(uid);
    // Changed and changed back: only the MODSEQ is news.
    const bool write = index.has_value() && !expunge_pending_.contains(uid) &&
                       (flag_sets_[*index] != known || options.modseq);
    sets_.Release(known);
    if (!write) continue;
    absl::StrAppend(out, "* ", *index + 1, " FETCH (");
    if (options.uid_in_fetch) absl::StrAppend(out, "UID ", uid, " ");
    out->append("FLAGS ");
    AppendFlagList(out, sets_.Get(flag_sets_[*index]));
    if (options.modseq) absl::StrAppend(out, " MODSEQ (", modseqs_[*index], ")");
    out->append(")\r\n");
  }
  flags_pending_.clear();
}

size_t SelectedMailbox::ApproximateBytes() const {
  return sizeof(*this) + name_.capacity() + uids_.capacity() * sizeof(uint32_t) +
         flag_sets_.capacity() * sizeof(uint32_t) + modseqs_.capacity() * sizeof(uint64_t) +
         arrived_.capacity() * sizeof(Arrived) + sets_.ApproximateBytes() +
         expunged_since_floor_.capacity() * (sizeof(uint32_t) + 1) +
         (expunge_pending_.size() + flags_pending_.size()) * 2 * sizeof(uint32_t);
}

}  // namespace kurier::imap
