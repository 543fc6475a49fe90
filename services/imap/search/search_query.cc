#include "services/imap/search/search_query.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "services/imap/search/search_date.h"
#include "services/imap/search/text_fold.h"

namespace kurier::imap {
namespace {

// The error texts (fixed; never client bytes).
constexpr char kMissingArgument[] = "Missing search argument";
constexpr char kBadArgument[] = "Invalid search argument";
constexpr char kUnknownKey[] = "Unknown search key";
constexpr char kBadDate[] = "Invalid date in search";
constexpr char kBadNumber[] = "Invalid number in search";
constexpr char kBadSet[] = "Invalid sequence set in search";
constexpr char kEmptyList[] = "Empty search key list";
constexpr char kTooDeep[] = "Search keys nested too deeply";
constexpr char kNoKeys[] = "Missing search keys";
constexpr char kBadReturn[] = "Invalid search return option";

// Reads keys from one list of arguments (the top level or a parenthesized
// list), left to right.
class KeyParser {
 public:
  KeyParser(const std::vector<Arg>& args, size_t pos, SearchError* error)
      : args_(args), pos_(pos), error_(error) {}

  // Parses keys up to the end of the list into root->children.
  bool ParseAll(SearchKey* root, int depth) {
    root->kind = SearchKeyKind::kAnd;
    while (pos_ < args_.size()) {
      SearchKey key;
      if (!ParseKey(&key, depth)) return false;
      root->children.push_back(std::move(key));
    }
    return true;
  }

 private:
  bool Fail(const char* text) {
    error_->condition = Condition::kBad;
    error_->code.clear();
    error_->text = text;
    return false;
  }

  // The next argument, or null (and an error) at the end of the list.
  const Arg* Take() {
    if (pos_ >= args_.size()) {
      Fail(kMissingArgument);
      return nullptr;
    }
    return &args_[pos_++];
  }

  bool TakeAString(std::string* out) {
    const Arg* arg = Take();
    if (arg == nullptr) return false;
    if (!arg->is_astring()) return Fail(kBadArgument);
    *out = arg->value;
    return true;
  }

  bool TakeDate(int64_t* days) {
    const Arg* arg = Take();
    if (arg == nullptr) return false;
    if (!arg->is_astring()) return Fail(kBadDate);
    const std::optional<int64_t> day = ParseImapDate(arg->value);
    if (!day.has_value()) return Fail(kBadDate);
    *days = *day;
    return true;
  }

  // number64 for LARGER/SMALLER (RFC 9051), mod-sequence-valzer for MODSEQ:
  // digits only, at most 2^63-1.
  bool TakeNumber(uint64_t* n) {
    const Arg* arg = Take();
    if (arg == nullptr) return false;
    if (!arg->is_atom() || arg->value.empty() || arg->value.size() > 19) return Fail(kBadNumber);
    for (char c : arg->value) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Fail(kBadNumber);
    }
    if (!absl::SimpleAtoi(arg->value, n) || *n > 0x7fffffffffffffffULL) return Fail(kBadNumber);
    return true;
  }

  bool SetFrom(const Arg& arg, bool uids, SearchKey* key) {
    if (!arg.is_atom()) return Fail(kBadSet);
    absl::StatusOr<SequenceSet> set = SequenceSet::Parse(arg.value);
    if (!set.ok()) return Fail(kBadSet);
    key->kind = uids ? SearchKeyKind::kUidSet : SearchKeyKind::kSequenceSet;
    key->set = *std::move(set);
    return true;
  }

  bool Flag(SearchKey* key, const char* flag, bool set) {
    key->kind = SearchKeyKind::kFlag;
    key->text = flag;
    key->flag_set = set;
    return true;
  }

  bool Header(SearchKey* key, const char* field) {
    key->kind = SearchKeyKind::kHeader;
    key->field = field;
    if (!TakeAString(&key->text)) return false;
    key->folded = FoldCase(key->text);
    return true;
  }

  bool Text(SearchKey* key, SearchKeyKind kind) {
    key->kind = kind;
    if (!TakeAString(&key->text)) return false;
    key->folded = FoldCase(key->text);
    return true;
  }

  bool Date(SearchKey* key, SearchKeyKind kind) {
    key->kind = kind;
    return TakeDate(&key->days);
  }

