#include "services/imap/session.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "services/common/log/log.h"
#include "services/common/net/session_shutdown.h"
#include "services/common/sasl/sasl_messages.h"
#include "services/imap/command_table.h"

namespace kurier::imap {
namespace {

namespace asio = boost::asio;
namespace v1 = ::kurier::store::v1;

// Output is written once this much is pending even if more commands wait.
constexpr size_t kFlushThreshold = 64 * 1024;
// While a command streams a long answer (FETCH) the output buffer is reused
// across flushes up to this capacity instead of being freed and grown again
// for every 64 KiB; it shrinks back to kFlushThreshold before the session
// waits for the client.
constexpr size_t kStreamingCapacity = 512 * 1024;
// Read buffer per read; small because idle connections must be cheap.
constexpr size_t kReadChunk = 4096;
// Failed logins tolerated in one connection before it is closed.
constexpr int kMaxAuthFailuresPerSession = 3;

std::chrono::seconds Seconds(uint32_t s) { return std::chrono::seconds(s); }

CommandReader::Options ReaderOptions(const config::v1::ImapConfig& config) {
  CommandReader::Options options;
  options.max_literal_bytes = config.max_message_bytes();
  options.max_total_literal_bytes = config.max_message_bytes() + (16ull << 20);
  return options;
}

}  // namespace

Session::Session(ImapContext* context, net::Stream stream, net::ConnectionInfo info)
    : context_(context), stream_(std::move(stream)), info_(std::move(info)), reader_(ReaderOptions(context->config)) {}

Session::~Session() = default;

bool Session::plaintext_allowed() const { return stream_.is_tls() || context_->config.allow_plaintext_auth(); }

bool Session::tls_available() const { return context_->tls != nullptr && !stream_.is_tls(); }

void Session::Count(absl::string_view series, double by) {
  if (context_->metrics != nullptr) context_->metrics->Add(std::string(series), by);
}

std::string Session::Capabilities() const {
  std::string caps = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ENABLE ID IDLE";
  if (state_ == State::kNotAuthenticated) {
    if (tls_available()) absl::StrAppend(&caps, " STARTTLS");
    if (!plaintext_allowed()) absl::StrAppend(&caps, " LOGINDISABLED");
    for (const std::string& mechanism : sasl::Mechanisms(plaintext_allowed())) {
      if (mechanism == "LOGIN") continue;  // IMAP has its own LOGIN command
      absl::StrAppend(&caps, " AUTH=", mechanism);
    }
    return caps;
  }
  absl::StrAppend(&caps,
                  " NAMESPACE UNSELECT UIDPLUS MULTIAPPEND MOVE CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS"
                  " ESEARCH SEARCHRES BINARY STATUS=SIZE UTF8=ACCEPT CONDSTORE");
  return caps;
}

bool Session::ExpungeAllowedNow() const {
  // IDLE's own updates come with no command in hand.
  return command_ == nullptr || MayWriteExpunge(command_->name, command_->uid);
}

void Session::Ok(absl::string_view code, absl::string_view text) {
  WriteUpdates(ExpungeAllowedNow());
  AppendTagged(&out_, command_->tag, Condition::kOk, code, text);
}

void Session::No(absl::string_view code, absl::string_view text) {
  WriteUpdates(ExpungeAllowedNow());
  AppendTagged(&out_, command_->tag, Condition::kNo, code, text);
}

void Session::Bad(absl::string_view text) {
  Count("kurier_imap_errors_total{reason=\"bad_command\"}");
  AppendTagged(&out_, command_ != nullptr ? command_->tag : "", Condition::kBad, "", text);
  CountBadCommand();
}

void Session::CountBadCommand() {
  if (++bad_commands_ >= static_cast<int>(context_->config.max_bad_commands())) {
    AppendUntaggedStatus(&out_, Condition::kBye, "", "too many bad commands");
    Close();
  }
}

void Session::StoreFailed(const absl::Status& status, const char* what) {
  const ErrorReply reply = StoreErrorReply(status, what);
  if (reply.code == "UNAVAILABLE" || reply.code == "SERVERBUG") {
    log::Warning("store call failed", {{"session", absl::StrCat(id())}, {"error", status.ToString()}});
  }
  No(reply.code, reply.text);
}

std::chrono::steady_clock::duration Session::IdleTimeout() const {
  const auto& limits = context_->config.limits();
  return state_ == State::kNotAuthenticated ? Seconds(limits.idle_timeout_seconds())
                                            : Seconds(limits.auth_idle_timeout_seconds());
}

asio::awaitable<bool> Session::Flush() { return FlushKeeping(kFlushThreshold); }

asio::awaitable<bool> Session::FlushKeeping(size_t keep_capacity) {
  if (out_.empty()) {
    if (out_.capacity() > keep_capacity) std::string().swap(out_);
    co_return true;
  }
  Count("kurier_imap_bytes_total{direction=\"out\"}", static_cast<double>(out_.size()));
  const boost::system::error_code ec = co_await stream_.WriteAndRelease(
      &out_, Seconds(context_->config.limits().write_timeout_seconds()), keep_capacity);
  if (ec) {
    closing_ = true;
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Session::FlushIfLarge() {
  if (out_.size() < kFlushThreshold) co_return stream_.is_open();
  const bool flushed = co_await FlushKeeping(kStreamingCapacity);
  co_return flushed;
}

asio::awaitable<bool> Session::ReadMore(std::chrono::steady_clock::duration timeout, bool* interrupted) {
  *interrupted = false;
  // Nothing complete is buffered: answer what was asked so far, then wait.
  if (!co_await Flush()) co_return false;
  if (shutting_down_) co_return false;
  std::array<char, kReadChunk> buffer;
  auto [ec, n] = co_await stream_.ReadSome(asio::buffer(buffer), timeout);
  if (shutting_down_) co_return false;
  if (ec == asio::error::interrupted) {
    *interrupted = true;
    co_return true;
  }
  if (ec) {
    if (ec == asio::error::timed_out) {
      Count("kurier_imap_errors_total{reason=\"idle_timeout\"}");
      AppendUntaggedStatus(&out_, Condition::kBye, "", "autologout; idle for too long");
      co_await Flush();
    }
    co_return false;
  }
  Count("kurier_imap_bytes_total{direction=\"in\"}", static_cast<double>(n));
  reader_.Feed(absl::string_view(buffer.data(), n));
  co_return true;
}

asio::awaitable<Session::LineResult> Session::ReadRawLine(std::string* line,
                                                          std::chrono::steady_clock::duration timeout) {
  for (;;) {
    switch (reader_.NextLine(line)) {
      case CommandReader::LineResult::kLine: co_return LineResult::kLine;
      case CommandReader::LineResult::kTooLong: co_return LineResult::kTooLong;
      case CommandReader::LineResult::kNeedMore: break;
    }
    bool interrupted = false;
    if (!co_await ReadMore(timeout, &interrupted)) co_return LineResult::kClosed;
    if (interrupted) co_return LineResult::kInterrupted;
  }
}

asio::awaitable<void> Session::Dispatch(Command& command) {
  const CommandSpec* spec = FindCommand(command.name);
  // The label is a known name, never the client's word: a client must not
  // be able to create metric series.
  Count(absl::StrCat("kurier_imap_commands_total{command=\"", spec != nullptr ? spec->name : "unknown", "\"}"));
  command_ = &command;
  if (spec == nullptr || (command.uid && !spec->uid_form)) {
    Bad("unknown command");
  } else if (!spec->allowed(state_)) {
    Bad(state_ == State::kNotAuthenticated ? "log in first"
        : state_ == State::kAuthenticated  ? "select a mailbox first"
                                           : "not allowed in this state");
  } else {
    if (needs_resync_ && selected_ != nullptr) co_await Resync();
    co_await spec->handler(*this, command);
  }
  command_ = nullptr;
}

asio::awaitable<void> Session::Run() {
  auto self = shared_from_this();
  auto executor = stream_.executor();
  auto registration =
      net::RegisterForShutdown(*context_->tracker, executor, std::weak_ptr<Session>(self), &Session::OnShutdown);
  Count("kurier_imap_sessions_open", 1);
  log::Debug("connected", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()},
                            {"listener", info_.listener_name}});

  AppendUntaggedStatus(&out_, Condition::kOk, absl::StrCat("CAPABILITY ", Capabilities()),
                       absl::StrCat("Kurier IMAP ready on ", context_->config.hostname()));
  Command command;
  ReadError error;
  while (!closing_) {
    switch (reader_.Next(&command, &error)) {
      case CommandReader::Result::kCommand:
        co_await Dispatch(command);
        if (out_.size() >= kFlushThreshold && !co_await Flush()) closing_ = true;
        continue;
      case CommandReader::Result::kContinuation:
        AppendContinuation(&out_, "Ready for literal data");
        if (!co_await Flush()) closing_ = true;
        continue;
      case CommandReader::Result::kError:
        Count("kurier_imap_errors_total{reason=\"syntax\"}");
        if (error.kind == ReadError::Kind::kLiteralTooBig) {
          AppendTagged(&out_, error.tag, Condition::kNo, "TOOBIG", error.message);
        } else {
          AppendTagged(&out_, error.tag, Condition::kBad, "", error.message);
          CountBadCommand();
        }
        continue;
      case CommandReader::Result::kNeedMore: break;
    }
    bool interrupted = false;
    if (!co_await ReadMore(IdleTimeout(), &interrupted)) break;
  }
  if (shutting_down_ && state_ != State::kLogout) {
    AppendUntaggedStatus(&out_, Condition::kBye, "UNAVAILABLE", "server shutting down, try again later");
  }
  co_await Flush();
  subscription_.reset();
  selected_.reset();
  state_ = State::kLogout;
  co_await stream_.Close(std::chrono::seconds(2));
  Count("kurier_imap_sessions_open", -1);
  log::Debug("disconnected", {{"session", absl::StrCat(id())}});
}

void Session::OnShutdown() {
  shutting_down_ = true;
  stream_.control().Interrupt();
}

asio::awaitable<void> Session::UpgradeToTls() {
  if (!co_await Flush()) co_return;
  // RFC 9051 §6.2.1: anything the client sent after STARTTLS and before the
  // handshake is discarded, so that it cannot be injected into the TLS session.
  reader_ = CommandReader(ReaderOptions(context_->config));
  const auto ec = co_await stream_.StartTls(context_->tls->Current(),
                                            Seconds(context_->config.limits().idle_timeout_seconds()));
  Count(absl::StrCat("kurier_imap_tls_handshakes_total{result=\"", ec ? "failed" : "ok", "\"}"));
  if (ec) {
    log::Info("STARTTLS handshake failed", {{"session", absl::StrCat(id())}, {"error", ec.message()}});
    Close();
  }
}

asio::awaitable<bool> Session::ThrottleAllows(const std::string& user) {
  const net::AuthThrottle::Decision decision = context_->throttle->Check(info_.remote_ip.to_string(), user);
  if (decision.refused) {
    Count("kurier_imap_logins_total{result=\"throttled\"}");
    No("AUTHENTICATIONFAILED", "too many failed logins; try again later");
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
  Count("kurier_imap_logins_total{result=\"failed\"}");
  log::Info("login failed", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()}, {"user", user}});
  No(code, text);
  if (++auth_failures_ >= kMaxAuthFailuresPerSession) {
    AppendUntaggedStatus(&out_, Condition::kBye, "", "too many failed logins");
    Close();
  }
}

