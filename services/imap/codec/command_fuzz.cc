// Fuzzes the IMAP codec with arbitrary client bytes.
//
// Input: byte 0 picks the line limit (bit 7 set: the default 64 KiB, else
// 1..64 to reach the edges), byte 1 the literal limits (bit 7 set: the
// defaults, else 0..63 bytes per literal and twice that per command) and
// the meaning of "{n+}" (bits 5-6: LITERAL+, LITERAL-, none), byte 2 the
// nesting and argument limits, bytes 3-6 seed the chunk sizes; the rest is
// the payload, fed in those chunks to a CommandReader.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   CommandReader: the same events whatever the chunks (and all at once);
//     between Feeds the buffered bytes stay below the line limit and the
//     bytes held for a command within max_line_bytes + max_total_literal;
//     commands respect the tag, name, depth, argument and literal limits;
//     only literal8 holds NUL.
//   Writer round trip: every value read, and the payload itself, written as
//     a string, an astring and a literal8 is read back to the same bytes
//     (a literal writes NUL as 0x80); status responses are one CRLF line.
//   Mailbox names: DecodeModifiedUtf7(EncodeModifiedUtf7(x)) == x for valid
//     UTF-8 x, and what decodes re-encodes to the same text.
//   Sequence sets: what parses resolves to sorted, disjoint ranges within
//     the bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bazel/fuzz_check.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/codec/sequence_set.h"

