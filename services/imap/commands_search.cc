// SEARCH and UID SEARCH (RFC 9051 §6.4.4, ESEARCH RFC 4731, SEARCHRES
// RFC 5182): the query is parsed and evaluated by the pure search library
// (services/imap/search); messages are read from the store in batches, and
// their content only when a key needs it.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/imap/command_table.h"
#include "services/imap/message_loader.h"
#include "services/imap/message_set.h"
#include "services/imap/search/search_eval.h"
#include "services/imap/search/search_query.h"
#include "services/imap/search/search_result.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

constexpr size_t kBatch = 500;

}  // namespace

asio::awaitable<void> Search(Session& session, Command& command) {
  SearchQuery query;
  SearchError error;
  if (!ParseSearchQuery(command.args, &query, &error)) {
    if (error.condition == Condition::kNo) {
      session.No(error.code, error.text);
    } else {
      session.Bad(error.text);
    }
    co_return;
  }
  SelectedMailbox& mailbox = *session.selected();
  const std::vector<uint32_t> all = mailbox.uids();
  SearchMailbox view{.message_count = static_cast<uint32_t>(all.size()),
                     .uid_star = all.empty() ? mailbox.uid_next() : all.back(),
                     .saved_uids = session.saved_search()};
  ResolveSearchSets(view, &query);
  const bool needs_content = NeedsHeader(query) || NeedsBody(query);
  const bool needs_structure = NeedsBody(query);
  // Header keys alone: the store sends headers only (a tenth of the bytes).
  const bool header_only = needs_content && !NeedsBody(query);

  std::vector<uint32_t> matches;  // UIDs
  for (size_t start = 0; start < all.size(); start += kBatch) {
    const std::vector<uint32_t> batch(all.begin() + start, all.begin() + std::min(all.size(), start + kBatch));
    absl::StatusOr<std::vector<v1::MessageInfo>> infos =
        co_await LoadInfos(session.store(), session.account(), mailbox.name(), batch, needs_structure);
    if (!infos.ok()) {
      session.StoreFailed(infos.status());
      co_return;
    }
    std::vector<std::optional<std::string>> contents;
    if (needs_content) {
      absl::StatusOr<std::vector<std::optional<std::string>>> loaded =
          co_await LoadContents(session.store(), session.account(), mailbox.name(), *infos, header_only);
      if (!loaded.ok()) {
        session.StoreFailed(loaded.status());
        co_return;
      }
      contents = *std::move(loaded);
    }
    for (size_t i = 0; i < infos->size(); ++i) {
      const v1::MessageInfo& info = (*infos)[i];
      const uint32_t seq = mailbox.SeqOf(info.uid());
      if (seq == 0) continue;
      const std::string* content = needs_content && contents[i].has_value() ? &*contents[i] : nullptr;
      if (needs_content && content == nullptr) continue;
      mime::v1::MessageStructure structure;
      const bool has_structure = needs_structure && structure.ParseFromString(info.structure()) &&
                                 !info.structure().empty();
      SearchMessage message{.seq = seq,
                            .uid = info.uid(),
                            .flags = {info.flags().begin(), info.flags().end()},
                            .internal_date = info.internal_date(),
                            .size = info.wire_size() != 0 ? info.wire_size() : info.size(),
                            .modseq = info.modseq(),
                            .structure = has_structure ? &structure : nullptr};
      if (content != nullptr && header_only) {
        message.header = [content] { return absl::string_view(*content); };
      } else if (content != nullptr) {
        message.content = [content] { return absl::string_view(*content); };
      }
      if (EvaluateSearch(query, message)) matches.push_back(info.uid());
    }
  }
  if (query.ret.save) session.saved_search() = ToNumberRanges(SavedSearchResult(query.ret, matches));
  std::vector<uint32_t> numbers = matches;
  if (!command.uid) {
    for (uint32_t& n : numbers) n = mailbox.SeqOf(n);
  }
  session.output() += FormatSearchResult(query, command.tag, command.uid, session.imap4rev2(), numbers);
  session.Ok("SEARCH completed");
}

}  // namespace kurier::imap
