// The gRPC face of the store (kurier.store.v1.MailStore) over the callback
// API. Every handler hands its work to a worker pool, because store calls
// block on RocksDB and on group commit; gRPC's own threads only move bytes.
#ifndef KURIER_SERVICES_MAILSTORE_STORE_SERVICE_H_
#define KURIER_SERVICES_MAILSTORE_STORE_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "proto/kurier/store/v1/store.grpc.pb.h"
#include "services/common/metrics/metrics.h"
#include "services/common/thread_pool/thread_pool.h"
#include "storage/mail_store.h"

namespace kurier::mailstore {

namespace v1 = ::kurier::store::v1;
using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

class StoreService final : public v1::MailStore::CallbackService {
 public:
  // store, pool and metrics must outlive the service.
  StoreService(storage::MailStore* store, ThreadPool* pool, Metrics* metrics);

  ServerUnaryReactor* CreateAccount(CallbackServerContext*, const v1::CreateAccountRequest*, v1::Account*) override;
  ServerUnaryReactor* DeleteAccount(CallbackServerContext*, const v1::DeleteAccountRequest*,
                                    v1::DeleteAccountResponse*) override;
  ServerUnaryReactor* GetAccount(CallbackServerContext*, const v1::GetAccountRequest*, v1::Account*) override;
  ServerUnaryReactor* ListAccounts(CallbackServerContext*, const v1::ListAccountsRequest*,
                                   v1::ListAccountsResponse*) override;
  ServerUnaryReactor* SetPassword(CallbackServerContext*, const v1::SetPasswordRequest*,
                                  v1::SetPasswordResponse*) override;
  ServerUnaryReactor* SetQuota(CallbackServerContext*, const v1::SetQuotaRequest*, v1::Account*) override;
  ServerUnaryReactor* SetAliases(CallbackServerContext*, const v1::SetAliasesRequest*, v1::Account*) override;
  ServerUnaryReactor* ResolveAddress(CallbackServerContext*, const v1::ResolveAddressRequest*,
                                     v1::ResolveAddressResponse*) override;
  ServerUnaryReactor* ResolveRecipient(CallbackServerContext*, const v1::ResolveRecipientRequest*,
                                       v1::ResolveRecipientResponse*) override;
  ServerUnaryReactor* VerifyPassword(CallbackServerContext*, const v1::VerifyPasswordRequest*,
                                     v1::VerifyPasswordResponse*) override;
  ServerUnaryReactor* ScramStart(CallbackServerContext*, const v1::ScramStartRequest*, v1::ScramStartResponse*) override;
  ServerUnaryReactor* ScramFinish(CallbackServerContext*, const v1::ScramFinishRequest*,
                                  v1::ScramFinishResponse*) override;
  ServerUnaryReactor* SetDomain(CallbackServerContext*, const v1::Domain*, v1::Domain*) override;
  ServerUnaryReactor* DeleteDomain(CallbackServerContext*, const v1::DeleteDomainRequest*,
                                   v1::DeleteDomainResponse*) override;
  ServerUnaryReactor* ListDomains(CallbackServerContext*, const v1::ListDomainsRequest*,
                                  v1::ListDomainsResponse*) override;
  ServerUnaryReactor* ForgetIdempotencyKeys(CallbackServerContext*, const v1::ForgetIdempotencyKeysRequest*,
                                            v1::ForgetIdempotencyKeysResponse*) override;
  ServerUnaryReactor* ListMailboxes(CallbackServerContext*, const v1::ListMailboxesRequest*,
                                    v1::ListMailboxesResponse*) override;
  ServerUnaryReactor* CreateMailbox(CallbackServerContext*, const v1::CreateMailboxRequest*, v1::Mailbox*) override;
  ServerUnaryReactor* DeleteMailbox(CallbackServerContext*, const v1::DeleteMailboxRequest*,
                                    v1::DeleteMailboxResponse*) override;
  ServerUnaryReactor* RenameMailbox(CallbackServerContext*, const v1::RenameMailboxRequest*, v1::Mailbox*) override;
  ServerUnaryReactor* SetSubscribed(CallbackServerContext*, const v1::SetSubscribedRequest*, v1::Mailbox*) override;
  ServerUnaryReactor* GetMailboxStatus(CallbackServerContext*, const v1::GetMailboxStatusRequest*,
                                       v1::Mailbox*) override;
  ServerUnaryReactor* Deliver(CallbackServerContext*, const v1::DeliverRequest*, v1::DeliverResponse*) override;
  ServerUnaryReactor* Append(CallbackServerContext*, const v1::AppendRequest*, v1::AppendResponse*) override;
  ServerUnaryReactor* FetchMessages(CallbackServerContext*, const v1::FetchMessagesRequest*,
                                    v1::FetchMessagesResponse*) override;
  grpc::ServerWriteReactor<v1::ReadMessageChunk>* ReadMessage(CallbackServerContext*,
                                                              const v1::ReadMessageRequest*) override;
  ServerUnaryReactor* ReadMessages(CallbackServerContext*, const v1::ReadMessagesRequest*,
                                   v1::ReadMessagesResponse*) override;
  ServerUnaryReactor* StoreFlags(CallbackServerContext*, const v1::StoreFlagsRequest*, v1::StoreFlagsResponse*) override;
  ServerUnaryReactor* CopyMessages(CallbackServerContext*, const v1::CopyMessagesRequest*,
                                   v1::CopyMessagesResponse*) override;
  ServerUnaryReactor* MoveMessages(CallbackServerContext*, const v1::CopyMessagesRequest*,
                                   v1::CopyMessagesResponse*) override;
  ServerUnaryReactor* Expunge(CallbackServerContext*, const v1::ExpungeRequest*, v1::ExpungeResponse*) override;
  ServerUnaryReactor* GetChanges(CallbackServerContext*, const v1::GetChangesRequest*,
                                 v1::GetChangesResponse*) override;
  grpc::ServerWriteReactor<v1::Change>* Watch(CallbackServerContext*, const v1::WatchRequest*) override;
  ServerUnaryReactor* ListOutbound(CallbackServerContext*, const v1::ListOutboundRequest*,
                                   v1::ListOutboundResponse*) override;
  ServerUnaryReactor* AcquireLease(CallbackServerContext*, const v1::AcquireLeaseRequest*, v1::Lease*) override;
  ServerUnaryReactor* RenewLease(CallbackServerContext*, const v1::RenewLeaseRequest*, v1::Lease*) override;
  ServerUnaryReactor* ReleaseLease(CallbackServerContext*, const v1::ReleaseLeaseRequest*,
                                   v1::ReleaseLeaseResponse*) override;
  ServerUnaryReactor* Pop3Commit(CallbackServerContext*, const v1::Pop3CommitRequest*,
                                 v1::Pop3CommitResponse*) override;
  ServerUnaryReactor* SetPop3Policy(CallbackServerContext*, const v1::SetPop3PolicyRequest*, v1::Account*) override;
  ServerUnaryReactor* Backup(CallbackServerContext*, const v1::BackupRequest*, v1::BackupResponse*) override;
  ServerUnaryReactor* GetStats(CallbackServerContext*, const v1::GetStatsRequest*, v1::Stats*) override;

 private:
  // Runs work on the pool and finishes the call with its status.
  ServerUnaryReactor* Unary(CallbackServerContext* context, const char* method, std::function<absl::Status()> work);
  void Count(const char* method, const grpc::Status& status);

  storage::MailStore* const store_;
  ThreadPool* const pool_;
  Metrics* const metrics_;
};

}  // namespace kurier::mailstore

#endif  // KURIER_SERVICES_MAILSTORE_STORE_SERVICE_H_