  bool Keyword(SearchKey* key, bool set) {
    const Arg* arg = Take();
    if (arg == nullptr) return false;
    // flag-keyword is an atom; the codec already refused specials in atoms.
    if (!arg->is_atom() || arg->value.empty()) return Fail(kBadArgument);
    key->kind = SearchKeyKind::kFlag;
    key->text = arg->value;
    key->flag_set = set;
    return true;
  }

  // MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162).
  bool ModSeq(SearchKey* key) {
    key->kind = SearchKeyKind::kModSeq;
    if (pos_ < args_.size() && args_[pos_].is_string()) {
      const Arg& name = args_[pos_++];
      if (!absl::StartsWithIgnoreCase(name.value, "/flags/")) return Fail(kBadArgument);
      const Arg* type = Take();
      if (type == nullptr) return false;
      const std::string t = absl::AsciiStrToLower(type->value);
      if (!type->is_atom() || (t != "priv" && t != "shared" && t != "all")) return Fail(kBadArgument);
    }
    return TakeNumber(&key->number);
  }

  bool ParseKey(SearchKey* key, int depth) {
    if (depth > kMaxSearchDepth) return Fail(kTooDeep);
    const Arg* arg = Take();
    if (arg == nullptr) return false;
    if (arg->is_list()) {
      if (arg->list.empty()) return Fail(kEmptyList);
      KeyParser inner(arg->list, 0, error_);
      if (!inner.ParseAll(key, depth + 1)) return false;
      if (key->children.size() == 1) {
        SearchKey only = std::move(key->children[0]);
        *key = std::move(only);
      }
      return true;
    }
    if (!arg->is_atom()) return Fail(kUnknownKey);
    const std::string& v = arg->value;
    if (!v.empty() && (absl::ascii_isdigit(static_cast<unsigned char>(v[0])) || v[0] == '*' || v[0] == '$')) {
      return SetFrom(*arg, /*uids=*/false, key);
    }
    const std::string name = absl::AsciiStrToUpper(v);
    using K = SearchKeyKind;
    if (name == "ALL" || name == "OLD") {
      key->kind = K::kAll;
      return true;
    }
    if (name == "NEW" || name == "RECENT") {
      key->kind = K::kNone;
      return true;
    }
    if (name == "ANSWERED") return Flag(key, "\\Answered", true);
    if (name == "DELETED") return Flag(key, "\\Deleted", true);
    if (name == "DRAFT") return Flag(key, "\\Draft", true);
    if (name == "FLAGGED") return Flag(key, "\\Flagged", true);
    if (name == "SEEN") return Flag(key, "\\Seen", true);
    if (name == "UNANSWERED") return Flag(key, "\\Answered", false);
    if (name == "UNDELETED") return Flag(key, "\\Deleted", false);
    if (name == "UNDRAFT") return Flag(key, "\\Draft", false);
    if (name == "UNFLAGGED") return Flag(key, "\\Flagged", false);
    if (name == "UNSEEN") return Flag(key, "\\Seen", false);
    if (name == "KEYWORD") return Keyword(key, true);
    if (name == "UNKEYWORD") return Keyword(key, false);
    if (name == "BCC") return Header(key, "Bcc");
    if (name == "CC") return Header(key, "Cc");
    if (name == "FROM") return Header(key, "From");
    if (name == "TO") return Header(key, "To");
    if (name == "SUBJECT") return Header(key, "Subject");
    if (name == "HEADER") {
      key->kind = K::kHeader;
      if (!TakeAString(&key->field)) return false;
      if (key->field.empty()) return Fail(kBadArgument);
      if (!TakeAString(&key->text)) return false;
      key->folded = FoldCase(key->text);
      return true;
    }
    if (name == "BODY") return Text(key, K::kBody);
    if (name == "TEXT") return Text(key, K::kText);
    if (name == "BEFORE") return Date(key, K::kBefore);
    if (name == "ON") return Date(key, K::kOn);
    if (name == "SINCE") return Date(key, K::kSince);
    if (name == "SENTBEFORE") return Date(key, K::kSentBefore);
    if (name == "SENTON") return Date(key, K::kSentOn);
    if (name == "SENTSINCE") return Date(key, K::kSentSince);
    if (name == "LARGER") {
      key->kind = K::kLarger;
      return TakeNumber(&key->number);
    }
    if (name == "SMALLER") {
      key->kind = K::kSmaller;
      return TakeNumber(&key->number);
    }
    if (name == "MODSEQ") return ModSeq(key);
    if (name == "UID") {
      const Arg* set = Take();
      if (set == nullptr) return false;
      return SetFrom(*set, /*uids=*/true, key);
    }
    if (name == "NOT") {
      key->kind = K::kNot;
      key->children.resize(1);
      return ParseKey(&key->children[0], depth + 1);
    }
    if (name == "OR") {
      key->kind = K::kOr;
      key->children.resize(2);
      return ParseKey(&key->children[0], depth + 1) && ParseKey(&key->children[1], depth + 1);
    }
    return Fail(kUnknownKey);
  }

