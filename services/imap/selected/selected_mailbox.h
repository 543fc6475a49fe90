// The selected mailbox of one IMAP session: which UID each message sequence
// number stands for, the flags and MODSEQ of each message, and the changes
// the client has not been told about yet. A pure class: it is fed the
// store's listing and change stream and the results of the session's own
// commands, and writes untagged responses into a buffer. No sockets, no
// store calls, no locking (one session, one strand).
//
// Two views, kept apart:
//   - the client's: sequence numbers 1..exists(). A message another session
//     expunged keeps its number until the EXPUNGE response is written
//     (IsExpungedPending); a message that arrived is not addressable until
//     the EXISTS response announcing it is written.
//   - the store's: what OnChange and the Apply* calls have reported. It runs
//     ahead of the client's view by exactly what has_pending() says.
// FlushPending brings the client's view up to the store's, as far as the
// RFC lets it at that moment.
//
// Change stream rules (storage/store_records.cc, AccountWriter): every
// change of one store operation carries that operation's MODSEQ; UIDs are
// handed out in MODSEQ order; MESSAGE_ADDED and FLAGS_CHANGED carry the
// message's whole flag list after the change (sorted, system flags with the
// backslash), MESSAGE_EXPUNGED carries no flags; a message's MODSEQ is that
// of its last add or flag change. The listing is taken after the session
// subscribed, so changes already in it are recognised and ignored:
//   MESSAGE_ADDED    ignored when the UID is known, is below the floor (the
//                    listing's highest UID + 1), has a MODSEQ no higher than
//                    the listing's highest message MODSEQ (both mean it was
//                    added, and expunged, before the listing was read), or
//                    was expunged during this session.
//   FLAGS_CHANGED    applied only when its MODSEQ is above the message's.
//   MESSAGE_EXPUNGED ignored for an unknown UID (a UID at or above the floor
//                    is remembered, so a late MESSAGE_ADDED cannot bring it
//                    back).
// The same rules make the echoes of the session's own STORE and EXPUNGE
// harmless, in whichever order echo and result arrive. The stream must
// deliver every change made after the session subscribed, in MODSEQ order,
// at least once; a repeat may come at any later time.
//
// New messages are learnt from the stream only, never from the session's
// own APPEND or COPY result: another session's message with a lower UID may
// still be on its way, and once a higher UID has been announced it could no
// longer be numbered (UIDs ascend with sequence numbers). The stream
// delivers adds in UID order, so EXISTS follows as soon as the echo does.
//
// STANDARDS
//   RFC 9051 2.3.1.1 (UIDs ascend with sequence numbers), 2.3.1.2 (sequence
//   numbers; renumbering on expunge), 7.4.1 / RFC 3501 7.3.1 (EXISTS never
//   lowers the count), 7.5.1 / RFC 3501 7.4.1 (EXPUNGE renumbers at once;
//   none while no command is in progress nor during FETCH, STORE or SEARCH;
//   UID FETCH, UID STORE and UID SEARCH MAY send it: MayWriteExpunge), 7.5.2
//   (unsolicited FETCH FLAGS); RFC 5256 (none during SORT or THREAD either,
//   UID SORT and UID THREAD may); RFC 7162 (once CONDSTORE is enabled,
//   every untagged FETCH carries UID and MODSEQ: uid_in_fetch and modseq).
//   No RECENT after EXISTS: Kurier keeps no \Recent, so the count stays
//   the 0 that SELECT reported (RFC 3501 7.3.2) and never needs updating.
//
// SECURITY
//   Reads the store's data only, never client bytes. Flags are written with
//   AppendFlagList, so no flag text can end or split a response.
//
// MEMORY
//   16 bytes per message (UID 4, flag-set index 4, MODSEQ 8, in three
//   vectors trimmed after the listing; growth adds up to a vector's slack),
//   plus each distinct flag set once (a mailbox typically has a handful),
//   plus an entry per message with an unreported flag change or expunge,
//   and per UID expunged at or above the floor during the session. A
//   100,000-message mailbox costs about 1.6 MB (MemoryPerMessage test).
//   Internal dates and sizes are not kept: MESSAGE_ADDED does not carry
//   them, and FETCH and SEARCH read MessageInfo from the store anyway.
#ifndef KURIER_SERVICES_IMAP_SELECTED_SELECTED_MAILBOX_H_
#define KURIER_SERVICES_IMAP_SELECTED_SELECTED_MAILBOX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proto/kurier/store/v1/store.pb.h"

namespace kurier::imap {

// True when an EXPUNGE response may be written while responding to
// `command` (its name, any case; `uid` for the UID form): always, except
// during FETCH, STORE, SEARCH, SORT and THREAD without UID (RFC 9051 7.5.1,
// RFC 5256). Writing none while no command is in progress (between
// commands) is the caller's part; IDLE is a command in progress.
bool MayWriteExpunge(absl::string_view command, bool uid);

class SelectedMailbox {
 public:
  // One message as the client sees it.
  struct MessageView {
    uint32_t seq = 0;
    uint32_t uid = 0;
    uint64_t modseq = 0;
    // Sorted; never null. Valid until the next non-const call.
    const std::vector<std::string>* flags = nullptr;
    // Expunged in the store, EXPUNGE not written yet (IsExpungedPending).
    bool expunged = false;
  };

