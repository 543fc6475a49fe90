// Helpers of the codec tests: golden files and inputs split every way.
#ifndef KURIER_SERVICES_COMMON_CODEC_GOLDEN_TEST_UTIL_H_
#define KURIER_SERVICES_COMMON_CODEC_GOLDEN_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kurier::codec::testing {

// The bytes of a file, by its path in the workspace (Bazel runs tests in the
// runfiles tree); aborts when it cannot be read.
std::string ReadWorkspaceFile(absl::string_view path);

// Saves what a golden test produced (when it differs from the .ref) as
// test.outputs/<name> under bazel-testlogs, to review and copy over the .ref.
void WriteActual(absl::string_view name, absl::string_view content);

// "\n" -> "\r\n" (golden files are kept with LF line ends).
std::string ToCrlf(absl::string_view text);

// Decodes the escapes of golden files: \\ \r \n \t \0 \s (a space, for
// trailing spaces that editors strip) and \xHH.
std::string Unescape(absl::string_view text);

// Makes bytes printable for a golden .ref: the inverse of Unescape for
// control bytes, backslash, bytes >= 0x7f (as \xHH) and a trailing space.
std::string Escape(absl::string_view bytes);

// Every way the tests cut an input into chunks: whole; in two at every
// position; one byte at a time; in three around every CR.
std::vector<std::vector<std::string>> Chunkings(absl::string_view input);

// A readable name of a chunking, for failure messages.
std::string DescribeChunking(const std::vector<std::string>& chunks);

}  // namespace kurier::codec::testing

#endif  // KURIER_SERVICES_COMMON_CODEC_GOLDEN_TEST_UTIL_H_
