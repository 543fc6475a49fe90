#include "services/imap/search/search_eval.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/search/message_text.h"
#include "services/imap/search/search_date.h"
#include "services/imap/search/text_fold.h"

namespace kurier::imap {
namespace {

// A message during one evaluation: what was read and decoded so far, each
// computed at most once and only on demand.
class MessageView {
 public:
  explicit MessageView(const SearchMessage& message) : message_(message) {}

  const SearchMessage& message() const { return message_; }

  const SearchHeader& Prepared() {
    if (message_.prepared_header != nullptr) return *message_.prepared_header;
    if (!prepared_.has_value()) prepared_ = PrepareSearchHeader(Header());
    return *prepared_;
  }

  // Reads the whole content now, so the header is taken from it (TEXT may
  // need both: one read instead of two).
  void LoadContent() { Content(); }

  const std::string& FoldedHeaderText() {
    if (!header_text_.has_value()) header_text_ = FoldCase(HeaderSearchText(Header()));
    return *header_text_;
  }

  const std::string& FoldedBodyText() {
    if (!body_text_.has_value()) {
      const absl::string_view content = Content();
      if (message_.structure != nullptr) {
        body_text_ = FoldCase(BodySearchText(content, *message_.structure));
      } else {
        body_text_ = FoldCase(BodySearchText(content, mime::ParseMessage(content)));
      }
    }
    return *body_text_;
  }

 private:
  absl::string_view Header() {
    if (content_.has_value()) return *content_;
    if (!header_.has_value()) {
      if (message_.header) {
        header_ = message_.header();
      } else {
        return Content();
      }
    }
    return *header_;
  }

  absl::string_view Content() {
    if (!content_.has_value()) content_ = message_.content ? message_.content() : absl::string_view();
    return *content_;
  }

