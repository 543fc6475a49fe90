// Listener + Stream end to end: an IoPool serving a small line protocol on
// loopback port 0, driven by Asio clients (plain and OpenSSL) in the test.
#include "services/common/net/listener.h"

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "gtest/gtest.h"
#include "services/common/net/connection_tracker.h"
#include "services/common/net/io_pool.h"
#include "services/common/net/net_test_util.h"
#include "services/common/net/tls_context.h"
#include "services/common/net/tls_reload.h"

namespace kurier::net {
namespace {

using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::seconds;
using tcp = asio::ip::tcp;
using testing::Connect;
using testing::ReadLine;
using testing::ReadToEnd;
using testing::RunClient;
using testing::WriteText;
using TlsClient = asio::ssl::stream<tcp::socket>;

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    kurier::config::v1::TlsConfig tls;
    tls.set_self_signed_dir(dir_ + "/tls");
    auto provider = TlsContextProvider::Create(tls, "localhost");
    ASSERT_TRUE(provider.ok()) << provider.status();
    tls_ = *std::move(provider);
    pool_ = std::make_unique<IoPool>(2);
    pool_->Start();
  }

  void TearDown() override {
    listeners_.clear();
    if (pool_) {
      pool_->Stop();
      pool_->Join();
      pool_.reset();
    }
  }

  // The test protocol: greeting, then one reply per CRLF line. STARTTLS,
  // INFO, QUIT, THROW; anything else is echoed. Registers with tracker_.
  static asio::awaitable<void> Session(ListenerTest* t, TlsContextProvider* tls, Stream stream,
                                       ConnectionInfo info) {
    auto registration = t->tracker_.Register([control = stream.control()] { control.Interrupt(); });
    std::string greeting = "+OK ready " + info.listener_name + (stream.is_tls() ? " tls" : "") + "\r\n";
    if (co_await stream.WriteAll(greeting, seconds(5))) co_return;
    std::string pending;
    char buf[512];
    for (;;) {
      auto [ec, n] = co_await stream.ReadSome(asio::buffer(buf), t->read_timeout_);
      if (ec == asio::error::timed_out) {
        t->read_timeouts_++;
        co_await stream.WriteAll("-ERR idle timeout\r\n", seconds(1));
        break;
      }
      if (ec == asio::error::interrupted) {
        t->interrupts_++;
        co_await stream.WriteAll("-ERR server shutting down\r\n", seconds(1));
        break;
      }
      if (ec) co_return;
      pending.append(buf, n);
      for (size_t eol; (eol = pending.find("\r\n")) != std::string::npos;) {
        std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 2);
        std::string reply;
        if (line == "STARTTLS") {
          if (co_await stream.WriteAll("+OK begin TLS\r\n", seconds(5))) co_return;
          pending.clear();  // RFC 2595: nothing read before the handshake counts
          if (co_await stream.StartTls(tls->Current(), seconds(5))) co_return;
          continue;
        } else if (line == "INFO") {
          reply = "+OK " + stream.tls_version() + " " + stream.tls_cipher() + " " + info.remote_ip.to_string();
        } else if (line == "QUIT") {
          co_await stream.WriteAll("+OK bye\r\n", seconds(5));
          co_await stream.Close(seconds(2));
          co_return;
        } else if (line == "THROW") {
          throw std::runtime_error("session blew up");
        } else {
          reply = "+OK " + line;
        }
        if (co_await stream.WriteAll(reply + "\r\n", seconds(5))) co_return;
      }
    }
    co_await stream.Close(seconds(2));
  }

  static asio::awaitable<void> Reject(Stream stream, ConnectionInfo info) {
    std::string why = info.limit_hit == LimitKind::kPerIp ? "from your address" : "in total";
    co_await stream.WriteAll("-ERR [SYS/TEMP] too many connections " + why + "\r\n", seconds(1));
    co_await stream.Close(seconds(1));
  }

  Listener* StartListener(const std::string& name, bool implicit_tls, ConnectionLimits* limits = nullptr,
                          TlsContextProvider* tls = nullptr) {
    if (tls == nullptr) tls = tls_.get();
    Listener::Options options;
    options.name = name;
    options.address = "127.0.0.1:0";
    options.implicit_tls = implicit_tls;
    options.tls_handshake_timeout = seconds(2);
    auto listener = Listener::Bind(
        pool_.get(), options, limits, tls,
        [this, tls](Stream s, ConnectionInfo i) { return Session(this, tls, std::move(s), std::move(i)); },
        [](Stream s, ConnectionInfo i) { return Reject(std::move(s), std::move(i)); });
    EXPECT_TRUE(listener.ok()) << listener.status();
    if (!listener.ok()) return nullptr;
    (*listener)->Start();
    listeners_.push_back(*std::move(listener));
    return listeners_.back().get();
  }

  // A TLS client that verifies the server against `ca_file` for `name`.
  static asio::awaitable<std::unique_ptr<TlsClient>> TlsConnect(int port, asio::ssl::context& ctx,
                                                                const std::string& name,
                                                                const std::string& bind_ip = "") {
    auto client = std::make_unique<TlsClient>(co_await Connect(port, bind_ip), ctx);
    testing::ExpectPeerName(client->native_handle(), name);
    co_await client->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return client;
  }

  static asio::awaitable<void> Sleep(Duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
  }

  // Waits (on the client's io_context) until cond() holds.
  static asio::awaitable<bool> Until(std::function<bool()> cond, Duration limit = seconds(10)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
      if (std::chrono::steady_clock::now() > end) co_return false;
      co_await Sleep(milliseconds(5));
    }
    co_return true;
  }

  std::string dir_;
  std::unique_ptr<TlsContextProvider> tls_;
  ConnectionTracker tracker_;
  std::unique_ptr<IoPool> pool_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  Duration read_timeout_ = seconds(30);
  std::atomic<int> read_timeouts_{0};
  std::atomic<int> interrupts_{0};
};

