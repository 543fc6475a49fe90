// The HTTP/2 keepalive contract between StoreClient channels and the
// mailstore server, in one place so that the two sides agree.
//
// Why: a store host that vanishes without FIN or RST (network partition,
// frozen VM) leaves an idle connection open for as long as the kernel's TCP
// timeouts allow (hours when nothing is being sent). The long-lived Watch
// streams of the change feed (IMAP IDLE) would then wait forever. A client
// pings each channel after `time` without traffic and closes it when the
// ping is not answered within `timeout`; its streams end with UNAVAILABLE
// and the feed reconnects. The store pings its clients too, so it frees the
// streams of a client that vanished.
//
// gRPC servers answer pings that come more often than their "minimum
// interval" with GOAWAY "too_many_pings", which would close every stream of
// the channel: the store accepts pings at kServerMinPingInterval, half the
// smallest client interval, so network jitter never counts as a strike.
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_KEEPALIVE_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_KEEPALIVE_H_

#include <chrono>

namespace kurier::store_client {

// The keepalive of a StoreClient's channels: a ping after `time` without
// traffic, and the channel closed when the ping is not answered within
// `timeout`, with or without calls in flight. A store that vanished silently
// is noticed after about time + timeout; the calls and streams on the
// channel end with UNAVAILABLE. Values below kMinKeepaliveTime and
// kMinKeepaliveTimeout are raised to them.
struct ChannelKeepalive {
  std::chrono::milliseconds time{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

// The shortest ping interval and ping timeout a StoreClient uses; shorter
// ones given to it are raised to these.
inline constexpr std::chrono::milliseconds kMinKeepaliveTime{1000};
inline constexpr std::chrono::milliseconds kMinKeepaliveTimeout{1000};

// The shortest interval between a client's pings, without data sent in
// between, that the mailstore accepts. Must stay below kMinKeepaliveTime.
inline constexpr std::chrono::milliseconds kServerMinPingInterval{500};
static_assert(kServerMinPingInterval < kMinKeepaliveTime, "the store must accept the fastest client pings");

// The mailstore's own pings to its clients.
inline constexpr std::chrono::milliseconds kServerKeepaliveTime{60000};
inline constexpr std::chrono::milliseconds kServerKeepaliveTimeout{20000};

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_KEEPALIVE_H_
