#include "services/common/sasl/sasl_messages.h"

#include "absl/strings/ascii.h"

namespace kurier::sasl {
namespace {

constexpr size_t kMaxField = 255;

}  // namespace

std::vector<std::string> Mechanisms(bool plaintext_allowed) {
  std::vector<std::string> names = {std::string(kScramSha256)};
  if (plaintext_allowed) {
    names.emplace_back(kPlain);
    names.emplace_back(kLogin);
  }
  return names;
}

std::string CanonicalMechanism(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(name);
  for (absl::string_view known : {kPlain, kLogin, kScramSha256}) {
    if (upper == known) return upper;
  }
  return "";
}

bool SendsPassword(absl::string_view canonical_mechanism) {
  return canonical_mechanism == kPlain || canonical_mechanism == kLogin;
}

absl::StatusOr<PlainMessage> ParsePlain(absl::string_view message) {
  const size_t first = message.find('\0');
  if (first == absl::string_view::npos) return absl::InvalidArgumentError("PLAIN message without NUL separators");
  const size_t second = message.find('\0', first + 1);
  if (second == absl::string_view::npos) return absl::InvalidArgumentError("PLAIN message without a password");
  PlainMessage plain;
  plain.authzid = std::string(message.substr(0, first));
  plain.authcid = std::string(message.substr(first + 1, second - first - 1));
  plain.password = std::string(message.substr(second + 1));
  if (plain.password.find('\0') != std::string::npos) return absl::InvalidArgumentError("PLAIN message has extra NULs");
  if (plain.authcid.empty() || plain.password.empty()) return absl::InvalidArgumentError("PLAIN message has empty fields");
  if (plain.authzid.size() > kMaxField || plain.authcid.size() > kMaxField || plain.password.size() > kMaxField) {
    return absl::InvalidArgumentError("PLAIN field too long");
  }
  return plain;
}

absl::StatusOr<std::string> ScramUser(absl::string_view client_first) {
  // gs2-header: ("n" / "y" / "p=...") "," [authzid] "," then "n=user,r=nonce".
  const size_t first_comma = client_first.find(',');
  if (first_comma == absl::string_view::npos) return absl::InvalidArgumentError("bad SCRAM client-first-message");
  const size_t second_comma = client_first.find(',', first_comma + 1);
  if (second_comma == absl::string_view::npos) return absl::InvalidArgumentError("bad SCRAM client-first-message");
  absl::string_view bare = client_first.substr(second_comma + 1);
  if (bare.substr(0, 2) != "n=") return absl::InvalidArgumentError("SCRAM client-first-message without n=");
  bare.remove_prefix(2);
  const size_t end = bare.find(',');
  if (end == absl::string_view::npos) return absl::InvalidArgumentError("SCRAM client-first-message without r=");
  absl::string_view encoded = bare.substr(0, end);
  std::string user;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      user.push_back(encoded[i]);
      continue;
    }
    const absl::string_view escape = encoded.substr(i, 3);
    if (escape == "=2C") {
      user.push_back(',');
    } else if (escape == "=3D") {
      user.push_back('=');
    } else {
      return absl::InvalidArgumentError("bad escape in SCRAM user name");
    }
    i += 2;
  }
  if (user.empty() || user.size() > kMaxField) return absl::InvalidArgumentError("bad SCRAM user name");
  return user;
}

}  // namespace kurier::sasl
