// Awaiting gRPC calls from Asio coroutines.
//
// A call is started with gRPC's callback API; its completion, which arrives
// on a gRPC thread, is posted back to the awaiting coroutine's executor, so
// session code never runs on gRPC threads and never blocks its own. The
// request, response and ClientContext live in a shared Call that the
// callback holds, so a coroutine that goes away mid-call leaves nothing
// dangling; the Call is always released on the executor, never on a gRPC
// thread.
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_GRPC_AWAIT_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_GRPC_AWAIT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/async_result.hpp"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace kurier::store_client {

// gRPC and Abseil share the canonical status codes.
inline absl::Status ToAbslStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// Runs `start(context, request, response, done)` and awaits `done`.
// `start` calls a method of a stub's async() interface.
template <typename Response, typename Request, typename Start>
boost::asio::awaitable<absl::StatusOr<Response>> AwaitUnary(Request request, std::chrono::milliseconds deadline,
                                                            Start start) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
  };
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->context.set_deadline(std::chrono::system_clock::now() + deadline);

  grpc::Status status = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                                             void(grpc::Status)>(
      [&](auto handler) {
        // std::function needs a copyable callable; the handler is move-only.
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        start(&call->context, &call->request, &call->response,
              [call, shared_handler](grpc::Status done) mutable {
                auto executor = boost::asio::get_associated_executor(*shared_handler);
                // The Call goes with the completion: its ClientContext holds
                // the channel, and dropping a channel's last reference on a
                // gRPC callback thread shuts down the queue that thread
                // serves (gRPC 1.51 then aborts in grpc_cq_internal_unref).
                boost::asio::post(executor, [shared_handler, call = std::move(call), done = std::move(done)]() mutable {
                  std::move (*shared_handler)(std::move(done));
                });
              });
      },
      boost::asio::use_awaitable);
  if (!status.ok()) co_return ToAbslStatus(status);
  co_return std::move(call->response);
}

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_GRPC_AWAIT_H_
