// Helpers for the connection core's tests: temporary directories, a client
// io_context run with a time limit, and small client-side I/O helpers
// (clients may throw: they are test code).
#ifndef KURIER_SERVICES_COMMON_NET_NET_TEST_UTIL_H_
#define KURIER_SERVICES_COMMON_NET_NET_TEST_UTIL_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/as_tuple.hpp>

namespace kurier::net::testing {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Duration = std::chrono::steady_clock::duration;

// A fresh directory under TEST_TMPDIR (or /tmp).
std::string MakeTempDir();

// Runs make() as a coroutine on a fresh io_context for at most `limit`; a
// client that does not finish in time fails the test. Exceptions from the
// client are rethrown.
void RunClient(const std::function<asio::awaitable<void>()>& make,
               Duration limit = std::chrono::seconds(20));

// Connects to 127.0.0.1:port, optionally from `bind_ip` (127.0.0.x).
asio::awaitable<tcp::socket> Connect(int port, const std::string& bind_ip = "");

// One line without its CRLF; on error "<error: message>".
template <typename S>
asio::awaitable<std::string> ReadLine(S& s, std::string& buf) {
  auto [ec, n] = co_await asio::async_read_until(s, asio::dynamic_buffer(buf), "\r\n",
                                                 asio::as_tuple(asio::use_awaitable));
  if (ec) co_return "<error: " + ec.message() + ">";
  std::string line = buf.substr(0, n - 2);
  buf.erase(0, n);
  co_return line;
}

template <typename S>
asio::awaitable<void> WriteText(S& s, std::string text) {
  co_await asio::async_write(s, asio::buffer(text), asio::use_awaitable);
}

// Reads until the connection ends; returns what came and why it ended
// ("eof", "reset", a message).
template <typename S>
asio::awaitable<std::pair<std::string, std::string>> ReadToEnd(S& s, std::string& buf) {
  char chunk[4096];
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    buf.append(chunk, n);
    if (ec) {
      std::string why = ec == asio::error::eof                ? "eof"
                        : ec == asio::error::connection_reset ? "reset"
                        : ec == asio::ssl::error::stream_truncated ? "eof"
                                                                 : ec.message();
      co_return std::pair{std::move(buf), why};
    }
  }
}

// A client context trusting exactly `ca_file`.
std::shared_ptr<asio::ssl::context> VerifyingClientContext(const std::string& ca_file);
// Before the handshake: verify the peer for this host name or IP address.
void ExpectPeerName(SSL* ssl, const std::string& name);
// SHA-256 of the peer's certificate / of the (first) certificate in a file.
std::string PeerFingerprint(SSL* ssl);
std::string FileFingerprint(const std::string& cert_path);

// Polls `cond` every few milliseconds (on the calling thread) for up to
// `limit`; true when it became true.
bool WaitFor(const std::function<bool()>& cond, Duration limit = std::chrono::seconds(10));

}  // namespace kurier::net::testing

#endif  // KURIER_SERVICES_COMMON_NET_NET_TEST_UTIL_H_
