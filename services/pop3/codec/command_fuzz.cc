// Fuzzes the POP3 codec with arbitrary client bytes and message bodies.
//
// Input: byte 0 picks the line limit (bit 7 set: the 255-octet command
// limit, else 1..64 to reach the edges), byte 1 the TOP line count (255:
// RETR), bytes 2-5 seed the chunk sizes; the rest is the payload, fed in
// those chunks to LineDecoder (lines to ParseCommand, the base64 decoder and
// the reply writer) and to BodyEncoder as a message.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   LineDecoder: the same lines whatever the chunks; no line holds a LF or
//     passes the limit; buffered bytes stay below the limit between Feeds.
//   ParseCommand: accepted commands have an upper-case 3-4 character keyword
//     and no control byte; numbers parse back to their digits.
//   Reply writer: one status line per call, CRLF-terminated, nothing else.
//   BodyEncoder: the same output whatever the chunks; only CRLF line ends; no
//     line starts with a lone '.'; un-stuffed it is the message with its line
//     ends made CRLF; TOP's output is a prefix of RETR's.
//   Base64: what decodes re-encodes to the same text, and back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "services/pop3/codec/command_decoder.h"
#include "bazel/fuzz_check.h"
#include "services/pop3/codec/reply_writer.h"

namespace {

using namespace kurier::pop3;  // NOLINT

// Chunk sizes from a seed (xorshift32): 0..max_chunk bytes each.
std::vector<absl::string_view> Chunks(absl::string_view payload, uint32_t seed, size_t max_chunk) {
  std::vector<absl::string_view> chunks;
  uint32_t x = seed | 1;
  while (!payload.empty()) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const size_t n = std::min<size_t>(x % (max_chunk + 1), payload.size());
    chunks.push_back(payload.substr(0, n));
    payload.remove_prefix(n);
  }
  return chunks;
}

// Decodes the chunks into "L<line>" / "T" entries, checking the decoder.
std::vector<std::string> DecodeLines(const std::vector<absl::string_view>& chunks, size_t max) {
  LineDecoder decoder(max);
  std::vector<std::string> results;
  std::string line;
  for (absl::string_view chunk : chunks) {
    const size_t before = decoder.buffered_bytes();
    decoder.Feed(chunk);
    FUZZ_CHECK(decoder.buffered_bytes() <= before + chunk.size());
    for (;;) {
      const LineDecoder::Result result = decoder.Next(&line);
      if (result == LineDecoder::Result::kNeedMore) break;
      if (result == LineDecoder::Result::kTooLong) {
        results.push_back("T");
        continue;
      }
      FUZZ_CHECK(line.find('\n') == std::string::npos);
      FUZZ_CHECK(line.size() + 1 <= max);
      results.push_back("L" + line);
    }
    FUZZ_CHECK(decoder.buffered_bytes() < max);
  }
  return results;
}

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Exactly one line, ended by CRLF, with no other CR or LF.
void CheckOneLine(const std::string& out) {
  FUZZ_CHECK(out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0);
  FUZZ_CHECK(out.find_first_of("\r\n") == out.size() - 2);
}

