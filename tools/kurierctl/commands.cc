#include "tools/kurierctl/commands.h"

#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "grpcpp/client_context.h"
#include "tools/kurierctl/output.h"

namespace kurier::kurierctl {
namespace {

namespace v1 = ::kurier::store::v1;
using Stub = v1::MailStore::StubInterface;

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string message = status.error_message();
  if (message.empty()) message = absl::StatusCodeToString(code);
  return absl::Status(code, message);
}

// One unary call with the tool's deadline.
template <typename Request, typename Response>
absl::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return FromGrpc((stub.*method)(&context, request, response));
}

std::string BytesWithExact(uint64_t bytes) {
  return bytes < 1024 ? FormatBytes(bytes) : absl::StrCat(FormatBytes(bytes), " (", bytes, " bytes)");
}

std::string QuotaWithExact(uint64_t bytes) { return bytes == 0 ? "unlimited" : BytesWithExact(bytes); }

// The parser has already checked every kBytes value; this cannot fail there.
absl::StatusOr<uint64_t> Bytes(const std::string& text) { return ParseByteSize(text); }

absl::Status AccountAdd(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::CreateAccountRequest request;
  request.set_name(inv.args[0]);
  const bool generated = !inv.HasOption("password");
  std::string password = inv.Option("password");
  if (generated) {
    absl::StatusOr<std::string> random = GeneratePassword(16);
    if (!random.ok()) return random.status();
    password = *random;
  }
  request.set_password(password);
  // In CreateAccount 0 means "the store's default"; on the command line, as
  // in `account quota`, 0 means unlimited, which takes a SetQuota after.
  bool unlimited = false;
  if (inv.HasOption("quota")) {
    absl::StatusOr<uint64_t> quota = Bytes(inv.Option("quota"));
    if (!quota.ok()) return quota.status();
    request.set_quota_bytes(*quota);
    unlimited = *quota == 0;
  }
  for (const std::string& alias : inv.OptionValues("alias")) request.add_aliases(alias);

  v1::Account account;
  if (absl::Status s = Call(stub, &Stub::CreateAccount, request, &account); !s.ok()) return s;
  if (unlimited && account.quota_bytes() != 0) {
    v1::SetQuotaRequest quota_request;
    quota_request.set_name(account.name());
    quota_request.set_quota_bytes(0);
    if (absl::Status s = Call(stub, &Stub::SetQuota, quota_request, &account); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("account ", account.name(), " created, but setting its quota failed: ",
                                                 s.message()));
    }
  }
  io.out << "created account " << account.name() << " (id " << account.id() << ", quota "
         << FormatQuota(account.quota_bytes()) << ")\n";
  if (!account.aliases().empty()) io.out << "aliases: " << absl::StrJoin(account.aliases(), ", ") << "\n";
  if (generated) io.out << "password: " << password << "\n";
  return absl::OkStatus();
}

absl::Status AccountDel(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::DeleteAccountRequest request;
  request.set_name(inv.args[0]);
  v1::DeleteAccountResponse response;
  if (absl::Status s = Call(stub, &Stub::DeleteAccount, request, &response); !s.ok()) return s;
  io.out << "deleted account " << inv.args[0] << "\n";
  return absl::OkStatus();
}

absl::Status AccountList(const Invocation& inv, Stub& stub, CommandIo& io) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "MESSAGES", "USED", "QUOTA", "ALIASES"}};
  v1::ListAccountsRequest request;
  request.set_limit(1000);
  // Page until an empty page: the store may return fewer than asked for.
  for (;;) {
    v1::ListAccountsResponse response;
    if (absl::Status s = Call(stub, &Stub::ListAccounts, request, &response); !s.ok()) return s;
    if (response.accounts().empty()) break;
    for (const v1::Account& a : response.accounts()) {
      rows.push_back({a.name(), absl::StrCat(a.message_count()), FormatBytes(a.used_bytes()),
                      FormatQuota(a.quota_bytes()), a.aliases().empty() ? "-" : absl::StrJoin(a.aliases(), ",")});
    }
    const std::string& last = response.accounts().rbegin()->name();
    if (last <= request.after()) break;  // a store that ignores `after` must not loop us forever
    request.set_after(last);
  }
  if (rows.size() == 1) {
    io.out << "no accounts\n";
  } else {
    io.out << FormatTable(rows);
  }
  return absl::OkStatus();
}

