// Changing messages: STORE (RFC 9051 §6.4.6; UNCHANGEDSINCE and MODSEQ,
// RFC 7162 3.1.3), EXPUNGE and UID EXPUNGE
// (§6.4.3, RFC 4315), COPY with COPYUID (§6.4.7, RFC 4315) and MOVE
// (RFC 6851). The store does the work in one write each; the session
// applies the result to its view and answers.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"
#include "services/imap/condstore_args.h"
#include "services/imap/flag_arg.h"
#include "services/imap/mailbox_arg.h"
#include "services/imap/message_set.h"
#include "services/imap/search/search_result.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

std::string CopyUid(const v1::CopyMessagesResponse& copied) {
  // Pairs come in source order; both lists ascend, so each compresses alone.
  std::vector<uint32_t> source(copied.source_uids().begin(), copied.source_uids().end());
  std::vector<uint32_t> destination(copied.destination_uids().begin(), copied.destination_uids().end());
  return absl::StrCat("COPYUID ", copied.uid_validity(), " ", FormatNumberSet(source), " ",
                      FormatNumberSet(destination));
}

asio::awaitable<void> CopyOrMove(Session& session, Command& command, bool move) {
  if (command.args.size() != 2) {
    session.Bad(move ? "MOVE takes a sequence set and a mailbox" : "COPY takes a sequence set and a mailbox");
    co_return;
  }
  SelectedMailbox& mailbox = *session.selected();
  absl::StatusOr<std::vector<uint32_t>> uids =
      ResolveMessageSet(mailbox, command.args[0], command.uid, session.saved_search());
  if (!uids.ok()) {
    session.Bad(uids.status().message());
    co_return;
  }
  std::optional<std::string> destination = MailboxFromArg(command.args[1], session.utf8());
  if (!destination.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  if (move && mailbox.read_only()) {
    session.No("READ-ONLY", "the mailbox is read-only");
    co_return;
  }
  if (uids->empty()) {
    session.Ok(move ? "MOVE completed" : "COPY completed");
    co_return;
  }
  v1::CopyMessagesRequest request;
  request.set_account(session.account());
  request.set_mailbox(mailbox.name());
  request.set_destination(*destination);
  for (const v1::UidRange& range : ToUidRanges(*uids)) *request.add_uids() = range;
  // (Two statements: g++ 12 miscompiles co_await inside ?:.)
  absl::StatusOr<v1::CopyMessagesResponse> copied;
  if (move) {
    copied = co_await session.store().MoveMessages(std::move(request));
  } else {
    copied = co_await session.store().CopyMessages(std::move(request));
  }
  if (!copied.ok()) {
    if (copied.status().code() == absl::StatusCode::kNotFound) {
      session.No("TRYCREATE", "no such mailbox");
    } else {
      session.StoreFailed(copied.status());
    }
    co_return;
  }
  if (!move) {
    if (!copied->destination_uids().empty() && mailbox.name() == *destination) {
      co_await session.AwaitOwnArrival(mailbox.mailbox_id(), *copied->destination_uids().rbegin());
    }
    session.Ok(copied->source_uids().empty() ? "" : CopyUid(*copied), "COPY completed");
    co_return;
  }
  // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges.
  if (!copied->source_uids().empty()) {
    AppendUntaggedStatus(&session.output(), Condition::kOk, CopyUid(*copied), "moved");
  }
  std::vector<uint32_t> moved(copied->source_uids().begin(), copied->source_uids().end());
  std::sort(moved.begin(), moved.end());
  mailbox.ApplyOwnExpunge(moved, &session.output());
  session.Ok("MOVE completed");
}

}  // namespace

