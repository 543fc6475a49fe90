// Fuzzes SEARCH with arbitrary client bytes: "F SEARCH <input>\r\n" goes
// through the IMAP codec's CommandReader; each command's arguments are
// parsed into a query, resolved against a small mailbox and evaluated
// against fixed messages (a multipart one with encoded words, base64, QP
// and Latin-1, and one without Date: or MIME).
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   - a refusal has a short fixed text without CR/LF, NO only with the
//     BADCHARSET code;
//   - for the query and for every key in it: NOT key == !key;
//   - content is read only when NeedsHeader/NeedsBody say so, and each
//     callback at most once per evaluation;
//   - the result is the same with the stored structure given or parsed;
//   - the untagged response is empty or one line ending in CRLF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bazel/fuzz_check.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/search/search_eval.h"
#include "services/imap/search/search_query.h"
#include "services/imap/search/search_result.h"
#include "services/imap/search/search_test_util.h"

namespace {

using namespace kurier::imap;  // NOLINT
using kurier::imap::testing::FakeMessage;

constexpr char kMultipart[] =
    "Date: Tue, 1 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
    "Subject: =?utf-8?B?SW52aXRhdGlvbiBmb3IgdGhlIGFmdGVybm9vbg==?=\r\n"
    "To: mooch@owatagu.siam.edu.example\r\n"
    "Cc: =?iso-8859-1?Q?Andr=E9?= <andre@example.org>\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "SGVsbG8gSm9lLCBtZWV0IGF0IDM6MzA/\r\n"
    "--XX\r\n"
    "Content-Type: text/html; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>Caf=E9 au lait</p>\r\n"
    "--XX--\r\n";

constexpr char kPlain[] = "From: smith@example.com\r\nSubject: hi\r\n\r\nGr\xfc\xdf" "e\r\n";

// Every key of the tree, depth first (at most `limit`).
void CollectKeys(const SearchKey& key, std::vector<const SearchKey*>* out, size_t limit) {
  if (out->size() >= limit) return;
  out->push_back(&key);
  for (const SearchKey& child : key.children) CollectKeys(child, out, limit);
}

void CheckQuery(const SearchQuery& query, FakeMessage& message, const kurier::mime::v1::MessageStructure& structure) {
  const bool needs_header = NeedsHeader(query);
  const bool needs_body = NeedsBody(query);
  const int header_before = message.header_reads();
  const int content_before = message.content_reads();
  const bool result = EvaluateSearch(query, message.View());
  const int header_reads = message.header_reads() - header_before;
  const int content_reads = message.content_reads() - content_before;
  FUZZ_CHECK(header_reads <= 1 && content_reads <= 1);
  if (!needs_header && !needs_body) FUZZ_CHECK(header_reads == 0 && content_reads == 0);
  if (!needs_body) FUZZ_CHECK(content_reads == 0);

  SearchMessage with_structure = message.View();
  with_structure.structure = &structure;
  FUZZ_CHECK(EvaluateSearch(query, with_structure) == result);

  std::vector<const SearchKey*> keys;
  CollectKeys(query.root, &keys, 64);
  for (const SearchKey* key : keys) {
    SearchKey negated;
    negated.kind = SearchKeyKind::kNot;
    negated.children.push_back(*key);
    FUZZ_CHECK(EvaluateSearchKey(negated, message.View()) == !EvaluateSearchKey(*key, message.View()));
  }
}

void CheckResponse(const std::string& response) {
  if (response.empty()) return;
  FUZZ_CHECK(response.size() >= 2 && response.substr(response.size() - 2) == "\r\n");
  FUZZ_CHECK(response.find('\n') == response.size() - 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  static const kurier::mime::v1::MessageStructure* multipart_structure =
      new kurier::mime::v1::MessageStructure(kurier::mime::ParseMessage(kMultipart));
  static const kurier::mime::v1::MessageStructure* plain_structure =
      new kurier::mime::v1::MessageStructure(kurier::mime::ParseMessage(kPlain));

  CommandReader reader;
  std::string input = "F SEARCH ";
  input.append(reinterpret_cast<const char*>(data), size);
  input.append("\r\n");
  reader.Feed(input);

  Command command;
  ReadError read_error;
  for (int events = 0; events < 64; ++events) {
    const CommandReader::Result r = reader.Next(&command, &read_error);
    if (r == CommandReader::Result::kNeedMore) break;
    if (r != CommandReader::Result::kCommand) continue;

    SearchQuery query;
    SearchError error;
    if (!ParseSearchQuery(command.args, &query, &error)) {
      FUZZ_CHECK(!error.text.empty() && error.text.size() < 64);
      FUZZ_CHECK(error.text.find_first_of("\r\n") == std::string::npos);
      FUZZ_CHECK(error.condition == Condition::kBad ||
                 (error.condition == Condition::kNo && error.code == kBadCharsetCode));
      continue;
    }
    SearchMailbox mailbox;
    mailbox.message_count = 2;
    mailbox.uid_star = 20;
    mailbox.saved_uids = {{10, 10}};
    ResolveSearchSets(mailbox, &query);

    FakeMessage multipart(kMultipart);
    multipart.info().seq = 1;
    multipart.info().uid = 10;
    multipart.info().flags = {"\\Seen", "$Forwarded"};
    multipart.info().internal_date = 760000000;
    multipart.info().size = sizeof(kMultipart) - 1;
    multipart.info().modseq = 5;
    FakeMessage plain(kPlain);
    plain.info().seq = 2;
    plain.info().uid = 20;
    plain.info().internal_date = -1;
    plain.info().size = sizeof(kPlain) - 1;
    CheckQuery(query, multipart, *multipart_structure);
    CheckQuery(query, plain, *plain_structure);

    std::vector<uint32_t> matches;
    if (EvaluateSearch(query, multipart.View())) matches.push_back(command.uid ? 10 : 1);
    if (EvaluateSearch(query, plain.View())) matches.push_back(command.uid ? 20 : 2);
    CheckResponse(FormatSearchResult(query, command.tag, command.uid, false, matches));
    CheckResponse(FormatSearchResult(query, command.tag, command.uid, true, matches, 5));
    const std::vector<uint32_t> saved = SavedSearchResult(query.ret, matches);
    FUZZ_CHECK(saved.size() <= matches.size());
  }
  return 0;
}