  struct FlushOptions {
    // Write the pending EXPUNGE responses (see MayWriteExpunge). Without it
    // they stay pending and the messages keep their sequence numbers.
    bool allow_expunge = false;
    // "UID n" first in each FETCH (UID commands; CONDSTORE or QRESYNC
    // enabled).
    bool uid_in_fetch = false;
    // "MODSEQ (n)" last in each FETCH (CONDSTORE enabled).
    bool modseq = false;
  };

  // The state right after SELECT / EXAMINE. `listing` is FetchMessages of
  // the whole mailbox, read after the session subscribed to changes (any
  // order; duplicate UIDs are dropped; only uid, flags and modseq are
  // read). uid_next and highest_modseq are the mailbox's (GetMailboxStatus,
  // read before or after the listing: the listing, not uid_next, decides
  // which changes it already holds).
  SelectedMailbox(std::string name, uint64_t mailbox_id, bool read_only, uint32_t uid_validity, uint32_t uid_next,
                  uint64_t highest_modseq, std::vector<::kurier::store::v1::MessageInfo> listing);

  SelectedMailbox(const SelectedMailbox&) = delete;
  SelectedMailbox& operator=(const SelectedMailbox&) = delete;

  // Follows MAILBOX_RENAMED.
  const std::string& name() const { return name_; }
  uint64_t mailbox_id() const { return mailbox_id_; }
  bool read_only() const { return read_only_; }
  uint32_t uid_validity() const { return uid_validity_; }
  // True once a MAILBOX_DELETED for this mailbox arrived: the session should
  // end the selection. Nothing else changes.
  bool deleted() const { return deleted_; }

  // The client's view: messages 1..exists(), UIDs strictly ascending. It
  // counts messages whose EXPUNGE is pending, not messages not announced.
  uint32_t exists() const { return static_cast<uint32_t>(uids_.size()); }
  // The UID of message `seq` (1..exists()).
  uint32_t UidAt(uint32_t seq) const { return uids_[seq - 1]; }
  // The sequence number of `uid`; 0 when the client cannot address it.
  uint32_t SeqOf(uint32_t uid) const;
  // uids()[seq - 1] is the UID of message seq: for resolving sequence sets.
  const std::vector<uint32_t>& uids() const { return uids_; }
  // Message `seq` (1..exists()).
  MessageView At(uint32_t seq) const;
  // The message with `uid` when the client can address it.
  std::optional<MessageView> Find(uint32_t uid) const;
  bool IsExpungedPending(uint32_t uid) const { return expunge_pending_.contains(uid); }

  // UIDNEXT: above every UID known, announced or not.
  uint32_t uid_next() const { return uid_next_; }
  // HIGHESTMODSEQ: the highest MODSEQ seen for this mailbox. It promises the
  // client every change up to it only while !has_pending().
  uint64_t highest_modseq() const { return highest_modseq_; }
  // Messages of the client's view without \Seen, and the sequence number of
  // the first of them (0 when none; SELECT's [UNSEEN n] in IMAP4rev1).
  uint32_t unseen() const;
  uint32_t first_unseen() const;

  // A change from the account's stream. Changes to other mailboxes, echoes
  // and changes the listing already holds are ignored (see the top of the
  // file); MAILBOX_RENAMED and MAILBOX_DELETED of this mailbox update name()
  // and deleted().
  void OnChange(const ::kurier::store::v1::Change& change);

  // What a STORE.SILENT asked for: the client applies it to the flags it
  // knew, and is told nothing.
  struct SilentStore {
    ::kurier::store::v1::StoreFlagsRequest::Mode mode = ::kurier::store::v1::StoreFlagsRequest::REPLACE;
    std::vector<std::string> flags;
  };

  // One message of this session's StoreFlags response: a STORE whose FETCH
  // response the caller writes from `info` (silent null; also the \Seen set
  // by FETCH BODY[], reported in that FETCH), or a STORE.SILENT. Applied
  // when its MODSEQ is above the one held. Afterwards a FETCH is queued for
  // the message exactly when what the client now believes (info's flags, or
  // the silent request applied to the flags it knew) differs from the
  // message's latest flags, so the change is never reported twice, whether
  // its echo came before or after, and another session's change in between
  // is never lost. Returns whether `info` is the message's latest state;
  // false for a message unknown or expunge-pending, or when a later change
  // arrived already (its report stays queued).
  bool ApplyOwnFlags(const ::kurier::store::v1::MessageInfo& info, const SilentStore* silent = nullptr);

