// Fuzzes the FETCH pieces with (section spec, message) pairs. The input is
// "<fetch-att atom>\n<message bytes>": the atom goes through
// ParseFetchItem/ParseFetchAttributes, the message through the MIME parser,
// then the section is planned and read.
//
// Invariants checked (any failure aborts, which the fuzzer reports):
//   - every planned piece lies inside the message; PlannedReadBytes is
//     their sum and at most the message size per piece;
//   - the sizes a plan promises (output_size, total_size) are what reading
//     gives; a partial never gives more than its length; whole BODY values
//     have no bare LF (CRLF form); a missing part reads nothing and gives "";
//   - BODY[]'s total is ImapMessageSize (the parser's bare LF counts agree
//     with the conversion);
//   - ENVELOPE, BODY and BODYSTRUCTURE are each one well-formed IMAP value
//     (balanced parentheses, valid quoted strings, literal lengths true),
//     and so is the whole FETCH item list;
//   - the decoders and the header filter never fail, and the filter's output
//     ends with the blank line and has no bare LF;
//   - ResponseItemName of a parsed item parses back to the same section.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "bazel/fuzz_check.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/fetch/bodystructure_writer.h"
#include "services/imap/fetch/content_transforms.h"
#include "services/imap/fetch/envelope_writer.h"
#include "services/imap/fetch/fetch_items.h"
#include "services/imap/fetch/fetch_response.h"
#include "services/imap/fetch/section_range.h"
#include "services/imap/fetch/test_support.h"

namespace {

using namespace kurier::imap;  // NOLINT
using kurier::imap::testing::IsWellFormedValue;

void CheckWriters(const kurier::mime::v1::MessageStructure& s) {
  for (bool utf8 : {false, true}) {
    std::string env;
    AppendEnvelope(&env, s.envelope(), utf8);
    FUZZ_CHECK(IsWellFormedValue(env));
    for (bool extensible : {false, true}) {
      std::string body;
      AppendBodyStructure(&body, s.body(), {.extensible = extensible, .utf8 = utf8, .imap4rev2 = utf8});
      FUZZ_CHECK(IsWellFormedValue(body));
    }
  }
}

void CheckSection(const kurier::mime::v1::MessageStructure& s, absl::string_view message, const FetchItem& item) {
  absl::StatusOr<SectionPlan> plan = PlanFetchItem(s, item);
  if (!plan.ok()) {
    FUZZ_CHECK(IsUnknownCte(plan.status()));
    return;
  }
  std::string bytes;
  for (const SectionPiece& p : plan->pieces) {
    FUZZ_CHECK(p.offset <= message.size());
    FUZZ_CHECK(p.size <= message.size() - p.offset);
    bytes.append(message.data() + p.offset, static_cast<size_t>(p.size));
  }
  FUZZ_CHECK(PlannedReadBytes(*plan) == bytes.size());
  if (!plan->found) FUZZ_CHECK(plan->pieces.empty());
  absl::StatusOr<SectionContent> content = MaterializeSection(*plan, bytes);
  FUZZ_CHECK(content.ok());
  if (plan->output_size) FUZZ_CHECK(*plan->output_size == content->bytes().size());
  if (plan->total_size) FUZZ_CHECK(*plan->total_size == content->total_size);
  const bool binary = item.kind == FetchItem::Kind::kBinary || item.kind == FetchItem::Kind::kBinarySize;
  if (item.partial && item.kind != FetchItem::Kind::kBinarySize) {
    FUZZ_CHECK(content->bytes().size() <= item.partial->length);
  } else {
    FUZZ_CHECK(content->bytes().size() == content->total_size);
  }
  // (A partial may start with the LF of a CRLF, so only whole values.)
  if (!binary && !item.partial) FUZZ_CHECK(CountBareLfs(content->bytes()) == 0);
  if (!plan->found) FUZZ_CHECK(content->bytes().empty());
}

void CheckWholeMessage(const kurier::mime::v1::MessageStructure& s, absl::string_view message) {
  absl::StatusOr<SectionContent> whole = ReadSection(s, message, Section(), false, std::nullopt);
  FUZZ_CHECK(whole.ok());
  FUZZ_CHECK(whole->bytes().size() == ImapMessageSize(s));
  FUZZ_CHECK(whole->bytes().size() == message.size() + CountBareLfs(message));
}

void CheckTransforms(absl::string_view message) {
  (void)DecodeBase64(message);
  const std::string qp = DecodeQuotedPrintable(message);
  // Line ends come out as CRLF; only an encoded "=0A" may decode to a bare LF.
  if (!absl::StrContains(absl::AsciiStrToLower(message), "=0a")) FUZZ_CHECK(CountBareLfs(qp) == 0);
  for (bool exclude : {false, true}) {
    const std::string filtered = FilterHeaderFields(message, {"subject", "From", "x"}, exclude);
    FUZZ_CHECK(filtered.size() >= 2 && filtered.compare(filtered.size() - 2, 2, "\r\n") == 0);
    FUZZ_CHECK(CountBareLfs(filtered) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const absl::string_view atom = nl == absl::string_view::npos ? input : input.substr(0, nl);
  const absl::string_view message = nl == absl::string_view::npos ? absl::string_view() : input.substr(nl + 1);

  Arg arg;
  arg.value = std::string(atom);
  (void)ParseFetchAttributes(arg);

  const kurier::mime::v1::MessageStructure s = kurier::mime::ParseMessage(message);
  CheckWriters(s);
  CheckWholeMessage(s, message);
  CheckTransforms(message);

  absl::StatusOr<FetchItem> item = ParseFetchItem(atom);
  if (!item.ok()) return 0;
  // The response name reads back as the same item (no peek, origin only).
  if (item->is_content() && item->kind != FetchItem::Kind::kRfc822 && item->kind != FetchItem::Kind::kRfc822Header &&
      item->kind != FetchItem::Kind::kRfc822Text) {
    std::string name = ResponseItemName(*item);
    const size_t lt = name.rfind('<');
    if (item->partial) name = name.substr(0, lt);
    absl::StatusOr<FetchItem> again = ParseFetchItem(name);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->section == item->section);
  }
  if (item->is_content()) CheckSection(s, message, *item);

  // The whole response for this item with the metadata ones.
  Arg list;
  list.kind = Arg::Kind::kList;
  for (const char* name : {"UID", "FLAGS", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE"}) {
    Arg a;
    a.value = name;
    list.list.push_back(a);
  }
  list.list.push_back(arg);
  absl::StatusOr<FetchRequest> request = ParseFetchAttributes(list);
  FUZZ_CHECK(request.ok());
  std::string out;
  absl::Status status = AppendFetchResponse(
      &out, 1, *request, FetchMetadata(), &s, [&](const FetchItem& i) { return ReadFetchItem(s, message, i); }, {});
  if (!status.ok()) {
    FUZZ_CHECK(IsUnknownCte(status));
    FUZZ_CHECK(out.empty());
    return 0;
  }
  FUZZ_CHECK(out.size() > 14 && out.compare(0, 10, "* 1 FETCH ") == 0);
  FUZZ_CHECK(out.compare(out.size() - 2, 2, "\r\n") == 0);
  FUZZ_CHECK(IsWellFormedValue(absl::string_view(out).substr(10, out.size() - 12)));
  return 0;
}
