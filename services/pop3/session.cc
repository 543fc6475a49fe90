#include "services/pop3/session.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "services/common/log/log.h"
#include "services/common/net/session_shutdown.h"
#include "services/common/sasl/base64.h"
#include "services/pop3/codec/reply_writer.h"
#include "services/pop3/command_table.h"

namespace kurier::pop3 {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// RFC 2449: a command line is at most 255 octets with its CRLF.
constexpr size_t kMaxCommandLine = 255;
// A SASL response line (RFC 5034 allows long ones; SCRAM's are ~200 bytes).
constexpr size_t kMaxSaslLine = 12 * 1024;
// Output is written once this much is pending even if more commands wait.
constexpr size_t kFlushThreshold = 64 * 1024;
// Bad commands tolerated before the connection is closed.
constexpr int kMaxBadCommands = 20;
// Failed logins tolerated in one connection before it is closed.
constexpr int kMaxAuthFailuresPerSession = 3;
// Read buffer per read; small because idle connections must be cheap.
constexpr size_t kReadChunk = 2048;
// Read-ahead messages are dropped after the client was quiet this long.
constexpr std::chrono::seconds kPrefetchIdle(2);

std::chrono::seconds Seconds(uint32_t s) { return std::chrono::seconds(s); }

}  // namespace

Session::Session(Pop3Context* context, net::Stream stream, net::ConnectionInfo info)
    : context_(context),
      stream_(std::move(stream)),
      info_(std::move(info)),
      decoder_(kMaxCommandLine),
      lease_timer_(stream_.executor()) {}

Session::~Session() = default;

bool Session::plaintext_allowed() const { return stream_.is_tls() || context_->config.allow_plaintext_auth(); }

bool Session::tls_available() const { return context_->tls != nullptr && !stream_.is_tls(); }

void Session::Ok(absl::string_view text) { AppendOk(&out_, text); }
void Session::Err(absl::string_view text) { AppendErr(&out_, text); }
void Session::Err(absl::string_view code, absl::string_view text) {
  if (code.empty()) {
    AppendErr(&out_, text);
  } else {
    AppendErr(&out_, code, text);
  }
}
void Session::Err(const ErrorReply& reply) { Err(reply.code, reply.text); }

void Session::Count(absl::string_view series, double by) {
  if (context_->metrics != nullptr) context_->metrics->Add(std::string(series), by);
}

void Session::BadCommand(absl::string_view text) {
  Count("kurier_pop3_errors_total{reason=\"bad_command\"}");
  if (++bad_commands_ >= kMaxBadCommands) {
    Err("too many bad commands, closing connection");
    Close();
    return;
  }
  Err(text);
}

std::chrono::steady_clock::duration Session::IdleTimeout() const {
  const auto& limits = context_->config.limits();
  return state_ == State::kTransaction ? Seconds(limits.auth_idle_timeout_seconds())
                                       : Seconds(limits.idle_timeout_seconds());
}

asio::awaitable<bool> Session::Flush() {
  if (out_.empty()) co_return true;
  Count("kurier_pop3_bytes_total{direction=\"out\"}", static_cast<double>(out_.size()));
  const boost::system::error_code ec = co_await stream_.WriteAndRelease(
      &out_, Seconds(context_->config.limits().write_timeout_seconds()), kFlushThreshold);
  if (ec) {
    closing_ = true;
    co_return false;
  }
  co_return true;
}

asio::awaitable<Session::LineResult> Session::ReadLine(std::string* line) {
  std::array<char, kReadChunk> buffer;
  for (;;) {
    switch (decoder_.Next(line)) {
      case LineDecoder::Result::kLine: co_return LineResult::kLine;
      case LineDecoder::Result::kTooLong: co_return LineResult::kTooLong;
      case LineDecoder::Result::kNeedMore: break;
    }
    // Nothing complete is buffered: answer what was asked so far, then wait.
    if (!co_await Flush()) co_return LineResult::kClosed;
    if (shutting_down_) co_return LineResult::kClosed;
    const bool holding = !prefetched_.empty();
    auto [ec, n] = co_await stream_.ReadSome(asio::buffer(buffer), holding ? kPrefetchIdle : IdleTimeout());
    if (shutting_down_) co_return LineResult::kClosed;
    if (ec == asio::error::timed_out && holding) {
      DropPrefetched();  // the client paused; keep the idle session small
      continue;
    }
    if (ec) {
      if (ec == asio::error::timed_out) {
        Count("kurier_pop3_errors_total{reason=\"idle_timeout\"}");
        Err("autologout: idle for too long");
        co_await Flush();
      }
      co_return LineResult::kClosed;
    }
    Count("kurier_pop3_bytes_total{direction=\"in\"}", static_cast<double>(n));
    decoder_.Feed(absl::string_view(buffer.data(), n));
  }
}

