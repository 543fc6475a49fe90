#include "storage/credentials/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/credentials/crypto_util.h"

namespace kurier::storage {
namespace {

using credentials_internal::Base64Decode;
using credentials_internal::Base64Encode;
using credentials_internal::Padding;

constexpr char kPrefix[] = "$scrypt$";
constexpr size_t kPrefixSize = sizeof(kPrefix) - 1;
constexpr size_t kSaltSize = 16;
constexpr size_t kHashSize = 32;
constexpr uint64_t kMaxR = 32;
constexpr uint64_t kMaxP = 16;
constexpr uint64_t kMaxMemory = uint64_t{1} << 30;

struct ScryptParams {
  uint64_t n = 0;
  uint64_t r = 0;
  uint64_t p = 0;
};

// Memory OpenSSL's scrypt allocates (its own formula, plus slack), which we
// must pass as maxmem: its default of 32 MiB would refuse N >= 2^15 at r = 8.
uint64_t ScryptMemory(const ScryptParams& params) {
  return 128 * params.r * (params.n + 2) + 128 * params.r * params.p + 4096;
}

bool ParamsAcceptable(const ScryptParams& params) {
  return params.n >= 2 && params.n <= kMaxScryptN && (params.n & (params.n - 1)) == 0 &&
         params.r >= 1 && params.r <= kMaxR && params.p >= 1 && params.p <= kMaxP &&
         ScryptMemory(params) <= kMaxMemory &&
         // Caps the CPU an encoded hash can demand at that of N = 2^20, r = 8.
         params.n * params.r * params.p <= uint64_t{kMaxScryptN} * 8;
}

std::optional<std::string> Scrypt(std::string_view password, std::string_view salt,
                                  const ScryptParams& params, size_t out_len) {
  static const char kEmpty[1] = {0};
  std::string out(out_len, '\0');
  if (EVP_PBE_scrypt(password.empty() ? kEmpty : password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), params.n,
                     params.r, params.p, ScryptMemory(params),
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    return std::nullopt;
  }
  return out;
}

// Digits only, no sign, no leading zeros, so each value has one spelling.
std::optional<uint64_t> ParseSmallNumber(std::string_view s) {
  if (s.empty() || s.size() > 6 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<uint64_t> ParseParam(std::string_view field, std::string_view name) {
  if (field.size() <= name.size() + 1 || field.substr(0, name.size()) != name ||
      field[name.size()] != '=') {
    return std::nullopt;
  }
  return ParseSmallNumber(field.substr(name.size() + 1));
}

}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password, uint32_t scrypt_n) {
  const ScryptParams params{scrypt_n, 8, 1};
  if (!ParamsAcceptable(params)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scrypt N must be a power of two in [2, ", kMaxScryptN, "], got ", scrypt_n));
  }
  int log_n = 0;
  while ((uint64_t{1} << log_n) < params.n) ++log_n;

  const std::string salt = credentials_internal::RandomBytes(kSaltSize);
  std::optional<std::string> hash = Scrypt(password, salt, params, kHashSize);
  if (!hash.has_value()) return absl::InternalError("scrypt failed");
  std::string encoded = absl::StrCat(kPrefix, "ln=", log_n, ",r=8,p=1$",
                                     Base64Encode(salt, Padding::kNone), "$",
                                     Base64Encode(*hash, Padding::kNone));
  OPENSSL_cleanse(hash->data(), hash->size());
  return encoded;
}

bool VerifyPasswordHash(std::string_view password, std::string_view encoded) {
  if (encoded.substr(0, kPrefixSize) != kPrefix) return false;
  encoded.remove_prefix(kPrefixSize);
  const std::vector<std::string_view> parts = credentials_internal::Split(encoded, '$');
  if (parts.size() != 3) return false;
  const std::vector<std::string_view> fields = credentials_internal::Split(parts[0], ',');
  if (fields.size() != 3) return false;

  const std::optional<uint64_t> log_n = ParseParam(fields[0], "ln");
  const std::optional<uint64_t> r = ParseParam(fields[1], "r");
  const std::optional<uint64_t> p = ParseParam(fields[2], "p");
  // Checked before shifting: ln could be anything up to 999999.
  if (!log_n || !r || !p || *log_n < 1 || *log_n > 20) return false;
  const ScryptParams params{uint64_t{1} << *log_n, *r, *p};
  if (!ParamsAcceptable(params)) return false;

  const std::optional<std::string> salt = Base64Decode(parts[1], Padding::kNone);
  const std::optional<std::string> expected = Base64Decode(parts[2], Padding::kNone);
  // scrypt output is a PBKDF2 stream, so a shorter hash is a prefix of the full
  // one; the 32-byte floor keeps a truncated hash from verifying.
  if (!salt || !expected || salt->empty() || salt->size() > 64 || expected->size() < kHashSize ||
      expected->size() > 64) {
    return false;
  }
  std::optional<std::string> actual = Scrypt(password, *salt, params, expected->size());
  if (!actual.has_value()) return false;
  const bool equal = CRYPTO_memcmp(actual->data(), expected->data(), expected->size()) == 0;
  OPENSSL_cleanse(actual->data(), actual->size());
  return equal;
}

}  // namespace kurier::storage