absl::Status AccountPasswd(const Invocation& inv, Stub& stub, CommandIo& io) {
  std::string password;
  if (inv.HasOption("password")) {
    password = inv.Option("password");
  } else {
    absl::StatusOr<std::string> line = io.read_password();
    if (!line.ok()) return line.status();
    password = *line;
  }
  if (password.empty()) return absl::InvalidArgumentError("the password is empty");
  v1::SetPasswordRequest request;
  request.set_name(inv.args[0]);
  request.set_password(password);
  v1::SetPasswordResponse response;
  if (absl::Status s = Call(stub, &Stub::SetPassword, request, &response); !s.ok()) return s;
  io.out << "password changed for " << inv.args[0] << "\n";
  return absl::OkStatus();
}

absl::Status AccountQuota(const Invocation& inv, Stub& stub, CommandIo& io) {
  absl::StatusOr<uint64_t> quota = Bytes(inv.args[1]);
  if (!quota.ok()) return quota.status();
  v1::SetQuotaRequest request;
  request.set_name(inv.args[0]);
  request.set_quota_bytes(*quota);
  v1::Account account;
  if (absl::Status s = Call(stub, &Stub::SetQuota, request, &account); !s.ok()) return s;
  io.out << "quota of " << account.name() << ": " << QuotaWithExact(account.quota_bytes()) << "; used "
         << FormatBytes(account.used_bytes()) << "\n";
  return absl::OkStatus();
}

// An account's POP3 policy as an operator reads it.
std::string Pop3PolicyText(const v1::Account& a) {
  const std::string days = a.pop3_keep_days() == 0 ? std::string("the store's default number of days")
                                                   : absl::StrCat(a.pop3_keep_days(), " days");
  switch (a.pop3_policy()) {
    case v1::POP3_DELETE:
      return "delete";
    case v1::POP3_KEEP:
      return absl::StrCat("keep (hidden mail kept ", days, ")");
    default:
      if (a.pop3_keep_days() == 0) return "store default";
      return absl::StrCat("store default (under keep, hidden mail kept ", days, ")");
  }
}

absl::Status AccountPop3(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::SetPop3PolicyRequest request;
  request.set_name(inv.args[0]);
  const std::string& policy = inv.args[1];
  request.set_policy(policy == "delete" ? v1::POP3_DELETE
                     : policy == "keep" ? v1::POP3_KEEP
                                        : v1::POP3_POLICY_UNSPECIFIED);
  if (inv.args.size() > 2) {
    absl::StatusOr<uint32_t> days = ParseNumber(inv.args[2]);
    if (!days.ok()) return days.status();
    request.set_keep_days(*days);
  }
  v1::Account account;
  if (absl::Status s = Call(stub, &Stub::SetPop3Policy, request, &account); !s.ok()) return s;
  io.out << "POP3 policy of " << account.name() << ": " << Pop3PolicyText(account) << "\n";
  return absl::OkStatus();
}

absl::Status AccountShow(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::GetAccountRequest request;
  request.set_name(inv.args[0]);
  v1::Account a;
  if (absl::Status s = Call(stub, &Stub::GetAccount, request, &a); !s.ok()) return s;
  io.out << FormatTable({
      {"name:", a.name()},
      {"id:", absl::StrCat(a.id())},
      {"aliases:", a.aliases().empty() ? "-" : absl::StrJoin(a.aliases(), ", ")},
      {"quota:", QuotaWithExact(a.quota_bytes())},
      {"used:", BytesWithExact(a.used_bytes())},
      {"messages:", absl::StrCat(a.message_count())},
      {"created:", FormatTime(a.created_at())},
      {"pop3:", Pop3PolicyText(a)},
  });
  return absl::OkStatus();
}

