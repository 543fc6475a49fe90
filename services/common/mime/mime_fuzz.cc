// Fuzzes the MIME parser and the header field helpers with arbitrary bytes
// taken as a whole message.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   ParseMessage: every structure invariant of structure_checks.h (offsets
//     in range, children inside their parent and in order, header + body
//     contiguous, line and bare LF counts true to the bytes, group markers
//     balanced, part count and depth bounded, serialization round-trips);
//     parsing twice gives the same bytes; the top-level header ends where
//     HeaderEnd says.
//   HeaderFieldReader: fields in order and inside the input, names without
//     line ends or ':', values inside their field; body_offset == HeaderEnd.
//   UnfoldHeaderValue: no CR or LF left. DecodeEncodedWords: the identity on
//     text without "=?". ParseAddressList: group markers balanced.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bazel/fuzz_check.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/mime_parser.h"
#include "services/common/mime/structure_checks.h"

namespace {

using namespace kurier::mime;  // NOLINT

void CheckParse(absl::string_view input) {
  const v1::MessageStructure s = ParseMessage(input);
  const std::vector<std::string> errors = CheckStructure(s, input);
  for (const std::string& e : errors) std::fprintf(stderr, "structure: %s\n", e.c_str());
  FUZZ_CHECK(errors.empty());
  FUZZ_CHECK(ParseMessage(input).SerializeAsString() == s.SerializeAsString());
  FUZZ_CHECK(s.header_size() == HeaderEnd(input));
}

void CheckHeaderFields(absl::string_view input) {
  HeaderFieldReader reader(input);
  HeaderField f;
  size_t last_end = 0;
  while (reader.Next(&f)) {
    FUZZ_CHECK(f.offset >= last_end);
    FUZZ_CHECK(f.size > 0 && f.offset + f.size <= input.size());
    FUZZ_CHECK(!f.name.empty());
    FUZZ_CHECK(f.name.find('\n') == absl::string_view::npos && f.name.find(':') == absl::string_view::npos);
    FUZZ_CHECK(f.raw_value.data() >= input.data() + f.offset);
    FUZZ_CHECK(f.raw_value.data() + f.raw_value.size() <= input.data() + f.offset + f.size);
    const std::string unfolded = UnfoldHeaderValue(f.raw_value);
    FUZZ_CHECK(unfolded.find_first_of("\r\n") == std::string::npos);
    last_end = f.offset + f.size;
  }
  FUZZ_CHECK(reader.body_offset() == HeaderEnd(input));
  FUZZ_CHECK(reader.body_offset() >= last_end && reader.body_offset() <= input.size());
}

void CheckDecoders(absl::string_view input) {
  // The decoders see header values; a bounded prefix keeps iconv cheap.
  const absl::string_view head = input.substr(0, 2048);
  const std::string decoded = DecodeEncodedWords(head);
  if (head.find("=?") == absl::string_view::npos) FUZZ_CHECK(decoded == head);
  DecodeRfc2231Value(head);
  google::protobuf::RepeatedPtrField<v1::Address> list;
  for (v1::Address& a : ParseAddressList(head)) *list.Add() = std::move(a);
  const std::vector<std::string> errors = CheckAddresses(list);
  for (const std::string& e : errors) std::fprintf(stderr, "addresses: %s\n", e.c_str());
  FUZZ_CHECK(errors.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckParse(input);
  CheckHeaderFields(input);
  CheckDecoders(input);
  return 0;
}
