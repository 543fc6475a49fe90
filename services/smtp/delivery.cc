#include "services/smtp/delivery.h"

#include <openssl/evp.h>

#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/log/log.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/mime_parser.h"
#include "services/smtp/bounce.h"
#include "services/smtp/store_errors.h"
#include "services/smtp/trace_headers.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// RFC 5321 6.3: more Received: fields than this means a mail loop.
constexpr int kMaxReceivedFields = 100;

int CountReceived(absl::string_view content) {
  mime::HeaderFieldReader reader(content);
  mime::HeaderField field;
  int count = 0;
  while (reader.Next(&field)) {
    if (absl::EqualsIgnoreCase(field.name, "Received")) ++count;
  }
  return count;
}

// Trace fields and, on submission, the Date: and Message-ID: a message
// must have (RFC 6409 8.2, 8.3).
std::string AddedHeaders(Session& session, const std::string& content, const std::string& id, absl::Time now) {
  const Transaction& transaction = session.transaction();
  ReceivedInfo info{.helo = session.helo(),
                    .client_ip = session.info().remote_ip.to_string(),
                    .hostname = session.context().config.hostname(),
                    .esmtp = session.esmtp(),
                    .tls_version = session.tls_version(),
                    .tls_cipher = session.tls_cipher(),
                    .authenticated = !session.account().empty(),
                    .smtputf8 = transaction.parameters.smtputf8,
                    .id = id,
                    .recipient = transaction.recipients.size() == 1 ? transaction.recipients[0].address : "",
                    .time = now};
  std::string added = ReceivedHeader(info);
  if (session.is_submission()) {
    if (!mime::FindHeaderField(content, "Date").has_value()) absl::StrAppend(&added, "Date: ", Rfc5322Date(now), "\r\n");
    if (!mime::FindHeaderField(content, "Message-ID").has_value()) {
      absl::StrAppend(&added, "Message-ID: ", NewMessageId(session.context().config.hostname()), "\r\n");
    }
  }
  return added;
}

v1::OutboundMessage Outbound(Session& session, const Transaction& transaction) {
  v1::OutboundMessage outbound;
  outbound.set_envelope_from(transaction.sender.Address());
  for (const Recipient& recipient : transaction.recipients) {
    if (!recipient.account.empty()) continue;
    v1::OutboundRecipient* out = outbound.add_recipients();
    out->set_address(recipient.address);
    out->set_dsn_notify(recipient.dsn.notify);
    out->set_dsn_orcpt(recipient.dsn.orcpt);
  }
  outbound.set_dsn_envid(transaction.parameters.envid);
  outbound.set_dsn_ret(transaction.parameters.ret);
  outbound.set_body_8bitmime(transaction.parameters.body_8bitmime);
  outbound.set_smtputf8(transaction.parameters.smtputf8);
  outbound.set_submitter(session.account());
  return outbound;
}

// Queues a bounce for the local recipients the store could not deliver to,
// unless the sender is null or asked for no failure notices (RFC 3461).
asio::awaitable<void> BounceFailed(Session& session, const v1::DeliverResponse& delivered,
                                   const std::string& original, const std::string& key, absl::Time now) {
  const Transaction& transaction = session.transaction();
  if (transaction.sender.null) co_return;
  std::vector<FailedRecipient> failed;
  for (const Recipient& recipient : transaction.recipients) {
    if (recipient.account.empty() || recipient.dsn.notify == "NEVER") continue;
    for (const v1::RecipientResult& result : delivered.results()) {
      if (result.recipient() != recipient.account || result.outcome() == v1::RecipientResult::DELIVERED) continue;
      if (result.outcome() == v1::RecipientResult::OVER_QUOTA) {
        failed.push_back({recipient.address, "5.2.2", "552 5.2.2 Mailbox full"});
      } else {
        failed.push_back({recipient.address, "5.1.1", "550 5.1.1 User unknown"});
      }
    }
  }
  if (failed.empty()) co_return;
  const std::string& hostname = session.context().config.hostname();
  v1::DeliverRequest bounce;
  bounce.set_idempotency_key(key + ":bounce");
  v1::OutboundMessage* outbound = bounce.mutable_outbound();
  outbound->add_recipients()->set_address(transaction.sender.Address());
  outbound->set_content(BuildBounce(hostname, transaction.sender.Address(), original, failed, now));
  absl::StatusOr<v1::DeliverResponse> queued = co_await session.context().store->Deliver(std::move(bounce));
  log::Info(queued.ok() ? "bounce queued" : "bounce not queued",
            {{"session", absl::StrCat(session.id())},
             {"to", transaction.sender.Address()},
             {"failed", absl::StrCat(failed.size())},
             {"error", queued.ok() ? "" : queued.status().ToString()}});
}

}  // namespace