asio::awaitable<absl::StatusOr<std::string>> Session::ReadSaslLine() {
  decoder_.set_max_line_bytes(kMaxSaslLine);
  std::string line;
  const LineResult result = co_await ReadLine(&line);
  decoder_.set_max_line_bytes(kMaxCommandLine);
  if (result == LineResult::kClosed) co_return absl::UnavailableError("connection closed");
  if (result == LineResult::kTooLong) co_return absl::InvalidArgumentError("SASL line too long");
  if (line == "*") co_return absl::CancelledError("client cancelled");
  std::optional<std::string> decoded = sasl::DecodeBase64(line);
  if (!decoded.has_value()) co_return absl::InvalidArgumentError("not base64");
  co_return *std::move(decoded);
}

asio::awaitable<void> Session::Dispatch(const std::string& line) {
  absl::StatusOr<Command> command = ParseCommand(line);
  if (!command.ok()) {
    BadCommand(command.status().message());
    co_return;
  }
  // The label is the verb, never the client's keyword: a client must not be
  // able to create metric series.
  Count(absl::StrCat("kurier_pop3_commands_total{command=\"", VerbName(command->verb), "\"}"));
  const CommandSpec* spec = FindCommand(command->verb);
  if (spec == nullptr) {
    BadCommand("unknown command");
    co_return;
  }
  const bool allowed = state_ == State::kAuthorization ? spec->in_authorization : spec->in_transaction;
  if (!allowed) {
    BadCommand(state_ == State::kAuthorization ? "not allowed before login" : "not allowed after login");
    co_return;
  }
  co_await spec->handler(*this, *command);
}

asio::awaitable<void> Session::Run() {
  auto self = shared_from_this();
  auto executor = stream_.executor();
  auto registration =
      net::RegisterForShutdown(*context_->tracker, executor, std::weak_ptr<Session>(self), &Session::OnShutdown);
  Count("kurier_pop3_sessions_open", 1);
  log::Debug("connected", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()},
                            {"listener", info_.listener_name}});

  Ok(absl::StrCat("Kurier POP3 ready on ", context_->config.hostname()));
  std::string line;
  while (!closing_) {
    const LineResult result = co_await ReadLine(&line);
    if (result == LineResult::kClosed) break;
    if (result == LineResult::kTooLong) {
      BadCommand("line too long");
      continue;
    }
    co_await Dispatch(line);
    if (out_.size() >= kFlushThreshold && !co_await Flush()) break;
  }
  if (shutting_down_ && !closing_) {
    Err("SYS/TEMP", "server shutting down, try again later");
  }
  co_await Flush();
  DropPrefetched();
  if (state_ == State::kTransaction) co_await ReleaseLease();
  state_ = State::kClosed;
  lease_timer_.cancel();
  co_await stream_.Close(std::chrono::seconds(2));
  Count("kurier_pop3_sessions_open", -1);
  log::Debug("disconnected", {{"session", absl::StrCat(id())}});
}

void Session::OnShutdown() {
  shutting_down_ = true;
  stream_.control().Interrupt();
}

asio::awaitable<void> Session::UpgradeToTls() {
  if (!co_await Flush()) co_return;
  // RFC 2595 §4: anything the client sent after STLS and before the
  // handshake is discarded, so that it cannot be injected into the TLS session.
  decoder_ = LineDecoder(kMaxCommandLine);
  pending_user_.reset();
  const auto ec = co_await stream_.StartTls(context_->tls->Current(),
                                            Seconds(context_->config.limits().idle_timeout_seconds()));
  Count(absl::StrCat("kurier_pop3_tls_handshakes_total{result=\"", ec ? "failed" : "ok", "\"}"));
  if (ec) {
    log::Info("STLS handshake failed", {{"session", absl::StrCat(id())}, {"error", ec.message()}});
    Close();
  }
}

std::optional<std::string> Session::TakePrefetched(uint32_t uid) {
  for (auto it = prefetched_.begin(); it != prefetched_.end(); ++it) {
    if (it->first != uid) continue;
    std::string data = std::move(it->second);
    prefetched_bytes_ -= data.size();
    prefetched_.erase(it);
    return data;
  }
  return std::nullopt;
}

void Session::AddPrefetched(uint32_t uid, std::string data) {
  if (prefetched_bytes_ + data.size() > kMaxPrefetchBytes) return;
  prefetched_bytes_ += data.size();
  prefetched_.emplace_back(uid, std::move(data));
}

void Session::DropPrefetched() {
  std::deque<std::pair<uint32_t, std::string>>().swap(prefetched_);
  prefetched_bytes_ = 0;
}

