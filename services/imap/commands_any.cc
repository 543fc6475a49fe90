// Commands valid in any state: CAPABILITY, NOOP, LOGOUT (RFC 9051 §6.1),
// ID (RFC 2971) and ENABLE (RFC 5161; authenticated state; IMAP4rev2,
// UTF8=ACCEPT and CONDSTORE, RFC 7162 3.1).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;

// RFC 2971 §3.3: at most 30 field-value pairs, fields at most 30 octets,
// values at most 1024.
bool ValidIdList(const Arg& arg) {
  if (arg.is_nil()) return true;
  if (!arg.is_list() || arg.list.size() % 2 != 0 || arg.list.size() > 60) return false;
  for (size_t i = 0; i < arg.list.size(); i += 2) {
    const Arg& field = arg.list[i];
    const Arg& value = arg.list[i + 1];
    if (!field.is_string() || field.value.size() > 30) return false;
    if (!(value.is_string() || value.is_nil()) || value.value.size() > 1024) return false;
  }
  return true;
}

}  // namespace

asio::awaitable<void> Capability(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("CAPABILITY takes no arguments");
    co_return;
  }
  AppendUntagged(&session.output(), absl::StrCat("CAPABILITY ", session.Capabilities()));
  session.Ok("CAPABILITY completed");
}

asio::awaitable<void> Noop(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("NOOP takes no arguments");
    co_return;
  }
  session.Ok("NOOP completed");
}

asio::awaitable<void> Logout(Session& session, Command& command) {
  if (!command.args.empty()) {
    session.Bad("LOGOUT takes no arguments");
    co_return;
  }
  AppendUntaggedStatus(&session.output(), Condition::kBye, "", "logging out");
  AppendTagged(&session.output(), command.tag, Condition::kOk, "", "LOGOUT completed");
  session.Close();
}

asio::awaitable<void> Id(Session& session, Command& command) {
  if (command.args.size() != 1 || !ValidIdList(command.args[0])) {
    session.Bad("ID takes NIL or a list of field-value pairs");
    co_return;
  }
  std::string& out = session.output();
  out += "* ID (\"name\" \"Kurier\" \"vendor\" \"Kurier\" \"support-url\" \"https://kurier.invalid/\")";
  AppendCrlf(&out);
  session.Ok("ID completed");
}

asio::awaitable<void> Enable(Session& session, Command& command) {
  if (command.args.empty()) {
    session.Bad("ENABLE needs a capability");
    co_return;
  }
  std::vector<std::string> enabled;
  for (const Arg& arg : command.args) {
    if (!arg.is_atom()) {
      session.Bad("ENABLE takes capability names");
      co_return;
    }
    const std::string name = absl::AsciiStrToUpper(arg.value);
    if (name == "IMAP4REV2" && !session.imap4rev2()) {
      session.EnableImap4rev2();
      enabled.push_back("IMAP4rev2");
    } else if (name == "UTF8=ACCEPT" && !session.utf8()) {
      session.EnableUtf8();
      enabled.push_back("UTF8=ACCEPT");
    } else if (name == "CONDSTORE" && EnableCondstore(session)) {
      enabled.push_back("CONDSTORE");
    }
  }
  // RFC 5161 §3.1: an untagged ENABLED even when nothing new was enabled.
  AppendUntagged(&session.output(), absl::StrCat("ENABLED", enabled.empty() ? "" : " ", absl::StrJoin(enabled, " ")));
  session.Ok("ENABLE completed");
}

}  // namespace kurier::imap
