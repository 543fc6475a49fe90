// APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315): the message is parsed
// once here (envelope and MIME structure with byte offsets) and stored with
// its bytes, as SMTP does at delivery.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/command_table.h"
#include "services/imap/flag_arg.h"
#include "services/imap/mailbox_arg.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

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

}  // namespace

asio::awaitable<void> Append(Session& session, Command& command) {
  // mailbox [flag-list] [date-time] literal
  const std::vector<Arg>& args = command.args;
  if (args.size() < 2 || args.size() > 4 || !args.back().is_string()) {
    session.Bad("APPEND takes a mailbox, optional flags and date, and a message literal");
    co_return;
  }
  std::optional<std::string> name = MailboxFromArg(args[0], session.utf8());
  if (!name.has_value()) {
    session.No("CANNOT", "invalid mailbox name");
    co_return;
  }
  v1::AppendRequest request;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i].is_list() && i == 1) {
      for (const Arg& arg : args[i].list) {
        std::optional<std::string> flag = FlagFromArg(arg);
        if (!flag.has_value()) {
          session.Bad("invalid flag");
          co_return;
        }
        request.add_flags(*flag);
      }
    } else if (args[i].is_string() && !args[i].literal) {
      std::optional<int64_t> date = ParseDateTime(args[i].value);
      if (!date.has_value()) {
        session.Bad("invalid date-time");
        co_return;
      }
      request.set_internal_date(*date);
    } else {
      session.Bad("APPEND takes a mailbox, optional flags and date, and a message literal");
      co_return;
    }
  }
  std::string& content = command.args.back().value;
  if (content.empty()) {
    session.No("CANNOT", "empty message");
    co_return;
  }
  request.set_account(session.account());
  request.set_mailbox(*name);
  request.set_structure(mime::ParseMessage(content).SerializeAsString());
  request.set_content(std::move(content));
  absl::StatusOr<v1::AppendResponse> appended = co_await session.store().Append(std::move(request));
  if (!appended.ok()) {
    if (appended.status().code() == absl::StatusCode::kNotFound) {
      session.No("TRYCREATE", "no such mailbox");
    } else {
      session.StoreFailed(appended.status());
    }
    co_return;
  }
  if (session.selected() != nullptr && session.selected()->name() == *name) {
    co_await session.AwaitOwnArrival(session.selected()->mailbox_id(), appended->uid());
  }
  session.Ok(absl::StrCat("APPENDUID ", appended->uid_validity(), " ", appended->uid()), "APPEND completed");
}

}  // namespace kurier::imap
