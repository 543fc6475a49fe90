// One IMAP connection: the session loop owns the socket, the timeouts, the
// STARTTLS upgrade, IDLE and shutdown; it feeds what it reads to the codec's
// CommandReader and hands each complete command to its handler in the
// command table. Responses are collected in an output buffer and written
// when the reader needs more bytes (so pipelined commands are answered in
// one write) or the buffer is large.
//
// States (RFC 9051 §3): not authenticated → authenticated (LOGIN,
// AUTHENTICATE) → selected (SELECT, EXAMINE) → logout. While a mailbox is
// selected the session listens to the account's changes (the process-wide
// ChangeFeed); they are queued in SelectedMailbox and written as untagged
// EXISTS / FETCH / EXPUNGE before a command's tagged answer (never EXPUNGE
// during FETCH, STORE or SEARCH: RFC 9051 §7.5.1), and at once during IDLE.
#ifndef KURIER_SERVICES_IMAP_SESSION_H_
#define KURIER_SERVICES_IMAP_SESSION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "services/common/net/listener.h"
#include "services/common/net/stream.h"
#include "services/common/store_client/change_feed.h"
#include "services/imap/codec/command_reader.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/codec/sequence_set.h"
#include "services/imap/imap_context.h"
#include "services/imap/selected/selected_mailbox.h"
#include "services/imap/store_errors.h"

namespace kurier::imap {

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

  Session(ImapContext* context, net::Stream stream, net::ConnectionInfo info);
  ~Session();

  // Runs the connection to its end.
  boost::asio::awaitable<void> Run();

  // --- For command handlers -------------------------------------------------
  State state() const { return state_; }
  ImapContext& context() { return *context_; }
  store_client::StoreClient& store() { return *context_->store; }
  const net::ConnectionInfo& info() const { return info_; }
  uint64_t id() const { return info_.id; }
  bool is_tls() const { return stream_.is_tls(); }
  // LOGIN and AUTHENTICATE PLAIN are allowed on TLS, or when configured.
  bool plaintext_allowed() const;
  // STARTTLS is possible: a certificate is loaded and TLS is not up yet.
  bool tls_available() const;

  // The command being answered.
  const Command& command() const { return *command_; }
  // Tagged answers to the current command. Ok/No first write the selected
  // mailbox's pending untagged updates (as the command allows).
  void Ok(absl::string_view text) { Ok("", text); }
  void Ok(absl::string_view code, absl::string_view text);
  void No(absl::string_view code, absl::string_view text);
  // A BAD answer, counted: too many close the connection.
  void Bad(absl::string_view text);
  // NO with the code of a store error (logged here).
  void StoreFailed(const absl::Status& status, const char* what = "mailbox");
  std::string& output() { return out_; }
  // Writes the output buffer; false when the connection failed.
  boost::asio::awaitable<bool> Flush();
  // Writes the output buffer when it has grown past the flush threshold
  // (long FETCH and SEARCH answers); false when the connection failed.
  boost::asio::awaitable<bool> FlushIfLarge();
  // Ends the session after the pending output is written.
  void Close() { closing_ = true; }

  // ENABLE (RFC 5161): IMAP4rev2 also turns on UTF-8 mailbox names and
  // quoted strings; UTF8=ACCEPT (RFC 6855) only those.
  bool imap4rev2() const { return imap4rev2_; }
  bool utf8() const { return utf8_; }
  void EnableImap4rev2() { imap4rev2_ = utf8_ = true; }
  void EnableUtf8() { utf8_ = true; }
  // CONDSTORE (RFC 7162 3.1): on after the first enabling command (see
  // condstore.h); untagged FETCHes then carry UID and MODSEQ.
  bool condstore() const { return condstore_; }
  void SetCondstore() { condstore_ = true; }
  // The CAPABILITY list for this state, without "* CAPABILITY ".
  std::string Capabilities() const;

