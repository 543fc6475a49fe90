// SEARCH and UID SEARCH (RFC 9051 §6.4.4, ESEARCH RFC 4731, SEARCHRES
// RFC 5182, the MODSEQ key RFC 7162 3.1.5): the query is parsed and
// evaluated by the pure search library (services/imap/search); messages are read from the store in batches, and
// their content only when a key needs it. The next batch is read while the
// current one is evaluated, so the store and this process work at once.
// Headers prepared for header keys are kept in the process's
// SearchHeaderCache.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/experimental/awaitable_operators.hpp"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"
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
using asio::experimental::awaitable_operators::operator&&;

constexpr size_t kBatch = 500;

// What a query reads, decided once per command.
struct SearchPlan {
  bool needs_body = false;
  bool needs_content = false;
  // Header keys alone: headers come from the process's cache, and the
  // store sends headers only (a tenth of the bytes) for the rest.
  bool header_only = false;
  // Without flag, date or size keys the message records are not read.
  bool needs_infos = true;
  SearchHeaderCache* cache = nullptr;  // set when header_only
  std::string cache_key;
};

// One batch of messages as read from the store (and the cache).
struct SearchBatch {
  absl::Status status;
  std::vector<v1::MessageInfo> infos;
  std::vector<SearchHeaderCache::Header> headers;    // header_only
  std::vector<std::optional<std::string>> contents;  // otherwise
};

std::vector<v1::MessageInfo> UidsOnly(const std::vector<uint32_t>& uids, size_t begin, size_t end) {
  std::vector<v1::MessageInfo> infos(end - begin);
  for (size_t i = begin; i < end; ++i) infos[i - begin].set_uid(uids[i]);
  return infos;
}

// Whole messages (or headers, without a cache): the records and the two
// halves of the content are asked for at once, so the store reads them on
// three of its threads.
asio::awaitable<SearchBatch> LoadUncached(Session& session, const std::string& mailbox, const SearchPlan& plan,
                                          const std::vector<uint32_t>& uids) {
  using Contents = absl::StatusOr<std::vector<std::optional<std::string>>>;
  SearchBatch batch;
  const std::vector<v1::MessageInfo> first = UidsOnly(uids, 0, uids.size() / 2);
  const std::vector<v1::MessageInfo> second = UidsOnly(uids, uids.size() / 2, uids.size());
  store_client::StoreClient& store = session.store();
  const std::string& account = session.account();
  Contents first_contents, second_contents;
  if (plan.needs_infos) {
    auto loaded = co_await (LoadInfos(store, account, mailbox, uids, plan.needs_body) &&
                            LoadContents(store, account, mailbox, first, plan.header_only) &&
                            LoadContents(store, account, mailbox, second, plan.header_only));
    absl::StatusOr<std::vector<v1::MessageInfo>>& infos = std::get<0>(loaded);
    if (!infos.ok()) {
      batch.status = infos.status();
      co_return batch;
    }
    batch.infos = *std::move(infos);
    first_contents = std::move(std::get<1>(loaded));
    second_contents = std::move(std::get<2>(loaded));
  } else {
    auto loaded = co_await (LoadContents(store, account, mailbox, first, plan.header_only) &&
                            LoadContents(store, account, mailbox, second, plan.header_only));
    batch.infos = UidsOnly(uids, 0, uids.size());
    first_contents = std::move(std::get<0>(loaded));
    second_contents = std::move(std::get<1>(loaded));
  }
  for (Contents* part : {&first_contents, &second_contents}) {
    if (!part->ok()) {
      batch.status = part->status();
      co_return batch;
    }
  }
  // The records come in UID order, and so do the contents: a record whose
  // message is gone is matched to no content and skipped.
  absl::flat_hash_map<uint32_t, std::string> by_uid;
  for (auto [part, infos] : {std::pair{&first_contents, &first}, std::pair{&second_contents, &second}}) {
    for (size_t i = 0; i < (*part)->size(); ++i) {
      if ((**part)[i].has_value()) by_uid.emplace((*infos)[i].uid(), *std::move((**part)[i]));
    }
  }
  batch.headers.resize(batch.infos.size());
  batch.contents.resize(batch.infos.size());
  for (size_t i = 0; i < batch.infos.size(); ++i) {
    auto it = by_uid.find(batch.infos[i].uid());
    if (it != by_uid.end()) batch.contents[i] = std::move(it->second);
  }
  co_return batch;
}

