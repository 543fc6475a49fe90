#include "tools/kurierctl/commands.h"

#include <openssl/rand.h>

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

struct Handler {
  const char* name;
  absl::Status (*run)(const Invocation&, Stub&, CommandIo&);
};

// One entry per CommandSpec in command_line.cc (commands_test checks both
// tables agree).
constexpr Handler kHandlers[] = {
    {"account add", AccountAdd},       {"account del", AccountDel},     {"account list", AccountList},
    {"account passwd", AccountPasswd}, {"account quota", AccountQuota}, {"account show", AccountShow},
    {"mailbox list", MailboxList},     {"mailbox create", MailboxCreate}, {"backup", Backup},
    {"stats", Stats},
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