TEST_F(ListenerTest, PlainEcho) {
  Listener* l = StartListener("pop3", false);
  ASSERT_NE(l, nullptr);
  EXPECT_GT(l->port(), 0);
  RunClient([&]() -> asio::awaitable<void> {
    tcp::socket s = co_await Connect(l->port());
    std::string buf;
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK ready pop3");
    co_await WriteText(s, "HELLO\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK HELLO");
    // Two lines at once, then one split in three.
    co_await WriteText(s, "ONE\r\nTWO\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK ONE");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK TWO");
    co_await WriteText(s, "TH");
    co_await Sleep(milliseconds(20));
    co_await WriteText(s, "REE\r");
    co_await Sleep(milliseconds(20));
    co_await WriteText(s, "\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK THREE");
    co_await WriteText(s, "INFO\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK   127.0.0.1");  // plain: no TLS version or cipher
    co_await WriteText(s, "QUIT\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK bye");
    auto [rest, why] = co_await ReadToEnd(s, buf);
    EXPECT_EQ(rest, "");
    EXPECT_EQ(why, "eof");
  });
  EXPECT_EQ(l->stats().accepted, 1u);
}

TEST_F(ListenerTest, ManyConcurrentClients) {
  Listener* l = StartListener("pop3", false);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    std::vector<tcp::socket> sockets;
    std::vector<std::string> bufs(50);
    for (int i = 0; i < 50; ++i) sockets.push_back(co_await Connect(l->port()));
    for (int i = 0; i < 50; ++i) EXPECT_EQ(co_await ReadLine(sockets[i], bufs[i]), "+OK ready pop3");
    for (int i = 0; i < 50; ++i) co_await WriteText(sockets[i], "N" + std::to_string(i) + "\r\n");
    for (int i = 0; i < 50; ++i) EXPECT_EQ(co_await ReadLine(sockets[i], bufs[i]), "+OK N" + std::to_string(i));
  });
}

