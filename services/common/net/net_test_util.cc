#include "services/common/net/net_test_util.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <exception>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>

#include "gtest/gtest.h"

namespace kurier::net::testing {

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/net_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  if (dir == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return "/tmp";
  }
  return dir;
}

void RunClient(const std::function<asio::awaitable<void>()>& make, Duration limit) {
  asio::io_context io;
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, make(), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  io.run_for(limit);
  if (!done) {
    ADD_FAILURE() << "client did not finish in time";
    return;
  }
  if (error) std::rethrow_exception(error);
}

asio::awaitable<tcp::socket> Connect(int port, const std::string& bind_ip) {
  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(tcp::v4());
  if (!bind_ip.empty()) socket.bind(tcp::endpoint(asio::ip::make_address(bind_ip), 0));
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
                                asio::use_awaitable);
  co_return socket;
}

std::shared_ptr<asio::ssl::context> VerifyingClientContext(const std::string& ca_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->load_verify_file(ca_file);
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

void ExpectPeerName(SSL* ssl, const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  if (!ec) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, name.c_str());
    SSL_set1_host(ssl, name.c_str());
  }
}

namespace {
std::string Fingerprint(X509* cert) {
  if (cert == nullptr) return "<no certificate>";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}
}  // namespace

std::string PeerFingerprint(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  std::string fp = Fingerprint(cert);
  X509_free(cert);
  return fp;
}

std::string FileFingerprint(const std::string& cert_path) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (f == nullptr) return "<no file>";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  std::string fp = Fingerprint(cert);
  X509_free(cert);
  return fp;
}

bool WaitFor(const std::function<bool()>& cond, Duration limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

}  // namespace kurier::net::testing
