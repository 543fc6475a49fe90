// ChangeFeed: the live changes of many accounts for one protocol server, over
// one stream per mailstore shard instead of one per session. An IMAP server
// with 10,000 sessions in IDLE holds one Watch{all_accounts} stream per shard
// and a small subscription per session.
//
// Streams. A shard's stream opens when its first subscriber comes and stays
// open when the last one leaves (sessions come and go all the time; one idle
// stream per shard costs less than closing and reopening it, and the store
// sends a shard's changes once whatever the number of subscribers). When a
// stream ends (store restart, RESOURCE_EXHAUSTED because this process fell
// behind, network) while the shard has subscribers, it is reopened after
// 200 ms, doubling up to 5 s; the delay starts again at 200 ms once a stream
// has stayed up for 5 s. A shard whose stream ends without subscribers stays
// closed until the next Subscribe.
//
// Guarantees. A stream is "live" once the store has answered it with its
// initial metadata, which the store sends after it started listening.
//   - A subscription made while its shard's stream is live gets, through
//     on_change, every change of its account committed after Subscribe
//     returned (and maybe a few committed just before), in commit order,
//     until on_gap.
//   - Otherwise (the stream is opening, reconnecting or broken), on_gap is
//     called once the stream is live again. Every subscriber of the shard
//     gets it then: those that subscribed meanwhile and those whose stream
//     broke. After on_gap, the same holds as after a live Subscribe: every
//     change committed after on_gap was called comes through on_change.
// So a session subscribes, then reads the state it shows (or, after on_gap,
// resynchronises: GetChanges from its highest MODSEQ, or re-lists); nothing
// committed after that read starts is missed. on_gap says nothing about
// whether changes were really lost; it is also called after the first
// stream of a shard opens.
//
// Threads. Callbacks run on gRPC threads and must not block: a session posts
// to its own executor. The callbacks of one shard (hence of one subscription)
// never run concurrently. Everything else is thread-safe.
//
// Memory per subscription, measured on x86-64 with glibc and libstdc++
// (malloc chunks): the Subscription (32 bytes, a 48-byte chunk); its Entry in
// one make_shared block (112 + 16 bytes, a 144-byte chunk) holding the name,
// the shard and the Listener (two std::functions, 32 bytes each); the map slot
// (56 bytes + 1 control byte, 65 to 130 bytes at the table's 7/16 to 7/8 load;
// 93 at 10,000 accounts); and for a name of 16 bytes or more two heap copies
// (Entry and map key, 48 bytes each for a 30-byte name). About 380 bytes for
// a 30-byte name, plus whatever the functions capture beyond their 16 inline
// bytes, and 16 bytes more while on_gap is being dispatched.
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_CHANGE_FEED_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_CHANGE_FEED_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "proto/kurier/store/v1/store.pb.h"
#include "services/common/store_client/store_client.h"

namespace kurier::store_client {

class ChangeFeed {
  // Defined in change_feed.cc: the state the streams and subscriptions share
  // (it outlives the feed while subscriptions do), one subscription's
  // listener, and one shard's stream.
  class Core;
  struct Entry;
  class Stream;

 public:
  // Uses client->router() to find an account's shard and client->StubAt(i)
  // for the streams. The client must outlive the feed: the streams' calls are
  // released while its channels still hold them (see grpc_await.h).
  explicit ChangeFeed(StoreClient* client);
  // Cancels the streams and waits until each has ended and no callback runs
  // or will run. Subscriptions may outlive the feed: they get no more
  // callbacks, and destroying them stays safe.
  ~ChangeFeed();

  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  struct Listener {
    // A live change of the account (Change.account is the account). Called on
    // a gRPC thread; must not block. May be empty.
    std::function<void(const v1::Change&)> on_change;
    // Changes of the account may have been missed, and the shard's stream is
    // live now: resynchronise, and nothing committed after that started is
    // missed. Called on a gRPC thread; must not block. May be empty.
    std::function<void()> on_gap;
  };

  // Ends the subscription when destroyed, from any thread: when the
  // destructor returns, no callback of it runs or will run. Destroyed from
  // within its own callback, it returns at once and its listener's functions
  // are destroyed on that thread after the callback returns. Do not destroy a
  // subscription from the callback of another shard's subscription (the two
  // destructors could wait for each other); post it to an executor instead.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    friend class ChangeFeed;
    Subscription(std::shared_ptr<Core> core, std::shared_ptr<Entry> entry);

    std::shared_ptr<Core> core_;
    std::shared_ptr<Entry> entry_;
  };

  // Calls `listener` with the live changes of `account`, which must be the
  // canonical name as VerifyPassword or ScramFinish return it (the store's
  // Change.account; ASCII case and surrounding spaces are ignored). Opens the
  // shard's stream if it is not open; see the guarantees above.
  std::unique_ptr<Subscription> Subscribe(const std::string& account, Listener listener);

 private:
  std::shared_ptr<Core> core_;
  // Opens and reopens the streams (never from a gRPC callback or under a lock).
  std::thread opener_;
};

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_CHANGE_FEED_H_
