#include "services/smtp/command_table.h"

namespace kurier::smtp {
namespace {

struct Entry {
  Verb verb;
  Handler handler;
};

constexpr Entry kCommands[] = {
    {Verb::kEhlo, Ehlo},         {Verb::kHelo, Helo}, {Verb::kMail, Mail}, {Verb::kRcpt, Rcpt},
    {Verb::kData, Data},         {Verb::kBdat, Bdat}, {Verb::kRset, Rset}, {Verb::kNoop, Noop},
    {Verb::kQuit, Quit},         {Verb::kHelp, Help}, {Verb::kVrfy, Vrfy}, {Verb::kExpn, Vrfy},
    {Verb::kStartTls, StartTls}, {Verb::kAuth, Auth},
};

}  // namespace

Handler FindHandler(Verb verb) {
  for (const Entry& entry : kCommands) {
    if (entry.verb == verb) return entry.handler;
  }
  return nullptr;
}

}  // namespace kurier::smtp
