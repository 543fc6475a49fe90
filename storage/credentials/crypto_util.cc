#include "storage/credentials/crypto_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace kurier::storage::credentials_internal {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// OpenSSL may read through the pointer even for zero lengths; string_view of
// an empty std::string can hand it nullptr.
const unsigned char* Bytes(std::string_view s) {
  static const unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t pos = text.find(sep);
    out.push_back(text.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    text.remove_prefix(pos + 1);
  }
}

std::string Base64Encode(std::string_view bytes, Padding padding) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
    if (padding == Padding::kRequired) out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text, Padding padding) {
  size_t pad = 0;
  if (padding == Padding::kRequired) {
    if (text.size() % 4 != 0) return std::nullopt;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    text.remove_suffix(pad);
  }
  // A lone trailing sextet cannot carry a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  if (padding == Padding::kRequired && pad != (4 - text.size() % 4) % 4) return std::nullopt;

  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = DecodeChar(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::fputs("kurier: RAND_bytes failed; refusing to continue without randomness\n", stderr);
    std::abort();
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(), md,
           &md_len) == nullptr ||
      md_len != kSha256Size) {
    // Only fails on allocation failure inside OpenSSL.
    std::fputs("kurier: HMAC-SHA-256 failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(md), md_len);
}

std::string Sha256(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(Bytes(data), data.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof(md));
}

std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(kSha256Size, '\0');
  if (iterations < 1 ||
      PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(Bytes(password)),
                        static_cast<int>(password.size()), Bytes(salt),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    // Callers bound the inputs, so this is an allocation failure.
    std::fputs("kurier: PBKDF2-HMAC-SHA-256 failed\n", stderr);
    std::abort();
  }
  return out;
}

bool SecretEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(Bytes(a), Bytes(b), a.size()) == 0;
}

}  // namespace kurier::storage::credentials_internal
