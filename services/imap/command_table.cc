#include "services/imap/command_table.h"

namespace kurier::imap {
namespace {

using States = CommandSpec::States;

constexpr CommandSpec kCommands[] = {
    {"CAPABILITY", &Capability, States::kAny},
    {"NOOP", &Noop, States::kAny},
    {"LOGOUT", &Logout, States::kAny},
    {"ID", &Id, States::kAny},
    {"ENABLE", &Enable, States::kAuthenticated},
    {"STARTTLS", &StartTls, States::kNotAuthenticated},
    {"LOGIN", &Login, States::kNotAuthenticated},
    {"AUTHENTICATE", &Authenticate, States::kNotAuthenticated},
    {"CREATE", &Create, States::kAuthenticated},
    {"DELETE", &Delete, States::kAuthenticated},
    {"RENAME", &Rename, States::kAuthenticated},
    {"SUBSCRIBE", &Subscribe, States::kAuthenticated},
    {"UNSUBSCRIBE", &Unsubscribe, States::kAuthenticated},
    {"LIST", &List, States::kAuthenticated},
    {"LSUB", &Lsub, States::kAuthenticated},
    {"NAMESPACE", &Namespace, States::kAuthenticated},
    {"STATUS", &Status, States::kAuthenticated},
    {"APPEND", &Append, States::kAuthenticated},
    {"SELECT", &Select, States::kAuthenticated},
    {"EXAMINE", &Examine, States::kAuthenticated},
    {"IDLE", &Idle, States::kAuthenticated},
    {"CLOSE", &Close, States::kSelected},
    {"UNSELECT", &Unselect, States::kSelected},
    {"CHECK", &Check, States::kSelected},
    {"FETCH", &Fetch, States::kSelected, true},
    {"SEARCH", &Search, States::kSelected, true},
    {"STORE", &Store, States::kSelected, true},
    {"EXPUNGE", &Expunge, States::kSelected, true},
    {"COPY", &Copy, States::kSelected, true},
    {"MOVE", &Move, States::kSelected, true},
};

}  // namespace

bool CommandSpec::allowed(Session::State state) const {
  switch (states) {
    case States::kAny: return true;
    case States::kNotAuthenticated: return state == Session::State::kNotAuthenticated;
    case States::kAuthenticated:
      return state == Session::State::kAuthenticated || state == Session::State::kSelected;
    case States::kSelected: return state == Session::State::kSelected;
  }
  return false;
}

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace kurier::imap
