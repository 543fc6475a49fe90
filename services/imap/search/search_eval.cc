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

// One field of the top-level header: its name and its value unfolded,
// decoded and case-folded.
struct FoldedField {
  absl::string_view name;
  std::string value;
};

// A message during one evaluation: what was read and decoded so far, each
// computed at most once and only on demand.
class MessageView {
 public:
  explicit MessageView(const SearchMessage& message) : message_(message) {}

  const SearchMessage& message() const { return message_; }

  const std::vector<FoldedField>& Fields() {
    if (!fields_.has_value()) {
      fields_.emplace();
      mime::HeaderFieldReader reader(Header());
      mime::HeaderField field;
      while (reader.Next(&field)) {
        fields_->push_back(
            {field.name, FoldCase(mime::DecodeEncodedWords(mime::UnfoldHeaderValue(field.raw_value)))});
      }
    }
    return *fields_;
  }

  // The Date: header's day, if present and parsable.
  std::optional<int64_t> SentDay() {
    if (!sent_day_.has_value()) {
      sent_day_.emplace(std::nullopt);
      const std::optional<mime::HeaderField> date = mime::FindHeaderField(Header(), "Date");
      if (date.has_value()) *sent_day_ = ParseRfc5322Day(mime::UnfoldHeaderValue(date->raw_value));
    }
    return *sent_day_;
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
  std::optional<std::vector<FoldedField>> fields_;
  std::optional<std::optional<int64_t>> sent_day_;
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
      for (const FoldedField& field : view->Fields()) {
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
      const std::optional<int64_t> day = view->SentDay();
      return day.has_value() && *day < key.days;
    }
    case SearchKeyKind::kSentOn: {
      const std::optional<int64_t> day = view->SentDay();
      return day.has_value() && *day == key.days;
    }
    case SearchKeyKind::kSentSince: {
      const std::optional<int64_t> day = view->SentDay();
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

// The most any key of the tree reads (0 nothing, 1 header, 2 body), and
// whether TEXT is among them; computed from the kinds, not SearchKey::content.
void Needs(const SearchKey& key, bool* header, bool* body, bool* modseq) {
  switch (key.kind) {
    case SearchKeyKind::kHeader:
    case SearchKeyKind::kSentBefore:
    case SearchKeyKind::kSentOn:
    case SearchKeyKind::kSentSince:
      *header = true;
      break;
    case SearchKeyKind::kBody:
      *body = true;
      break;
    case SearchKeyKind::kText:
      *header = true;
      *body = true;
      break;
    case SearchKeyKind::kModSeq:
      *modseq = true;
      break;
    default:
      break;
  }
  for (const SearchKey& child : key.children) Needs(child, header, body, modseq);
}

}  // namespace

bool NeedsHeader(const SearchQuery& query) {
  bool header = false, body = false, modseq = false;
  Needs(query.root, &header, &body, &modseq);
  return header;
}

bool NeedsBody(const SearchQuery& query) {
  bool header = false, body = false, modseq = false;
  Needs(query.root, &header, &body, &modseq);
  return body;
}

bool UsesModSeq(const SearchQuery& query) {
  bool header = false, body = false, modseq = false;
  Needs(query.root, &header, &body, &modseq);
  return modseq;
}

bool EvaluateSearchKey(const SearchKey& key, const SearchMessage& message) {
  MessageView view(message);
  return Eval(key, &view);
}

bool EvaluateSearch(const SearchQuery& query, const SearchMessage& message) {
  return EvaluateSearchKey(query.root, message);
}

}  // namespace kurier::imap
