#include "services/smtp/bounce.h"

#include <string>

#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"

namespace kurier::smtp {
namespace {

TEST(BounceTest, MultipartReportWithStatusPerRecipientAndOriginalHeader) {
  const std::string original = "Subject: party\r\nFrom: anna@example.org\r\n\r\nsecret body\r\n";
  const std::string bounce = BuildBounce("mx.test", "anna@example.org", original,
                                         {{"bob@example.org", "5.2.2", "552 5.2.2 Mailbox full"}},
                                         absl::FromUnixSeconds(1795333200));
  EXPECT_NE(bounce.find("To: <anna@example.org>\r\n"), std::string::npos);
  EXPECT_NE(bounce.find("Content-Type: multipart/report; report-type=delivery-status;"), std::string::npos);
  EXPECT_NE(bounce.find("Final-Recipient: rfc822; bob@example.org\r\nAction: failed\r\nStatus: 5.2.2\r\n"),
            std::string::npos);
  EXPECT_NE(bounce.find("Subject: party\r\n"), std::string::npos);
  EXPECT_EQ(bounce.find("secret body"), std::string::npos);  // headers only
  EXPECT_EQ(bounce.find("\n\n"), std::string::npos);         // CRLF only
  for (size_t i = bounce.find('\n'); i != std::string::npos; i = bounce.find('\n', i + 1)) {
    ASSERT_EQ(bounce[i - 1], '\r');
  }
  // It is a well-formed three-part report.
  const auto structure = mime::ParseMessage(bounce);
  EXPECT_EQ(structure.body().children_size(), 3);
}

}  // namespace
}  // namespace kurier::smtp