namespace {

using namespace kurier::imap;  // NOLINT

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

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

void CheckArgs(const std::vector<Arg>& args, const CommandReader::Options& options, size_t depth,
               size_t* count, std::vector<const Arg*>* values) {
  FUZZ_CHECK(depth <= options.max_depth + 1);
  for (const Arg& arg : args) {
    ++*count;
    switch (arg.kind) {
      case Arg::Kind::kAtom:
        FUZZ_CHECK(!arg.value.empty());
        for (char c : arg.value) FUZZ_CHECK(!IsControl(c) && static_cast<unsigned char>(c) < 0x80);
        values->push_back(&arg);
        break;
      case Arg::Kind::kString:
        if (arg.literal) {
          // APPEND's literals up to max_literal_bytes, others within the line.
          FUZZ_CHECK(arg.value.size() <= std::max<uint64_t>(options.max_literal_bytes, options.max_line_bytes));
          if (!arg.literal8) FUZZ_CHECK(arg.value.find('\0') == std::string::npos);
        } else {
          FUZZ_CHECK(!arg.literal8);
          FUZZ_CHECK(arg.value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
        }
        values->push_back(&arg);
        break;
      case Arg::Kind::kList:
        FUZZ_CHECK(arg.value.empty());
        CheckArgs(arg.list, options, depth + 1, count, values);
        break;
    }
  }
}

std::string Describe(const std::vector<Arg>& args) {
  std::string out;
  for (const Arg& arg : args) {
    absl::StrAppend(&out, static_cast<int>(arg.kind), arg.literal ? "L" : "", arg.literal8 ? "8" : "", ":",
                    arg.value.size(), ":", arg.value, arg.is_list() ? "(" + Describe(arg.list) + ")" : "", ";");
  }
  return out;
}

// The events for the chunks, checking the reader on the way; collects the
// atoms and strings read (copies) into *values when given.
std::string Read(const std::vector<absl::string_view>& chunks, const CommandReader::Options& options,
                 std::vector<Arg>* values) {
  CommandReader reader(options);
  std::string events;
  for (absl::string_view chunk : chunks) {
    reader.Feed(chunk);
    for (;;) {
      Command command;
      ReadError error;
      const CommandReader::Result result = reader.Next(&command, &error);
      FUZZ_CHECK(reader.command_bytes() <= options.max_line_bytes + options.max_total_literal_bytes);
      if (result == CommandReader::Result::kNeedMore) break;
      if (result == CommandReader::Result::kContinuation) {
        events += "+\n";
        FUZZ_CHECK(!reader.at_command_start());
      } else if (result == CommandReader::Result::kError) {
        FUZZ_CHECK(!error.message.empty());
        absl::StrAppend(&events, "E", static_cast<int>(error.kind), " ", error.tag, " ", error.message, "\n");
      } else {
        FUZZ_CHECK(reader.at_command_start());
        FUZZ_CHECK(!command.tag.empty() && !command.name.empty());
        for (char c : command.tag) FUZZ_CHECK(!IsControl(c) && c != ' ' && c != '+' && c != '*');
        for (char c : command.name) FUZZ_CHECK(!(c >= 'a' && c <= 'z') && !IsControl(c) && c != ' ');
        size_t count = 0;
        std::vector<const Arg*> leaves;
        CheckArgs(command.args, options, 1, &count, &leaves);
        FUZZ_CHECK(count <= options.max_args);
        if (values != nullptr) {
          for (const Arg* leaf : leaves) {
            if (values->size() < 64) values->push_back(*leaf);
          }
        }
        absl::StrAppend(&events, "C ", command.tag, " ", command.uid ? "UID " : "", command.name, " ",
                        Describe(command.args), "\n");
      }
    }
    FUZZ_CHECK(reader.buffered_bytes() < options.max_line_bytes);
  }
  return events;
}

// Reads "T X <written>\r\n" back with default options: one argument.
std::string ReadBack(const std::string& written) {
  CommandReader reader;
  reader.Feed(absl::StrCat("T X ", written, "\r\n"));
  Command command;
  ReadError error;
  CommandReader::Result result = reader.Next(&command, &error);
  if (result == CommandReader::Result::kContinuation) result = reader.Next(&command, &error);
  FUZZ_CHECK(result == CommandReader::Result::kCommand);
  FUZZ_CHECK(command.args.size() == 1 && command.args[0].is_astring());
  return command.args[0].value;
}

void CheckOneLine(const std::string& out) {
  FUZZ_CHECK(out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0);
  FUZZ_CHECK(out.find_first_of("\r\n") == out.size() - 2);
}

void CheckValue(const std::string& value) {
  std::string expected = value;  // a literal carries NUL as 0x80
  for (char& c : expected) {
    if (c == '\0') c = static_cast<char>(0x80);
  }
  for (bool utf8 : {false, true}) {
    std::string out;
    AppendString(&out, value, utf8);
    FUZZ_CHECK(ReadBack(out) == expected);
    out.clear();
    AppendAString(&out, value, utf8);
    FUZZ_CHECK(ReadBack(out) == expected);
  }
  std::string out;
  AppendLiteral8(&out, value);
  FUZZ_CHECK(ReadBack(out) == value);

  out.clear();
  AppendTagged(&out, value, Condition::kNo, value, value);
  CheckOneLine(out);
  out.clear();
  AppendUntagged(&out, value);
  CheckOneLine(out);
  out.clear();
  AppendContinuation(&out, value);
  CheckOneLine(out);

  if (IsValidUtf8(value)) {
    const absl::StatusOr<std::string> encoded = EncodeModifiedUtf7(value);
    FUZZ_CHECK(encoded.ok());
    for (char c : *encoded) FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    const absl::StatusOr<std::string> decoded = DecodeModifiedUtf7(*encoded);
    FUZZ_CHECK(decoded.ok() && *decoded == value);
  } else {
    FUZZ_CHECK(!EncodeModifiedUtf7(value).ok());
  }
  const absl::StatusOr<std::string> decoded = DecodeModifiedUtf7(value);
  if (decoded.ok()) {
    FUZZ_CHECK(IsValidUtf8(*decoded));
    const absl::StatusOr<std::string> again = EncodeModifiedUtf7(*decoded);
    FUZZ_CHECK(again.ok() && *again == value);
  }

  const absl::StatusOr<SequenceSet> set = SequenceSet::Parse(value, 16);
  if (set.ok()) {
    FUZZ_CHECK(set->items().size() <= 16);
    for (uint32_t star : {0u, 1u, 7u, 4294967295u}) {
      const std::vector<NumberRange> uids = set->ResolveUids(star);
      for (size_t i = 0; i < uids.size(); ++i) {
        FUZZ_CHECK(uids[i].first >= 1 && uids[i].first <= uids[i].last);
        if (i > 0) FUZZ_CHECK(uids[i - 1].last < uids[i].first - 1);
      }
      const absl::StatusOr<std::vector<NumberRange>> seqs = set->ResolveSequenceNumbers(star);
      if (seqs.ok()) {
        FUZZ_CHECK(star > 0 && !seqs->empty());
        for (const NumberRange& r : *seqs) FUZZ_CHECK(r.first >= 1 && r.last <= star && RangesContain(*seqs, r.last));
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 7) return 0;
  CommandReader::Options options;
  if ((data[0] & 0x80) == 0) options.max_line_bytes = 1 + (data[0] & 0x3f);
  if ((data[1] & 0x80) == 0) {
    options.max_literal_bytes = data[1] & 0x3f;
    options.max_total_literal_bytes = 2 * options.max_literal_bytes;
  }
  options.non_sync = static_cast<CommandReader::NonSyncLiterals>(((data[1] >> 5) & 3) % 3);
  options.max_depth = 1 + (data[2] & 7);
  options.max_args = 1 + (data[2] >> 3) * 4;
  const uint32_t seed = static_cast<uint32_t>(data[3]) | static_cast<uint32_t>(data[4]) << 8 |
                        static_cast<uint32_t>(data[5]) << 16 | static_cast<uint32_t>(data[6]) << 24;
  const absl::string_view payload(reinterpret_cast<const char*>(data) + 7, size - 7);

  std::vector<Arg> values;
  const std::string events = Read(Chunks(payload, seed, 2 * std::min<size_t>(options.max_line_bytes, 256)),
                                  options, &values);
  FUZZ_CHECK(events == Read({payload}, options, nullptr));
  std::vector<absl::string_view> bytes;
  if (payload.size() <= 1024) {
    for (size_t i = 0; i < payload.size(); ++i) bytes.push_back(payload.substr(i, 1));
    FUZZ_CHECK(events == Read(bytes, options, nullptr));
  }

  for (const Arg& value : values) CheckValue(value.value);
  CheckValue(std::string(payload.substr(0, 4096)));
  return 0;
}
