// SEARCH and UID SEARCH (RFC 9051 §6.4.4, ESEARCH RFC 4731, SEARCHRES
// RFC 5182): the query is parsed and evaluated by the pure search library
// (services/imap/search); messages are read from the store in batches, and
// their content only when a key needs it. Headers prepared for header keys
// are kept in the process's SearchHeaderCache.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/imap/command_table.h"
#include "services/imap/message_loader.h"
#include "services/imap/message_set.h"
#include "services/imap/search/search_eval.h"
#include "services/imap/search/search_query.h"
#include "services/imap/search/search_result.h"
#include "services/imap/search_header_cache.h"

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
  const bool needs_body = NeedsBody(query);
  const bool needs_content = NeedsHeader(query) || needs_body;
  // Header keys alone: headers come from the process's cache, and the
  // store sends headers only (a tenth of the bytes) for the rest. Without
  // flag, date or size keys, the message records are not read either.
  const bool header_only = needs_content && !needs_body;
  const bool needs_infos = !header_only || NeedsMetadata(query);
  SearchHeaderCache* cache = header_only ? session.context().search_headers : nullptr;
  const std::string cache_key =
      cache == nullptr ? ""
                       : SearchHeaderCache::MailboxKey(session.account(), mailbox.mailbox_id(), mailbox.uid_validity());

  std::vector<uint32_t> matches;  // UIDs
  for (size_t start = 0; start < all.size(); start += kBatch) {
    const std::vector<uint32_t> batch(all.begin() + start, all.begin() + std::min(all.size(), start + kBatch));
    std::vector<v1::MessageInfo> infos;
    if (needs_infos) {
      absl::StatusOr<std::vector<v1::MessageInfo>> loaded =
          co_await LoadInfos(session.store(), session.account(), mailbox.name(), batch, needs_body);
      if (!loaded.ok()) {
        session.StoreFailed(loaded.status());
        co_return;
      }
      infos = *std::move(loaded);
    } else {
      infos.resize(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) infos[i].set_uid(batch[i]);
    }
    std::vector<SearchHeaderCache::Header> headers(infos.size());
    std::vector<std::optional<std::string>> contents(infos.size());
    if (needs_content) {
      std::vector<v1::MessageInfo> to_read;
      std::vector<size_t> read_index;  // into infos
      if (cache != nullptr) {
        std::vector<uint32_t> uids;
        for (const v1::MessageInfo& info : infos) uids.push_back(info.uid());
        headers = cache->Find(cache_key, uids);
      }
      for (size_t i = 0; i < infos.size(); ++i) {
        if (headers[i] != nullptr) continue;
        to_read.push_back(infos[i]);
        read_index.push_back(i);
      }
      absl::StatusOr<std::vector<std::optional<std::string>>> loaded =
          co_await LoadContents(session.store(), session.account(), mailbox.name(), to_read, header_only);
      if (!loaded.ok()) {
        session.StoreFailed(loaded.status());
        co_return;
      }
      std::vector<std::pair<uint32_t, SearchHeaderCache::Header>> fresh;
      for (size_t j = 0; j < loaded->size(); ++j) {
        std::optional<std::string>& content = (*loaded)[j];
        if (!content.has_value()) continue;
        if (cache != nullptr) {
          headers[read_index[j]] = std::make_shared<const SearchHeader>(PrepareSearchHeader(*content));
          fresh.emplace_back(to_read[j].uid(), headers[read_index[j]]);
        } else {
          contents[read_index[j]] = std::move(content);
        }
      }
      if (!fresh.empty()) cache->Insert(cache_key, std::move(fresh));
    }
    for (size_t i = 0; i < infos.size(); ++i) {
      const v1::MessageInfo& info = infos[i];
      const uint32_t seq = mailbox.SeqOf(info.uid());
      if (seq == 0) continue;
      const std::string* content = contents[i].has_value() ? &*contents[i] : nullptr;
      // A message gone from the store (expunged elsewhere) is skipped.
      if (needs_content && content == nullptr && headers[i] == nullptr) continue;
      mime::v1::MessageStructure structure;
      const bool has_structure = needs_body && structure.ParseFromString(info.structure()) && !info.structure().empty();
      SearchMessage message{.seq = seq,
                            .uid = info.uid(),
                            .flags = {info.flags().begin(), info.flags().end()},
                            .internal_date = info.internal_date(),
                            .size = info.wire_size() != 0 ? info.wire_size() : info.size(),
                            .modseq = info.modseq(),
                            .prepared_header = headers[i].get(),
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