absl::Status MailboxList(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::ListMailboxesRequest request;
  request.set_account(inv.args[0]);
  v1::ListMailboxesResponse response;
  if (absl::Status s = Call(stub, &Stub::ListMailboxes, request, &response); !s.ok()) return s;
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "SPECIAL-USE", "MESSAGES", "UNSEEN", "SIZE", "UIDVALIDITY", "UIDNEXT"}};
  for (const v1::Mailbox& m : response.mailboxes()) {
    rows.push_back({m.name(), m.special_use().empty() ? "-" : absl::StrCat("\\", m.special_use()),
                    absl::StrCat(m.messages()), absl::StrCat(m.unseen()), FormatBytes(m.size_bytes()),
                    absl::StrCat(m.uid_validity()), absl::StrCat(m.uid_next())});
  }
  io.out << FormatTable(rows);
  return absl::OkStatus();
}

absl::Status MailboxCreate(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::CreateMailboxRequest request;
  request.set_account(inv.args[0]);
  request.set_name(inv.args[1]);
  std::string special_use = inv.Option("special-use");
  if (!special_use.empty() && special_use[0] == '\\') special_use.erase(0, 1);  // "\Sent" as IMAP writes it
  request.set_special_use(special_use);
  v1::Mailbox mailbox;
  if (absl::Status s = Call(stub, &Stub::CreateMailbox, request, &mailbox); !s.ok()) return s;
  io.out << "created mailbox " << mailbox.name() << " for " << inv.args[0] << " (uidvalidity "
         << mailbox.uid_validity() << ")\n";
  return absl::OkStatus();
}

absl::Status MessageList(const Invocation& inv, Stub& stub, CommandIo& io) {
  const std::string mailbox = inv.args.size() > 1 ? inv.args[1] : "INBOX";
  v1::GetMailboxStatusRequest status_request;
  status_request.set_account(inv.args[0]);
  status_request.set_name(mailbox);
  v1::Mailbox status;
  if (absl::Status s = Call(stub, &Stub::GetMailboxStatus, status_request, &status); !s.ok()) return s;

  // UIDs below UIDNEXT in windows, so that no one response grows past what
  // gRPC carries: a window that comes back sparse doubles, one too large to
  // send halves.
  std::vector<std::vector<std::string>> rows = {{"UID", "SIZE", "DATE", "FLAGS"}};
  const uint64_t end = status.uid_next();  // exclusive
  uint64_t first = 1, window = 1024;
  while (first < end) {
    const uint64_t last = std::min(end - 1, first + window - 1);
    v1::FetchMessagesRequest request;
    request.set_account(inv.args[0]);
    request.set_mailbox(mailbox);
    v1::UidRange* range = request.add_uids();
    range->set_first(static_cast<uint32_t>(first));
    range->set_last(static_cast<uint32_t>(last));
    v1::FetchMessagesResponse response;
    absl::Status s = Call(stub, &Stub::FetchMessages, request, &response);
    if (absl::IsResourceExhausted(s) && window > 1) {
      window /= 2;
      continue;
    }
    if (!s.ok()) return s;
    for (const v1::MessageInfo& m : response.messages()) {
      std::vector<std::string> row = {absl::StrCat(m.uid()), absl::StrCat(m.size()), FormatTime(m.internal_date()),
                                      m.flags().empty() ? "-" : absl::StrJoin(m.flags(), " ")};
      if (m.pop3_hidden_at() != 0) row.push_back("pop3-hidden");
      rows.push_back(std::move(row));
    }
    first = last + 1;
    if (response.messages_size() < 256 && window < (uint64_t{1} << 24)) window *= 2;
  }
  if (rows.size() == 1) {
    io.out << "no messages in " << status.name() << "\n";
  } else {
    io.out << FormatTable(rows);
  }
  return absl::OkStatus();
}

// All of a file, byte for byte.
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  return content;
}

