// TRANSACTION state (RFC 1939 §5, TOP and UIDL from §7): STAT, LIST, UIDL,
// RETR, TOP, DELE, RSET, NOOP. Message numbers refer to the snapshot taken at
// login; RETR and TOP read the bytes from the store range by range, so a
// large message never sits whole in memory.
#include "absl/strings/str_cat.h"
#include "services/common/log/log.h"
#include "services/pop3/codec/reply_writer.h"
#include "services/pop3/command_table.h"

namespace kurier::pop3 {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// Bytes fetched from the store per range.
constexpr uint64_t kRangeBytes = 256 * 1024;
// Messages up to this size are read whole, together with the next few the
// client is likely to ask for (clients RETR 1, 2, 3, ... in order): one store
// call for many small messages instead of one each.
constexpr uint64_t kSmallMessage = 64 * 1024;
constexpr int kMaxReadAhead = 32;

// Parses the message number argument at `index` and finds the message;
// answers and returns 0 when there is none.
uint32_t MessageArgument(Session& session, const Command& command, size_t index) {
  std::optional<uint32_t> number =
      index < command.args.size() ? ParseMessageNumber(command.args[index]) : std::nullopt;
  if (!number.has_value()) {
    session.BadCommand("invalid message number");
    return 0;
  }
  if (session.maildrop().Find(*number) == nullptr) {
    session.Err(absl::StrCat("no such message: ", *number));
    return 0;
  }
  return *number;
}

// The whole of small message `number`, from the read-ahead or from one
// ReadMessages call that also reads ahead the next small messages.
asio::awaitable<absl::StatusOr<std::string>> ReadSmallMessage(Session& session, uint32_t number) {
  const Maildrop& drop = session.maildrop();
  const uint32_t uid = drop.Find(number)->uid;
  if (std::optional<std::string> ready = session.TakePrefetched(uid)) co_return *std::move(ready);
  session.DropPrefetched();  // not sequential after all
  v1::ReadMessagesRequest request;
  request.set_account(session.account());
  request.set_mailbox("INBOX");
  request.add_uids(uid);
  uint64_t planned = drop.Find(number)->size;
  for (uint32_t next = number + 1; next <= drop.total_count() && request.uids_size() <= kMaxReadAhead; ++next) {
    const Maildrop::Message* ahead = drop.Find(next);
    if (ahead == nullptr) continue;
    if (ahead->size > kSmallMessage || planned + ahead->size > Session::kMaxPrefetchBytes) break;
    request.add_uids(ahead->uid);
    planned += ahead->size;
  }
  request.set_max_bytes(planned);
  absl::StatusOr<v1::ReadMessagesResponse> read = co_await session.context().store->ReadMessages(std::move(request));
  if (!read.ok()) co_return read.status();
  if (read->messages().empty() || !read->messages(0).found()) {
    co_return absl::NotFoundError("message was removed");
  }
  for (int i = 1; i < read->messages_size(); ++i) {
    if (read->messages(i).found()) session.AddPrefetched(read->messages(i).uid(), read->messages(i).data());
  }
  co_return std::move(*read->mutable_messages(0)->mutable_data());
}

// Streams message `number` as a multi-line reply: all of it (RETR) or the
// header and `body_lines` lines (TOP).
asio::awaitable<void> SendMessage(Session& session, uint32_t number, std::optional<uint32_t> body_lines) {
  const Maildrop::Message& message = *session.maildrop().Find(number);
  if (message.size <= kSmallMessage && !body_lines.has_value()) {
    absl::StatusOr<std::string> whole = co_await ReadSmallMessage(session, number);
    if (!whole.ok()) {
      if (whole.status().code() != absl::StatusCode::kNotFound) {
        log::Warning("read failed", {{"session", absl::StrCat(session.id())}, {"error", whole.status().ToString()}});
      }
      session.Err(StoreErrorReply(whole.status()));
      co_return;
    }
    session.Ok(absl::StrCat(message.size, " octets"));
    BodyEncoder encoder;
    encoder.Encode(*whole, &session.output());
    encoder.Finish(&session.output());
    AppendTerminator(&session.output());
    session.maildrop().MarkRetrieved(number);
    co_return;
  }
  store_client::StoreClient& store = *session.context().store;
  auto read = [&](uint64_t offset) {
    v1::ReadMessageRequest request;
    request.set_account(session.account());
    request.set_mailbox("INBOX");
    request.set_uid(message.uid);
    request.set_offset(offset);
    request.set_length(kRangeBytes);
    return store.ReadRange(std::move(request));
  };
  // The first range is read before "+OK", so that a message removed by
  // another client gets a clean -ERR.
  absl::StatusOr<std::string> range = co_await read(0);
  if (!range.ok()) {
    if (range.status().code() != absl::StatusCode::kNotFound) {
      log::Warning("read failed", {{"session", absl::StrCat(session.id())}, {"error", range.status().ToString()}});
    }
    session.Err(StoreErrorReply(range.status()));
    co_return;
  }
  session.Ok(body_lines.has_value() ? "top of message follows" : absl::StrCat(message.size, " octets"));
  BodyEncoder encoder(body_lines);
  uint64_t offset = 0;
  for (;;) {
    encoder.Encode(*range, &session.output());
    offset += range->size();
    if (encoder.done() || range->size() < kRangeBytes || offset >= message.size) break;
    if (!co_await session.Flush()) co_return;
    range = co_await read(offset);
    if (!range.ok()) {
      // "+OK" and part of the message are out; the reply cannot be ended
      // honestly, so the connection is closed (the client retries).
      log::Warning("read failed mid-message",
                   {{"session", absl::StrCat(session.id())}, {"error", range.status().ToString()}});
      session.output().clear();
      session.Close();
      co_return;
    }
  }
  encoder.Finish(&session.output());
  AppendTerminator(&session.output());
  if (!body_lines.has_value()) session.maildrop().MarkRetrieved(number);
}

}  // namespace