  const SearchMessage& message_;
  std::optional<absl::string_view> header_;
  std::optional<absl::string_view> content_;
  std::optional<SearchHeader> prepared_;
  std::optional<std::string> header_text_;
  std::optional<std::string> body_text_;
};

bool HasFlag(const SearchMessage& message, absl::string_view flag) {
  for (const std::string& f : message.flags) {
    if (absl::EqualsIgnoreCase(f, flag)) return true;
  }
  return false;
}

bool Eval(const SearchKey& key, MessageView* view);

// AND (want == false: stop at the first false) or OR (want == true: stop at
// the first true), cheapest children first.
bool EvalList(const SearchKey& key, bool want, MessageView* view) {
  for (int cost = 0; cost <= 2; ++cost) {
    for (const SearchKey& child : key.children) {
      if (std::min(std::max(child.content, 0), 2) != cost) continue;
      if (Eval(child, view) == want) return want;
    }
  }
  return !want;
}

bool Eval(const SearchKey& key, MessageView* view) {
  const SearchMessage& m = view->message();
  switch (key.kind) {
    case SearchKeyKind::kAll:
      return true;
    case SearchKeyKind::kNone:
      return false;
    case SearchKeyKind::kAnd:
      return EvalList(key, false, view);
    case SearchKeyKind::kOr:
      return EvalList(key, true, view);
    case SearchKeyKind::kNot:
      return key.children.empty() ? false : !Eval(key.children[0], view);
    case SearchKeyKind::kFlag:
      return HasFlag(m, key.text) == key.flag_set;
    case SearchKeyKind::kHeader:
      for (const SearchHeader::Field& field : view->Prepared().fields) {
        if (absl::EqualsIgnoreCase(field.name, key.field) && absl::StrContains(field.value, key.folded)) {
          return true;
        }
      }
      return false;
    case SearchKeyKind::kBody:
      return absl::StrContains(view->FoldedBodyText(), key.folded);
    case SearchKeyKind::kText:
      view->LoadContent();
      return absl::StrContains(view->FoldedHeaderText(), key.folded) ||
             absl::StrContains(view->FoldedBodyText(), key.folded);
    case SearchKeyKind::kBefore:
      return DayOfTime(m.internal_date) < key.days;
    case SearchKeyKind::kOn:
      return DayOfTime(m.internal_date) == key.days;
    case SearchKeyKind::kSince:
      return DayOfTime(m.internal_date) >= key.days;
    case SearchKeyKind::kSentBefore: {
      const std::optional<int64_t> day = view->Prepared().sent_day;
      return day.has_value() && *day < key.days;
    }
    case SearchKeyKind::kSentOn: {
      const std::optional<int64_t> day = view->Prepared().sent_day;
      return day.has_value() && *day == key.days;
    }
    case SearchKeyKind::kSentSince: {
      const std::optional<int64_t> day = view->Prepared().sent_day;
      return day.has_value() && *day >= key.days;
    }
    case SearchKeyKind::kLarger:
      return m.size > key.number;
    case SearchKeyKind::kSmaller:
      return m.size < key.number;
    case SearchKeyKind::kSequenceSet:
    case SearchKeyKind::kUidSet:
      return RangesContain(key.ranges, key.set_is_uids ? m.uid : m.seq);
    case SearchKeyKind::kModSeq:
      return m.modseq >= key.number;
  }
  return false;
}

// What a query reads: header, body, modseq, any of the store's message
// record.
struct QueryNeeds {
  bool header = false, body = false, modseq = false, metadata = false;
};

// Adds what the tree reads to *needs; computed from the kinds, not
// SearchKey::content.
void Needs(const SearchKey& key, QueryNeeds* needs) {
  switch (key.kind) {
    case SearchKeyKind::kFlag:
    case SearchKeyKind::kBefore:
    case SearchKeyKind::kOn:
    case SearchKeyKind::kSince:
    case SearchKeyKind::kLarger:
    case SearchKeyKind::kSmaller:
      needs->metadata = true;
      break;
    case SearchKeyKind::kHeader:
    case SearchKeyKind::kSentBefore:
    case SearchKeyKind::kSentOn:
    case SearchKeyKind::kSentSince:
      needs->header = true;
      break;
    case SearchKeyKind::kBody:
      needs->body = true;
      break;
    case SearchKeyKind::kText:
      needs->header = true;
      needs->body = true;
      break;
    case SearchKeyKind::kModSeq:
      needs->modseq = true;
      needs->metadata = true;
      break;
    default:
      break;
  }
  for (const SearchKey& child : key.children) Needs(child, needs);
}

QueryNeeds NeedsOf(const SearchQuery& query) {
  QueryNeeds needs;
  Needs(query.root, &needs);
  return needs;
}

}  // namespace

SearchHeader PrepareSearchHeader(absl::string_view header) {
  SearchHeader prepared;
  mime::HeaderFieldReader reader(header);
  mime::HeaderField field;
  while (reader.Next(&field)) {
    const std::string unfolded = mime::UnfoldHeaderValue(field.raw_value);
    if (!prepared.sent_day.has_value() && absl::EqualsIgnoreCase(field.name, "Date")) {
      prepared.sent_day = ParseRfc5322Day(unfolded);
    }
    prepared.fields.push_back({std::string(field.name), FoldCase(mime::DecodeEncodedWords(unfolded))});
  }
  return prepared;
}

size_t SearchHeader::MemoryBytes() const {
  size_t bytes = sizeof(SearchHeader) + fields.capacity() * sizeof(Field);
  for (const Field& f : fields) bytes += f.name.capacity() + f.value.capacity();
  return bytes;
}

bool NeedsHeader(const SearchQuery& query) { return NeedsOf(query).header; }

bool NeedsBody(const SearchQuery& query) { return NeedsOf(query).body; }

bool NeedsMetadata(const SearchQuery& query) { return NeedsOf(query).metadata; }

bool UsesModSeq(const SearchQuery& query) { return NeedsOf(query).modseq; }

bool EvaluateSearchKey(const SearchKey& key, const SearchMessage& message) {
  MessageView view(message);
  return Eval(key, &view);
}

bool EvaluateSearch(const SearchQuery& query, const SearchMessage& message) {
  return EvaluateSearchKey(query.root, message);
}

}  // namespace kurier::imap