absl::Status Deliver(const Invocation& inv, Stub& stub, CommandIo& io) {
  const std::string path = inv.Option("file", "-");
  absl::StatusOr<std::string> content;
  if (path == "-") {
    if (!io.read_input) return absl::InvalidArgumentError("no standard input to read the message from");
    content = io.read_input();
  } else {
    content = ReadFile(path);
  }
  if (!content.ok()) return content.status();
  v1::DeliverRequest request;
  for (const std::string& recipient : inv.args) request.add_recipients(recipient);
  request.set_content(*std::move(content));
  v1::DeliverResponse response;
  if (absl::Status s = Call(stub, &Stub::Deliver, request, &response); !s.ok()) return s;
  int failed = 0;
  for (const v1::RecipientResult& r : response.results()) {
    switch (r.outcome()) {
      case v1::RecipientResult::DELIVERED:
        io.out << "delivered " << r.recipient() << " uid " << r.uid();
        if (!r.account().empty() && r.account() != r.recipient()) io.out << " (account " << r.account() << ")";
        io.out << "\n";
        continue;
      case v1::RecipientResult::UNKNOWN_RECIPIENT:
        io.out << "unknown recipient " << r.recipient() << "\n";
        break;
      case v1::RecipientResult::OVER_QUOTA:
        io.out << "over quota " << r.recipient() << "\n";
        break;
      default:
        io.out << "not delivered " << r.recipient() << "\n";
        break;
    }
    ++failed;
  }
  if (failed > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(failed, " of ", response.results_size(), " recipients not delivered"));
  }
  return absl::OkStatus();
}

absl::Status Backup(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::BackupRequest request;
  request.set_directory(inv.args[0]);
  v1::BackupResponse response;
  if (absl::Status s = Call(stub, &Stub::Backup, request, &response); !s.ok()) return s;
  io.out << (response.directory().empty() ? inv.args[0] : response.directory()) << "\n";
  return absl::OkStatus();
}

absl::Status Stats(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::GetStatsRequest request;
  v1::Stats stats;
  if (absl::Status s = Call(stub, &Stub::GetStats, request, &stats); !s.ok()) return s;
  std::string per_commit =
      stats.commits() == 0
          ? "-"
          : absl::StrFormat("%.2f", static_cast<double>(stats.committed_writes()) / static_cast<double>(stats.commits()));
  io.out << FormatTable({
      {"accounts:", absl::StrCat(stats.accounts())},
      {"deliveries:", absl::StrCat(stats.deliveries())},
      {"blobs:", absl::StrCat(stats.blobs())},
      {"blob bytes:", BytesWithExact(stats.blob_bytes())},
      {"commits:", absl::StrCat(stats.commits())},
      {"committed writes:", absl::StrCat(stats.committed_writes())},
      {"writes per commit:", per_commit},
  });
  return absl::OkStatus();
}

absl::Status DomainAdd(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::Domain request;
  request.set_name(inv.args[0]);
  request.set_catch_all(inv.Option("catch-all"));
  v1::Domain domain;
  if (absl::Status s = Call(stub, &Stub::SetDomain, request, &domain); !s.ok()) return s;
  io.out << "local domain " << domain.name() << ", "
         << (domain.catch_all().empty() ? std::string("no catch-all") : absl::StrCat("catch-all ", domain.catch_all()))
         << "\n";
  return absl::OkStatus();
}

