// APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315), MULTIAPPEND
// (RFC 3502: several messages in one command, all appended or none) and
// the UTF8 data extension (RFC 6855 §4: "UTF8 (~{n}...)" once UTF8=ACCEPT
// is enabled). Each message is parsed once here (envelope and MIME
// structure with byte offsets) and stored with its bytes, as SMTP does at
// delivery.
//
// The store appends one message per call. MULTIAPPEND checks every message
// first, appends them in order and, when one fails, expunges those this
// command already appended, so the client sees all of them or none
// (another session may glimpse them in between). The reader bounds the
// bytes of one command (each literal, and all together); kMaxMessages
// bounds the number of messages.
#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/log/log.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/command_table.h"
#include "services/imap/flag_arg.h"
#include "services/imap/mailbox_arg.h"
#include "services/imap/message_set.h"
#include "services/imap/search/search_result.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// Messages in one MULTIAPPEND.
constexpr size_t kMaxMessages = 1000;

constexpr char kSyntax[] =
    "APPEND takes a mailbox, then for each message optional flags and date and a literal or UTF8 (literal8)";

// RFC 9051 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", the day may be
// space-padded.
std::optional<int64_t> ParseDateTime(absl::string_view text) {
  std::string value(text);
  if (!value.empty() && value[0] == ' ') value[0] = '0';
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%d-%b-%Y %H:%M:%S %z", value, &time, &error)) return std::nullopt;
  return absl::ToUnixSeconds(time);
}

// What is wrong with an APPEND: the answer to give.
struct Refusal {
  bool bad = true;   // BAD, else NO
  std::string code;  // for NO
  std::string text;
};

// Fills *messages from `args` (after the mailbox) with requests without
// account and mailbox, moving the literals' bytes out of `args`; or says
// why the command is refused.
//   append-message = [SP flag-list] [SP date-time] SP append-data
//   append-data    = literal / literal8 / "UTF8" SP "(" literal8 ")"
std::optional<Refusal> ParseMessages(std::vector<Arg>& args, bool utf8, std::vector<v1::AppendRequest>* messages) {
  auto refuse = [](bool bad, std::string code, std::string text) {
    return std::optional<Refusal>(Refusal{bad, std::move(code), std::move(text)});
  };
  size_t i = 1;
  while (i < args.size()) {
    if (messages->size() == kMaxMessages) {
      return refuse(false, "LIMIT", absl::StrCat("at most ", kMaxMessages, " messages in one APPEND"));
    }
    v1::AppendRequest request;
    if (args[i].is_list()) {
      for (const Arg& arg : args[i].list) {
        std::optional<std::string> flag = FlagFromArg(arg);
        if (!flag.has_value()) return refuse(true, "", "invalid flag");
        request.add_flags(*flag);
      }
      ++i;
    }
    if (i < args.size() && args[i].is_string() && !args[i].literal) {
      std::optional<int64_t> date = ParseDateTime(args[i].value);
      if (!date.has_value()) return refuse(true, "", "invalid date-time");
      request.set_internal_date(*date);
      ++i;
    }
    std::string* content = nullptr;
    if (i < args.size() && args[i].is_string() && args[i].literal) {
      content = &args[i].value;
      ++i;
    } else if (i + 1 < args.size() && args[i].is_atom() && absl::EqualsIgnoreCase(args[i].value, "UTF8") &&
               args[i + 1].is_list()) {
      // RFC 6855 §4: only for a client that enabled UTF8=ACCEPT.
      if (!utf8) return refuse(true, "", "APPEND UTF8 requires ENABLE UTF8=ACCEPT");
      std::vector<Arg>& inner = args[i + 1].list;
      if (inner.size() != 1 || !inner[0].is_string() || !inner[0].literal8) {
        return refuse(true, "", "APPEND UTF8 takes one literal8 in parentheses");
      }
      content = &inner[0].value;
      i += 2;
    } else {
      return refuse(true, "", kSyntax);
    }
    if (content->empty()) return refuse(false, "CANNOT", "empty message");
    request.set_structure(mime::ParseMessage(*content).SerializeAsString());
    request.set_content(std::move(*content));
    messages->push_back(std::move(request));
  }
  if (messages->empty()) return refuse(true, "", kSyntax);
  return std::nullopt;
}

}  // namespace

asio::awaitable<void> Append(Session& session, Command& command) {
  // mailbox 1*append-message (RFC 3502)
  std::vector<Arg>& args = command.args;
  if (args.size() < 2) {
    session.Bad(kSyntax);
    co_return;
  }
  std::optional<std::string> name = MailboxFromArg(args[0], session.utf8());
  if (!name.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  std::vector<v1::AppendRequest> messages;
  if (std::optional<Refusal> refusal = ParseMessages(args, session.utf8(), &messages); refusal.has_value()) {
    if (refusal->bad) {
      session.Bad(refusal->text);
    } else {
      session.No(refusal->code, refusal->text);
    }
    co_return;
  }
  std::vector<uint32_t> uids;
  uint32_t uid_validity = 0;
  for (v1::AppendRequest& request : messages) {
    request.set_account(session.account());
    request.set_mailbox(*name);
    absl::StatusOr<v1::AppendResponse> appended = co_await session.store().Append(std::move(request));
    if (!appended.ok()) {
      if (!uids.empty()) {
        // RFC 3502 §6.3.11: none of the messages is appended. Should this
        // fail too, the client is still told NO (and has to look).
        v1::ExpungeRequest undo;
        undo.set_account(session.account());
        undo.set_mailbox(*name);
        undo.set_ignore_deleted_flag(true);
        std::sort(uids.begin(), uids.end());
        for (const v1::UidRange& range : ToUidRanges(uids)) *undo.add_uids() = range;
        absl::StatusOr<v1::ExpungeResponse> undone = co_await session.store().Expunge(std::move(undo));
        if (!undone.ok()) {
          log::Warning("MULTIAPPEND could not remove its partial append",
                       {{"session", absl::StrCat(session.id())}, {"error", undone.status().ToString()}});
        }
      }
      if (appended.status().code() == absl::StatusCode::kNotFound) {
        session.No("TRYCREATE", "no such mailbox");
      } else {
        session.StoreFailed(appended.status());
      }
      co_return;
    }
    uids.push_back(appended->uid());
    uid_validity = appended->uid_validity();
  }
  std::sort(uids.begin(), uids.end());
  if (session.selected() != nullptr && session.selected()->name() == *name) {
    co_await session.AwaitOwnArrival(session.selected()->mailbox_id(), uids.back());
  }
  // RFC 4315: a set of UIDs for MULTIAPPEND.
  session.Ok(absl::StrCat("APPENDUID ", uid_validity, " ", FormatNumberSet(uids)), "APPEND completed");
}

}  // namespace kurier::imap