asio::awaitable<void> Stat(Session& session, const Command& command) {
  if (!command.args.empty()) {
    session.BadCommand("STAT takes no argument");
    co_return;
  }
  session.Ok(absl::StrCat(session.maildrop().live_count(), " ", session.maildrop().live_size()));
}

asio::awaitable<void> List(Session& session, const Command& command) {
  const Maildrop& drop = session.maildrop();
  if (!command.args.empty()) {
    if (const uint32_t number = MessageArgument(session, command, 0)) {
      session.Ok(absl::StrCat(number, " ", drop.Find(number)->size));
    }
    co_return;
  }
  session.Ok(absl::StrCat(drop.live_count(), " messages (", drop.live_size(), " octets)"));
  for (uint32_t number = 1; number <= drop.total_count(); ++number) {
    if (const Maildrop::Message* message = drop.Find(number)) {
      AppendLine(&session.output(), absl::StrCat(number, " ", message->size));
    }
  }
  AppendTerminator(&session.output());
}

asio::awaitable<void> Uidl(Session& session, const Command& command) {
  const Maildrop& drop = session.maildrop();
  if (!command.args.empty()) {
    if (const uint32_t number = MessageArgument(session, command, 0)) {
      session.Ok(absl::StrCat(number, " ", drop.UniqueId(*drop.Find(number))));
    }
    co_return;
  }
  session.Ok("unique-id listing follows");
  for (uint32_t number = 1; number <= drop.total_count(); ++number) {
    if (const Maildrop::Message* message = drop.Find(number)) {
      AppendLine(&session.output(), absl::StrCat(number, " ", drop.UniqueId(*message)));
    }
  }
  AppendTerminator(&session.output());
}

asio::awaitable<void> Retr(Session& session, const Command& command) {
  if (const uint32_t number = MessageArgument(session, command, 0)) {
    co_await SendMessage(session, number, std::nullopt);
  }
}

asio::awaitable<void> Top(Session& session, const Command& command) {
  const uint32_t number = MessageArgument(session, command, 0);
  if (number == 0) co_return;
  std::optional<uint32_t> lines = command.args.size() == 2 ? ParseLineCount(command.args[1]) : std::nullopt;
  if (!lines.has_value()) {
    session.BadCommand("invalid line count");
    co_return;
  }
  co_await SendMessage(session, number, lines);
}

asio::awaitable<void> Dele(Session& session, const Command& command) {
  std::optional<uint32_t> number = command.args.size() == 1 ? ParseMessageNumber(command.args[0]) : std::nullopt;
  if (!number.has_value()) {
    session.BadCommand("invalid message number");
    co_return;
  }
  if (*number <= session.maildrop().total_count() && session.maildrop().Find(*number) == nullptr) {
    session.Err(absl::StrCat("message ", *number, " already deleted"));
    co_return;
  }
  if (!session.maildrop().MarkDeleted(*number)) {
    session.Err(absl::StrCat("no such message: ", *number));
    co_return;
  }
  session.Ok(absl::StrCat("message ", *number, " deleted"));
}

asio::awaitable<void> Rset(Session& session, const Command&) {
  session.maildrop().UnmarkAll();
  session.Ok(absl::StrCat("maildrop has ", session.maildrop().live_count(), " messages (",
                          session.maildrop().live_size(), " octets)"));
  co_return;
}

asio::awaitable<void> Noop(Session& session, const Command&) {
  session.Ok("");
  co_return;
}

}  // namespace kurier::pop3
