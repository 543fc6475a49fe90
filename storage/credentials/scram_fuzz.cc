// Fuzzes the SCRAM parsers. The input is used whole as a verifier text, a
// client-first-message and a server-first-message, and also split at the
// first '\n' into a client-first-message and a client-final-message for one
// full server exchange against the RFC 7677 example account, so seeds from
// that example reach the proof check.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/credentials/scram.h"

namespace {

using kurier::storage::ScramVerifier;

const ScramVerifier& ExampleVerifier() {
  // Salt "W22ZaJ0SNY7soEsUEjb6gQ==" from RFC 7677 section 3.
  static const ScramVerifier* verifier =
      new ScramVerifier(kurier::storage::MakeScramVerifierWithSalt(
          "pencil",
          std::string("\x5b\x6d\x99\x68\x9d\x12\x35\x8e\xec\xa0\x4b\x14\x12\x36\xfa\x81", 16),
          4096));
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  (void)kurier::storage::DecodeScramVerifier(input);
  (void)kurier::storage::ScramServer::Begin(input);

  kurier::storage::ScramClient client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  if (client.ClientFinal(input).ok()) (void)client.VerifyServerFinal(input);

  const size_t newline = input.find('\n');
  if (newline != std::string_view::npos) {
    auto server = kurier::storage::ScramServer::Begin(input.substr(0, newline));
    if (server.ok()) {
      server->ServerFirst(ExampleVerifier(), "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
      (void)server->Finish(input.substr(newline + 1));
    }
  }
  return 0;
}
