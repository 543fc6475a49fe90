// Stream on real loopback sockets, one io_context on the test thread.
#include "services/common/net/stream.h"

#include <optional>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gtest/gtest.h"
#include "services/common/net/net_test_util.h"
#include "services/common/net/tls_context.h"

namespace kurier::net {
namespace {

using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::seconds;
using tcp = asio::ip::tcp;
using testing::ReadLine;
using testing::ReadToEnd;
using testing::WriteText;

using Clock = std::chrono::steady_clock;

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    tcp::socket accepted(io_);
    acceptor.accept(accepted);
    server_.emplace(std::move(accepted));
  }

  // Runs the coroutine to completion (or fails after `limit`).
  template <typename T>
  T Run(asio::awaitable<T> a, Duration limit = seconds(10)) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(a), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      result = std::move(value);
    });
    auto end = Clock::now() + limit;
    while (!result && Clock::now() < end) Step();
    EXPECT_TRUE(result.has_value()) << "did not finish in time";
    return result ? std::move(*result) : T();
  }
  void Run(asio::awaitable<void> a, Duration limit = seconds(10)) {
    Run([](asio::awaitable<void> inner) -> asio::awaitable<bool> {
      co_await std::move(inner);
      co_return true;
    }(std::move(a)), limit);
  }

  // Runs ready handlers or waits up to 10 ms for one.
  void Step() {
    if (io_.stopped()) io_.restart();  // it stops whenever it runs out of work
    io_.run_one_for(milliseconds(10));
  }
  void Poll() {
    if (io_.stopped()) io_.restart();
    io_.poll();
  }

  std::string ClientReadToEnd() {
    client_.non_blocking(false);
    std::string out;
    char buf[4096];
    for (;;) {
      error_code ec;
      size_t n = client_.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) return out;
    }
  }

  asio::io_context io_;
  tcp::socket client_{io_};
  std::optional<Stream> server_;
};

TEST_F(StreamTest, ReadsWhatIsThereAndReportsEof) {
  asio::write(client_, asio::buffer(std::string("hello")));
  char buf[64];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(5)));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(buf, n), "hello");
  client_.shutdown(tcp::socket::shutdown_send);
  auto [ec2, n2] = Run(server_->ReadSome(asio::buffer(buf), seconds(5)));
  EXPECT_EQ(ec2, asio::error::eof);
  EXPECT_EQ(n2, 0u);
}

TEST_F(StreamTest, HalfALineThenSilenceTimesOutAndTheConnectionStaysUsable) {
  asio::write(client_, asio::buffer(std::string("USER ali")));
  char buf[64];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(5)));
  ASSERT_FALSE(ec);
  EXPECT_EQ(std::string(buf, n), "USER ali");

  auto start = Clock::now();
  auto [ec2, n2] = Run(server_->ReadSome(asio::buffer(buf), milliseconds(150)));
  auto took = Clock::now() - start;
  EXPECT_EQ(ec2, asio::error::timed_out) << ec2.message();
  EXPECT_EQ(n2, 0u);
  EXPECT_GE(took, milliseconds(150));
  EXPECT_LT(took, seconds(3));

  // Say goodbye and close: the client sees both.
  EXPECT_FALSE(Run(server_->WriteAll("-ERR autologout\r\n", seconds(1))));
  Run(server_->Close(seconds(1)));
  EXPECT_FALSE(server_->is_open());
  EXPECT_EQ(ClientReadToEnd(), "-ERR autologout\r\n");
}

TEST_F(StreamTest, AnEarlierDeadlineRearmsTheTimer) {
  // A long timeout arms the timer far away; a later short one must still
  // fire on time.
  asio::write(client_, asio::buffer(std::string("x")));
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), std::chrono::hours(1)));
  ASSERT_FALSE(ec);
  auto start = Clock::now();
  auto [ec2, n2] = Run(server_->ReadSome(asio::buffer(buf), milliseconds(100)));
  EXPECT_EQ(ec2, asio::error::timed_out);
  EXPECT_LT(Clock::now() - start, seconds(3));
}

TEST_F(StreamTest, ManyReadsWithinTheTimeoutDoNotTimeOut) {
  // The lazy timer fires early and re-arms; reads that keep arriving in
  // time never see timed_out.
  std::thread writer([this] {
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(milliseconds(20));
      error_code ec;
      asio::write(client_, asio::buffer(std::string("ping")), ec);
    }
  });
  size_t got = 0;
  char buf[64];
  while (got < 80) {
    auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), milliseconds(150)));
    ASSERT_FALSE(ec) << ec.message() << " after " << got;
    got += n;
  }
  writer.join();
}

