// Private helpers shared by the credential primitives: strict base64, random
// bytes, HMAC-SHA-256 and SHA-256 over OpenSSL. Not part of the public API;
// kept out of `hdrs` so nothing outside this package comes to depend on it.
#ifndef KURIER_STORAGE_CREDENTIALS_CRYPTO_UTIL_H_
#define KURIER_STORAGE_CREDENTIALS_CRYPTO_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kurier::storage::credentials_internal {

inline constexpr size_t kSha256Size = 32;

// Splits at every `sep`, keeping empty pieces; never returns an empty vector.
// (Debian's Abseil has its own string_view type, so absl::StrSplit does not
// take std::string_view.)
std::vector<std::string_view> Split(std::string_view text, char sep);

enum class Padding { kRequired, kNone };

// Standard alphabet (RFC 4648 section 4). kNone omits the trailing '='.
std::string Base64Encode(std::string_view bytes, Padding padding);

// Strict inverse of Base64Encode with the same padding mode: no whitespace, no
// other alphabet, non-zero unused bits rejected, so every accepted text has
// exactly one encoding. Returns nullopt on any deviation.
std::optional<std::string> Base64Decode(std::string_view text, Padding padding);

// `n` bytes from OpenSSL's CSPRNG. A failing CSPRNG leaves nothing safe to do
// (salts and nonces would repeat), so this aborts rather than returning.
std::string RandomBytes(size_t n);

std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);

// PBKDF2-HMAC-SHA-256 with a 32-byte output (SCRAM's Hi()). `iterations` >= 1.
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, uint32_t iterations);

// Constant-time equality for secrets; sizes are not secret.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace kurier::storage::credentials_internal

#endif  // KURIER_STORAGE_CREDENTIALS_CRYPTO_UTIL_H_
