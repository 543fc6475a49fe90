// Base64 (RFC 4648 section 4, the standard alphabet with '=' padding) for
// SASL exchanges: the POP3 AUTH (RFC 5034), IMAP AUTHENTICATE (RFC 9051) and
// SMTP AUTH (RFC 4954) continuation lines all carry it.
//
// The decoder is strict, because what it decodes comes from the network:
// only the 64 alphabet characters, the length a multiple of 4, '=' only as
// one or two final padding characters, and the unused bits before the
// padding zero (RFC 4648 section 3.5), so every decodable text has exactly
// one encoding. No whitespace and no line breaks are skipped.
#ifndef KURIER_SERVICES_COMMON_SASL_BASE64_H_
#define KURIER_SERVICES_COMMON_SASL_BASE64_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kurier::sasl {

// Returns the decoded bytes, or nullopt when `in` is not canonical base64.
// The empty text decodes to the empty string.
std::optional<std::string> DecodeBase64(absl::string_view in);

// Returns the padded base64 encoding of `in` (empty for empty input).
std::string EncodeBase64(absl::string_view in);

}  // namespace kurier::sasl

#endif  // KURIER_SERVICES_COMMON_SASL_BASE64_H_