TEST_F(StreamTest, WriteToAClientThatDoesNotReadTimesOut) {
  std::string big(32 << 20, 'x');
  auto start = Clock::now();
  error_code ec = Run(server_->WriteAll(big, milliseconds(200)));
  EXPECT_EQ(ec, asio::error::timed_out) << ec.message();
  EXPECT_LT(Clock::now() - start, seconds(5));
  EXPECT_FALSE(server_->is_open());
  char buf[8];
  auto [ec2, n2] = Run(server_->ReadSome(asio::buffer(buf), seconds(1)));
  EXPECT_EQ(ec2, asio::error::operation_aborted);
}

TEST_F(StreamTest, ReadAndWriteDeadlinesAreIndependent) {
  // A read times out while a long write is pending; the write goes on.
  std::string big(8 << 20, 'y');
  std::optional<error_code> write_result;
  asio::co_spawn(io_, server_->WriteAll(big, seconds(20)),
                 [&](std::exception_ptr, error_code ec) { write_result = ec; });
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), milliseconds(100)));
  EXPECT_EQ(ec, asio::error::timed_out);
  EXPECT_FALSE(write_result.has_value());
  std::thread reader([this] {
    size_t total = 0;
    char chunk[65536];
    while (total < (8u << 20)) {
      error_code rec;
      size_t got = client_.read_some(asio::buffer(chunk), rec);
      if (rec) break;
      total += got;
    }
  });
  auto end = Clock::now() + seconds(20);
  while (!write_result && Clock::now() < end) Step();
  reader.join();
  ASSERT_TRUE(write_result.has_value());
  EXPECT_FALSE(*write_result) << write_result->message();
}

TEST_F(StreamTest, InterruptEndsAPendingReadFromAnotherThread) {
  Stream::Control control = server_->control();
  std::thread other([control] {
    std::this_thread::sleep_for(milliseconds(50));
    control.Interrupt();
  });
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(10)));
  other.join();
  EXPECT_EQ(ec, asio::error::interrupted);
  // Still usable.
  EXPECT_FALSE(Run(server_->WriteAll("-ERR server shutting down\r\n", seconds(1))));
  Run(server_->Close(seconds(1)));
  EXPECT_EQ(ClientReadToEnd(), "-ERR server shutting down\r\n");
}

TEST_F(StreamTest, InterruptWithNoReadPendingHitsTheNextRead) {
  server_->control().Interrupt();
  Poll();
  asio::write(client_, asio::buffer(std::string("data")));
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(1)));
  EXPECT_EQ(ec, asio::error::interrupted);
  auto [ec2, n2] = Run(server_->ReadSome(asio::buffer(buf), seconds(1)));
  EXPECT_FALSE(ec2);
  EXPECT_EQ(std::string(buf, n2), "data");
}

TEST_F(StreamTest, AbortFromAnotherThreadClosesAtOnce) {
  Stream::Control control = server_->control();
  std::thread other([control] {
    std::this_thread::sleep_for(milliseconds(50));
    control.Abort();
  });
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(10)));
  other.join();
  EXPECT_EQ(ec, asio::error::operation_aborted);
  EXPECT_FALSE(server_->is_open());
  EXPECT_EQ(ClientReadToEnd(), "");
  Run(server_->Close(seconds(1)));  // harmless after Abort
}

TEST_F(StreamTest, CloseTwiceAndControlAfterTheStreamIsGone) {
  Stream::Control control = server_->control();
  Run(server_->Close(seconds(1)));
  Run(server_->Close(seconds(1)));
  server_.reset();
  control.Abort();
  control.Interrupt();
  Poll();
}

TEST_F(StreamTest, CloseCancelsAPendingRead) {
  std::optional<error_code> read_result;
  char buf[8];
  asio::co_spawn(io_, server_->ReadSome(asio::buffer(buf), seconds(10)),
                 [&](std::exception_ptr, std::pair<error_code, size_t> r) { read_result = r.first; });
  Poll();
  client_.shutdown(tcp::socket::shutdown_send);  // so that the drain ends at once
  Run(server_->Close(seconds(2)));
  Poll();
  ASSERT_TRUE(read_result.has_value());
  EXPECT_EQ(*read_result, asio::error::operation_aborted);
}