void Session::LoggedIn(const std::string& user, const std::string& account) {
  context_->throttle->RecordSuccess(info_.remote_ip.to_string(), user);
  account_ = account;
  state_ = State::kAuthenticated;
  Count("kurier_imap_logins_total{result=\"ok\"}");
  log::Info("login", {{"session", absl::StrCat(id())}, {"ip", info_.remote_ip.to_string()}, {"account", account}});
  Ok(absl::StrCat("CAPABILITY ", Capabilities()), "logged in");
}

void Session::ListenForChanges() {
  if (subscription_ != nullptr || context_->feed == nullptr) return;
  auto executor = stream_.executor();
  std::weak_ptr<Session> weak = shared_from_this();
  store_client::ChangeFeed::Listener listener;
  // Both run on a gRPC thread: hop to the session's own.
  listener.on_change = [weak, executor](const v1::Change& change) {
    asio::post(executor, [weak, change] {
      if (auto session = weak.lock()) session->OnChange(change);
    });
  };
  listener.on_gap = [weak, executor] {
    asio::post(executor, [weak] {
      auto session = weak.lock();
      if (session == nullptr) return;
      if (!session->needs_resync_) session->resync_from_ = session->seen_modseq_;
      session->needs_resync_ = true;
      if (session->idling_) session->stream_.control().Interrupt();
    });
  };
  subscription_ = context_->feed->Subscribe(account_, std::move(listener));
}

