#include "services/pop3/command_table.h"

namespace kurier::pop3 {
namespace {

// verb, handler, valid in AUTHORIZATION, valid in TRANSACTION
constexpr CommandSpec kCommands[] = {
    {Verb::kCapa, &Capa, true, true},   {Verb::kUser, &User, true, false},  {Verb::kPass, &Pass, true, false},
    {Verb::kAuth, &Auth, true, false},  {Verb::kStls, &Stls, true, false},  {Verb::kQuit, &Quit, true, true},
    {Verb::kStat, &Stat, false, true},  {Verb::kList, &List, false, true},  {Verb::kUidl, &Uidl, false, true},
    {Verb::kRetr, &Retr, false, true},  {Verb::kTop, &Top, false, true},    {Verb::kDele, &Dele, false, true},
    {Verb::kRset, &Rset, false, true},  {Verb::kNoop, &Noop, false, true},
};

}  // namespace

const CommandSpec* FindCommand(Verb verb) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.verb == verb) return &spec;
  }
  return nullptr;
}

}  // namespace kurier::pop3
