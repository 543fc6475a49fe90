// Test helpers for services/imap/fetch: the test messages, and a checker of
// the IMAP values the writers produce (tests and the fuzz target).
#ifndef KURIER_SERVICES_IMAP_FETCH_TEST_SUPPORT_H_
#define KURIER_SERVICES_IMAP_FETCH_TEST_SUPPORT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kurier::imap::testing {

// services/imap/fetch/testdata/messages/<name>.eml (copies of the MIME
// parser's corpus), read from the runfiles.
std::string ReadTestMessage(absl::string_view name);

// The names of the messages in testdata/messages, without ".eml".
const char* const* TestMessageNames();

// True when `value` is exactly one IMAP value as a FETCH response carries
// it: a parenthesized list (balanced, items separated by exactly one space
// except between adjacent lists), an atom/NIL/number, a quoted string
// (only \" and \\ escaped, no CR/LF/NUL), an item name with a section
// ("BODY[HEADER.FIELDS (A "B]")]"), or a literal "{n}\r\n" / "~{n}\r\n"
// followed by exactly n bytes (no NUL in "{n}"). Lists may nest up to 256.
bool IsWellFormedValue(absl::string_view value);

}  // namespace kurier::imap::testing

#endif  // KURIER_SERVICES_IMAP_FETCH_TEST_SUPPORT_H_
