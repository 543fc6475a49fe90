// Password hashing for stored account credentials: scrypt (RFC 7914) through
// OpenSSL, encoded in the PHC / Passlib string format so each hash carries its
// own parameters and old hashes keep verifying after the cost is raised.
//
// SECURITY: hashing costs 128 * r * N bytes of memory (128 MiB at N = 2^17,
// r = 8) per call; callers bound concurrency. Plaintext is never retained.
#ifndef KURIER_STORAGE_CREDENTIALS_PASSWORD_HASH_H_
#define KURIER_STORAGE_CREDENTIALS_PASSWORD_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kurier::storage {

// Largest accepted N: 2^20 needs 1 GiB at r = 8. Also bounds what an encoded
// hash can make VerifyPasswordHash spend.
inline constexpr uint32_t kMaxScryptN = uint32_t{1} << 20;

// Hashes `password` with scrypt(N = scrypt_n, r = 8, p = 1), a fresh 16-byte
// random salt and a 32-byte output. Returns
//   "$scrypt$ln=<log2 N>,r=8,p=1$<salt>$<hash>"
// with salt and hash in standard base64 without padding (as Passlib writes,
// so Passlib's hashes verify here and ours there).
// InvalidArgument unless scrypt_n is a power of two in [2, kMaxScryptN];
// Internal if OpenSSL fails (e.g. out of memory).
absl::StatusOr<std::string> HashPassword(std::string_view password, uint32_t scrypt_n);

// True iff `encoded` is a well-formed hash (as above; any r in [1, 32], p in
// [1, 16], salt 1..64 bytes, hash 32..64 bytes, within kMaxScryptN and its
// memory bound) and `password` hashes to it. Compares in constant time.
// False on anything malformed; never fails otherwise.
bool VerifyPasswordHash(std::string_view password, std::string_view encoded);

}  // namespace kurier::storage

#endif  // KURIER_STORAGE_CREDENTIALS_PASSWORD_HASH_H_