TEST_F(ListenerTest, ImplicitTlsVerifiesTheSelfSignedCertificate) {
  Listener* l = StartListener("pop3s", true);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    // For the host name "localhost" and for the address 127.0.0.1.
    for (const char* name : {"localhost", "127.0.0.1"}) {
      auto c = co_await TlsConnect(l->port(), *ctx, name);
      std::string buf;
      EXPECT_EQ(co_await ReadLine(*c, buf), "+OK ready pop3s tls");
      co_await WriteText(*c, "INFO\r\n");
      std::string info = co_await ReadLine(*c, buf);
      EXPECT_EQ(info.rfind("+OK TLSv1.3 TLS_", 0), 0u) << info;
      EXPECT_EQ(testing::PeerFingerprint(c->native_handle()), testing::FileFingerprint(tls_->cert_path()));
      co_await WriteText(*c, "QUIT\r\n");
      EXPECT_EQ(co_await ReadLine(*c, buf), "+OK bye");
    }
    // The verification is real: another name fails.
    auto s = std::make_unique<TlsClient>(co_await Connect(l->port()), *ctx);
    testing::ExpectPeerName(s->native_handle(), "mail.example.test");
    auto [ec] = co_await s->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
  });
}

TEST_F(ListenerTest, Tls12ClientGetsAnAeadCipher) {
  Listener* l = StartListener("pop3s", true);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    SSL_CTX_set_max_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    auto c = co_await TlsConnect(l->port(), *ctx, "localhost");
    std::string buf;
    EXPECT_EQ(co_await ReadLine(*c, buf), "+OK ready pop3s tls");
    co_await WriteText(*c, "INFO\r\n");
    EXPECT_EQ(co_await ReadLine(*c, buf), "+OK TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 127.0.0.1");
  });
}

TEST_F(ListenerTest, StartTlsUpgradesInPlace) {
  Listener* l = StartListener("pop3", false);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    tcp::socket s = co_await Connect(l->port());
    std::string buf;
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK ready pop3");
    co_await WriteText(s, "BEFORE\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK BEFORE");
    co_await WriteText(s, "STARTTLS\r\n");
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK begin TLS");
    EXPECT_EQ(buf, "");
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    asio::ssl::stream<tcp::socket&> tls(s, *ctx);
    testing::ExpectPeerName(tls.native_handle(), "localhost");
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_await WriteText(tls, "INFO\r\n");
    std::string info = co_await ReadLine(tls, buf);
    EXPECT_EQ(info.rfind("+OK TLSv1.3 ", 0), 0u) << info;
    co_await WriteText(tls, "AFTER\r\n");
    EXPECT_EQ(co_await ReadLine(tls, buf), "+OK AFTER");
    co_await WriteText(tls, "QUIT\r\n");
    EXPECT_EQ(co_await ReadLine(tls, buf), "+OK bye");
  });
}

TEST_F(ListenerTest, Tls11ClientIsRefused) {
  Listener* l = StartListener("pop3s", true);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    // A client that really offers TLS 1.1 only (lifting the system's
    // minimum and security level, so that the refusal is the server's).
    asio::ssl::context old(asio::ssl::context::tls_client);
    SSL_CTX_set_security_level(old.native_handle(), 0);
    SSL_CTX_set_min_proto_version(old.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(old.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(old.native_handle(), "ALL:@SECLEVEL=0");
    TlsClient c(co_await Connect(l->port()), old);
    auto [ec] = co_await c.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    // The server answered with a protocol_version alert.
    EXPECT_NE(ec.message().find("protocol version"), std::string::npos) << ec.message();
    EXPECT_TRUE(co_await Until([&] { return l->stats().handshake_failures == 1; }));
    // And still serves a modern client.
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    auto good = co_await TlsConnect(l->port(), *ctx, "localhost");
    std::string buf;
    EXPECT_EQ(co_await ReadLine(*good, buf), "+OK ready pop3s tls");
  });
}

TEST_F(ListenerTest, GarbageHandshakeClosesAndTheListenerKeepsServing) {
  Listener* l = StartListener("pop3s", true);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    tcp::socket s = co_await Connect(l->port());
    co_await WriteText(s, "USER alice\r\nPASS secret\r\n\x16\x03\x01garbage garbage garbage\r\n");
    std::string buf;
    auto [got, why] = co_await ReadToEnd(s, buf);
    EXPECT_TRUE(why == "eof" || why == "reset") << why;
    EXPECT_EQ(got.find("+OK"), std::string::npos);  // never reached the session
    EXPECT_TRUE(co_await Until([&] { return l->stats().handshake_failures == 1; }));

    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    auto good = co_await TlsConnect(l->port(), *ctx, "localhost");
    std::string buf2;
    EXPECT_EQ(co_await ReadLine(*good, buf2), "+OK ready pop3s tls");
  });
}

