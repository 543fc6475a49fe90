#include "services/smtp/session.h"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "services/common/log/log.h"
#include "services/common/net/session_shutdown.h"
#include "services/common/sasl/base64.h"
#include "services/smtp/command_table.h"

namespace kurier::smtp {
namespace {

namespace asio = boost::asio;

// A SASL response line (SCRAM's are ~200 bytes; PLAIN with long names more).
constexpr size_t kMaxSaslLine = 12 * 1024;
// Output is written once this much is pending even if more commands wait.
constexpr size_t kFlushThreshold = 64 * 1024;
// Failed authentications tolerated in one connection before it is closed.
constexpr int kMaxAuthFailuresPerSession = 3;
// Read buffer for command lines; small because idle connections must be cheap.
constexpr size_t kCommandReadChunk = 2048;
// Read buffer while message content streams in, freed after the message.
constexpr size_t kContentReadChunk = 64 * 1024;

std::chrono::seconds Seconds(uint32_t s) { return std::chrono::seconds(s); }

}  // namespace

Session::Session(SmtpContext* context, net::Stream stream, net::ConnectionInfo info)
    : context_(context),
      stream_(std::move(stream)),
      info_(std::move(info)),
      submission_(info_.listener_name != kMxListener),
      decoder_(kMaxCommandLineBytes) {}

Session::~Session() = default;

bool Session::tls_available() const { return context_->tls != nullptr && !stream_.is_tls(); }

bool Session::plaintext_allowed() const { return stream_.is_tls() || context_->config.allow_plaintext_auth(); }

bool Session::auth_available() const { return submission_ && account_.empty() && plaintext_allowed(); }

void Session::Reply(int code, absl::string_view enhanced, absl::string_view text) {
  AppendReply(&out_, code, enhanced, text);
}

void Session::Reply(const smtp::Reply& reply) { AppendReply(&out_, reply); }

void Session::Count(absl::string_view series, double by) {
  if (context_->metrics != nullptr) context_->metrics->Add(std::string(series), by);
}

void Session::Refuse(const smtp::Reply& reply, absl::string_view reason) {
  Count(absl::StrCat("kurier_smtp_errors_total{reason=\"", reason, "\"}"));
  Reply(reply);
  // Only client mistakes count towards the limit, not our own refusals.
  if (reply.code >= 500 && ++errors_ >= context_->config.max_errors()) {
    Reply(421, "4.7.0", absl::StrCat(context_->config.hostname(), " Too many errors, closing connection"));
    Close();
  }
}

void Session::Greeted(std::string helo, bool esmtp) {
  helo_ = std::move(helo);
  esmtp_ = esmtp;
  ResetTransaction();
}

void Session::Authenticated(std::string account, std::vector<std::string> addresses) {
  account_ = std::move(account);
  account_addresses_ = std::move(addresses);
}

asio::awaitable<bool> Session::Flush() {
  if (out_.empty()) co_return true;
  Count("kurier_smtp_bytes_total{direction=\"out\"}", static_cast<double>(out_.size()));
  const boost::system::error_code ec = co_await stream_.WriteAndRelease(
      &out_, Seconds(context_->config.limits().write_timeout_seconds()), kFlushThreshold);
  if (ec) {
    closing_ = true;
    co_return false;
  }
  if (!accepted_keys_.empty()) {
    context_->answered_keys->Add(std::move(accepted_keys_), stream_.executor());
    accepted_keys_.clear();
  }
  co_return true;
}

asio::awaitable<size_t> Session::ReadMore(char* data, size_t capacity, std::chrono::seconds timeout) {
  if (!co_await Flush()) co_return 0;
  if (shutting_down_) co_return 0;
  auto [ec, n] = co_await stream_.ReadSome(asio::buffer(data, capacity), timeout);
  if (shutting_down_) co_return 0;
  if (ec) {
    if (ec == asio::error::timed_out) {
      // RFC 5321 4.5.3.2: a server that times out says so with 421.
      Count("kurier_smtp_errors_total{reason=\"timeout\"}");
      Reply(421, "4.4.2", absl::StrCat(context_->config.hostname(), " Timeout exceeded, closing connection"));
      co_await Flush();
    }
    closing_ = true;
    co_return 0;
  }
  Count("kurier_smtp_bytes_total{direction=\"in\"}", static_cast<double>(n));
  co_return n;
}

asio::awaitable<Session::LineResult> Session::ReadLine(std::string* line) {
  std::array<char, kCommandReadChunk> buffer;
  for (;;) {
    switch (decoder_.Next(line)) {
      case codec::LineDecoder::Result::kLine: co_return LineResult::kLine;
      case codec::LineDecoder::Result::kTooLong: co_return LineResult::kTooLong;
      case codec::LineDecoder::Result::kNeedMore: break;
    }
    // Nothing complete is buffered: answer what was asked so far, then wait.
    const size_t n =
        co_await ReadMore(buffer.data(), buffer.size(), Seconds(context_->config.command_timeout_seconds()));
    if (n == 0) co_return LineResult::kClosed;
    decoder_.Feed(absl::string_view(buffer.data(), n));
  }
}

asio::awaitable<bool> Session::ReadData(MessageReader& reader) {
  // What the client pipelined after DATA is already content.
  const std::string pending = decoder_.TakeBuffered();
  size_t used = reader.Feed(pending);
  if (reader.done()) {
    // Commands sent right after the end-of-data marker (PIPELINING).
    decoder_.Feed(absl::string_view(pending).substr(used));
    co_return true;
  }
  // Not zero-filled: only the bytes read are looked at.
  auto buffer = std::make_unique_for_overwrite<char[]>(kContentReadChunk);
  for (;;) {
    const size_t n =
        co_await ReadMore(buffer.get(), kContentReadChunk, Seconds(context_->config.data_timeout_seconds()));
    if (n == 0) co_return false;
    used = reader.Feed(absl::string_view(buffer.get(), n));
    if (reader.done()) {
      decoder_.Feed(absl::string_view(buffer.get() + used, n - used));
      co_return true;
    }
  }
}

asio::awaitable<bool> Session::ReadChunk(MessageReader* reader, uint64_t size) {
  const std::string pending = decoder_.TakeBuffered();
  const size_t first = static_cast<size_t>(std::min<uint64_t>(size, pending.size()));
  if (reader != nullptr) reader->Feed(absl::string_view(pending).substr(0, first));
  decoder_.Feed(absl::string_view(pending).substr(first));
  uint64_t remaining = size - first;
  if (remaining == 0) co_return true;
  auto buffer = std::make_unique_for_overwrite<char[]>(kContentReadChunk);
  while (remaining > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, kContentReadChunk));
    const size_t n = co_await ReadMore(buffer.get(), want, Seconds(context_->config.data_timeout_seconds()));
    if (n == 0) co_return false;
    if (reader != nullptr) reader->Feed(absl::string_view(buffer.get(), n));
    remaining -= n;
  }
  co_return true;
}