  // This session's EXPUNGE (or MOVE) result: writes "* n EXPUNGE" for each
  // of `uids` the client knows and removes it at once; drops the others.
  // The numbers follow RFC 9051's example: ascending, each counted after the
  // removals before it. Other pending expunges are left to FlushPending.
  // Call it only where MayWriteExpunge allows.
  void ApplyOwnExpunge(absl::Span<const uint32_t> uids, std::string* out);

  // Writes what the client has not been told, in this order: the pending
  // EXPUNGEs (with allow_expunge; numbered as ApplyOwnExpunge does), "* n
  // EXISTS" when messages arrived, then one FETCH with the latest FLAGS of
  // each message another session changed (however often; none when it is
  // back to what the client knows, unless modseq), numbered after the
  // EXPUNGEs. Flag changes of messages whose EXPUNGE is pending are dropped.
  // Afterwards the client's view is the store's, but for the expunges
  // withheld.
  void FlushPending(std::string* out, const FlushOptions& options);

  // Something for FlushPending (with allow_expunge) to write.
  bool has_pending() const { return !expunge_pending_.empty() || !arrived_.empty() || !flags_pending_.empty(); }
  bool has_pending_expunge() const { return !expunge_pending_.empty(); }

  // MESSAGE_ADDED changes dropped because their UID is below one the client
  // already has, so no sequence number keeps UIDs ascending (the stream
  // delivered adds out of order). Zero while the store behaves; the session
  // may log it, or end the selection.
  uint64_t out_of_order_adds() const { return out_of_order_adds_; }

  // Bytes held, roughly: vector capacities, flag sets, queues.
  size_t ApproximateBytes() const;

 private:
  // Distinct flag sets, each stored once and reference-counted.
  class FlagSets {
   public:
    // The id of the sorted, duplicate-free form of `flags`, with one more
    // reference.
    uint32_t Intern(std::vector<std::string> flags);
    void Ref(uint32_t id) { ++sets_[id].refs; }
    void Release(uint32_t id);
    const std::vector<std::string>& Get(uint32_t id) const { return sets_[id].flags; }
    bool Seen(uint32_t id) const { return sets_[id].seen; }
    size_t ApproximateBytes() const;

   private:
    struct Set {
      std::vector<std::string> flags;
      uint32_t refs = 0;
      bool seen = false;
    };
    std::vector<Set> sets_;
    std::vector<uint32_t> free_;
    absl::flat_hash_map<std::vector<std::string>, uint32_t> ids_;
  };

  // A message known to the store's view only, until EXISTS announces it.
  struct Arrived {
    uint32_t uid;
    uint32_t flag_set;
    uint64_t modseq;
  };

  MessageView ViewAt(size_t index) const;
  // The position of uid in uids_ / arrived_, or nullopt.
  std::optional<size_t> AnnouncedIndex(uint32_t uid) const;
  std::optional<size_t> ArrivedIndex(uint32_t uid) const;
  void Add(uint32_t uid, std::vector<std::string> flags, uint64_t modseq);
  void FlagsChanged(uint32_t uid, std::vector<std::string> flags, uint64_t modseq);
  void Expunged(uint32_t uid);
  void DropFlagsPending(uint32_t uid);
  // Points `slot` at the set of `flags`, releasing the one it held.
  void Replace(uint32_t* slot, std::vector<std::string> flags);
  // Writes "* n EXPUNGE" for the announced messages at `indices`
  // (ascending, distinct) and removes them.
  void RemoveAnnounced(const std::vector<size_t>& indices, std::string* out);
  void SeeModseq(uint64_t modseq) {
    if (modseq > highest_modseq_) highest_modseq_ = modseq;
  }

  std::string name_;
  const uint64_t mailbox_id_;
  const bool read_only_;
  const uint32_t uid_validity_;
  uint32_t uid_next_;
  uint64_t highest_modseq_;
  bool deleted_ = false;

  // The client's view in sequence order, as parallel vectors.
  std::vector<uint32_t> uids_;
  std::vector<uint32_t> flag_sets_;
  std::vector<uint64_t> modseqs_;
  // Messages not announced yet, in UID order, all above uids_.back().
  std::vector<Arrived> arrived_;
  FlagSets sets_;

  // UIDs below it, and adds at or below listing_modseq_, were in the
  // listing or expunged before it was read.
  uint32_t floor_ = 1;
  uint64_t listing_modseq_ = 0;
  // UIDs at or above floor_ expunged during the session: a late or repeated
  // MESSAGE_ADDED must not bring them back.
  absl::flat_hash_set<uint32_t> expunged_since_floor_;
  // Announced messages expunged in the store, EXPUNGE not yet written.
  absl::btree_set<uint32_t> expunge_pending_;
  // Announced messages whose flags may differ from what the client knows:
  // UID -> the flag set it knows (holding a reference).
  absl::btree_map<uint32_t, uint32_t> flags_pending_;
  uint64_t out_of_order_adds_ = 0;
};

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SELECTED_SELECTED_MAILBOX_H_
