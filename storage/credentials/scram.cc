#include "storage/credentials/scram.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/credentials/crypto_util.h"

namespace kurier::storage {
namespace {

using credentials_internal::Base64Decode;
using credentials_internal::Base64Encode;
using credentials_internal::HmacSha256;
using credentials_internal::kSha256Size;
using credentials_internal::Padding;
using credentials_internal::RandomBytes;
using credentials_internal::SecretEquals;
using credentials_internal::Sha256;

constexpr size_t kSaltSize = 16;
constexpr size_t kNonceRandomBytes = 24;
constexpr size_t kMaxSaltSize = 1024;
constexpr char kVerifierPrefix[] = "SCRAM-SHA-256$";
constexpr size_t kVerifierPrefixSize = sizeof(kVerifierPrefix) - 1;

// absl::StrCat takes absl::string_view, which in Debian's Abseil is not
// std::string_view.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed SCRAM message: ", AV(what)));
}

uint32_t ClampIterations(uint32_t iterations) {
  return std::clamp(iterations, kMinScramIterations, kMaxScramIterations);
}

// RFC 3629 UTF-8 without overlongs, surrogates or code points past U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

// value-char (RFC 5802 section 7): UTF-8 except NUL and ','.
bool IsValue(std::string_view s) {
  return !s.empty() && s.find('\0') == std::string_view::npos &&
         s.find(',') == std::string_view::npos && IsValidUtf8(s);
}

// saslname: '=' only as "=2C" or "=3D". Returns the decoded name.
std::optional<std::string> DecodeSaslName(std::string_view s) {
  if (!IsValue(s)) return std::nullopt;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    const std::string_view esc = s.substr(i + 1, 2);
    if (esc == "2C") {
      out += ',';
    } else if (esc == "3D") {
      out += '=';
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

std::string EncodeSaslName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

// printable (RFC 5802 section 7): %x21-2B / %x2D-7E.
bool IsNonce(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

// attr-val: ALPHA "=" value. Unknown extensions are allowed and ignored.
bool IsExtension(std::string_view attr) {
  return attr.size() >= 3 &&
         ((attr[0] >= 'a' && attr[0] <= 'z') || (attr[0] >= 'A' && attr[0] <= 'Z')) &&
         attr[1] == '=' && IsValue(attr.substr(2));
}

// The value of `attr` if it is "<name>=<value>", else nullopt.
std::optional<std::string_view> Attr(std::string_view attr, char name) {
  if (attr.size() < 2 || attr[0] != name || attr[1] != '=') return std::nullopt;
  return attr.substr(2);
}

// posit-number (RFC 5802 section 7) within our iteration bounds.
std::optional<uint32_t> ParseIterations(std::string_view s) {
  if (s.empty() || s.size() > 10 || s[0] < '1' || s[0] > '9') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < kMinScramIterations || v > kMaxScramIterations) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::string Xor(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

std::string RandomNonce() {
  // 24 bytes encode to 32 characters without '=' padding, all printable.
  return Base64Encode(RandomBytes(kNonceRandomBytes), Padding::kRequired);
}

void Cleanse(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

}  // namespace

ScramVerifier MakeScramVerifier(std::string_view password, uint32_t iterations) {
  return MakeScramVerifierWithSalt(password, RandomBytes(kSaltSize), iterations);
}

ScramVerifier MakeScramVerifierWithSalt(std::string_view password, std::string_view salt,
                                        uint32_t iterations) {
  ScramVerifier v;
  v.salt = std::string(salt);
  v.iterations = ClampIterations(iterations);
  std::string salted = credentials_internal::Pbkdf2Sha256(password, salt, v.iterations);
  std::string client_key = HmacSha256(salted, "Client Key");
  v.stored_key = Sha256(client_key);
  v.server_key = HmacSha256(salted, "Server Key");
  Cleanse(salted);
  Cleanse(client_key);
  return v;
}

std::string EncodeScramVerifier(const ScramVerifier& verifier) {
  return absl::StrCat(kVerifierPrefix, verifier.iterations, ":",
                      Base64Encode(verifier.salt, Padding::kRequired), "$",
                      Base64Encode(verifier.stored_key, Padding::kRequired), ":",
                      Base64Encode(verifier.server_key, Padding::kRequired));
}

absl::StatusOr<ScramVerifier> DecodeScramVerifier(std::string_view text) {
  const absl::Status bad = absl::InvalidArgumentError("malformed SCRAM-SHA-256 verifier");
  if (text.substr(0, kVerifierPrefixSize) != kVerifierPrefix) return bad;
  text.remove_prefix(kVerifierPrefixSize);
  const std::vector<std::string_view> halves = credentials_internal::Split(text, '$');
  if (halves.size() != 2) return bad;
  const std::vector<std::string_view> params = credentials_internal::Split(halves[0], ':');
  const std::vector<std::string_view> keys = credentials_internal::Split(halves[1], ':');
  if (params.size() != 2 || keys.size() != 2) return bad;

  const std::optional<uint32_t> iterations = ParseIterations(params[0]);
  std::optional<std::string> salt = Base64Decode(params[1], Padding::kRequired);
  std::optional<std::string> stored_key = Base64Decode(keys[0], Padding::kRequired);
  std::optional<std::string> server_key = Base64Decode(keys[1], Padding::kRequired);
  if (!iterations || !salt || salt->size() > kMaxSaltSize || !stored_key ||
      stored_key->size() != kSha256Size || !server_key || server_key->size() != kSha256Size) {
    return bad;
  }
  ScramVerifier v;
  v.salt = *std::move(salt);
  v.iterations = *iterations;
  v.stored_key = *std::move(stored_key);
  v.server_key = *std::move(server_key);
  return v;
}

// client-first-message = gs2-header client-first-message-bare
//   gs2-header = gs2-cbind-flag "," [ authzid ] ","
//   client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
absl::StatusOr<ScramServer> ScramServer::Begin(std::string_view client_first) {
  if (client_first.empty()) return Malformed("empty client-first-message");
  const char flag = client_first[0];
  if (flag == 'p' && client_first.substr(1, 1) == "=") {
    return absl::UnimplementedError("SCRAM channel binding is not supported");
  }
  if ((flag != 'n' && flag != 'y') || client_first.substr(1, 1) != ",") {
    return Malformed("bad gs2 channel binding flag");
  }
  const size_t header_end = client_first.find(',', 2);
  if (header_end == std::string_view::npos) return Malformed("truncated gs2 header");
  const std::string_view authz_field = client_first.substr(2, header_end - 2);
  std::optional<std::string> authzid;
  if (!authz_field.empty()) {
    const std::optional<std::string_view> raw = Attr(authz_field, 'a');
    if (!raw) return Malformed("bad authzid");
    authzid = DecodeSaslName(*raw);
    if (!authzid) return Malformed("bad authzid");
  }

  const std::string_view bare = client_first.substr(header_end + 1);
  const std::vector<std::string_view> attrs = credentials_internal::Split(bare, ',');
  if (Attr(attrs[0], 'm')) return absl::UnimplementedError("SCRAM extension m= is not supported");
  if (attrs.size() < 2) return Malformed("client-first-message too short");
  const std::optional<std::string_view> raw_user = Attr(attrs[0], 'n');
  if (!raw_user) return Malformed("expected n=");
  std::optional<std::string> user = DecodeSaslName(*raw_user);
  if (!user) return Malformed("bad username");
  const std::optional<std::string_view> nonce = Attr(attrs[1], 'r');
  if (!nonce || !IsNonce(*nonce)) return Malformed("bad client nonce");
  for (size_t i = 2; i < attrs.size(); ++i) {
    if (!IsExtension(attrs[i])) return Malformed("bad extension");
  }
  // Acting for another user is an authorization decision we do not offer.
  if (authzid && *authzid != *user) {
    return absl::PermissionDeniedError("SCRAM authzid differs from the username");
  }

  ScramServer server;
  server.gs2_header_ = std::string(client_first.substr(0, header_end + 1));
  server.client_first_bare_ = std::string(bare);
  server.username_ = *std::move(user);
  server.client_nonce_ = std::string(*nonce);
  return server;
}

std::string ScramServer::ServerFirst(const ScramVerifier& verifier,
                                     std::string server_nonce_suffix) {
  if (server_nonce_suffix.empty()) server_nonce_suffix = RandomNonce();
  nonce_ = client_nonce_ + server_nonce_suffix;
  server_first_ = absl::StrCat("r=", nonce_, ",s=", Base64Encode(verifier.salt, Padding::kRequired),
                               ",i=", verifier.iterations);
  stored_key_ = verifier.stored_key;
  server_key_ = verifier.server_key;
  // A finished exchange stays finished: no second proof attempt on one object.
  if (state_ == State::kBegun) state_ = State::kServerFirstSent;
  return server_first_;
}

// client-final-message = channel-binding "," nonce ["," extensions] "," proof
absl::StatusOr<std::string> ScramServer::Finish(std::string_view client_final) {
  if (state_ != State::kServerFirstSent) {
    return absl::FailedPreconditionError(state_ == State::kBegun
                                             ? "SCRAM Finish before ServerFirst"
                                             : "SCRAM exchange already finished");
  }
  // One attempt per exchange, whatever the outcome.
  state_ = State::kFinished;

  const std::vector<std::string_view> attrs = credentials_internal::Split(client_final, ',');
  if (attrs.size() < 3) return Malformed("client-final-message too short");
  const std::optional<std::string_view> binding = Attr(attrs[0], 'c');
  if (!binding) return Malformed("expected c=");
  const std::optional<std::string> decoded_binding = Base64Decode(*binding, Padding::kRequired);
  if (!decoded_binding || *decoded_binding != gs2_header_) {
    return Malformed("channel binding does not match the gs2 header");
  }
  const std::optional<std::string_view> nonce = Attr(attrs[1], 'r');
  if (!nonce || *nonce != nonce_) return Malformed("nonce does not match this exchange");
  for (size_t i = 2; i + 1 < attrs.size(); ++i) {
    if (!IsExtension(attrs[i])) return Malformed("bad extension");
  }
  const std::optional<std::string_view> proof_b64 = Attr(attrs.back(), 'p');
  if (!proof_b64) return Malformed("expected p= last");
  const std::optional<std::string> proof = Base64Decode(*proof_b64, Padding::kRequired);
  if (!proof || proof->size() != kSha256Size) return Malformed("bad proof");
  if (stored_key_.size() != kSha256Size || server_key_.size() != kSha256Size) {
    return absl::InternalError("SCRAM verifier keys have the wrong size");
  }

  const std::string_view without_proof =
      client_final.substr(0, client_final.size() - attrs.back().size() - 1);
  const std::string auth_message =
      absl::StrCat(client_first_bare_, ",", server_first_, ",", AV(without_proof));
  // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey.
  std::string client_key = Xor(*proof, HmacSha256(stored_key_, auth_message));
  const bool ok = SecretEquals(Sha256(client_key), stored_key_);
  Cleanse(client_key);
  if (!ok) return absl::PermissionDeniedError("SCRAM proof does not match");
  const std::string signature = HmacSha256(server_key_, auth_message);
  return absl::StrCat("v=", Base64Encode(signature, Padding::kRequired));
}

ScramClient::ScramClient(std::string user, std::string password, std::string client_nonce)
    : user_(std::move(user)),
      password_(std::move(password)),
      client_nonce_(client_nonce.empty() ? RandomNonce() : std::move(client_nonce)),
      client_first_bare_(absl::StrCat("n=", EncodeSaslName(user_), ",r=", client_nonce_)) {}

std::string ScramClient::ClientFirst() { return absl::StrCat("n,,", client_first_bare_); }

// server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
absl::StatusOr<std::string> ScramClient::ClientFinal(std::string_view server_first) {
  server_signature_.clear();
  const std::vector<std::string_view> attrs = credentials_internal::Split(server_first, ',');
  if (Attr(attrs[0], 'm')) return absl::UnimplementedError("SCRAM extension m= is not supported");
  if (attrs.size() < 3) return Malformed("server-first-message too short");
  const std::optional<std::string_view> nonce = Attr(attrs[0], 'r');
  // The server must extend our nonce, or it could replay an old exchange.
  if (!nonce || !IsNonce(*nonce) || nonce->size() <= client_nonce_.size() ||
      nonce->substr(0, client_nonce_.size()) != client_nonce_) {
    return Malformed("server nonce does not extend the client nonce");
  }
  const std::optional<std::string_view> salt_b64 = Attr(attrs[1], 's');
  if (!salt_b64) return Malformed("expected s=");
  const std::optional<std::string> salt = Base64Decode(*salt_b64, Padding::kRequired);
  if (!salt || salt->size() > kMaxSaltSize) return Malformed("bad salt");
  const std::optional<std::string_view> iterations_text = Attr(attrs[2], 'i');
  if (!iterations_text) return Malformed("expected i=");
  const std::optional<uint32_t> iterations = ParseIterations(*iterations_text);
  if (!iterations) return Malformed("iteration count out of range");
  for (size_t i = 3; i < attrs.size(); ++i) {
    if (!IsExtension(attrs[i])) return Malformed("bad extension");
  }

  const std::string without_proof = absl::StrCat("c=biws,r=", AV(*nonce));
  const std::string auth_message =
      absl::StrCat(client_first_bare_, ",", AV(server_first), ",", without_proof);
  std::string salted = credentials_internal::Pbkdf2Sha256(password_, *salt, *iterations);
  std::string client_key = HmacSha256(salted, "Client Key");
  const std::string proof = Xor(client_key, HmacSha256(Sha256(client_key), auth_message));
  server_signature_ = HmacSha256(HmacSha256(salted, "Server Key"), auth_message);
  Cleanse(salted);
  Cleanse(client_key);
  return absl::StrCat(without_proof, ",p=", Base64Encode(proof, Padding::kRequired));
}

// server-final-message = (server-error / verifier) ["," extensions]
bool ScramClient::VerifyServerFinal(std::string_view server_final) {
  if (server_signature_.empty()) return false;
  const std::vector<std::string_view> attrs = credentials_internal::Split(server_final, ',');
  const std::optional<std::string_view> v = Attr(attrs[0], 'v');
  if (!v) return false;
  for (size_t i = 1; i < attrs.size(); ++i) {
    if (!IsExtension(attrs[i])) return false;
  }
  const std::optional<std::string> signature = Base64Decode(*v, Padding::kRequired);
  return signature && SecretEquals(*signature, server_signature_);
}

ScramVerifier FakeScramVerifier(std::string_view username, std::string_view server_secret,
                                uint32_t iterations) {
  ScramVerifier v;
  v.salt = HmacSha256(server_secret, username).substr(0, kSaltSize);
  v.iterations = ClampIterations(iterations);
  // Random keys: no proof can match, and nothing about them is derivable.
  v.stored_key = RandomBytes(kSha256Size);
  v.server_key = RandomBytes(kSha256Size);
  return v;
}

}  // namespace kurier::storage
