// FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 3.1.4
// MODSEQ and the CHANGEDSINCE modifier): messages are read from the store
// in batches — metadata (with MIME structures when an item needs them), and
// with it the content when an item needs bytes — and each response is
// assembled by the pure fetch library (services/imap/fetch).
#include <algorithm>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/imap/command_table.h"
#include "services/imap/condstore.h"
#include "services/imap/condstore_args.h"
#include "services/imap/fetch/fetch_items.h"
#include "services/imap/fetch/fetch_response.h"
#include "services/imap/message_loader.h"
#include "services/imap/message_set.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// Messages per store round trip: bounds what one batch holds in memory
// (content is further bounded by the store's 4 MiB per ReadMessages call).
constexpr size_t kBatch = 200;

bool HasFlag(const v1::MessageInfo& info, absl::string_view flag) {
  return std::find(info.flags().begin(), info.flags().end(), flag) != info.flags().end();
}

// Sets \Seen on the batch's messages that lack it (RFC 9051 §6.4.5: BODY[]
// and friends without PEEK); returns the UIDs whose flags changed.
asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> MarkSeen(Session& session, std::vector<v1::MessageInfo>& infos) {
  std::vector<uint32_t> unseen;
  for (const v1::MessageInfo& info : infos) {
    if (!HasFlag(info, "\\Seen")) unseen.push_back(info.uid());
  }
  if (unseen.empty()) co_return unseen;
  v1::StoreFlagsRequest request;
  request.set_account(session.account());
  request.set_mailbox(session.selected()->name());
  request.set_mode(v1::StoreFlagsRequest::ADD);
  request.add_flags("\\Seen");
  for (const v1::UidRange& range : ToUidRanges(unseen)) *request.add_uids() = range;
  absl::StatusOr<v1::StoreFlagsResponse> stored = co_await session.store().StoreFlags(std::move(request));
  if (!stored.ok()) co_return stored.status();
  for (const v1::MessageInfo& updated : stored->messages()) {
    session.selected()->ApplyOwnFlags(updated);
    for (v1::MessageInfo& info : infos) {
      if (info.uid() != updated.uid()) continue;
      *info.mutable_flags() = updated.flags();
      info.set_modseq(updated.modseq());
    }
  }
  co_return unseen;
}

// A batch's records and, when the request reads content, their contents
// (parallel; null for a message expunged meanwhile; empty when no content is
// read).
struct FetchBatch {
  std::vector<v1::MessageInfo> infos;
  std::vector<ContentCache::Content> contents;
  size_t cache_hits = 0;
};

ContentCache::Content Remember(ContentCache* cache, const std::string& blob_id, std::string content) {
  auto shared = std::make_shared<const std::string>(std::move(content));
  if (cache != nullptr) cache->Insert(blob_id, shared);
  return shared;
}

// Reads a batch. Contents come from the process's content cache where it
// has them; the rest from the store. When the previous batch found nothing
// in the cache (`expect_cached` false: a mailbox read for the first time),
// records and contents come in one round trip instead.
asio::awaitable<absl::StatusOr<FetchBatch>> LoadBatch(Session& session, const std::vector<uint32_t>& uids,
                                                      const FetchRequest& request, const FetchModifiers& modifiers,
                                                      bool expect_cached) {
  const std::string& mailbox = session.selected()->name();
  ContentCache* cache = session.context().contents;
  FetchBatch batch;
  if (request.needs_content && !modifiers.changed_since.has_value() && !expect_cached) {
    absl::StatusOr<LoadedMessages> loaded =
        co_await LoadInfosWithContents(session.store(), session.account(), mailbox, uids, request.needs_structure);
    if (!loaded.ok()) co_return loaded.status();
    batch.infos = std::move(loaded->infos);
    batch.contents.reserve(loaded->contents.size());
    for (size_t i = 0; i < batch.infos.size(); ++i) {
      batch.contents.push_back(Remember(cache, batch.infos[i].blob_id(), std::move(loaded->contents[i])));
    }
    co_return batch;
  }
  absl::StatusOr<std::vector<v1::MessageInfo>> infos =
      co_await LoadInfos(session.store(), session.account(), mailbox, uids, request.needs_structure);
  if (!infos.ok()) co_return infos.status();
  batch.infos = *std::move(infos);
  if (modifiers.changed_since.has_value()) {
    std::erase_if(batch.infos, [&](const v1::MessageInfo& info) { return info.modseq() <= *modifiers.changed_since; });
  }
  // Content is needed for sections, and to parse mail stored without a
  // structure.
  bool needs_content = request.needs_content;
  if (request.needs_structure) {
    for (const v1::MessageInfo& info : batch.infos) needs_content |= info.structure().empty();
  }
  if (!needs_content || batch.infos.empty()) co_return batch;
  batch.contents.resize(batch.infos.size());
  std::vector<v1::MessageInfo> missing;  // only the UIDs are needed
  std::vector<size_t> missing_at;
  for (size_t i = 0; i < batch.infos.size(); ++i) {
    if (cache != nullptr) batch.contents[i] = cache->Find(batch.infos[i].blob_id());
    if (batch.contents[i] != nullptr) {
      ++batch.cache_hits;
      continue;
    }
    missing.emplace_back().set_uid(batch.infos[i].uid());
    missing_at.push_back(i);
  }
  if (missing.empty()) co_return batch;
  absl::StatusOr<std::vector<std::optional<std::string>>> contents =
      co_await LoadContents(session.store(), session.account(), mailbox, missing);
  if (!contents.ok()) co_return contents.status();
  for (size_t j = 0; j < missing.size(); ++j) {
    if (!(*contents)[j].has_value()) continue;
    const size_t i = missing_at[j];
    batch.contents[i] = Remember(cache, batch.infos[i].blob_id(), *std::move((*contents)[j]));
  }
  co_return batch;
}

}  // namespace

