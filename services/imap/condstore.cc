#include "services/imap/condstore.h"

#include "absl/strings/str_cat.h"
#include "services/imap/codec/response_writer.h"

namespace kurier::imap {

bool EnableCondstore(Session& session) {
  if (session.condstore()) return false;
  session.SetCondstore();
  SelectedMailbox* selected = session.selected();
  if (selected == nullptr) return true;
  session.WriteUpdates(MayWriteExpunge(session.command().name, session.command().uid));
  AppendUntaggedStatus(&session.output(), Condition::kOk, absl::StrCat("HIGHESTMODSEQ ", selected->highest_modseq()),
                       "highest");
  return true;
}

}  // namespace kurier::imap