std::string IdempotencyKey(const Transaction& transaction, const std::string& content) {
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
  auto add = [sha](absl::string_view part) {
    EVP_DigestUpdate(sha, part.data(), part.size());
    EVP_DigestUpdate(sha, "\0", 1);
  };
  add(transaction.sender.Address());
  for (const Recipient& recipient : transaction.recipients) add(recipient.address);
  add(content);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(sha, digest, &length);
  EVP_MD_CTX_free(sha);
  return absl::StrCat("smtp:", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length)));
}

asio::awaitable<Reply> DeliverMessage(Session& session, std::string content) {
  const Transaction& transaction = session.transaction();
  if (CountReceived(content) > kMaxReceivedFields) {
    session.Count("kurier_smtp_messages_total{result=\"loop\"}");
    co_return Reply{554, "5.4.6", "Too many hops, mail loop detected"};
  }
  const absl::Time now = absl::Now();
  const std::string id = absl::StrCat(absl::Hex(absl::ToUnixMicros(now)), ".", session.id(), ".",
                                      session.NextMessageNumber());
  const std::string key = IdempotencyKey(transaction, content);
  std::string stamped = AddedHeaders(session, content, id, now);
  stamped.append(content);
  std::string().swap(content);

  v1::DeliverRequest request;
  request.set_idempotency_key(key);
  std::set<std::string> accounts;
  bool remote = false;
  for (const Recipient& recipient : transaction.recipients) {
    if (recipient.account.empty()) {
      remote = true;
    } else {
      accounts.insert(recipient.account);
    }
  }
  for (const std::string& account : accounts) request.add_recipients(account);
  if (remote) {
    *request.mutable_outbound() = Outbound(session, transaction);
    // The relay adds Return-Path at final delivery; the queue keeps it out.
    request.mutable_outbound()->set_content(accounts.empty() ? std::move(stamped) : stamped);
  }
  if (!accounts.empty()) {
    std::string local = ReturnPathHeader(transaction.sender.Address());
    local.reserve(local.size() + stamped.size());
    local.append(stamped);
    std::string().swap(stamped);
    // Parsed once, here; IMAP answers ENVELOPE and BODYSTRUCTURE from it.
    request.set_structure(mime::ParseMessage(local).SerializeAsString());
    request.set_content(std::move(local));
  }
  const uint64_t size = request.content().size() + request.outbound().content().size();
  // The header a bounce quotes (only needed in the rare partial failure).
  const std::string original_header(
      absl::string_view(request.content()).substr(0, mime::HeaderEnd(request.content())));

  // Keys of messages already answered ride along (answered_keys.h).
  std::vector<std::string> forget = session.context().answered_keys->Take(1000);
  for (const std::string& answered : forget) request.add_forget_idempotency_keys(answered);

  absl::StatusOr<v1::DeliverResponse> delivered = co_await session.context().store->Deliver(std::move(request));
  if (!delivered.ok()) {
    session.context().answered_keys->Add(std::move(forget), session.executor());
    session.Count("kurier_smtp_messages_total{result=\"temporary\"}");
    log::Warning("delivery failed", {{"session", absl::StrCat(session.id())}, {"id", id},
                                     {"error", delivered.status().ToString()}});
    co_return StoreErrorReply(delivered.status());
  }
  int ok = 0, over_quota = 0, unknown = 0;
  for (const v1::RecipientResult& result : delivered->results()) {
    switch (result.outcome()) {
      case v1::RecipientResult::DELIVERED: ++ok; break;
      case v1::RecipientResult::OVER_QUOTA: ++over_quota; break;
      default: ++unknown; break;
    }
  }
  log::Info("message accepted", {{"session", absl::StrCat(session.id())},
                                 {"id", id},
                                 {"from", transaction.sender.Address()},
                                 {"local", absl::StrCat(ok)},
                                 {"queued", delivered->outbound_id()},
                                 {"over_quota", absl::StrCat(over_quota)},
                                 {"unknown", absl::StrCat(unknown)},
                                 {"size", absl::StrCat(size)}});
  // The answer below is final (2xx or 5xx): once it is written, the same
  // bytes are a new message for the store, not a retry (answered_keys.h).
  session.AcceptedWithKey(key);
  if (ok == 0 && !remote) {
    session.Count("kurier_smtp_messages_total{result=\"refused\"}");
    if (over_quota > 0) co_return Reply{552, "5.2.2", "Mailbox full"};
    co_return Reply{550, "5.1.1", "Recipient address rejected: user unknown"};
  }
  // Recipients whose mailbox filled up between RCPT and now did not get it;
  // the others did, and the client must not send it again (RFC 5321 allows
  // only one reply after DATA): the sender hears of it by a bounce.
  if (over_quota > 0 || unknown > 0) {
    co_await BounceFailed(session, *delivered, original_header, key, now);
    session.AcceptedWithKey(key + ":bounce");
  }
  session.Count("kurier_smtp_messages_total{result=\"accepted\"}");
  session.Count("kurier_smtp_message_bytes_total", static_cast<double>(size));
  co_return Reply{250, "2.0.0", absl::StrCat("Message accepted, id ", id)};
}

}  // namespace kurier::smtp