void CheckCommand(const std::string& line) {
  absl::StatusOr<Command> command = ParseCommand(line);
  if (command.ok()) {
    FUZZ_CHECK(command->keyword.size() >= 3 && command->keyword.size() <= 4);
    for (char c : command->keyword) FUZZ_CHECK(!(c >= 'a' && c <= 'z') && !IsControl(c) && c != ' ');
    for (char c : command->rest) FUZZ_CHECK(!IsControl(c));
    for (const std::string& arg : command->args) {
      FUZZ_CHECK(!arg.empty() && arg.find(' ') == std::string::npos);
      for (const std::optional<uint32_t> n : {ParseMessageNumber(arg), ParseLineCount(arg)}) {
        if (!n.has_value()) continue;
        // Digits only: the value is the digits without leading zeros (or clamped).
        const size_t first = arg.find_first_not_of('0');
        const std::string digits = first == std::string::npos ? "0" : arg.substr(first);
        FUZZ_CHECK(digits == std::to_string(*n) || *n == 4294967295u);
      }
    }
    FUZZ_CHECK(VerbName(command->verb).size() >= 3);
  } else {
    FUZZ_CHECK(command.status().code() == absl::StatusCode::kInvalidArgument);
  }

  std::string out;
  AppendOk(&out, line);
  CheckOneLine(out);
  out.clear();
  AppendErr(&out, "IN-USE", line);
  CheckOneLine(out);
  out.clear();
  AppendLine(&out, line);
  CheckOneLine(out);
  FUZZ_CHECK(out[0] != '.' || out[1] == '.');

  const std::optional<std::string> decoded = DecodeBase64(line);
  if (decoded.has_value()) FUZZ_CHECK(EncodeBase64(*decoded) == line);
  FUZZ_CHECK(DecodeBase64(EncodeBase64(line)) == line);
}

std::string Encode(const std::vector<absl::string_view>& chunks, std::optional<uint32_t> top) {
  BodyEncoder encoder(top);
  std::string out;
  for (absl::string_view chunk : chunks) {
    encoder.Encode(chunk, &out);
    if (encoder.done()) break;
  }
  encoder.Finish(&out);
  return out;
}

// The message with every line end made CRLF and a last line ended.
std::string Normalize(absl::string_view message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' || message[i] == '\n') {
      out += "\r\n";
      if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
    } else {
      out.push_back(message[i]);
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

// Only CRLF line ends, no line starting with a lone '.', a last line ended.
void CheckBody(const std::string& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r') FUZZ_CHECK(i + 1 < out.size() && out[i + 1] == '\n');
    if (out[i] == '\n') FUZZ_CHECK(i > 0 && out[i - 1] == '\r');
    if ((i == 0 || out[i - 1] == '\n') && out[i] == '.') FUZZ_CHECK(i + 1 < out.size() && out[i + 1] == '.');
  }
  FUZZ_CHECK(out.empty() || out.back() == '\n');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  const size_t max_line = (data[0] & 0x80) != 0 ? kMaxCommandLineBytes : 1 + (data[0] & 0x3f);
  const std::optional<uint32_t> top = data[1] == 0xff ? std::nullopt : std::optional<uint32_t>(data[1] % 16);
  const uint32_t seed = static_cast<uint32_t>(data[2]) | static_cast<uint32_t>(data[3]) << 8 |
                        static_cast<uint32_t>(data[4]) << 16 | static_cast<uint32_t>(data[5]) << 24;
  const absl::string_view payload(reinterpret_cast<const char*>(data) + 6, size - 6);
  const std::vector<absl::string_view> chunks = Chunks(payload, seed, 2 * max_line);

  // Client side: lines, commands, replies echoing them, base64.
  const std::vector<std::string> lines = DecodeLines(chunks, max_line);
  FUZZ_CHECK(lines == DecodeLines({payload}, max_line));
  for (const std::string& entry : lines) {
    if (entry[0] == 'L') CheckCommand(entry.substr(1));
  }

  // Server side: the payload as a message for RETR and TOP.
  const std::string retr = Encode(chunks, std::nullopt);
  FUZZ_CHECK(retr == Encode({payload}, std::nullopt));
  CheckBody(retr);
  std::string unstuffed;
  for (size_t i = 0; i < retr.size(); ++i) {
    if ((i == 0 || retr[i - 1] == '\n') && retr[i] == '.') ++i;
    unstuffed.push_back(retr[i]);
  }
  FUZZ_CHECK(unstuffed == Normalize(payload));
  if (top.has_value()) {
    const std::string top_out = Encode(chunks, top);
    FUZZ_CHECK(top_out == Encode({payload}, top));
    CheckBody(top_out);
    FUZZ_CHECK(retr.compare(0, top_out.size(), top_out) == 0);
  }
  return 0;
}
