#include "bench/imap_bench/imap_client.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kurier::bench::imap {
namespace {

// The size of the literal a line announces at its end ("{123}" or "{123+}"),
// or -1.
int64_t LiteralAtEnd(absl::string_view line) {
  if (line.empty() || line.back() != '}') return -1;
  const size_t open = line.rfind('{');
  if (open == absl::string_view::npos) return -1;
  absl::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  uint64_t n = 0;
  if (digits.empty() || !absl::SimpleAtoi(digits, &n)) return -1;
  return static_cast<int64_t>(n);
}

}  // namespace

const std::string* ImapResponse::LiteralAfter(absl::string_view item) const {
  const size_t at = text.find(item.data(), 0, item.size());
  if (at == std::string::npos) return nullptr;
  for (size_t i = 0; i < literals.size(); ++i) {
    if (literal_at[i] > at) return &literals[i];
  }
  return nullptr;
}

std::string Quote(absl::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') q += '\\';
    q += c;
  }
  q += '"';
  return q;
}

absl::StatusOr<ImapClient> ImapClient::Connect(const std::string& host, int port, std::chrono::seconds timeout,
                                               size_t buffer_bytes) {
  absl::StatusOr<LineSocket> socket = LineSocket::Connect(host, port, timeout, buffer_bytes);
  if (!socket.ok()) return socket.status();
  ImapClient client(*std::move(socket));
  absl::StatusOr<std::string> greeting = client.socket_.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (!absl::StartsWith(*greeting, "* OK")) {
    return absl::FailedPreconditionError(absl::StrCat("greeting: ", *greeting));
  }
  return client;
}

std::string ImapClient::NextTag() { return absl::StrCat("b", ++tags_); }

absl::Status ImapClient::ReadResponse(ImapResponse* response) {
  response->text.clear();
  response->literals.clear();
  response->literal_at.clear();
  for (;;) {
    absl::StatusOr<std::string> line = socket_.ReadLine();
    if (!line.ok()) return line.status();
    response->text += *line;
    const int64_t literal = LiteralAtEnd(*line);
    if (literal < 0) return absl::OkStatus();
    response->literal_at.push_back(response->text.size());
    response->literals.emplace_back();
    if (absl::Status s = socket_.ReadBytes(static_cast<size_t>(literal), &response->literals.back()); !s.ok()) return s;
  }
}

absl::StatusOr<std::string> ImapClient::Complete(const std::string& tag, const UntaggedFn& on_untagged) {
  ImapResponse response;
  absl::Status first_error;
  const std::string prefix = absl::StrCat(tag, " ");
  for (;;) {
    if (absl::Status s = ReadResponse(&response); !s.ok()) return s;
    if (absl::StartsWith(response.text, prefix)) {
      const std::string rest = response.text.substr(prefix.size());
      if (!absl::StartsWith(rest, "OK")) return absl::FailedPreconditionError(absl::StrCat("server said: ", rest));
      if (!first_error.ok()) return first_error;
      return rest;
    }
    if (on_untagged && first_error.ok() && absl::StartsWith(response.text, "* ")) first_error = on_untagged(response);
  }
}

absl::StatusOr<std::string> ImapClient::Command(absl::string_view command, const UntaggedFn& on_untagged) {
  const std::string tag = NextTag();
  if (absl::Status s = socket_.Send(absl::StrCat(tag, " ", command, "\r\n")); !s.ok()) return s;
  return Complete(tag, on_untagged);
}

absl::Status ImapClient::Login(absl::string_view user, absl::string_view password) {
  return Command(absl::StrCat("LOGIN ", Quote(user), " ", Quote(password))).status();
}

absl::StatusOr<std::string> ImapClient::Append(absl::string_view mailbox, absl::string_view message) {
  const std::string tag = NextTag();
  if (absl::Status s = socket_.Send(absl::StrCat(tag, " APPEND ", Quote(mailbox), " {", message.size(), "}\r\n"));
      !s.ok()) {
    return s;
  }
  for (;;) {
    absl::StatusOr<std::string> line = socket_.ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWith(*line, "+")) break;
    if (absl::StartsWith(*line, tag)) return absl::FailedPreconditionError(absl::StrCat("server said: ", *line));
  }
  if (absl::Status s = socket_.Send(message); !s.ok()) return s;
  if (absl::Status s = socket_.Send("\r\n"); !s.ok()) return s;
  return Complete(tag, nullptr);
}

absl::Status ImapClient::StartIdle() {
  idle_tag_ = NextTag();
  if (absl::Status s = socket_.Send(absl::StrCat(idle_tag_, " IDLE\r\n")); !s.ok()) return s;
  for (;;) {
    absl::StatusOr<std::string> line = socket_.ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWith(*line, "+")) return absl::OkStatus();
    if (absl::StartsWith(*line, idle_tag_)) return absl::FailedPreconditionError(absl::StrCat("server said: ", *line));
  }
}

absl::Status ImapClient::EndIdle() {
  if (absl::Status s = socket_.Send("DONE\r\n"); !s.ok()) return s;
  return Complete(idle_tag_, nullptr).status();
}

}  // namespace kurier::bench::imap