TEST_F(ListenerTest, StalledClientIsTimedOutAndDisconnected) {
  read_timeout_ = milliseconds(200);
  Listener* plain = StartListener("pop3", false);
  Listener* tls = StartListener("pop3s", true);
  ASSERT_NE(plain, nullptr);
  ASSERT_NE(tls, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    // Half a line, then silence.
    tcp::socket s = co_await Connect(plain->port());
    std::string buf;
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK ready pop3");
    co_await WriteText(s, "USER ali");
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(co_await ReadLine(s, buf), "-ERR idle timeout");
    auto [rest, why] = co_await ReadToEnd(s, buf);
    EXPECT_EQ(why, "eof");
    EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));

    // The same over TLS.
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    auto c = co_await TlsConnect(tls->port(), *ctx, "localhost");
    std::string tbuf;
    EXPECT_EQ(co_await ReadLine(*c, tbuf), "+OK ready pop3s tls");
    co_await WriteText(*c, "USER ali");
    EXPECT_EQ(co_await ReadLine(*c, tbuf), "-ERR idle timeout");
    auto [trest, twhy] = co_await ReadToEnd(*c, tbuf);
    EXPECT_EQ(twhy, "eof");
  });
  EXPECT_EQ(read_timeouts_, 2);
}

TEST_F(ListenerTest, SilentImplicitTlsClientIsDroppedAfterTheHandshakeTimeout) {
  Listener* l = StartListener("pop3s", true);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    tcp::socket s = co_await Connect(l->port());
    std::string buf;
    auto start = std::chrono::steady_clock::now();
    auto [got, why] = co_await ReadToEnd(s, buf);
    EXPECT_EQ(why, "eof");
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(1900));
  });
  // The listener counts the failure on its own thread, after the close the
  // client saw.
  EXPECT_TRUE(testing::WaitFor([&] { return l->stats().handshake_failures == 1u; }));
  EXPECT_EQ(l->stats().handshake_failures, 1u);
}

TEST_F(ListenerTest, PerIpLimitCallsTheRejecter) {
  ConnectionLimits limits(/*max_total=*/0, /*max_per_ip=*/2);
  Listener* l = StartListener("pop3", false, &limits);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    std::string b1, b2, b3, b4, b5;
    tcp::socket a = co_await Connect(l->port());
    tcp::socket b = co_await Connect(l->port());
    EXPECT_EQ(co_await ReadLine(a, b1), "+OK ready pop3");
    EXPECT_EQ(co_await ReadLine(b, b2), "+OK ready pop3");
    tcp::socket c = co_await Connect(l->port());
    EXPECT_EQ(co_await ReadLine(c, b3), "-ERR [SYS/TEMP] too many connections from your address");
    auto [rest, why] = co_await ReadToEnd(c, b3);
    EXPECT_EQ(why, "eof");
    // Another address is another count.
    tcp::socket d = co_await Connect(l->port(), "127.0.0.2");
    EXPECT_EQ(co_await ReadLine(d, b4), "+OK ready pop3");
    // A slot comes back when its connection ends.
    co_await WriteText(a, "QUIT\r\n");
    EXPECT_EQ(co_await ReadLine(a, b1), "+OK bye");
    a.close();
    EXPECT_TRUE(co_await Until([&] { return limits.count(asio::ip::make_address("127.0.0.1")) == 1; }));
    tcp::socket e = co_await Connect(l->port());
    EXPECT_EQ(co_await ReadLine(e, b5), "+OK ready pop3");
  });
  EXPECT_EQ(l->stats().rejected, 1u);
}

TEST_F(ListenerTest, TotalLimitCallsTheRejecter) {
  ConnectionLimits limits(/*max_total=*/2, /*max_per_ip=*/0);
  Listener* l = StartListener("pop3", false, &limits);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    std::string b1, b2, b3;
    tcp::socket a = co_await Connect(l->port(), "127.0.0.1");
    tcp::socket b = co_await Connect(l->port(), "127.0.0.2");
    EXPECT_EQ(co_await ReadLine(a, b1), "+OK ready pop3");
    EXPECT_EQ(co_await ReadLine(b, b2), "+OK ready pop3");
    tcp::socket c = co_await Connect(l->port(), "127.0.0.3");
    EXPECT_EQ(co_await ReadLine(c, b3), "-ERR [SYS/TEMP] too many connections in total");
  });
  EXPECT_EQ(l->stats().rejected, 1u);
}

