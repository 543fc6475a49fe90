// Helpers of the POP3 codec tests: the shared golden-file and chunking
// helpers (services/common/codec/golden_test_util.h) and this codec's own.
#ifndef KURIER_SERVICES_POP3_CODEC_TEST_UTIL_H_
#define KURIER_SERVICES_POP3_CODEC_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/codec/golden_test_util.h"

namespace kurier::pop3::testing {

using ::kurier::codec::testing::Chunkings;
using ::kurier::codec::testing::DescribeChunking;
using ::kurier::codec::testing::Escape;
using ::kurier::codec::testing::ToCrlf;
using ::kurier::codec::testing::Unescape;
using ::kurier::codec::testing::WriteActual;

// The bytes of a file under services/pop3/codec/testdata/.
std::string ReadTestdata(absl::string_view name);

}  // namespace kurier::pop3::testing

#endif  // KURIER_SERVICES_POP3_CODEC_TEST_UTIL_H_