asio::awaitable<SearchBatch> LoadBatch(Session& session, const std::string& mailbox, const SearchPlan& plan,
                                       std::vector<uint32_t> uids) {
  if (plan.needs_content && plan.cache == nullptr) {
    SearchBatch uncached = co_await LoadUncached(session, mailbox, plan, uids);
    co_return uncached;
  }
  SearchBatch batch;
  if (plan.needs_infos) {
    absl::StatusOr<std::vector<v1::MessageInfo>> loaded =
        co_await LoadInfos(session.store(), session.account(), mailbox, uids, plan.needs_body);
    if (!loaded.ok()) {
      batch.status = loaded.status();
      co_return batch;
    }
    batch.infos = *std::move(loaded);
  } else {
    batch.infos = UidsOnly(uids, 0, uids.size());
  }
  batch.headers.resize(batch.infos.size());
  batch.contents.resize(batch.infos.size());
  if (!plan.needs_content) co_return batch;
  if (plan.cache != nullptr) {
    std::vector<uint32_t> present;
    for (const v1::MessageInfo& info : batch.infos) present.push_back(info.uid());
    batch.headers = plan.cache->Find(plan.cache_key, present);
  }
  std::vector<v1::MessageInfo> to_read;
  std::vector<size_t> read_index;  // into batch.infos
  for (size_t i = 0; i < batch.infos.size(); ++i) {
    if (batch.headers[i] != nullptr) continue;
    to_read.push_back(batch.infos[i]);
    read_index.push_back(i);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> loaded =
      co_await LoadContents(session.store(), session.account(), mailbox, to_read, plan.header_only);
  if (!loaded.ok()) {
    batch.status = loaded.status();
    co_return batch;
  }
  std::vector<std::pair<uint32_t, SearchHeaderCache::Header>> fresh;
  for (size_t j = 0; j < loaded->size(); ++j) {
    std::optional<std::string>& content = (*loaded)[j];
    if (!content.has_value()) continue;
    const size_t i = read_index[j];
    if (plan.cache != nullptr) {
      batch.headers[i] = std::make_shared<const SearchHeader>(PrepareSearchHeader(*content));
      fresh.emplace_back(batch.infos[i].uid(), batch.headers[i]);
    } else {
      batch.contents[i] = std::move(content);
    }
  }
  if (!fresh.empty()) plan.cache->Insert(plan.cache_key, std::move(fresh));
  co_return batch;
}

// Adds the UIDs of the batch's matching messages to *matches, and their
// mod-sequences to *modseqs (uid -> modseq) when it is not null.
void EvaluateBatch(const SearchQuery& query, const SelectedMailbox& mailbox, const SearchPlan& plan,
                   const SearchBatch& batch, std::vector<uint32_t>* matches,
                   absl::flat_hash_map<uint32_t, uint64_t>* modseqs) {
  for (size_t i = 0; i < batch.infos.size(); ++i) {
    const v1::MessageInfo& info = batch.infos[i];
    const uint32_t seq = mailbox.SeqOf(info.uid());
    if (seq == 0) continue;
    const std::string* content = batch.contents[i].has_value() ? &*batch.contents[i] : nullptr;
    // A message gone from the store (expunged elsewhere) is skipped.
    if (plan.needs_content && content == nullptr && batch.headers[i] == nullptr) continue;
    mime::v1::MessageStructure structure;
    const bool has_structure =
        plan.needs_body && !info.structure().empty() && structure.ParseFromString(info.structure());
    SearchMessage message{.seq = seq,
                          .uid = info.uid(),
                          .flags = {info.flags().begin(), info.flags().end()},
                          .internal_date = info.internal_date(),
                          .size = info.wire_size() != 0 ? info.wire_size() : info.size(),
                          .modseq = info.modseq(),
                          .prepared_header = batch.headers[i].get(),
                          .structure = has_structure ? &structure : nullptr};
    if (content != nullptr && plan.header_only) {
      message.header = [content] { return absl::string_view(*content); };
    } else if (content != nullptr) {
      message.content = [content] { return absl::string_view(*content); };
    }
    if (!EvaluateSearch(query, message)) continue;
    matches->push_back(info.uid());
    if (modseqs != nullptr) (*modseqs)[info.uid()] = info.modseq();
  }
}

// RFC 7162 3.1.5: the highest mod-sequence of the messages returned; with
// only MIN and/or MAX (RFC 4731), of those (as Dovecot).
uint64_t HighestModSeq(const SearchReturn& ret, const std::vector<uint32_t>& matches,
                       const absl::flat_hash_map<uint32_t, uint64_t>& modseqs) {
  std::vector<uint32_t> returned;
  if ((ret.min || ret.max) && !ret.all && !ret.count && !matches.empty()) {
    if (ret.min) returned.push_back(*std::min_element(matches.begin(), matches.end()));
    if (ret.max) returned.push_back(*std::max_element(matches.begin(), matches.end()));
  } else {
    returned = matches;
  }
  uint64_t highest = 0;
  for (uint32_t uid : returned) {
    auto it = modseqs.find(uid);
    if (it != modseqs.end()) highest = std::max(highest, it->second);
  }
  return highest;
}

// EvaluateBatch as an awaitable, to run beside the next batch's load.
asio::awaitable<void> EvaluateWhileLoading(const SearchQuery& query, const SelectedMailbox& mailbox,
                                           const SearchPlan& plan, const SearchBatch& batch,
                                           std::vector<uint32_t>* matches,
                                           absl::flat_hash_map<uint32_t, uint64_t>* modseqs) {
  EvaluateBatch(query, mailbox, plan, batch, matches, modseqs);
  co_return;
}

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
  // RFC 7162 3.1: the MODSEQ key enables CONDSTORE.
  const bool uses_modseq = UsesModSeq(query);
  if (uses_modseq) EnableCondstore(session);
  SelectedMailbox& mailbox = *session.selected();
  const std::vector<uint32_t> all = mailbox.uids();
  SearchMailbox view{.message_count = static_cast<uint32_t>(all.size()),
                     .uid_star = all.empty() ? mailbox.uid_next() : all.back(),
                     .saved_uids = session.saved_search()};
  ResolveSearchSets(view, &query);
  SearchPlan plan;
  plan.needs_body = NeedsBody(query);
  plan.needs_content = NeedsHeader(query) || plan.needs_body;
  plan.header_only = plan.needs_content && !plan.needs_body;
  plan.needs_infos = !plan.header_only || NeedsMetadata(query);
  if (plan.header_only && session.context().search_headers != nullptr) {
    plan.cache = session.context().search_headers;
    plan.cache_key = SearchHeaderCache::MailboxKey(session.account(), mailbox.mailbox_id(), mailbox.uid_validity());
  }
  auto uids_from = [&all](size_t start) {
    return std::vector<uint32_t>(all.begin() + start, all.begin() + std::min(all.size(), start + kBatch));
  };

  std::vector<uint32_t> matches;  // UIDs
  absl::flat_hash_map<uint32_t, uint64_t> match_modseqs;
  absl::flat_hash_map<uint32_t, uint64_t>* modseqs = uses_modseq ? &match_modseqs : nullptr;
  SearchBatch current;
  if (!all.empty()) current = co_await LoadBatch(session, mailbox.name(), plan, uids_from(0));
  for (size_t start = 0; start < all.size(); start += kBatch) {
    if (!current.status.ok()) {
      session.StoreFailed(current.status);
      co_return;
    }
    SearchBatch next;
    if (start + kBatch < all.size()) {
      next = co_await (LoadBatch(session, mailbox.name(), plan, uids_from(start + kBatch)) &&
                       EvaluateWhileLoading(query, mailbox, plan, current, &matches, modseqs));
    } else {
      EvaluateBatch(query, mailbox, plan, current, &matches, modseqs);
    }
    current = std::move(next);
  }
  if (query.ret.save) session.saved_search() = ToNumberRanges(SavedSearchResult(query.ret, matches));
  std::vector<uint32_t> numbers = matches;
  if (!command.uid) {
    for (uint32_t& n : numbers) n = mailbox.SeqOf(n);
  }
  std::optional<uint64_t> highest_modseq;
  if (uses_modseq) highest_modseq = HighestModSeq(query.ret, matches, match_modseqs);
  session.output() += FormatSearchResult(query, command.tag, command.uid, session.imap4rev2(), numbers, highest_modseq);
  session.Ok("SEARCH completed");
}

}  // namespace kurier::imap