asio::awaitable<void> Fetch(Session& session, Command& command) {
  if (command.args.size() != 2 && command.args.size() != 3) {
    session.Bad("FETCH takes a sequence set, data items and optional modifiers");
    co_return;
  }
  SelectedMailbox& mailbox = *session.selected();
  absl::StatusOr<std::vector<uint32_t>> uids =
      ResolveMessageSet(mailbox, command.args[0], command.uid, session.saved_search());
  if (!uids.ok()) {
    session.Bad(uids.status().message());
    co_return;
  }
  absl::StatusOr<FetchRequest> request = ParseFetchAttributes(command.args[1]);
  if (!request.ok()) {
    session.Bad(request.status().message());
    co_return;
  }
  FetchModifiers modifiers;
  if (command.args.size() == 3) {
    absl::StatusOr<FetchModifiers> parsed = ParseFetchModifiers(command.args[2]);
    if (!parsed.ok()) {
      session.Bad(parsed.status().message());
      co_return;
    }
    modifiers = *parsed;
  }
  const bool mark_seen = request->sets_seen && !mailbox.read_only();
  // RFC 7162 3.1: MODSEQ and CHANGEDSINCE enable CONDSTORE; CHANGEDSINCE
  // (3.1.4.1) and a \Seen set by this FETCH for a CONDSTORE-aware client
  // (3.1.4: flag changes carry MODSEQ) add MODSEQ to each response.
  if (request->has_modseq || modifiers.changed_since.has_value()) EnableCondstore(session);
  if (!request->has_modseq && (modifiers.changed_since.has_value() || (mark_seen && session.condstore()))) {
    request->items.push_back(FetchItem{.kind = FetchItem::Kind::kModSeq});
    request->has_modseq = true;
  }
  FetchResponseOptions options{.uid_command = command.uid, .utf8 = session.utf8(), .imap4rev2 = session.imap4rev2()};

  bool expect_cached = true;
  for (size_t start = 0; start < uids->size(); start += kBatch) {
    const std::vector<uint32_t> batch(uids->begin() + start, uids->begin() + std::min(uids->size(), start + kBatch));
    absl::StatusOr<FetchBatch> loaded = co_await LoadBatch(session, batch, *request, modifiers, expect_cached);
    if (!loaded.ok()) {
      session.StoreFailed(loaded.status());
      co_return;
    }
    expect_cached = loaded->cache_hits > 0;
    std::vector<v1::MessageInfo>* infos = &loaded->infos;
    const std::vector<ContentCache::Content>& contents = loaded->contents;
    const bool needs_content = !contents.empty();
    std::vector<uint32_t> seen_now;
    if (mark_seen) {
      absl::StatusOr<std::vector<uint32_t>> marked = co_await MarkSeen(session, *infos);
      if (!marked.ok()) {
        session.StoreFailed(marked.status());
        co_return;
      }
      seen_now = *std::move(marked);
    }
    for (size_t i = 0; i < infos->size(); ++i) {
      const v1::MessageInfo& info = (*infos)[i];
      const uint32_t seq = mailbox.SeqOf(info.uid());
      if (seq == 0) continue;
      const std::string* content = needs_content ? contents[i].get() : nullptr;
      if (needs_content && content == nullptr) continue;  // expunged meanwhile
      mime::v1::MessageStructure structure;
      if (request->needs_structure) structure = StructureOf(info, content);
      FetchMetadata metadata{.uid = info.uid(),
                             .flags = {info.flags().begin(), info.flags().end()},
                             .internal_date = absl::FromUnixSeconds(info.internal_date()),
                             .modseq = info.modseq()};
      options.flags_changed = std::binary_search(seen_now.begin(), seen_now.end(), info.uid());
      const std::string empty;
      absl::Status written = AppendFetchResponse(
          &session.output(), seq, *request, metadata, &structure,
          [&](const FetchItem& item) { return ReadFetchItem(structure, content != nullptr ? *content : empty, item); },
          options);
      if (!written.ok()) {
        session.No("SERVERBUG", "a message could not be read");
        co_return;
      }
      if (!co_await session.FlushIfLarge()) co_return;
    }
  }
  session.Ok("FETCH completed");
}

}  // namespace kurier::imap