  const std::vector<Arg>& args_;
  size_t pos_;
  SearchError* error_;
};

bool FailWith(SearchError* error, Condition condition, absl::string_view code, const char* text) {
  error->condition = condition;
  error->code = std::string(code);
  error->text = text;
  return false;
}

bool ParseReturn(const Arg& list, SearchReturn* ret, SearchError* error) {
  if (!list.is_list()) return FailWith(error, Condition::kBad, "", kBadReturn);
  if (list.list.empty()) {
    ret->all = true;
    return true;
  }
  for (const Arg& opt : list.list) {
    if (!opt.is_atom()) return FailWith(error, Condition::kBad, "", kBadReturn);
    const std::string name = absl::AsciiStrToUpper(opt.value);
    if (name == "MIN") {
      ret->min = true;
    } else if (name == "MAX") {
      ret->max = true;
    } else if (name == "ALL") {
      ret->all = true;
    } else if (name == "COUNT") {
      ret->count = true;
    } else if (name == "SAVE") {
      ret->save = true;
    } else {
      return FailWith(error, Condition::kBad, "", kBadReturn);
    }
  }
  return true;
}

// Sets SearchKey::content bottom-up.
int Annotate(SearchKey* key) {
  int need = 0;
  switch (key->kind) {
    case SearchKeyKind::kHeader:
    case SearchKeyKind::kSentBefore:
    case SearchKeyKind::kSentOn:
    case SearchKeyKind::kSentSince:
      need = 1;
      break;
    case SearchKeyKind::kBody:
    case SearchKeyKind::kText:
      need = 2;
      break;
    default:
      break;
  }
  for (SearchKey& child : key->children) need = std::max(need, Annotate(&child));
  key->content = need;
  return need;
}

void Resolve(const SearchMailbox& mailbox, SearchKey* key) {
  if (key->kind == SearchKeyKind::kSequenceSet || key->kind == SearchKeyKind::kUidSet) {
    if (key->set.is_saved_result()) {
      key->set_is_uids = true;
      key->ranges = mailbox.saved_uids;
    } else if (key->kind == SearchKeyKind::kUidSet) {
      key->set_is_uids = true;
      key->ranges = key->set.ResolveUids(mailbox.uid_star);
    } else {
      // ResolveUids' rules are the lenient ones wanted here: "*" is the
      // count, numbers beyond it match nothing.
      key->set_is_uids = false;
      key->ranges = key->set.ResolveUids(mailbox.message_count);
    }
  }
  for (SearchKey& child : key->children) Resolve(mailbox, &child);
}

}  // namespace

bool ParseSearchQuery(const std::vector<Arg>& args, SearchQuery* query, SearchError* error) {
  *query = SearchQuery();
  size_t pos = 0;
  if (pos < args.size() && args[pos].is_atom() && absl::EqualsIgnoreCase(args[pos].value, "RETURN")) {
    if (pos + 1 >= args.size()) return FailWith(error, Condition::kBad, "", kBadReturn);
    query->has_return = true;
    if (!ParseReturn(args[pos + 1], &query->ret, error)) return false;
    pos += 2;
  }
  if (pos < args.size() && args[pos].is_atom() && absl::EqualsIgnoreCase(args[pos].value, "CHARSET")) {
    if (pos + 1 >= args.size() || !args[pos + 1].is_astring()) {
      return FailWith(error, Condition::kBad, "", kMissingArgument);
    }
    query->charset = absl::AsciiStrToUpper(args[pos + 1].value);
    if (query->charset != "UTF-8" && query->charset != "US-ASCII") {
      return FailWith(error, Condition::kNo, kBadCharsetCode, "The specified charset is not supported");
    }
    pos += 2;
  }
  if (pos >= args.size()) return FailWith(error, Condition::kBad, "", kNoKeys);
  KeyParser parser(args, pos, error);
  if (!parser.ParseAll(&query->root, 0)) return false;
  Annotate(&query->root);
  return true;
}

void ResolveSearchSets(const SearchMailbox& mailbox, SearchQuery* query) { Resolve(mailbox, &query->root); }

}  // namespace kurier::imap
