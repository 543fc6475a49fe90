// Changing messages: STORE (RFC 9051 §6.4.6), EXPUNGE and UID EXPUNGE
// (§6.4.3, RFC 4315), COPY with COPYUID (§6.4.7, RFC 4315) and MOVE
// (RFC 6851). The store does the work in one write each; the session
// applies the result to its view and answers.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/command_table.h"
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
  if (command.args.size() < 3) {
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
  if (!command.args[1].is_atom()) {
    session.Bad("STORE item must be FLAGS, +FLAGS or -FLAGS");
    co_return;
  }
  std::string item = absl::AsciiStrToUpper(command.args[1].value);
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
  if (command.args.size() == 3 && command.args[2].is_list()) {
    for (const Arg& arg : command.args[2].list) flag_args.push_back(&arg);
  } else {
    for (size_t i = 2; i < command.args.size(); ++i) flag_args.push_back(&command.args[i]);
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
  if (!uids->empty()) {
    request.set_account(session.account());
    request.set_mailbox(mailbox.name());
    request.set_mode(mode);
    for (const v1::UidRange& range : ToUidRanges(*uids)) *request.add_uids() = range;
    const SelectedMailbox::SilentStore silent_store{.mode = mode,
                                                    .flags = {request.flags().begin(), request.flags().end()}};
    absl::StatusOr<v1::StoreFlagsResponse> stored = co_await session.store().StoreFlags(std::move(request));
    if (!stored.ok()) {
      session.StoreFailed(stored.status());
      co_return;
    }
    std::string& out = session.output();
    for (const v1::MessageInfo& info : stored->messages()) {
      mailbox.ApplyOwnFlags(info, silent ? &silent_store : nullptr);
      const uint32_t seq = mailbox.SeqOf(info.uid());
      if (silent || seq == 0) continue;
      absl::StrAppend(&out, "* ", seq, " FETCH (");
      if (command.uid) absl::StrAppend(&out, "UID ", info.uid(), " ");
      out += "FLAGS ";
      AppendFlagList(&out, {info.flags().begin(), info.flags().end()});
      out += ")";
      AppendCrlf(&out);
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