TEST_F(ListenerTest, ImplicitTlsRejectionIsReadable) {
  ConnectionLimits limits(/*max_total=*/0, /*max_per_ip=*/1);
  Listener* l = StartListener("pop3s", true, &limits);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    auto a = co_await TlsConnect(l->port(), *ctx, "localhost");
    std::string b1, b2;
    EXPECT_EQ(co_await ReadLine(*a, b1), "+OK ready pop3s tls");
    auto b = co_await TlsConnect(l->port(), *ctx, "localhost");
    EXPECT_EQ(co_await ReadLine(*b, b2), "-ERR [SYS/TEMP] too many connections from your address");
  });
}

TEST_F(ListenerTest, ShutdownFlow) {
  Listener* plain = StartListener("pop3", false);
  Listener* tls = StartListener("pop3s", true);
  ASSERT_NE(plain, nullptr);
  ASSERT_NE(tls, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    auto ctx = testing::VerifyingClientContext(tls_->cert_path());
    std::string b1, b2, b3;
    tcp::socket a = co_await Connect(plain->port());
    tcp::socket b = co_await Connect(plain->port());
    auto c = co_await TlsConnect(tls->port(), *ctx, "localhost");
    EXPECT_EQ(co_await ReadLine(a, b1), "+OK ready pop3");
    EXPECT_EQ(co_await ReadLine(b, b2), "+OK ready pop3");
    EXPECT_EQ(co_await ReadLine(*c, b3), "+OK ready pop3s tls");
    EXPECT_TRUE(co_await Until([&] { return tracker_.live() == 3; }));

    // What a server does on SIGTERM: stop accepting, tell the sessions.
    plain->StopAccepting();
    tls->StopAccepting();
    tracker_.NotifyShutdown();

    EXPECT_EQ(co_await ReadLine(a, b1), "-ERR server shutting down");
    EXPECT_EQ(co_await ReadLine(b, b2), "-ERR server shutting down");
    EXPECT_EQ(co_await ReadLine(*c, b3), "-ERR server shutting down");
    EXPECT_EQ((co_await ReadToEnd(a, b1)).second, "eof");
    EXPECT_EQ((co_await ReadToEnd(*c, b3)).second, "eof");

    // New connections are refused.
    tcp::socket d(co_await asio::this_coro::executor);
    auto [ec] = co_await d.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(plain->port())),
        asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::connection_refused);
  });
  EXPECT_TRUE(tracker_.WaitIdle(seconds(5)));
  EXPECT_EQ(interrupts_, 3);
}

TEST_F(ListenerTest, AnExceptionInASessionIsContained) {
  Listener* l = StartListener("pop3", false);
  ASSERT_NE(l, nullptr);
  RunClient([&]() -> asio::awaitable<void> {
    std::string buf;
    tcp::socket s = co_await Connect(l->port());
    EXPECT_EQ(co_await ReadLine(s, buf), "+OK ready pop3");
    co_await WriteText(s, "THROW\r\n");
    auto [rest, why] = co_await ReadToEnd(s, buf);
    EXPECT_TRUE(why == "eof" || why == "reset") << why;
    tcp::socket t = co_await Connect(l->port());
    std::string buf2;
    EXPECT_EQ(co_await ReadLine(t, buf2), "+OK ready pop3");
  });
}