asio::awaitable<bool> Session::ThrottleAllows(const std::string& user) {
  const std::string ip = info_.remote_ip.to_string();
  const net::AuthThrottle::Decision decision = context_->throttle->Check(ip, user);
  if (decision.refused) {
    Count("kurier_pop3_logins_total{result=\"throttled\"}");
    Err("AUTH", "too many failed logins; try again later");
    co_return false;
  }
  if (decision.delay > std::chrono::steady_clock::duration::zero()) {
    asio::steady_timer timer(stream_.executor(), decision.delay);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return true;
}

void Session::AuthFailed(const std::string& user, absl::string_view code, absl::string_view text) {
  context_->throttle->RecordFailure(info_.remote_ip.to_string(), user);
  Count("kurier_pop3_logins_total{result=\"failed\"}");
  log::Info("login failed", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()}, {"user", user}});
  Err(code, text);
  if (++auth_failures_ >= kMaxAuthFailuresPerSession) {
    Err("too many failed logins, closing connection");
    Close();
  }
}

asio::awaitable<void> Session::LoggedIn(const std::string& user, const std::string& account) {
  context_->throttle->RecordSuccess(info_.remote_ip.to_string(), user);
  v1::AcquireLeaseRequest acquire;
  acquire.set_account(account);
  acquire.set_name("pop3");
  acquire.set_holder(absl::StrCat(context_->instance, " session ", id()));
  acquire.set_ttl_ms(context_->config.lease_seconds() * 1000);
  absl::StatusOr<v1::Lease> lease = co_await context_->store->AcquireLease(std::move(acquire));
  if (!lease.ok()) {
    if (lease.status().code() == absl::StatusCode::kFailedPrecondition) {
      Count("kurier_pop3_logins_total{result=\"in_use\"}");
      Err("IN-USE", "mailbox is in use by another POP3 session");
    } else {
      log::Warning("lease failed", {{"session", absl::StrCat(id())}, {"error", lease.status().ToString()}});
      Err(StoreErrorReply(lease.status()));
    }
    co_return;
  }
  account_ = account;
  lease_id_ = lease->lease_id();

  v1::FetchMessagesRequest fetch;
  fetch.set_account(account);
  fetch.set_mailbox("INBOX");
  fetch.set_pop3_visible_only(true);
  absl::StatusOr<v1::FetchMessagesResponse> listing = co_await context_->store->FetchMessages(std::move(fetch));
  if (!listing.ok()) {
    log::Warning("listing failed", {{"session", absl::StrCat(id())}, {"error", listing.status().ToString()}});
    co_await ReleaseLease();
    Err(StoreErrorReply(listing.status()));
    co_return;
  }
  std::vector<Maildrop::Message> messages;
  messages.reserve(listing->messages_size());
  for (const v1::MessageInfo& info : listing->messages()) {
    // LIST must give the size as sent, lines ending in CRLF (RFC 1939 §11).
    messages.push_back({.uid = info.uid(), .size = info.wire_size() != 0 ? info.wire_size() : info.size()});
  }
  maildrop_ = Maildrop(listing->uid_validity(), std::move(messages));
  state_ = State::kTransaction;
  Count("kurier_pop3_logins_total{result=\"ok\"}");
  log::Info("login", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()}, {"account", account}});
  Ok(absl::StrCat("maildrop has ", maildrop_.live_count(), " messages (", maildrop_.live_size(), " octets)"));
  asio::co_spawn(stream_.executor(), RenewLeaseLoop(shared_from_this()), asio::detached);
}

asio::awaitable<void> Session::RenewLeaseLoop(std::shared_ptr<Session> self) {
  const auto period = std::chrono::milliseconds(context_->config.lease_seconds() * 1000 / 3);
  while (state_ == State::kTransaction) {
    lease_timer_.expires_after(period);
    boost::system::error_code ec;
    co_await lease_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (state_ != State::kTransaction || lease_id_.empty()) co_return;
    v1::RenewLeaseRequest renew;
    renew.set_account(account_);
    renew.set_name("pop3");
    renew.set_lease_id(lease_id_);
    renew.set_ttl_ms(context_->config.lease_seconds() * 1000);
    absl::StatusOr<v1::Lease> renewed = co_await context_->store->RenewLease(std::move(renew));
    if (renewed.ok() || store_client::IsTemporary(renewed.status())) continue;  // a blip: try next period
    // The lease expired (the store restarted, or we were cut off for longer
    // than its lifetime). QUIT's commit will be refused; say so now.
    log::Warning("lease lost", {{"session", absl::StrCat(id())}, {"account", account_}});
    lease_id_.clear();
    co_return;
  }
}

asio::awaitable<void> Session::ReleaseLease() {
  state_ = State::kAuthorization;
  lease_timer_.cancel();
  if (lease_id_.empty()) co_return;
  v1::ReleaseLeaseRequest release;
  release.set_account(account_);
  release.set_name("pop3");
  release.set_lease_id(lease_id_);
  lease_id_.clear();
  absl::StatusOr<v1::ReleaseLeaseResponse> released = co_await context_->store->ReleaseLease(std::move(release));
  // Not fatal: an unreleased lease expires on its own.
  if (!released.ok()) log::Info("lease release failed", {{"session", absl::StrCat(id())}});
}

}  // namespace kurier::pop3
