// DATA (RFC 5321 4.1.1.4) and BDAT (RFC 3030): read the content, check it,
// deliver it, answer once for the whole message.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/smtp/command_table.h"
#include "services/smtp/delivery.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;

// Why a transaction cannot take content now; nullopt when it can.
std::optional<Reply> NotReady(Session& session) {
  const Transaction& transaction = session.transaction();
  if (!transaction.started) return Reply{503, "5.5.1", "Need MAIL command"};
  if (transaction.recipients.empty()) return Reply{554, "5.5.1", "No valid recipients"};
  return std::nullopt;
}

// The reply for content that was read completely; delivers it if it is sound.
asio::awaitable<Reply> Finish(Session& session, MessageReader& reader) {
  if (reader.too_big()) {
    session.Count("kurier_smtp_messages_total{result=\"too_big\"}");
    co_return Reply{552, "5.3.4", "Message size exceeds fixed maximum message size"};
  }
  switch (reader.defect()) {
    case MessageReader::Defect::kNone: break;
    case MessageReader::Defect::kBareLineEnd:
      // RFC 5321 2.3.8; accepting it would let SMTP smuggling through.
      session.Count("kurier_smtp_messages_total{result=\"bare_line_end\"}");
      co_return Reply{554, "5.6.0", "Message refused: bare CR or LF (lines must end with CRLF)"};
    case MessageReader::Defect::kLineTooLong:
      session.Count("kurier_smtp_messages_total{result=\"line_too_long\"}");
      co_return Reply{554, "5.6.0", "Message refused: a line is longer than 1000 octets"};
  }
  co_return co_await DeliverMessage(session, std::move(reader.content()));
}

}  // namespace

asio::awaitable<void> Data(Session& session, const Command&) {
  if (std::optional<Reply> refusal = NotReady(session)) {
    session.Refuse(*refusal, "bad_sequence");
    co_return;
  }
  if (session.transaction().chunks.has_value()) {
    session.Refuse({503, "5.5.1", "DATA not allowed during BDAT"}, "bad_sequence");
    co_return;
  }
  session.Reply(354, "", "End data with <CR><LF>.<CR><LF>");
  MessageReader reader(MessageReader::Framing::kDotStuffed, session.context().config.max_message_bytes());
  if (!co_await session.ReadData(reader)) co_return;
  const Reply reply = co_await Finish(session, reader);
  session.ResetTransaction();
  session.Reply(reply);
}

asio::awaitable<void> Bdat(Session& session, const Command& command) {
  Transaction& transaction = session.transaction();
  // RFC 3030 2: the chunk is read whatever the answer, so that its octets
  // are never taken for commands.
  std::optional<Reply> refusal = NotReady(session);
  if (!refusal.has_value() && !transaction.chunks.has_value()) {
    transaction.chunks.emplace(MessageReader::Framing::kChunked, session.context().config.max_message_bytes());
  }
  MessageReader* reader = refusal.has_value() ? nullptr : &*transaction.chunks;
  if (!co_await session.ReadChunk(reader, command.chunk_size)) co_return;
  if (refusal.has_value()) {
    session.Refuse(*refusal, "bad_sequence");
    co_return;
  }
  if (!command.last_chunk) {
    session.Reply(250, "2.0.0", absl::StrCat(command.chunk_size, " octets received"));
    co_return;
  }
  transaction.chunks->FinishChunks();
  const Reply reply = co_await Finish(session, *transaction.chunks);
  session.ResetTransaction();
  session.Reply(reply);
}

}  // namespace kurier::smtp
