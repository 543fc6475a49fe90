#include "services/mailstore/store_service.h"

#include "absl/strings/str_cat.h"
#include "services/mailstore/status_mapping.h"

namespace kurier::mailstore {
namespace {

// Copies a StatusOr's value into the response, or returns its error.
template <typename T, typename R>
absl::Status Fill(absl::StatusOr<T> result, R* response) {
  if (!result.ok()) return result.status();
  *response = *std::move(result);
  return absl::OkStatus();
}

}  // namespace

StoreService::StoreService(storage::MailStore* store, ThreadPool* pool, Metrics* metrics)
    : store_(store), pool_(pool), metrics_(metrics) {
  metrics_->Describe("kurier_store_rpcs_total", "counter", "Store RPCs finished, by method and status code.");
}

void StoreService::Count(const char* method, const grpc::Status& status) {
  metrics_->Add(absl::StrCat("kurier_store_rpcs_total{method=\"", method, "\",code=\"",
                             static_cast<int>(status.error_code()), "\"}"));
}

ServerUnaryReactor* StoreService::Unary(CallbackServerContext* context, const char* method,
                                        std::function<absl::Status()> work) {
  ServerUnaryReactor* reactor = context->DefaultReactor();
  pool_->Post([this, context, reactor, method, work = std::move(work)] {
    // A call whose client gave up (deadline, cancel) is not started at all.
    grpc::Status status = context->IsCancelled() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                                                 : ToGrpcStatus(work(), method);
    Count(method, status);
    reactor->Finish(status);
  });
  return reactor;
}

ServerUnaryReactor* StoreService::CreateAccount(CallbackServerContext* c, const v1::CreateAccountRequest* q,
                                                v1::Account* r) {
  return Unary(c, "CreateAccount", [=, this] { return Fill(store_->CreateAccount(*q), r); });
}

ServerUnaryReactor* StoreService::DeleteAccount(CallbackServerContext* c, const v1::DeleteAccountRequest* q,
                                                v1::DeleteAccountResponse*) {
  return Unary(c, "DeleteAccount", [=, this] { return store_->DeleteAccount(q->name()); });
}

ServerUnaryReactor* StoreService::GetAccount(CallbackServerContext* c, const v1::GetAccountRequest* q, v1::Account* r) {
  return Unary(c, "GetAccount", [=, this] { return Fill(store_->GetAccount(q->name()), r); });
}

ServerUnaryReactor* StoreService::ListAccounts(CallbackServerContext* c, const v1::ListAccountsRequest* q,
                                               v1::ListAccountsResponse* r) {
  return Unary(c, "ListAccounts", [=, this] { return Fill(store_->ListAccounts(*q), r); });
}

ServerUnaryReactor* StoreService::SetPassword(CallbackServerContext* c, const v1::SetPasswordRequest* q,
                                              v1::SetPasswordResponse*) {
  return Unary(c, "SetPassword", [=, this] { return store_->SetPassword(q->name(), q->password()); });
}

ServerUnaryReactor* StoreService::SetQuota(CallbackServerContext* c, const v1::SetQuotaRequest* q, v1::Account* r) {
  return Unary(c, "SetQuota", [=, this] { return Fill(store_->SetQuota(q->name(), q->quota_bytes()), r); });
}

ServerUnaryReactor* StoreService::SetAliases(CallbackServerContext* c, const v1::SetAliasesRequest* q, v1::Account* r) {
  return Unary(c, "SetAliases", [=, this] {
    return Fill(store_->SetAliases(q->name(), std::vector<std::string>(q->aliases().begin(), q->aliases().end())), r);
  });
}

ServerUnaryReactor* StoreService::ResolveAddress(CallbackServerContext* c, const v1::ResolveAddressRequest* q,
                                                 v1::ResolveAddressResponse* r) {
  return Unary(c, "ResolveAddress", [=, this]() -> absl::Status {
    auto account = store_->ResolveAddress(q->address());
    if (account.ok()) r->set_account(*account);
    // An unknown address is an answer ("no account"), not an error.
    return absl::IsNotFound(account.status()) ? absl::OkStatus() : account.status();
  });
}

ServerUnaryReactor* StoreService::ResolveRecipient(CallbackServerContext* c, const v1::ResolveRecipientRequest* q,
                                                   v1::ResolveRecipientResponse* r) {
  return Unary(c, "ResolveRecipient", [=, this] { return Fill(store_->ResolveRecipient(*q), r); });
}

ServerUnaryReactor* StoreService::VerifyPassword(CallbackServerContext* c, const v1::VerifyPasswordRequest* q,
                                                 v1::VerifyPasswordResponse* r) {
  return Unary(c, "VerifyPassword", [=, this] { return Fill(store_->VerifyPassword(q->name(), q->password()), r); });
}

ServerUnaryReactor* StoreService::ScramStart(CallbackServerContext* c, const v1::ScramStartRequest* q,
                                             v1::ScramStartResponse* r) {
  return Unary(c, "ScramStart", [=, this] { return Fill(store_->ScramStart(q->client_first()), r); });
}

ServerUnaryReactor* StoreService::ScramFinish(CallbackServerContext* c, const v1::ScramFinishRequest* q,
                                              v1::ScramFinishResponse* r) {
  return Unary(c, "ScramFinish", [=, this] { return Fill(store_->ScramFinish(q->exchange_id(), q->client_final()), r); });
}

ServerUnaryReactor* StoreService::SetDomain(CallbackServerContext* c, const v1::Domain* q, v1::Domain* r) {
  return Unary(c, "SetDomain", [=, this] { return Fill(store_->SetDomain(*q), r); });
}

ServerUnaryReactor* StoreService::DeleteDomain(CallbackServerContext* c, const v1::DeleteDomainRequest* q,
                                               v1::DeleteDomainResponse*) {
  return Unary(c, "DeleteDomain", [=, this] { return store_->DeleteDomain(q->name()); });
}

ServerUnaryReactor* StoreService::ForgetIdempotencyKeys(CallbackServerContext* c,
                                                        const v1::ForgetIdempotencyKeysRequest* q,
                                                        v1::ForgetIdempotencyKeysResponse*) {
  return Unary(c, "ForgetIdempotencyKeys", [=, this] {
    return store_->ForgetIdempotencyKeys(q->method(), std::vector<std::string>(q->keys().begin(), q->keys().end()));
  });
}

ServerUnaryReactor* StoreService::ListDomains(CallbackServerContext* c, const v1::ListDomainsRequest*,
                                              v1::ListDomainsResponse* r) {
  return Unary(c, "ListDomains", [=, this] { return Fill(store_->ListDomains(), r); });
}

ServerUnaryReactor* StoreService::ListMailboxes(CallbackServerContext* c, const v1::ListMailboxesRequest* q,
                                                v1::ListMailboxesResponse* r) {
  return Unary(c, "ListMailboxes", [=, this]() -> absl::Status {
    auto mailboxes = store_->ListMailboxes(q->account());
    if (!mailboxes.ok()) return mailboxes.status();
    r->mutable_mailboxes()->Assign(mailboxes->begin(), mailboxes->end());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* StoreService::CreateMailbox(CallbackServerContext* c, const v1::CreateMailboxRequest* q,
                                                v1::Mailbox* r) {
  return Unary(c, "CreateMailbox", [=, this] { return Fill(store_->CreateMailbox(*q), r); });
}

ServerUnaryReactor* StoreService::DeleteMailbox(CallbackServerContext* c, const v1::DeleteMailboxRequest* q,
                                                v1::DeleteMailboxResponse*) {
  return Unary(c, "DeleteMailbox", [=, this] { return store_->DeleteMailbox(q->account(), q->name()); });
}

ServerUnaryReactor* StoreService::RenameMailbox(CallbackServerContext* c, const v1::RenameMailboxRequest* q,
                                                v1::Mailbox* r) {
  return Unary(c, "RenameMailbox", [=, this] { return Fill(store_->RenameMailbox(q->account(), q->from(), q->to()), r); });
}

ServerUnaryReactor* StoreService::SetSubscribed(CallbackServerContext* c, const v1::SetSubscribedRequest* q,
                                                v1::Mailbox* r) {
  return Unary(c, "SetSubscribed",
               [=, this] { return Fill(store_->SetSubscribed(q->account(), q->name(), q->subscribed()), r); });
}

ServerUnaryReactor* StoreService::GetMailboxStatus(CallbackServerContext* c, const v1::GetMailboxStatusRequest* q,
                                                   v1::Mailbox* r) {
  return Unary(c, "GetMailboxStatus", [=, this] { return Fill(store_->GetMailboxStatus(q->account(), q->name()), r); });
}

ServerUnaryReactor* StoreService::Deliver(CallbackServerContext* c, const v1::DeliverRequest* q,
                                          v1::DeliverResponse* r) {
  return Unary(c, "Deliver", [=, this] { return Fill(store_->Deliver(*q), r); });
}

ServerUnaryReactor* StoreService::Append(CallbackServerContext* c, const v1::AppendRequest* q, v1::AppendResponse* r) {
  return Unary(c, "Append", [=, this] { return Fill(store_->Append(*q), r); });
}

ServerUnaryReactor* StoreService::FetchMessages(CallbackServerContext* c, const v1::FetchMessagesRequest* q,
                                                v1::FetchMessagesResponse* r) {
  return Unary(c, "FetchMessages", [=, this] { return Fill(store_->FetchMessages(*q), r); });
}

ServerUnaryReactor* StoreService::ReadMessages(CallbackServerContext* c, const v1::ReadMessagesRequest* q,
                                               v1::ReadMessagesResponse* r) {
  return Unary(c, "ReadMessages", [=, this] { return Fill(store_->ReadMessages(*q), r); });
}

ServerUnaryReactor* StoreService::StoreFlags(CallbackServerContext* c, const v1::StoreFlagsRequest* q,
                                             v1::StoreFlagsResponse* r) {
  return Unary(c, "StoreFlags", [=, this] { return Fill(store_->StoreFlags(*q), r); });
}

ServerUnaryReactor* StoreService::CopyMessages(CallbackServerContext* c, const v1::CopyMessagesRequest* q,
                                               v1::CopyMessagesResponse* r) {
  return Unary(c, "CopyMessages", [=, this] { return Fill(store_->CopyMessages(*q, /*move=*/false), r); });
}

ServerUnaryReactor* StoreService::MoveMessages(CallbackServerContext* c, const v1::CopyMessagesRequest* q,
                                               v1::CopyMessagesResponse* r) {
  return Unary(c, "MoveMessages", [=, this] { return Fill(store_->CopyMessages(*q, /*move=*/true), r); });
}

ServerUnaryReactor* StoreService::Expunge(CallbackServerContext* c, const v1::ExpungeRequest* q,
                                          v1::ExpungeResponse* r) {
  return Unary(c, "Expunge", [=, this] { return Fill(store_->Expunge(*q), r); });
}

ServerUnaryReactor* StoreService::GetChanges(CallbackServerContext* c, const v1::GetChangesRequest* q,
                                             v1::GetChangesResponse* r) {
  return Unary(c, "GetChanges", [=, this] { return Fill(store_->GetChanges(*q), r); });
}

ServerUnaryReactor* StoreService::ListOutbound(CallbackServerContext* c, const v1::ListOutboundRequest* q,
                                               v1::ListOutboundResponse* r) {
  return Unary(c, "ListOutbound", [=, this] { return Fill(store_->ListOutbound(*q), r); });
}

ServerUnaryReactor* StoreService::AcquireLease(CallbackServerContext* c, const v1::AcquireLeaseRequest* q,
                                               v1::Lease* r) {
  return Unary(c, "AcquireLease", [=, this] { return Fill(store_->AcquireLease(*q), r); });
}

ServerUnaryReactor* StoreService::RenewLease(CallbackServerContext* c, const v1::RenewLeaseRequest* q, v1::Lease* r) {
  return Unary(c, "RenewLease", [=, this] { return Fill(store_->RenewLease(*q), r); });
}

ServerUnaryReactor* StoreService::ReleaseLease(CallbackServerContext* c, const v1::ReleaseLeaseRequest* q,
                                               v1::ReleaseLeaseResponse*) {
  return Unary(c, "ReleaseLease", [=, this] { return store_->ReleaseLease(*q); });
}

ServerUnaryReactor* StoreService::Pop3Commit(CallbackServerContext* c, const v1::Pop3CommitRequest* q,
                                             v1::Pop3CommitResponse* r) {
  return Unary(c, "Pop3Commit", [=, this] { return Fill(store_->Pop3Commit(*q), r); });
}

ServerUnaryReactor* StoreService::SetPop3Policy(CallbackServerContext* c, const v1::SetPop3PolicyRequest* q,
                                                v1::Account* r) {
  return Unary(c, "SetPop3Policy", [=, this] { return Fill(store_->SetPop3Policy(*q), r); });
}

ServerUnaryReactor* StoreService::Backup(CallbackServerContext* c, const v1::BackupRequest* q, v1::BackupResponse* r) {
  return Unary(c, "Backup", [=, this]() -> absl::Status {
    if (absl::Status s = store_->Backup(q->directory()); !s.ok()) return s;
    r->set_directory(q->directory());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* StoreService::GetStats(CallbackServerContext* c, const v1::GetStatsRequest*, v1::Stats* r) {
  return Unary(c, "GetStats", [=, this] { return Fill(store_->GetStats(), r); });
}

}  // namespace kurier::mailstore