  // One raw line (AUTHENTICATE responses, IDLE's DONE).
  enum class LineResult { kLine, kTooLong, kClosed, kInterrupted };
  boost::asio::awaitable<LineResult> ReadRawLine(std::string* line, std::chrono::steady_clock::duration timeout);

  // Authentication.
  boost::asio::awaitable<bool> ThrottleAllows(const std::string& user);
  void AuthFailed(const std::string& user, absl::string_view code, absl::string_view text);
  // Enters the authenticated state and answers OK [CAPABILITY ...].
  void LoggedIn(const std::string& user, const std::string& account);
  const std::string& account() const { return account_; }

  // STARTTLS after its OK has been queued.
  boost::asio::awaitable<void> UpgradeToTls();

  // The selected mailbox, or null.
  SelectedMailbox* selected() { return selected_.get(); }
  // Enters the selected state, listening to the account's changes first so
  // that nothing is missed between this and the listing: call before the
  // listing is read, then Select.
  void ListenForChanges();
  void Select(std::unique_ptr<SelectedMailbox> mailbox);
  // Back to the authenticated state (CLOSE, UNSELECT, a failed SELECT).
  void Unselect();
  // Writes the selected mailbox's pending untagged updates.
  void WriteUpdates(bool allow_expunge);
  // After this session added `uid` to the selected mailbox (APPEND, COPY):
  // waits, briefly and bounded, for the change stream to bring it, so that
  // the command's answer carries its EXISTS as clients expect.
  boost::asio::awaitable<void> AwaitOwnArrival(uint64_t mailbox_id, uint32_t uid);
  // Brings the selected mailbox up to date after the change stream broke.
  boost::asio::awaitable<void> Resync();

  // IDLE (RFC 2177) after "+ idling" has been queued: returns when the
  // client sent DONE, sent something else (answered BAD here), or the
  // connection must end (timeout, shutdown, gone).
  enum class IdleEnd { kDone, kBadLine, kClosed };
  boost::asio::awaitable<IdleEnd> Idle();

  // The saved search result (RFC 5182 "$"), as UIDs.
  std::vector<NumberRange>& saved_search() { return saved_search_; }

  // Called from any thread at shutdown.
  void OnShutdown();

 private:
  // Flush, keeping an output buffer of up to keep_capacity for reuse.
  boost::asio::awaitable<bool> FlushKeeping(size_t keep_capacity);
  boost::asio::awaitable<void> Dispatch(Command& command);
  // Reads more bytes into the reader; false when the connection ended.
  boost::asio::awaitable<bool> ReadMore(std::chrono::steady_clock::duration timeout, bool* interrupted);
  std::chrono::steady_clock::duration IdleTimeout() const;
  bool ExpungeAllowedNow() const;
  void Count(absl::string_view series, double by = 1);
  // Counts a refused command; too many end the connection with BYE.
  void CountBadCommand();
  void OnChange(const ::kurier::store::v1::Change& change);

  ImapContext* const context_;
  net::Stream stream_;
  const net::ConnectionInfo info_;
  CommandReader reader_;
  std::string out_;
  State state_ = State::kNotAuthenticated;
  const Command* command_ = nullptr;
  bool closing_ = false;
  bool shutting_down_ = false;
  bool idling_ = false;
  bool imap4rev2_ = false;
  bool utf8_ = false;
  bool condstore_ = false;
  bool needs_resync_ = false;
  int bad_commands_ = 0;
  int auth_failures_ = 0;
  std::string account_;
  std::unique_ptr<SelectedMailbox> selected_;
  std::unique_ptr<store_client::ChangeFeed::Subscription> subscription_;
  // The highest account MODSEQ seen in changes, and what it was when the
  // change stream broke: Resync replays from there (changes that arrive
  // after the break must not move it past the gap).
  uint64_t seen_modseq_ = 0;
  uint64_t resync_from_ = 0;
  std::vector<NumberRange> saved_search_;
};

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_SESSION_H_
