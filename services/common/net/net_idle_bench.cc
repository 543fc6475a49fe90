// net_idle_bench: what an idle connection costs the connection core.
//
//   bazel run -c opt //services/common/net:net_idle_bench -- [connections] [plain|tls]
//
// A forked child opens the connections (and does the TLS handshakes); the
// server process parks each in a Stream::ReadSome with a 10-minute timeout,
// as an idle POP3/IMAP session would, with a 256-byte buffer in its
// coroutine frame. Reported: heap in use (mallinfo2, all arenas) and RSS per
// connection, server side only. Kernel socket buffers are not included.
#include <malloc.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "services/common/net/io_pool.h"
#include "services/common/net/listener.h"
#include "services/common/net/tls_context.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace kurier::net;

size_t HeapInUse() { return mallinfo2().uordblks; }

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

void RaiseFdLimit() {
  rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

// The child: open `n` connections (TLS handshakes included), report, then
// wait for the parent to say stop.
[[noreturn]] void Clients(int port, int n, bool tls, int go_fd, int ready_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(1);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  asio::io_context io;
  std::vector<tcp::socket> sockets;
  std::vector<SSL*> ssls;
  sockets.reserve(n);
  for (int i = 0; i < n; ++i) {
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)), ec);
    if (ec) {
      std::fprintf(stderr, "client %d: connect: %s\n", i, ec.message().c_str());
      _exit(1);
    }
    if (tls) {
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, s.native_handle());
      if (SSL_connect(ssl) != 1) {
        std::fprintf(stderr, "client %d: TLS handshake failed\n", i);
        _exit(1);
      }
      ssls.push_back(ssl);
    }
    sockets.push_back(std::move(s));
  }
  if (write(ready_fd, "r", 1) != 1) _exit(1);
  if (read(go_fd, &c, 1) != 1) _exit(0);
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const bool tls = argc > 2 && std::string(argv[2]) == "tls";
  RaiseFdLimit();

  std::string dir = "/tmp/net_idle_bench_" + std::to_string(getpid());
  kurier::config::v1::TlsConfig tls_config;
  tls_config.set_self_signed_dir(dir);
  auto provider = TlsContextProvider::Create(tls_config, "localhost");
  if (!provider.ok()) {
    std::fprintf(stderr, "%s\n", provider.status().ToString().c_str());
    return 1;
  }

  IoPool pool(1);
  std::atomic<int> parked{0};
  Listener::Options options;
  options.name = "bench";
  options.address = "127.0.0.1:0";
  options.implicit_tls = tls;
  auto listener = Listener::Bind(
      &pool, options, nullptr, provider->get(),
      [&parked](Stream stream, ConnectionInfo) -> asio::awaitable<void> {
        char buf[256];
        parked++;
        for (;;) {
          auto [ec, got] = co_await stream.ReadSome(asio::buffer(buf), std::chrono::minutes(10));
          if (ec) break;
        }
        parked--;
      },
      nullptr);
  if (!listener.ok()) {
    std::fprintf(stderr, "%s\n", listener.status().ToString().c_str());
    return 1;
  }

  int go[2], ready[2];
  if (pipe(go) != 0 || pipe(ready) != 0) return 1;
  pid_t child = fork();
  if (child == 0) Clients((*listener)->port(), n, tls, go[0], ready[1]);

  pool.Start();
  (*listener)->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  malloc_trim(0);
  const size_t heap0 = HeapInUse();
  const size_t rss0 = RssBytes();

  if (write(go[1], "g", 1) != 1) return 1;
  char c;
  if (read(ready[0], &c, 1) != 1) return 1;
  while (parked.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const size_t heap1 = HeapInUse();
  const size_t rss1 = RssBytes();

  std::printf("%d idle %s connections: heap +%zu bytes (%zu per connection), RSS +%zu KiB (%zu bytes per connection)\n",
              n, tls ? "TLS" : "plain", heap1 - heap0, (heap1 - heap0) / n, (rss1 - rss0) / 1024,
              (rss1 - rss0) / n);

  if (write(go[1], "s", 1) != 1) return 1;
  waitpid(child, nullptr, 0);
  (*listener)->StopAccepting();
  listener->reset();
  pool.Stop();
  pool.Join();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
