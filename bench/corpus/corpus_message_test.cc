#include "bench/corpus/corpus_message.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "bench/pop3_bench/bench_message.h"
#include "gtest/gtest.h"

namespace kurier::bench::corpus {
namespace {

constexpr char kTo[] = "f0@bench.invalid";

// Every line ends in CRLF, none is longer than 998 characters (RFC 5322).
void ExpectWellFormedLines(const std::string& m) {
  size_t start = 0;
  while (start < m.size()) {
    const size_t end = m.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "no CRLF after byte " << start;
    EXPECT_LE(end - start, 998u);
    EXPECT_EQ(m.substr(start, end - start).find_first_of("\r\n"), std::string::npos);
    start = end + 2;
  }
}

std::string Header(const std::string& m) { return m.substr(0, m.find("\r\n\r\n") + 2); }

TEST(CorpusMessageTest, IsDeterministicAndDiffersPerIndexSeedAndRecipient) {
  const std::string a = MakeCorpusMessage(1, kTo, 7);
  EXPECT_EQ(a, MakeCorpusMessage(1, kTo, 7));
  EXPECT_NE(a, MakeCorpusMessage(1, kTo, 8));
  EXPECT_NE(a, MakeCorpusMessage(2, kTo, 7));
  EXPECT_NE(a, MakeCorpusMessage(1, "f1@bench.invalid", 7));
}

TEST(CorpusMessageTest, TheMixHasEveryShapeRealisticSizesAndVerifies) {
  std::map<Shape, int> shapes;
  std::vector<size_t> sizes;
  uint64_t total = 0;
  bool dot_line = false;
  for (uint64_t i = 0; i < 2000; ++i) {
    const std::string m = MakeCorpusMessage(1, kTo, i);
    ++shapes[ShapeOf(1, i)];
    sizes.push_back(m.size());
    total += m.size();
    dot_line |= m.find("\r\n...") != std::string::npos;
    ASSERT_TRUE(pop3::VerifyBenchMessage(m, kTo).ok()) << i;
    if (i < 200) ExpectWellFormedLines(m);
    const std::string header = Header(m);
    switch (ShapeOf(1, i)) {
      case Shape::kPlain:
        EXPECT_TRUE(absl::StrContains(header, "Content-Type: text/plain")) << i;
        break;
      case Shape::kAlternative:
        EXPECT_TRUE(absl::StrContains(header, "Content-Type: multipart/alternative")) << i;
        EXPECT_TRUE(absl::StrContains(m, "Content-Type: text/html")) << i;
        break;
      case Shape::kAttachment:
        EXPECT_TRUE(absl::StrContains(header, "Content-Type: multipart/mixed")) << i;
        EXPECT_TRUE(absl::StrContains(m, "Content-Transfer-Encoding: base64")) << i;
        break;
      case Shape::kForward:
        EXPECT_TRUE(absl::StrContains(m, "Content-Type: message/rfc822")) << i;
        break;
    }
  }
  EXPECT_EQ(shapes.size(), 4u);
  EXPECT_GT(shapes[Shape::kPlain], 700);
  EXPECT_GT(shapes[Shape::kForward], 50);
  std::sort(sizes.begin(), sizes.end());
  const double mean = static_cast<double>(total) / 2000;
  EXPECT_GT(mean, 12000);
  EXPECT_LT(mean, 30000);
  EXPECT_GT(sizes[1000], 3000u);
  EXPECT_LT(sizes[1000], 10000u);
  EXPECT_TRUE(dot_line);
}

TEST(CorpusMessageTest, MarkersAppearExactlyWhereSaid) {
  int text = 0;
  int subject = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    const std::string m = absl::AsciiStrToLower(MakeCorpusMessage(3, kTo, i));
    const std::string header = Header(m);
    const size_t subject_at = header.find("\r\nsubject: ");
    const std::string subject_line = header.substr(subject_at, header.find("\r\n", subject_at + 2) - subject_at);
    EXPECT_EQ(absl::StrContains(m.substr(header.size()), kTextMarker), HasTextMarker(3, i)) << i;
    EXPECT_FALSE(absl::StrContains(header, kTextMarker)) << i;
    EXPECT_EQ(absl::StrContains(subject_line, kSubjectMarker), HasSubjectMarker(3, i)) << i;
    EXPECT_FALSE(absl::StrContains(m.substr(header.size()), kSubjectMarker)) << i;
    text += HasTextMarker(3, i);
    subject += HasSubjectMarker(3, i);
  }
  EXPECT_GT(text, 10);
  EXPECT_LT(text, 60);
  EXPECT_GT(subject, 90);
  EXPECT_LT(subject, 230);
}

TEST(CorpusMessageTest, SizedMessagesHaveTheExactSizeInEveryShape) {
  for (Shape shape : {Shape::kPlain, Shape::kAlternative, Shape::kAttachment, Shape::kForward}) {
    for (uint64_t size : {kMinSizedBytes, kMinSizedBytes + 1, uint64_t{5120}, uint64_t{5121}, uint64_t{65536},
                          uint64_t{1048576}}) {
      for (uint64_t index = 0; index < 3; ++index) {
        const std::string m = MakeSizedMessage(5, kTo, index, size, shape);
        EXPECT_EQ(m.size(), size) << ShapeName(shape) << " " << size << " " << index;
        EXPECT_TRUE(pop3::VerifyBenchMessage(m, kTo).ok()) << ShapeName(shape) << " " << size;
        if (size < 100000) ExpectWellFormedLines(m);
      }
    }
  }
  EXPECT_TRUE(absl::StrContains(MakeSizedMessage(5, kTo, 0, 1048576, Shape::kAttachment), "base64"));
}

}  // namespace
}  // namespace kurier::bench::corpus
