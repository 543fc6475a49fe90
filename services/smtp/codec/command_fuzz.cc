// Fuzzes the SMTP command parser with arbitrary client bytes.
//
// Input: byte 0 seeds the chunk sizes; the rest is fed in those chunks to a
// LineDecoder with the command-line limit, each line to ParseCommand, every
// reply written with the reply writer.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   LineDecoder: the same lines whatever the chunks.
//   ParseCommand: an error is a 5xx reply with an enhanced code; a parsed
//     MAIL/RCPT path re-parses to itself; paths respect RFC 5321's length
//     limits; a null path only for MAIL.
//   Reply writer: exactly one CRLF-terminated line per reply.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "services/common/codec/line_decoder.h"
#include "services/smtp/codec/reply_writer.h"
#include "bazel/fuzz_check.h"
#include "services/smtp/codec/smtp_command.h"

namespace {

using namespace kurier::smtp;  // NOLINT
using kurier::codec::LineDecoder;

std::vector<std::string> Lines(const std::string& payload, size_t chunk) {
  LineDecoder decoder(kMaxCommandLineBytes);
  std::vector<std::string> lines;
  for (size_t i = 0; i < payload.size(); i += chunk) {
    decoder.Feed(absl::string_view(payload).substr(i, chunk));
    std::string line;
    for (;;) {
      const LineDecoder::Result result = decoder.Next(&line);
      if (result == LineDecoder::Result::kNeedMore) break;
      lines.push_back(result == LineDecoder::Result::kLine ? line : std::string("\x01TOO LONG"));
    }
  }
  return lines;
}

void CheckReply(const Reply& reply) {
  std::string out;
  AppendReply(&out, reply);
  FUZZ_CHECK(out.size() >= 5 && out.substr(out.size() - 2) == "\r\n");
  FUZZ_CHECK(out.find('\n') == out.size() - 1);
  FUZZ_CHECK(out.find('\r') == out.size() - 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + data[0] % 97;
  const std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string> whole = Lines(payload, payload.size() + 1);
  FUZZ_CHECK(Lines(payload, chunk) == whole);
  for (const std::string& line : whole) {
    if (line == "\x01TOO LONG") continue;
    const Parsed parsed = ParseCommand(line);
    if (!parsed.ok()) {
      FUZZ_CHECK(parsed.error->code >= 500 && parsed.error->code < 600);
      FUZZ_CHECK(!parsed.error->enhanced.empty() && parsed.error->enhanced[0] == '5');
      CheckReply(*parsed.error);
      continue;
    }
    const Command& command = parsed.command;
    if (command.verb == Verb::kMail || command.verb == Verb::kRcpt) {
      const Path& path = command.path;
      FUZZ_CHECK(!path.null || command.verb == Verb::kMail);
      FUZZ_CHECK(path.local_part.size() <= kMaxLocalPartBytes);
      FUZZ_CHECK(path.domain.size() <= kMaxDomainBytes);
      if (!path.null) {
        const std::optional<Path> again = ParsePath("<" + path.Address() + ">", command.verb == Verb::kMail);
        FUZZ_CHECK(again.has_value());
        FUZZ_CHECK(again->Address() == path.Address());
      }
    }
    CheckReply(Reply{250, "2.0.0", line});
  }
  return 0;
}