asio::awaitable<absl::StatusOr<std::string>> Session::ReadSaslLine() {
  decoder_.set_max_line_bytes(kMaxSaslLine);
  std::string line;
  const LineResult result = co_await ReadLine(&line);
  decoder_.set_max_line_bytes(kMaxCommandLineBytes);
  if (result == LineResult::kClosed) co_return absl::UnavailableError("connection closed");
  if (result == LineResult::kTooLong) co_return absl::InvalidArgumentError("SASL line too long");
  if (line == "*") co_return absl::CancelledError("client cancelled");
  std::optional<std::string> decoded = sasl::DecodeBase64(line);
  if (!decoded.has_value()) co_return absl::InvalidArgumentError("not base64");
  co_return *std::move(decoded);
}

asio::awaitable<void> Session::Dispatch(const std::string& line) {
  const Parsed parsed = ParseCommand(line);
  if (!parsed.ok()) {
    Refuse(*parsed.error, "syntax");
    co_return;
  }
  // The label is the verb, never the client's keyword: a client must not be
  // able to create metric series.
  Count(absl::StrCat("kurier_smtp_commands_total{command=\"", VerbName(parsed.command.verb), "\"}"));
  const Handler handler = FindHandler(parsed.command.verb);
  if (handler == nullptr) {
    Refuse({500, "5.5.1", "Command unrecognized"}, "unknown_command");
    co_return;
  }
  co_await handler(*this, parsed.command);
}

