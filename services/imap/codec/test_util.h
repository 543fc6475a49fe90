// Helpers of the IMAP codec tests: the shared golden-file and chunking
// helpers (services/common/codec/golden_test_util.h) and this codec's own.
#ifndef KURIER_SERVICES_IMAP_CODEC_TEST_UTIL_H_
#define KURIER_SERVICES_IMAP_CODEC_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/codec/golden_test_util.h"
#include "services/imap/codec/command_reader.h"

namespace kurier::imap::testing {

using ::kurier::codec::testing::Chunkings;
using ::kurier::codec::testing::DescribeChunking;
using ::kurier::codec::testing::Escape;
using ::kurier::codec::testing::ToCrlf;
using ::kurier::codec::testing::Unescape;
using ::kurier::codec::testing::WriteActual;

// The bytes of a file under services/imap/codec/testdata/.
std::string ReadTestdata(absl::string_view name);

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
