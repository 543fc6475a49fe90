// Registers a session with the ConnectionTracker for its lifetime, in the
// way ConnectionTracker asks (a quick callback that only posts): on
// shutdown, the session's `on_shutdown` member runs on its own executor,
// unless the session is gone by then.
#ifndef KURIER_SERVICES_COMMON_NET_SESSION_SHUTDOWN_H_
#define KURIER_SERVICES_COMMON_NET_SESSION_SHUTDOWN_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>

#include "services/common/net/connection_tracker.h"

namespace kurier::net {

// `on_shutdown` may be private: the session passes &Session::OnShutdown.
template <typename Session>
std::unique_ptr<ConnectionTracker::Registration> RegisterForShutdown(ConnectionTracker& tracker,
                                                                     boost::asio::any_io_executor executor,
                                                                     std::weak_ptr<Session> session,
                                                                     void (Session::*on_shutdown)()) {
  return tracker.Register([session = std::move(session), executor, on_shutdown] {
    boost::asio::post(executor, [session, on_shutdown] {
      if (std::shared_ptr<Session> live = session.lock()) ((*live).*on_shutdown)();
    });
  });
}

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_SESSION_SHUTDOWN_H_
