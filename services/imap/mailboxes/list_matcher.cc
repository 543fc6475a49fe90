#include "services/imap/mailboxes/list_matcher.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace kurier::imap {
namespace {

constexpr absl::string_view kInbox = "INBOX";

}  // namespace

bool IsInboxOrChild(absl::string_view name) {
  return absl::StartsWith(name, kInbox) && (name.size() == kInbox.size() || name[kInbox.size()] == kMailboxDelimiter);
}

ListPattern::ListPattern(absl::string_view reference, absl::string_view pattern) {
  // RFC 3501 6.3.8: a name starting with the delimiter is absolute.
  if (pattern.empty() || pattern.front() != kMailboxDelimiter) Append(reference, /*wildcards=*/false);
  Append(pattern, /*wildcards=*/true);
  ends_with_percent_ = !pattern.empty() && pattern.back() == '%';
  Compile();
}

void ListPattern::Append(absl::string_view text, bool wildcards) {
  for (char c : text) {
    if (!wildcards || (c != '*' && c != '%')) {
      tokens_.push_back({Kind::kChar, c});
      ++literal_chars_;
      continue;
    }
    const Kind kind = c == '*' ? Kind::kStar : Kind::kPercent;
    // A run of wildcards is one: "*" if it holds a "*", else "%". So a
    // wildcard is always followed by a character or the end (see Close).
    if (!tokens_.empty() && tokens_.back().kind != Kind::kChar) {
      if (kind == Kind::kStar) tokens_.back().kind = Kind::kStar;
      continue;
    }
    tokens_.push_back({kind, c});
  }
}

void ListPattern::Compile() {
  words_ = (tokens_.size() + 1 + 63) / 64;
  char_index_.assign(256, -1);
  star_.assign(words_, 0);
  percent_.assign(words_, 0);
  wildcard_.assign(words_, 0);
  int16_t rows = 0;
  for (size_t k = 0; k < tokens_.size(); ++k) {
    const size_t word = k / 64;
    const uint64_t bit = uint64_t{1} << (k % 64);
    switch (tokens_[k].kind) {
      case Kind::kChar: {
        const unsigned char c = static_cast<unsigned char>(tokens_[k].c);
        if (char_index_[c] < 0) {
          char_index_[c] = rows++;
          char_masks_.resize(char_masks_.size() + words_, 0);
        }
        char_masks_[char_index_[c] * words_ + word] |= bit;
        break;
      }
      case Kind::kStar:
        star_[word] |= bit;
        wildcard_[word] |= bit;
        break;
      case Kind::kPercent:
        percent_[word] |= bit;
        wildcard_[word] |= bit;
        break;
    }
  }
}

const uint64_t* ListPattern::CharMask(unsigned char c) const {
  return char_index_[c] < 0 ? nullptr : &char_masks_[char_index_[c] * words_];
}

namespace {

// A wildcard may match nothing: a state before one implies the state after
// it. One step is enough, as wildcards never follow each other.
void Close(const std::vector<uint64_t>& wildcard, std::vector<uint64_t>* states) {
  uint64_t carry = 0;
  for (size_t w = 0; w < states->size(); ++w) {
    const uint64_t skip = (*states)[w] & wildcard[w];
    (*states)[w] |= (skip << 1) | carry;
    carry = skip >> 63;
  }
}

}  // namespace

bool ListPattern::Matches(absl::string_view name) const {
  if (literal_chars_ > name.size()) return false;
  const bool inbox = IsInboxOrChild(name);
  Bits active(words_, 0), next(words_, 0);
  active[0] = 1;
  Close(wildcard_, &active);
  for (size_t pos = 0; pos < name.size(); ++pos) {
    const unsigned char c = static_cast<unsigned char>(name[pos]);
    const uint64_t* same = CharMask(c);
    // INBOX's letters also match the pattern's lower-case ones.
    const uint64_t* folded = inbox && pos < kInbox.size() ? CharMask(absl::ascii_tolower(c)) : nullptr;
    const bool percent = c != static_cast<unsigned char>(kMailboxDelimiter);
    uint64_t carry = 0;
    uint64_t any = 0;
    for (size_t w = 0; w < words_; ++w) {
      uint64_t step = 0;  // states before a token that is this character
      if (same != nullptr) step |= active[w] & same[w];
      if (folded != nullptr) step |= active[w] & folded[w];
      uint64_t out = (step << 1) | carry;
      carry = step >> 63;
      out |= active[w] & star_[w];
      if (percent) out |= active[w] & percent_[w];
      next[w] = out;
      any |= out;
    }
    if (any == 0) return false;
    Close(wildcard_, &next);
    active.swap(next);
  }
  const size_t end = tokens_.size();
  return ((active[end / 64] >> (end % 64)) & 1) != 0;
}

std::string ListRootName(absl::string_view reference) {
  const size_t delimiter = reference.find(kMailboxDelimiter);
  if (delimiter == absl::string_view::npos) return "";
  return std::string(reference.substr(0, delimiter + 1));
}

}  // namespace kurier::imap