TEST_F(ListenerTest, ReloadServesTheNewCertificateToNewHandshakesOnly) {
  const std::string cert = dir_ + "/cert.pem";
  const std::string key = dir_ + "/key.pem";
  const std::string old_ca = dir_ + "/old-ca.pem";
  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", cert, key).ok());
  std::filesystem::copy_file(cert, old_ca);
  kurier::config::v1::TlsConfig config;
  config.set_cert_file(cert);
  config.set_key_file(key);
  auto provider = TlsContextProvider::Create(config, "localhost");
  ASSERT_TRUE(provider.ok()) << provider.status();
  std::atomic<int> reloads{0};
  ReloadOnSighup(pool_->Main(), provider->get(), [&](const absl::Status& s) {
    EXPECT_TRUE(s.ok()) << s;
    reloads++;
  });
  Listener* l = StartListener("pop3s", true, nullptr, provider->get());
  ASSERT_NE(l, nullptr);

  RunClient([&]() -> asio::awaitable<void> {
    auto old_ctx = testing::VerifyingClientContext(old_ca);
    auto before = co_await TlsConnect(l->port(), *old_ctx, "localhost");
    std::string b1;
    EXPECT_EQ(co_await ReadLine(*before, b1), "+OK ready pop3s tls");
    const std::string old_fp = testing::PeerFingerprint(before->native_handle());
    EXPECT_EQ(old_fp, testing::FileFingerprint(old_ca));

    // A new certificate, then SIGHUP.
    EXPECT_TRUE(WriteSelfSignedCertificate("localhost", cert, key).ok());
    ::raise(SIGHUP);
    EXPECT_TRUE(co_await Until([&] { return reloads == 1; }));

    auto new_ctx = testing::VerifyingClientContext(cert);
    auto after = co_await TlsConnect(l->port(), *new_ctx, "localhost");
    std::string b2;
    EXPECT_EQ(co_await ReadLine(*after, b2), "+OK ready pop3s tls");
    EXPECT_EQ(testing::PeerFingerprint(after->native_handle()), testing::FileFingerprint(cert));
    EXPECT_NE(testing::PeerFingerprint(after->native_handle()), old_fp);

    // The session from before keeps working on its old TLS state.
    co_await WriteText(*before, "STILL THERE\r\n");
    EXPECT_EQ(co_await ReadLine(*before, b1), "+OK STILL THERE");

    // A broken file: the reload fails, the current certificate stays.
    { std::ofstream(cert) << "garbage\n"; }
    EXPECT_FALSE((*provider)->Reload().ok());
    auto again = co_await TlsConnect(l->port(), *new_ctx, "localhost");
    std::string b3;
    EXPECT_EQ(co_await ReadLine(*again, b3), "+OK ready pop3s tls");
  });
  // The listener must go before the provider it points at.
  listeners_.clear();
  pool_->Stop();
  pool_->Join();
  pool_.reset();
}

TEST(ListenAddressTest, Parses) {
  EXPECT_EQ(ParseListenAddress("127.0.0.1:110")->port(), 110);
  EXPECT_EQ(ParseListenAddress("localhost:0")->address().to_string(), "127.0.0.1");
  EXPECT_EQ(ParseListenAddress("*:995")->address().to_string(), "0.0.0.0");
  EXPECT_EQ(ParseListenAddress(":995")->address().to_string(), "0.0.0.0");
  EXPECT_EQ(ParseListenAddress("[::1]:143")->address().to_string(), "::1");
  EXPECT_FALSE(ParseListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:70000").ok());
  EXPECT_FALSE(ParseListenAddress("mail.example.test:25").ok());
}

TEST(ListenerBindTest, ImplicitTlsNeedsCertificates) {
  IoPool pool(1);
  Listener::Options options;
  options.name = "pop3s";
  options.address = "127.0.0.1:0";
  options.implicit_tls = true;
  auto l = Listener::Bind(
      &pool, options, nullptr, nullptr, [](Stream, ConnectionInfo) -> asio::awaitable<void> { co_return; }, nullptr);
  EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ListenerBindTest, PortInUseIsAnError) {
  IoPool pool(1);
  Listener::Options options;
  options.name = "a";
  options.address = "127.0.0.1:0";
  auto handler = [](Stream, ConnectionInfo) -> asio::awaitable<void> { co_return; };
  auto a = Listener::Bind(&pool, options, nullptr, nullptr, handler, nullptr);
  ASSERT_TRUE(a.ok()) << a.status();
  options.address = "127.0.0.1:" + std::to_string((*a)->port());
  auto b = Listener::Bind(&pool, options, nullptr, nullptr, handler, nullptr);
  EXPECT_FALSE(b.ok());
}

}  // namespace
}  // namespace kurier::net