TEST_F(StreamTest, CloseDrainsSoThatTheLastReplyArrives) {
  // The client sent more than the server read; a plain close would reset
  // the connection and could destroy the reply.
  asio::write(client_, asio::buffer(std::string(100000, 'z')));
  EXPECT_FALSE(Run(server_->WriteAll("-ERR too many connections\r\n", seconds(1))));
  std::thread closer([this] { std::this_thread::sleep_for(milliseconds(100)); });
  Run(server_->Close(milliseconds(300)));
  closer.join();
  std::string got = ClientReadToEnd();
  EXPECT_EQ(got, "-ERR too many connections\r\n");
}

TEST_F(StreamTest, MovedFromStreamReportsAborted) {
  Stream moved = std::move(*server_);
  char buf[8];
  auto [ec, n] = Run(server_->ReadSome(asio::buffer(buf), seconds(1)));
  EXPECT_EQ(ec, asio::error::operation_aborted);
  EXPECT_FALSE(server_->is_open());
  EXPECT_TRUE(moved.is_open());
}

// --- TLS over the same pair -------------------------------------------------

class StreamTlsTest : public StreamTest {
 protected:
  void SetUp() override {
    StreamTest::SetUp();
    dir_ = testing::MakeTempDir();
    kurier::config::v1::TlsConfig tls;
    tls.set_self_signed_dir(dir_);
    auto provider = TlsContextProvider::Create(tls, "localhost");
    ASSERT_TRUE(provider.ok()) << provider.status();
    provider_ = *std::move(provider);
  }

  std::string dir_;
  std::unique_ptr<TlsContextProvider> provider_;
};

TEST_F(StreamTlsTest, HandshakeThenReadTimeoutThenGoodbye) {
  auto client_ctx = testing::VerifyingClientContext(provider_->cert_path());
  asio::ssl::stream<tcp::socket&> tls(client_, *client_ctx);
  testing::ExpectPeerName(tls.native_handle(), "localhost");
  std::optional<error_code> client_hs;
  tls.async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { client_hs = ec; });
  error_code ec = Run(server_->StartTls(provider_->Current(), seconds(5)));
  ASSERT_FALSE(ec) << ec.message();
  while (!client_hs) Step();
  ASSERT_FALSE(*client_hs) << client_hs->message();
  EXPECT_TRUE(server_->is_tls());
  EXPECT_EQ(server_->tls_version(), "TLSv1.3");
  EXPECT_FALSE(server_->tls_cipher().empty());

  // Silence: the read times out.
  char buf[64];
  auto [rec, n] = Run(server_->ReadSome(asio::buffer(buf), milliseconds(100)));
  EXPECT_EQ(rec, asio::error::timed_out);
  // The TLS connection is intact: the goodbye arrives, then close_notify.
  EXPECT_FALSE(Run(server_->WriteAll("* BYE Autologout\r\n", seconds(1))));
  asio::co_spawn(io_, server_->Close(seconds(1)), asio::detached);
  std::string got;
  std::string buffer;
  std::optional<std::string> line;
  asio::co_spawn(io_, ReadLine(tls, buffer), [&](std::exception_ptr, std::string l) { line = l; });
  auto end = Clock::now() + seconds(5);
  while (!line && Clock::now() < end) Step();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, "* BYE Autologout");
}

TEST_F(StreamTlsTest, GarbageInsteadOfAHandshakeFailsAndCloses) {
  asio::write(client_, asio::buffer(std::string("GET / HTTP/1.0\r\n\r\n")));
  error_code ec = Run(server_->StartTls(provider_->Current(), seconds(5)));
  EXPECT_TRUE(ec);
  EXPECT_FALSE(server_->is_open());
  EXPECT_FALSE(server_->is_tls());
}

TEST_F(StreamTlsTest, SilentClientHitsTheHandshakeTimeout) {
  auto start = Clock::now();
  error_code ec = Run(server_->StartTls(provider_->Current(), milliseconds(150)));
  EXPECT_EQ(ec, asio::error::timed_out);
  EXPECT_LT(Clock::now() - start, seconds(3));
  EXPECT_FALSE(server_->is_open());
}

}  // namespace
}  // namespace kurier::net
