// Helpers of the SEARCH tests and fuzz target: arguments read through the
// real codec, and a message whose content reads are counted.
#ifndef KURIER_SERVICES_IMAP_SEARCH_SEARCH_TEST_UTIL_H_
#define KURIER_SERVICES_IMAP_SEARCH_SEARCH_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/search/search_eval.h"
#include "services/imap/search/search_query.h"

namespace kurier::imap::testing {

// Reads "T1 SEARCH <text>\r\n" (literals included in `text` as "{n}\r\n"
// plus data) through a CommandReader; false when it refused the command.
bool ReadSearchArgs(absl::string_view text, std::vector<Arg>* args);

// ReadSearchArgs then ParseSearchQuery. A codec refusal comes back as BAD
// with the text "codec".
bool ParseSearchText(absl::string_view text, SearchQuery* query, SearchError* error);

// A message for the evaluator: its content lives here, and every read of the
// header or content is counted.
class FakeMessage {
 public:
  FakeMessage() = default;
  explicit FakeMessage(std::string content) : content_(std::move(content)) {}
  FakeMessage(const FakeMessage&) = delete;
  FakeMessage& operator=(const FakeMessage&) = delete;

  // The fields other than the content (seq, uid, flags, dates, size...).
  SearchMessage& info() { return info_; }

  // info() with `header` and `content` bound to this message's bytes.
  SearchMessage View();

  int header_reads() const { return header_reads_; }
  int content_reads() const { return content_reads_; }

 private:
  std::string content_;
  SearchMessage info_;
  int header_reads_ = 0;
  int content_reads_ = 0;
};

}  // namespace kurier::imap::testing

#endif  // KURIER_SERVICES_IMAP_SEARCH_SEARCH_TEST_UTIL_H_
