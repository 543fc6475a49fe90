#include "services/imap/search/search_test_util.h"

#include "absl/strings/str_cat.h"
#include "services/common/mime/header_fields.h"

namespace kurier::imap::testing {

bool ReadSearchArgs(absl::string_view text, std::vector<Arg>* args) {
  CommandReader reader;
  reader.Feed(absl::StrCat("T1 SEARCH ", std::string(text), "\r\n"));
  Command command;
  ReadError error;
  for (;;) {
    switch (reader.Next(&command, &error)) {
      case CommandReader::Result::kCommand:
        *args = std::move(command.args);
        return true;
      case CommandReader::Result::kContinuation:
        continue;
      case CommandReader::Result::kNeedMore:
      case CommandReader::Result::kError:
        return false;
    }
  }
}

bool ParseSearchText(absl::string_view text, SearchQuery* query, SearchError* error) {
  std::vector<Arg> args;
  if (!ReadSearchArgs(text, &args)) {
    *error = SearchError{Condition::kBad, "", "codec"};
    return false;
  }
  return ParseSearchQuery(args, query, error);
}

SearchMessage FakeMessage::View() {
  SearchMessage m = info_;
  m.header = [this]() {
    ++header_reads_;
    return absl::string_view(content_).substr(0, mime::HeaderEnd(content_));
  };
  m.content = [this]() {
    ++content_reads_;
    return absl::string_view(content_);
  };
  return m;
}

}  // namespace kurier::imap::testing
