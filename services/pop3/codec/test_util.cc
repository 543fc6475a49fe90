#include "services/pop3/codec/test_util.h"

#include "absl/strings/str_cat.h"

namespace kurier::pop3::testing {

std::string ReadTestdata(absl::string_view name) {
  return codec::testing::ReadWorkspaceFile(absl::StrCat("services/pop3/codec/testdata/", std::string(name)));
}

}  // namespace kurier::pop3::testing