asio::awaitable<void> Store(Session& session, Command& command) {
  // STORE set [(modifiers)] item flags (RFC 7162 3.1.3, RFC 4466 2.5).
  const size_t item_index = command.args.size() > 1 && command.args[1].is_list() ? 2 : 1;
  if (command.args.size() < item_index + 2) {
    session.Bad("STORE takes a sequence set, an item and flags");
    co_return;
  }
  SelectedMailbox& mailbox = *session.selected();
  absl::StatusOr<std::vector<uint32_t>> uids =
      ResolveMessageSet(mailbox, command.args[0], command.uid, session.saved_search());
  if (!uids.ok()) {
    session.Bad(uids.status().message());
    co_return;
  }
  StoreModifiers modifiers;
  if (item_index == 2) {
    absl::StatusOr<StoreModifiers> parsed = ParseStoreModifiers(command.args[1]);
    if (!parsed.ok()) {
      session.Bad(parsed.status().message());
      co_return;
    }
    modifiers = *parsed;
  }
  if (!command.args[item_index].is_atom()) {
    session.Bad("STORE item must be FLAGS, +FLAGS or -FLAGS");
    co_return;
  }
  std::string item = absl::AsciiStrToUpper(command.args[item_index].value);
  v1::StoreFlagsRequest::Mode mode = v1::StoreFlagsRequest::REPLACE;
  if (!item.empty() && (item[0] == '+' || item[0] == '-')) {
    mode = item[0] == '+' ? v1::StoreFlagsRequest::ADD : v1::StoreFlagsRequest::REMOVE;
    item.erase(0, 1);
  }
  const bool silent = item == "FLAGS.SILENT";
  if (item != "FLAGS" && !silent) {
    session.Bad("STORE item must be FLAGS, +FLAGS or -FLAGS");
    co_return;
  }
  // Flags as one list or as separate atoms (RFC 9051 §9: store-att-flags).
  std::vector<const Arg*> flag_args;
  if (command.args.size() == item_index + 2 && command.args[item_index + 1].is_list()) {
    for (const Arg& arg : command.args[item_index + 1].list) flag_args.push_back(&arg);
  } else {
    for (size_t i = item_index + 1; i < command.args.size(); ++i) flag_args.push_back(&command.args[i]);
  }
  v1::StoreFlagsRequest request;
  for (const Arg* arg : flag_args) {
    std::optional<std::string> flag = FlagFromArg(*arg);
    if (!flag.has_value()) {
      session.Bad("invalid flag");
      co_return;
    }
    request.add_flags(*flag);
  }
  if (mailbox.read_only()) {
    session.No("READ-ONLY", "the mailbox is read-only");
    co_return;
  }
  // RFC 7162 3.1: UNCHANGEDSINCE enables CONDSTORE; then every FETCH this
  // STORE answers with carries MODSEQ.
  if (modifiers.unchanged_since.has_value()) EnableCondstore(session);
  const bool condstore = session.condstore();
  // UIDs the UNCHANGEDSINCE test failed for, left alone.
  std::vector<uint32_t> modified;
  if (modifiers.unchanged_since == 0u) {
    // RFC 7162 3.1.3: UNCHANGEDSINCE 0 fails for every message (the store
    // reads 0 as "no test", so it is not asked).
    modified = *uids;
  } else if (!uids->empty()) {
    request.set_account(session.account());
    request.set_mailbox(mailbox.name());
    request.set_mode(mode);
    if (modifiers.unchanged_since.has_value()) request.set_unchanged_since(*modifiers.unchanged_since);
    for (const v1::UidRange& range : ToUidRanges(*uids)) *request.add_uids() = range;
    const SelectedMailbox::SilentStore silent_store{.mode = mode,
                                                    .flags = {request.flags().begin(), request.flags().end()}};
    // Mod-sequences only grow: a message this STORE changed has one above
    // every mod-sequence the session has seen.
    const uint64_t modseq_before = mailbox.highest_modseq();
    absl::StatusOr<v1::StoreFlagsResponse> stored = co_await session.store().StoreFlags(std::move(request));
    if (!stored.ok()) {
      session.StoreFailed(stored.status());
      co_return;
    }
    modified.assign(stored->modified_uids().begin(), stored->modified_uids().end());
    std::string& out = session.output();
    for (const v1::MessageInfo& info : stored->messages()) {
      mailbox.ApplyOwnFlags(info, silent ? &silent_store : nullptr);
      const uint32_t seq = mailbox.SeqOf(info.uid());
      if (seq == 0) continue;
      // RFC 7162 3.1.3: even with .SILENT a CONDSTORE-aware client is told
      // the new mod-sequence of each message changed.
      if (silent && !(condstore && info.modseq() > modseq_before)) continue;
      absl::StrAppend(&out, "* ", seq, " FETCH (");
      if (command.uid || condstore) absl::StrAppend(&out, "UID ", info.uid(), " ");
      if (!silent) {
        out += "FLAGS ";
        AppendFlagList(&out, {info.flags().begin(), info.flags().end()});
        if (condstore) out += " ";
      }
      if (condstore) absl::StrAppend(&out, "MODSEQ (", info.modseq(), ")");
      out += ")";
      AppendCrlf(&out);
    }
  }
  if (!modified.empty()) {
    // RFC 7162 3.1.3: [MODIFIED set], sequence numbers for STORE, UIDs for
    // UID STORE.
    std::vector<uint32_t> numbers;
    for (uint32_t uid : modified) {
      const uint32_t n = command.uid ? uid : mailbox.SeqOf(uid);
      if (n != 0) numbers.push_back(n);
    }
    std::sort(numbers.begin(), numbers.end());
    if (!numbers.empty()) {
      session.Ok(absl::StrCat("MODIFIED ", FormatNumberSet(numbers)), "conditional STORE failed");
      co_return;
    }
  }
  session.Ok("STORE completed");
}

asio::awaitable<void> Expunge(Session& session, Command& command) {
  if (command.args.size() != (command.uid ? 1u : 0u)) {
    session.Bad(command.uid ? "UID EXPUNGE takes a UID set" : "EXPUNGE takes no arguments");
    co_return;
  }
  SelectedMailbox& mailbox = *session.selected();
  v1::ExpungeRequest request;
  if (command.uid) {
    absl::StatusOr<std::vector<uint32_t>> uids =
        ResolveMessageSet(mailbox, command.args[0], true, session.saved_search());
    if (!uids.ok()) {
      session.Bad(uids.status().message());
      co_return;
    }
    if (uids->empty()) {
      session.Ok("EXPUNGE completed");
      co_return;
    }
    for (const v1::UidRange& range : ToUidRanges(*uids)) *request.add_uids() = range;
  }
  if (mailbox.read_only()) {
    session.No("READ-ONLY", "the mailbox is read-only");
    co_return;
  }
  request.set_account(session.account());
  request.set_mailbox(mailbox.name());
  absl::StatusOr<v1::ExpungeResponse> expunged = co_await session.store().Expunge(std::move(request));
  if (!expunged.ok()) {
    session.StoreFailed(expunged.status());
    co_return;
  }
  std::vector<uint32_t> removed(expunged->expunged_uids().begin(), expunged->expunged_uids().end());
  std::sort(removed.begin(), removed.end());
  mailbox.ApplyOwnExpunge(removed, &session.output());
  session.Ok("EXPUNGE completed");
}

asio::awaitable<void> Copy(Session& session, Command& command) { co_await CopyOrMove(session, command, false); }

asio::awaitable<void> Move(Session& session, Command& command) { co_await CopyOrMove(session, command, true); }

}  // namespace kurier::imap