absl::Status DomainList(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::ListDomainsResponse response;
  if (absl::Status s = Call(stub, &Stub::ListDomains, v1::ListDomainsRequest(), &response); !s.ok()) return s;
  if (response.domains().empty()) {
    io.out << "no domains\n";
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows = {{"DOMAIN", "CATCH-ALL"}};
  for (const v1::Domain& d : response.domains()) rows.push_back({d.name(), d.catch_all().empty() ? "-" : d.catch_all()});
  io.out << FormatTable(rows);
  return absl::OkStatus();
}

absl::Status DomainRemove(const Invocation& inv, Stub& stub, CommandIo& io) {
  v1::DeleteDomainRequest request;
  request.set_name(inv.args[0]);
  v1::DeleteDomainResponse response;
  if (absl::Status s = Call(stub, &Stub::DeleteDomain, request, &response); !s.ok()) return s;
  io.out << "removed domain " << inv.args[0] << "\n";
  return absl::OkStatus();
}

std::string Recipients(const v1::OutboundMessage& m) {
  std::vector<std::string> addresses;
  for (const v1::OutboundRecipient& r : m.recipients()) addresses.push_back(r.address());
  return absl::StrJoin(addresses, ",");
}

absl::Status QueueList(const Invocation& inv, Stub& stub, CommandIo& io) {
  const bool content = inv.HasOption("content");
  v1::ListOutboundRequest request;
  request.set_include_content(content);
  // With content, one message per page keeps a response within what gRPC carries.
  request.set_limit(content ? 1 : 1000);
  std::vector<std::vector<std::string>> rows = {{"ID", "QUEUED", "SIZE", "FROM", "TO"}};
  int listed = 0;
  for (;;) {
    v1::ListOutboundResponse response;
    if (absl::Status s = Call(stub, &Stub::ListOutbound, request, &response); !s.ok()) return s;
    if (response.messages().empty()) break;
    for (const v1::OutboundMessage& m : response.messages()) {
      ++listed;
      const std::string from = m.envelope_from().empty() ? "<>" : m.envelope_from();
      if (!content) {
        rows.push_back({m.id(), FormatTime(m.queued_at()), absl::StrCat(m.size()), from, Recipients(m)});
        continue;
      }
      if (listed > 1) io.out << "\n";
      std::vector<std::vector<std::string>> fields = {{"id:", m.id()},
                                                      {"queued:", FormatTime(m.queued_at())},
                                                      {"size:", absl::StrCat(m.size())},
                                                      {"from:", from},
                                                      {"to:", Recipients(m)}};
      // RFC 3461 parameters the relay passes on, when the client gave them.
      if (!m.dsn_ret().empty()) fields.push_back({"ret:", m.dsn_ret()});
      if (!m.dsn_envid().empty()) fields.push_back({"envid:", m.dsn_envid()});
      for (const v1::OutboundRecipient& r : m.recipients()) {
        if (r.dsn_notify().empty() && r.dsn_orcpt().empty()) continue;
        fields.push_back({"notify:", absl::StrCat(r.address(), " NOTIFY=", r.dsn_notify().empty() ? "-" : r.dsn_notify(),
                                                  " ORCPT=", r.dsn_orcpt().empty() ? "-" : r.dsn_orcpt())});
      }
      fields.push_back({"submitter:", m.submitter().empty() ? "-" : m.submitter()});
      io.out << FormatTable(fields)
             << "\n"
             << m.content();
      if (!m.content().empty() && m.content().back() != '\n') io.out << "\n";
    }
    const std::string& last = response.messages().rbegin()->id();
    if (last <= request.after()) break;  // a store that ignores `after` must not loop us forever
    request.set_after(last);
  }
  if (listed == 0) {
    io.out << "queue is empty\n";
  } else if (!content) {
    io.out << FormatTable(rows);
  }
  return absl::OkStatus();
}

struct Handler {
  const char* name;
  absl::Status (*run)(const Invocation&, Stub&, CommandIo&);
};

// One entry per CommandSpec in command_line.cc (commands_test checks both
// tables agree).
constexpr Handler kHandlers[] = {
    {"account add", AccountAdd},       {"account del", AccountDel},       {"account list", AccountList},
    {"account passwd", AccountPasswd}, {"account pop3", AccountPop3},     {"account quota", AccountQuota},
    {"account show", AccountShow},     {"mailbox list", MailboxList},     {"mailbox create", MailboxCreate},
    {"message list", MessageList},     {"deliver", Deliver},              {"backup", Backup},
    {"stats", Stats},                  {"domain add", DomainAdd},         {"domain list", DomainList},
    {"domain remove", DomainRemove},   {"queue list", QueueList},
};

}  // namespace

absl::Status RunCommand(const Invocation& inv, Stub& stub, CommandIo& io) {
  if (inv.command == nullptr) return absl::InvalidArgumentError("no command given");
  for (const Handler& handler : kHandlers) {
    if (inv.command->name == handler.name) return handler.run(inv, stub, io);
  }
  return absl::UnimplementedError(absl::StrCat("command '", inv.command->name, "' has no implementation"));
}

bool HasHandler(const std::string& name) {
  for (const Handler& handler : kHandlers) {
    if (name == handler.name) return true;
  }
  return false;
}

absl::StatusOr<std::string> GeneratePassword(size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kSize = sizeof(kAlphabet) - 1;          // 62
  constexpr unsigned kLimit = 256 - 256 % kSize;             // 248: keeps the draw uniform
  std::string password;
  while (password.size() < length) {
    unsigned char buffer[64];
    if (RAND_bytes(buffer, sizeof(buffer)) != 1) return absl::InternalError("OpenSSL could not make random bytes");
    for (unsigned char b : buffer) {
      if (b < kLimit && password.size() < length) password.push_back(kAlphabet[b % kSize]);
    }
  }
  return password;
}

}  // namespace kurier::kurierctl
