// CONDSTORE (RFC 7162 section 3.1) for the command handlers: turning it on
// for a session. Once on ("CONDSTORE-aware"), SELECT and EXAMINE report
// [HIGHESTMODSEQ n] and every untagged FETCH about flags carries MODSEQ
// (Session::WriteUpdates, STORE, FETCH that sets \Seen).
//
// STANDARDS
//   RFC 7162 3.1 (the CONDSTORE enabling commands: ENABLE CONDSTORE,
//   SELECT/EXAMINE (CONDSTORE), STATUS HIGHESTMODSEQ, FETCH MODSEQ or
//   CHANGEDSINCE, SEARCH MODSEQ, STORE UNCHANGEDSINCE), 3.1.2.1 (the
//   HIGHESTMODSEQ response code, also sent when the first enabling command
//   comes while a mailbox is selected, as Dovecot does).
#ifndef KURIER_SERVICES_IMAP_CONDSTORE_H_
#define KURIER_SERVICES_IMAP_CONDSTORE_H_

#include "services/imap/session.h"

namespace kurier::imap {

// Turns CONDSTORE on for the session; returns false when it was on already.
// When it was off and a mailbox is selected, the pending updates are
// written (with MODSEQ) and then "* OK [HIGHESTMODSEQ n]", so that the
// client learns the mailbox's HIGHESTMODSEQ after the changes it covers.
bool EnableCondstore(Session& session);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CONDSTORE_H_
