// Header fields of an RFC 5322 message or MIME entity, as pure functions over
// bytes: iterate the fields, find one, unfold a value, decode RFC 2047
// encoded words and RFC 2231 parameter values to UTF-8 (and encode UTF-8 as
// encoded words), and parse address lists. Used by the SMTP service (checks
// and trace fields), by the MIME parser (mime_parser.h) and by IMAP;
// nothing here allocates for the message body.
//
// Line ends: LF and CRLF both end a line. Nothing here fails: malformed input
// gives a best-effort result.
#ifndef KURIER_SERVICES_COMMON_MIME_HEADER_FIELDS_H_
#define KURIER_SERVICES_COMMON_MIME_HEADER_FIELDS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/mime/message_structure.pb.h"

namespace kurier::mime {

// One header field. The views point into the text given to the reader.
struct HeaderField {
  // The field name, trailing white space removed ("Subject " → "Subject").
  absl::string_view name;
  // Everything after the ':' up to the field's final line end (excluded):
  // folded line breaks and the leading space are still in it. Unfold with
  // UnfoldHeaderValue.
  absl::string_view raw_value;
  // Offset of the field's first byte in the text; size including the final
  // line end, so text.substr(offset, size) is the whole field.
  size_t offset = 0;
  size_t size = 0;
};

// Reads the fields of the header at the start of `text` (a message or a MIME
// entity) one by one; stops at the blank line that ends the header or at the
// end of the text. Lines without a ':' (and their continuation lines) are not
// fields and are skipped; so are continuation lines before the first field.
class HeaderFieldReader {
 public:
  explicit HeaderFieldReader(absl::string_view text) : text_(text) {}

  // Stores the next field and returns true, or returns false at the end of
  // the header.
  bool Next(HeaderField* field);

  // After Next returned false: the offset where the body starts (just past
  // the blank line), or text.size() when the header has no blank line.
  size_t body_offset() const { return pos_; }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
  bool done_ = false;
};

// All header fields of `message`, in order.
std::vector<HeaderField> HeaderFields(absl::string_view message);

// The first field named `name` (ASCII case-insensitive), if any.
std::optional<HeaderField> FindHeaderField(absl::string_view message, absl::string_view name);

// The offset where the body of `message` starts: just past the first empty
// line, or message.size() when there is none. An empty first line means an
// empty header (HeaderEnd("\r\nbody") == 2).
size_t HeaderEnd(absl::string_view message);

// Unfolds a raw field value (RFC 5322 2.2.3): removes every CR and LF of the
// line breaks (keeping the white space that follows them) and trims leading
// and trailing spaces and tabs.
std::string UnfoldHeaderValue(absl::string_view raw_value);

// Decodes RFC 2047 encoded words ("=?utf-8?Q?caf=C3=A9?=", B and Q, a
// "*language" suffix allowed) to UTF-8. White space between two encoded words
// is dropped (RFC 2047 6.2); adjacent words in the same charset are decoded
// together, so a character split between them survives. Charsets: utf-8,
// us-ascii, iso-8859-1, windows-1252 built in, any other that glibc's iconv
// knows. An encoded word with an unknown charset, a bad encoding or bytes the
// charset cannot convert stays as it is; text outside encoded words is
// copied unchanged (also 8-bit bytes). Unfold the value first.
std::string DecodeEncodedWords(absl::string_view text);

// Encodes UTF-8 text as RFC 2047 encoded words ("=?UTF-8?Q?=E2=82=AC_rates?=")
// of at most 75 characters each, separated by one space, never splitting a
// UTF-8 sequence; the empty string stays empty. For a client that cannot take
// 8-bit text (IMAP without UTF8=ACCEPT). Every byte outside the letters,
// digits and "!*+-/" is encoded, so the result is printable ASCII without
// quotes or backslashes.
std::string EncodeEncodedWords(absl::string_view utf8);

// Appends `text` percent-decoded (RFC 2231 extended values: "%E2%82%AC" →
// its three bytes) to `out`; a '%' without two hex digits after it is kept.
void AppendPercentDecoded(absl::string_view text, std::string* out);

// Splits an RFC 2231 extended value "charset'language'text" (RFC 2231 4):
// sets *charset (may be empty) and *text, and returns true. Without the two
// quotes returns false, with *charset empty and *text the whole value.
bool SplitRfc2231Charset(absl::string_view value, absl::string_view* charset, absl::string_view* text);

// Decodes one RFC 2231 extended parameter value "charset'language'%E2%82%AC"
// to UTF-8 (ParseMessage already does this for the parameters it stores).
// Without the two quotes, or with an empty charset, the value is only
// percent-decoded; with an unknown charset or bytes the charset cannot
// convert, the percent-decoded bytes are returned as they are.
std::string DecodeRfc2231Value(absl::string_view value);

// Converts `bytes` in `charset` (case-insensitive; aliases as above) to
// UTF-8. Returns nullopt for an unknown charset or bytes it cannot convert.
// UTF-8 input is returned as is when valid.
std::optional<std::string> ConvertToUtf8(absl::string_view bytes, absl::string_view charset);

// Parses an address list (From, To, Cc, ...: RFC 5322 3.4 with the obsolete
// forms of 4.4: comments, quoted strings, routes, empty list elements, groups)
// from an unfolded value, in ENVELOPE form (see message_structure.proto,
// Address): group start and end markers around group members. Tolerant:
// junk is skipped, an unterminated group is closed.
std::vector<v1::Address> ParseAddressList(absl::string_view value);

}  // namespace kurier::mime

#endif  // KURIER_SERVICES_COMMON_MIME_HEADER_FIELDS_H_