asio::awaitable<void> Session::Run() {
  auto self = shared_from_this();
  auto executor = stream_.executor();
  auto registration =
      net::RegisterForShutdown(*context_->tracker, executor, std::weak_ptr<Session>(self), &Session::OnShutdown);
  Count("kurier_smtp_sessions_open", 1);
  log::Debug("connected", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()},
                            {"listener", info_.listener_name}});

  Reply(220, "", absl::StrCat(context_->config.hostname(), " ESMTP Kurier"));
  std::string line;
  while (!closing_) {
    const LineResult result = co_await ReadLine(&line);
    if (result == LineResult::kClosed) break;
    if (result == LineResult::kTooLong) {
      Refuse({500, "5.5.2", "Line too long"}, "line_too_long");
      continue;
    }
    co_await Dispatch(line);
    if (out_.size() >= kFlushThreshold && !co_await Flush()) break;
  }
  if (shutting_down_ && !closing_) {
    Reply(421, "4.3.2", absl::StrCat(context_->config.hostname(), " Service shutting down, try again later"));
  }
  co_await Flush();
  co_await stream_.Close(std::chrono::seconds(2));
  Count("kurier_smtp_sessions_open", -1);
  log::Debug("disconnected", {{"session", absl::StrCat(id())}});
}

void Session::OnShutdown() {
  shutting_down_ = true;
  stream_.control().Interrupt();
}

asio::awaitable<void> Session::UpgradeToTls() {
  if (!co_await Flush()) co_return;
  // RFC 3207 4.2: everything learned before TLS is forgotten, and what the
  // client pipelined after STARTTLS is discarded, so that nothing sent in
  // the clear can be injected into the TLS session.
  decoder_ = codec::LineDecoder(kMaxCommandLineBytes);
  helo_.clear();
  esmtp_ = false;
  ResetTransaction();
  const auto ec = co_await stream_.StartTls(context_->tls->Current(),
                                            Seconds(context_->config.command_timeout_seconds()));
  Count(absl::StrCat("kurier_smtp_tls_handshakes_total{result=\"", ec ? "failed" : "ok", "\"}"));
  if (ec) {
    log::Info("STARTTLS handshake failed", {{"session", absl::StrCat(id())}, {"error", ec.message()}});
    Close();
  }
}

asio::awaitable<bool> Session::ThrottleAllows(const std::string& user) {
  const std::string ip = info_.remote_ip.to_string();
  const net::AuthThrottle::Decision decision = context_->throttle->Check(ip, user);
  if (decision.refused) {
    Count("kurier_smtp_logins_total{result=\"throttled\"}");
    Reply(454, "4.7.0", "Too many failed authentications, try again later");
    co_return false;
  }
  if (decision.delay > std::chrono::steady_clock::duration::zero()) {
    asio::steady_timer timer(stream_.executor(), decision.delay);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return true;
}

void Session::AuthFailed(const std::string& user, const smtp::Reply& reply) {
  context_->throttle->RecordFailure(info_.remote_ip.to_string(), user);
  Count("kurier_smtp_logins_total{result=\"failed\"}");
  log::Info("authentication failed",
            {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()}, {"user", user}});
  Reply(reply);
  if (++auth_failures_ >= kMaxAuthFailuresPerSession) {
    Reply(421, "4.7.0", absl::StrCat(context_->config.hostname(), " Too many failed authentications"));
    Close();
  }
}

}  // namespace kurier::smtp
