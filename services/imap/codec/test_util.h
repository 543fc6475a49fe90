// Helpers of the codec tests: golden files and inputs split every way.
#ifndef KURIER_SERVICES_IMAP_CODEC_TEST_UTIL_H_
#define KURIER_SERVICES_IMAP_CODEC_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap::testing {

// The bytes of a file under services/imap/codec/testdata/.
std::string ReadTestdata(absl::string_view name);

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

// Arguments as one line: atoms bare, quoted strings "escaped", literals
// {n}"escaped" (literal8 ~{n}"..."), lists (a b).
std::string FormatArgs(const std::vector<Arg>& args);

// Feeds the chunks one after another to a CommandReader, taking every event
// after each, and returns the events one per line:
//   "+"                                 continuation request
//   "C <tag> [UID ]<NAME>[ <args>]"     a command
//   "E <kind> <tag or *>: <message>"    an error
// It checks the reader's memory bounds on the way (gtest failures).
std::string ReadEvents(const std::vector<std::string>& chunks, const CommandReader::Options& options);

}  // namespace kurier::imap::testing

#endif  // KURIER_SERVICES_IMAP_CODEC_TEST_UTIL_H_
