// The corpus in testdata/corpus/: real-world message shapes, each parsed and
// compared with its outline in testdata/golden/ (every part's type,
// parameters, fields and the exact header and body bytes its offsets slice
// out of the message), and checked against the structure invariants.
//
// After a deliberate change of the parser's output, rewrite the outlines
// (then read the diff):
//   bazel build //services/common/mime:corpus_test
//   (cd bazel-bin/services/common/mime/corpus_test.runfiles/kurier &&
//    MIME_GOLDEN_UPDATE=$OLDPWD/services/common/mime/testdata/golden ../../corpus_test)
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/common/mime/mime_parser.h"
#include "services/common/mime/structure_checks.h"

namespace kurier::mime {
namespace {

const char kDir[] = "services/common/mime/testdata";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Quote(absl::string_view s) { return absl::StrCat("\"", absl::CHexEscape(s), "\""); }

std::string Opt(bool has, const std::string& value) { return has ? Quote(value) : "NIL"; }

std::string Addresses(const google::protobuf::RepeatedPtrField<v1::Address>& list) {
  if (list.empty()) return "NIL";
  std::vector<std::string> out;
  for (const v1::Address& a : list) {
    out.push_back(absl::StrCat("(", Quote(a.name()), " ", Quote(a.adl()), " ", Quote(a.mailbox()), " ",
                               Quote(a.host()), ")"));
  }
  return absl::StrJoin(out, " ");
}

std::string Params(const google::protobuf::RepeatedPtrField<v1::Parameter>& params) {
  std::vector<std::string> out;
  for (const v1::Parameter& p : params) out.push_back(absl::StrCat(p.name(), "=", Quote(p.value())));
  return absl::StrCat("(", absl::StrJoin(out, " "), ")");
}

// Long ranges show their first and last bytes only.
std::string Bytes(absl::string_view message, uint64_t offset, uint64_t size) {
  absl::string_view s = message.substr(offset, size);
  const std::string range = absl::StrCat("[", offset, "+", size, "] ");
  if (s.size() <= 600) return range + Quote(s);
  return range + Quote(s.substr(0, 300)) + " ... " + Quote(s.substr(s.size() - 200));
}

void DescribeEnvelope(const v1::Envelope& e, const std::string& indent, std::string* out) {
  absl::StrAppend(out, indent, "envelope\n");
  absl::StrAppend(out, indent, "  date: ", Opt(e.has_date(), e.date()), "\n");
  absl::StrAppend(out, indent, "  subject: ", Opt(e.has_subject(), e.subject()), "\n");
  absl::StrAppend(out, indent, "  from: ", Addresses(e.from()), "\n");
  absl::StrAppend(out, indent, "  sender: ", Addresses(e.sender()), "\n");
  absl::StrAppend(out, indent, "  reply-to: ", Addresses(e.reply_to()), "\n");
  absl::StrAppend(out, indent, "  to: ", Addresses(e.to()), "\n");
  absl::StrAppend(out, indent, "  cc: ", Addresses(e.cc()), "\n");
  absl::StrAppend(out, indent, "  bcc: ", Addresses(e.bcc()), "\n");
  absl::StrAppend(out, indent, "  in-reply-to: ", Opt(e.has_in_reply_to(), e.in_reply_to()), "\n");
  absl::StrAppend(out, indent, "  message-id: ", Opt(e.has_message_id(), e.message_id()), "\n");
}

void DescribePart(const v1::BodyPart& p, absl::string_view message, const std::string& path,
                  const std::string& indent, std::string* out) {
  absl::StrAppend(out, indent, "part ", path, ": ", p.type(), "/", p.subtype(), " ", Params(p.params()),
                  " encoding=", p.encoding(), " lines=", p.body_lines(), " bare_lfs=", p.header_bare_lfs(), "/",
                  p.body_bare_lfs(), "\n");
  const std::string in = indent + "  ";
  if (p.has_id()) absl::StrAppend(out, in, "id: ", Quote(p.id()), "\n");
  if (p.has_description()) absl::StrAppend(out, in, "description: ", Quote(p.description()), "\n");
  if (p.has_md5()) absl::StrAppend(out, in, "md5: ", Quote(p.md5()), "\n");
  if (p.has_disposition()) {
    absl::StrAppend(out, in, "disposition: ", p.disposition().type(), " ", Params(p.disposition().params()), "\n");
  }
  if (!p.languages().empty()) absl::StrAppend(out, in, "languages: ", absl::StrJoin(p.languages(), ", "), "\n");
  if (p.has_location()) absl::StrAppend(out, in, "location: ", Quote(p.location()), "\n");
  absl::StrAppend(out, in, "header: ", Bytes(message, p.header_offset(), p.header_size()), "\n");
  absl::StrAppend(out, in, "body: ", Bytes(message, p.body_offset(), p.body_size()), "\n");
  for (int i = 0; i < p.children_size(); ++i) {
    DescribePart(p.children(i), message, absl::StrCat(path, ".", i + 1), in, out);
  }
  if (p.has_message_body()) {
    DescribeEnvelope(p.envelope(), in, out);
    DescribePart(p.message_body(), message, path + ".M", in, out);
  }
}

std::string Describe(const v1::MessageStructure& s, absl::string_view message) {
  std::string out = absl::StrCat("size=", s.size(), " header_size=", s.header_size(),
                                 " limits_reached=", s.limits_reached() ? "true" : "false", "\n");
  DescribeEnvelope(s.envelope(), "", &out);
  DescribePart(s.body(), message, "1", "", &out);
  return out;
}

std::vector<std::string> CorpusNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(kDir) + "/corpus")) {
    if (entry.path().extension() == ".eml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CorpusTest, MatchesGoldenOutlines) {
  const std::vector<std::string> names = CorpusNames();
  ASSERT_GE(names.size(), 14u);
  const char* update = std::getenv("MIME_GOLDEN_UPDATE");
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string message = ReadFile(absl::StrCat(kDir, "/corpus/", name, ".eml"));
    const std::string outline = Describe(ParseMessage(message), message);
    if (update != nullptr) {
      std::ofstream(absl::StrCat(update, "/", name, ".txt"), std::ios::binary) << outline;
      continue;
    }
    EXPECT_EQ(outline, ReadFile(absl::StrCat(kDir, "/golden/", name, ".txt")));
  }
}

TEST(CorpusTest, InvariantsHold) {
  for (const std::string& name : CorpusNames()) {
    SCOPED_TRACE(name);
    const std::string message = ReadFile(absl::StrCat(kDir, "/corpus/", name, ".eml"));
    const v1::MessageStructure s = ParseMessage(message);
    EXPECT_EQ(CheckStructure(s, message), std::vector<std::string>());
    // Every prefix of the message parses and keeps the invariants too (a
    // message cut short anywhere: in a header, a boundary, a part).
    for (size_t n = 0; n < message.size(); ++n) {
      const absl::string_view prefix = absl::string_view(message).substr(0, n);
      const std::vector<std::string> errors = CheckStructure(ParseMessage(prefix), prefix);
      ASSERT_EQ(errors, std::vector<std::string>()) << "prefix of " << n << " bytes";
    }
  }
}

}  // namespace
}  // namespace kurier::mime
