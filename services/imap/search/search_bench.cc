// Times EvaluateSearch over a 10,000-message mailbox held in memory (no
// store, no I/O): the pure cost of the linear scan per kind of query.
//   bazel run -c opt //services/imap/search:search_bench
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/search/search_eval.h"
#include "services/imap/search/search_query.h"

namespace {

using namespace kurier::imap;  // NOLINT

std::string MakeMessage(int i) {
  std::string body;
  for (int line = 0; line < 40; ++line) {
    absl::StrAppend(&body, "Line ", line, " of message ", i, ": lorem ipsum dolor sit amet, caf=E9 au lait=\r\n",
                    " et cetera\r\n");
  }
  return absl::StrCat("Date: Tue, 1 Feb 1994 21:52:25 -0800\r\n", "From: Sender ", i, " <s", i,
                      "@example.org>\r\n", "To: rcpt@example.com\r\n",
                      "Subject: =?utf-8?Q?Message_number_", i, "?=\r\n",
                      "Content-Type: multipart/alternative; boundary=b\r\n\r\n", "--b\r\n",
                      "Content-Type: text/plain; charset=iso-8859-1\r\n",
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n", body, "--b\r\n",
                      "Content-Type: text/html; charset=utf-8\r\n\r\n<p>", body, "</p>\r\n--b--\r\n");
}

std::vector<Arg> Args(const std::string& text) {
  CommandReader reader;
  reader.Feed("B SEARCH " + text + "\r\n");
  Command command;
  ReadError error;
  while (reader.Next(&command, &error) == CommandReader::Result::kContinuation) {
  }
  return command.args;
}

}  // namespace

int main() {
  constexpr int kMessages = 10000;
  std::vector<std::string> contents;
  std::vector<kurier::mime::v1::MessageStructure> structures;
  size_t bytes = 0;
  for (int i = 0; i < kMessages; ++i) {
    contents.push_back(MakeMessage(i));
    structures.push_back(kurier::mime::ParseMessage(contents.back()));
    bytes += contents.back().size();
  }
  std::printf("%d messages, %.1f MB\n", kMessages, bytes / 1e6);
  for (const char* text : {"UNSEEN", "SINCE 1-Jan-2020 LARGER 1000", "FROM \"s9999@\"",
                           "SUBJECT \"number 9999\"", "HEADER X-Missing x", "BODY \"not in any message\"",
                           "TEXT \"not in any message\"", "OR SEEN BODY \"café au lait\""}) {
    SearchQuery query;
    SearchError error;
    if (!ParseSearchQuery(Args(text), &query, &error)) {
      std::printf("%s: %s\n", text, error.text.c_str());
      continue;
    }
    SearchMailbox mailbox;
    mailbox.message_count = kMessages;
    mailbox.uid_star = kMessages;
    ResolveSearchSets(mailbox, &query);
    const auto start = std::chrono::steady_clock::now();
    int matches = 0;
    for (int i = 0; i < kMessages; ++i) {
      SearchMessage m;
      m.seq = m.uid = static_cast<uint32_t>(i + 1);
      m.size = contents[i].size();
      m.internal_date = 1700000000;
      const std::string& c = contents[i];
      m.header = [&c]() { return absl::string_view(c).substr(0, kurier::mime::HeaderEnd(c)); };
      m.content = [&c]() { return absl::string_view(c); };
      m.structure = &structures[i];
      matches += EvaluateSearch(query, m) ? 1 : 0;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-40s %6d matches %9.1f ms\n", text, matches, ms);
  }
  return 0;
}
