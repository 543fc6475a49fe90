// Fuzzes the message reader (DATA and BDAT framing) with arbitrary bytes.
//
// Input: byte 0 picks the framing (bit 0) and seeds the chunk sizes, byte 1
// the size limit; the rest is the client's bytes.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   The same content, size, defect and end position whatever the chunks.
//   Content never exceeds the limit; size counts every content byte.
//   DATA: the data ends only right after CRLF "." CRLF (or "." CRLF at the
//     start); without a defect the content is what a reference reading of
//     the consumed bytes gives (CRLF lines, one leading dot removed).
//   BDAT: without a defect the content is the input, unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bazel/fuzz_check.h"
#include "services/smtp/codec/message_reader.h"

namespace {

using kurier::smtp::MessageReader;

struct Result {
  std::string content;
  uint64_t size;
  MessageReader::Defect defect;
  size_t consumed;
  bool done;
};

Result Read(MessageReader::Framing framing, uint64_t limit, const std::string& input, size_t chunk) {
  MessageReader reader(framing, limit);
  size_t consumed = 0;
  for (size_t i = 0; i < input.size() && !reader.done(); i += chunk) {
    const absl::string_view piece = absl::string_view(input).substr(i, chunk);
    const size_t taken = reader.Feed(piece);
    consumed += taken;
    if (framing == MessageReader::Framing::kChunked) FUZZ_CHECK(taken == piece.size());
    if (taken < piece.size()) FUZZ_CHECK(reader.done());
  }
  if (framing == MessageReader::Framing::kChunked) reader.FinishChunks();
  return {reader.content(), reader.size(), reader.defect(), consumed, reader.done()};
}

// A reference reading of well-formed DATA: every CRLF-ended line before the
// final ".\r\n" loses one leading dot.
std::string Unstuff(const std::string& wire) {
  std::string out;
  const std::string body = wire.substr(0, wire.size() - 3);
  size_t start = 0;
  while (start < body.size()) {
    const size_t end = body.find("\r\n", start);
    FUZZ_CHECK(end != std::string::npos);
    const size_t skip = body[start] == '.' ? 1 : 0;
    out.append(body, start + skip, end + 2 - start - skip);
    start = end + 2;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto framing = (data[0] & 1) ? MessageReader::Framing::kChunked : MessageReader::Framing::kDotStuffed;
  const size_t chunk = 1 + (data[0] >> 1) % 61;
  const uint64_t limit = data[1] == 255 ? UINT64_MAX : data[1] * 16u;
  const std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Result whole = Read(framing, limit, input, input.size() + 1);
  const Result split = Read(framing, limit, input, chunk);
  FUZZ_CHECK(whole.content == split.content);
  FUZZ_CHECK(whole.size == split.size && whole.defect == split.defect);
  FUZZ_CHECK(whole.consumed == split.consumed && whole.done == split.done);
  FUZZ_CHECK(whole.content.size() <= limit);
  FUZZ_CHECK(whole.content.size() == whole.size || whole.size > limit);

  const std::string consumed = input.substr(0, whole.consumed);
  if (framing == MessageReader::Framing::kDotStuffed) {
    if (whole.done) {
      FUZZ_CHECK(consumed == ".\r\n" || (consumed.size() >= 5 && consumed.substr(consumed.size() - 5) == "\r\n.\r\n"));
    }
    if (whole.done && whole.defect == MessageReader::Defect::kNone && whole.size <= limit) {
      FUZZ_CHECK(Unstuff(consumed) == whole.content);
    }
  } else if (whole.defect == MessageReader::Defect::kNone && whole.size <= limit) {
    FUZZ_CHECK(whole.content == input);
  }
  return 0;
}