void Session::OnChange(const v1::Change& change) {
  if (change.modseq() > seen_modseq_) seen_modseq_ = change.modseq();
  if (selected_ == nullptr) return;
  selected_->OnChange(change);
  if (idling_ && selected_->has_pending()) stream_.control().Interrupt();
}

void Session::Select(std::unique_ptr<SelectedMailbox> mailbox) {
  selected_ = std::move(mailbox);
  if (selected_->highest_modseq() > seen_modseq_) seen_modseq_ = selected_->highest_modseq();
  state_ = State::kSelected;
}

void Session::Unselect() {
  selected_.reset();
  subscription_.reset();
  saved_search_.clear();
  needs_resync_ = false;
  if (state_ == State::kSelected) state_ = State::kAuthenticated;
}

void Session::WriteUpdates(bool allow_expunge) {
  if (selected_ == nullptr || !selected_->has_pending()) return;
  selected_->FlushPending(&out_, {.allow_expunge = allow_expunge,
                                  .uid_in_fetch = (command_ != nullptr && command_->uid) || condstore_,
                                  .modseq = condstore_});
}

asio::awaitable<void> Session::AwaitOwnArrival(uint64_t mailbox_id, uint32_t uid) {
  // The store publishes a change before it answers the call, so the echo is
  // normally here already or a few milliseconds behind.
  constexpr auto kStep = std::chrono::milliseconds(2);
  constexpr int kSteps = 100;
  asio::steady_timer timer(stream_.executor());
  for (int i = 0; i < kSteps; ++i) {
    if (selected_ == nullptr || selected_->mailbox_id() != mailbox_id || selected_->uid_next() > uid) co_return;
    timer.expires_after(kStep);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Session::Resync() {
  needs_resync_ = false;
  // The change log holds everything after the last change seen; replaying it
  // through the same filter as live changes fills the gap.
  v1::GetChangesRequest request;
  request.set_account(account_);
  request.set_since_modseq(resync_from_);
  for (int page = 0; page < 100 && selected_ != nullptr; ++page) {
    absl::StatusOr<v1::GetChangesResponse> changes = co_await store().GetChanges(request);
    if (!changes.ok()) {
      needs_resync_ = true;  // try again before the next command
      co_return;
    }
    for (const v1::Change& change : changes->changes()) OnChange(change);
    if (changes->changes().empty() || changes->changes().rbegin()->modseq() >= changes->highest_modseq()) co_return;
    request.set_since_modseq(changes->changes().rbegin()->modseq());
  }
}

asio::awaitable<Session::IdleEnd> Session::Idle() {
  idling_ = true;
  Count("kurier_imap_idling", 1);
  IdleEnd end = IdleEnd::kClosed;
  const auto deadline = std::chrono::steady_clock::now() + Seconds(context_->config.idle_seconds());
  for (;;) {
    if (needs_resync_ && selected_ != nullptr) co_await Resync();
    WriteUpdates(/*allow_expunge=*/true);
    std::string line;
    const LineResult result = co_await ReadRawLine(&line, deadline - std::chrono::steady_clock::now());
    if (result == LineResult::kInterrupted) continue;  // changes arrived (shutdown ends ReadMore itself)
    if (result == LineResult::kLine && absl::AsciiStrToUpper(line) == "DONE") {
      end = IdleEnd::kDone;
    } else if (result != LineResult::kClosed) {
      Bad("expected DONE");
      end = IdleEnd::kBadLine;
    }
    break;
  }
  idling_ = false;
  Count("kurier_imap_idling", -1);
  co_return end;
}

}  // namespace kurier::imap
