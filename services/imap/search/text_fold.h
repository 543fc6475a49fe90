// Case folding for SEARCH string matching (RFC 9051 6.4.4: "case-insensitive
// substring match"). Both the search string and the message text are folded
// the same way, then compared byte-wise.
//
// What is folded (simple one-to-one lower-casing, enough for mail in Latin,
// Greek and Cyrillic scripts): ASCII A-Z; Latin-1 Supplement (U+00C0-U+00DE
// but U+00D7); Latin Extended-A (U+0100-U+017F, U+0130 to "i", U+0178 to
// U+00FF); Greek (U+0386-U+03AB, final sigma U+03C2 to U+03C3); Cyrillic
// (U+0400-U+042F). Not folded: multi-character foldings ("ß" = "ss"),
// other scripts, normalization (NFC vs NFD). Bytes that are not valid UTF-8
// are copied unchanged, so folding never fails.
#ifndef KURIER_SERVICES_IMAP_SEARCH_TEXT_FOLD_H_
#define KURIER_SERVICES_IMAP_SEARCH_TEXT_FOLD_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kurier::imap {

// `text` (UTF-8, or anything) with every character above lower-cased.
std::string FoldCase(absl::string_view text);

// Appends FoldCase(text) to *out.
void AppendFolded(absl::string_view text, std::string* out);

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SEARCH_TEXT_FOLD_H_
