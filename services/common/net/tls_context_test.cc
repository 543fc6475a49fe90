#include "services/common/net/tls_context.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/net/net_test_util.h"

namespace kurier::net {
namespace {

using testing::MakeTempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

struct CertDeleter {
  void operator()(X509* x) const { X509_free(x); }
};
std::unique_ptr<X509, CertDeleter> LoadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<X509, CertDeleter>(x);
}

kurier::config::v1::TlsConfig SelfSigned(const std::string& dir) {
  kurier::config::v1::TlsConfig tls;
  tls.set_self_signed_dir(dir);
  return tls;
}

TEST(TlsContextTest, CreatesSelfSignedOnceWithPrivateKey) {
  const std::string dir = MakeTempDir() + "/tls";
  auto provider = TlsContextProvider::Create(SelfSigned(dir), "mail.example.test");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_TRUE((*provider)->self_signed());
  EXPECT_EQ((*provider)->cert_path(), dir + "/mail.example.test.crt");
  EXPECT_EQ((*provider)->key_path(), dir + "/mail.example.test.key");
  EXPECT_EQ(Mode((*provider)->key_path()), 0600u);
  EXPECT_EQ(Mode(dir), 0700u);
  ASSERT_NE((*provider)->Current(), nullptr);

  const std::string cert = ReadFile((*provider)->cert_path());
  const std::string key = ReadFile((*provider)->key_path());
  EXPECT_NE(cert.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(key.find("PRIVATE KEY"), std::string::npos);

  // A second start reuses the pair.
  auto again = TlsContextProvider::Create(SelfSigned(dir), "mail.example.test");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ReadFile((*again)->cert_path()), cert);
  EXPECT_EQ(ReadFile((*again)->key_path()), key);
  // No temporary files left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(TlsContextTest, SelfSignedNamesAndValidity) {
  const std::string dir = MakeTempDir();
  auto provider = TlsContextProvider::Create(SelfSigned(dir), "mail.example.test");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto cert = LoadCert((*provider)->cert_path());
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "mail.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "other.example.test", 0, 0, nullptr), 1);
  // About two years, starting now.
  int days = 0, secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
  EXPECT_GE(days, 729);
  EXPECT_LE(days, 731);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  // A leaf, for servers, that verifies as its own trust anchor.
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, cert.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), "localhost", 0);
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);  // as Python 3.13 does
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
}

TEST(TlsContextTest, IpAddressAsHostname) {
  const std::string dir = MakeTempDir();
  auto provider = TlsContextProvider::Create(SelfSigned(dir), "192.0.2.10");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto cert = LoadCert((*provider)->cert_path());
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "192.0.2.10", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
}

TEST(TlsContextTest, RefusesHostnamesThatAreNotNames) {
  const std::string dir = MakeTempDir();
  for (const char* bad : {"", "../etc/passwd", "a,DNS:evil.test", "with space", ".hidden"}) {
    auto provider = TlsContextProvider::Create(SelfSigned(dir), bad);
    EXPECT_FALSE(provider.ok()) << bad;
  }
}

TEST(TlsContextTest, ConcurrentStartsAgreeOnOnePair) {
  // Processes hold flock on the same file exactly like these threads: each
  // opens the lock file itself.
  for (int round = 0; round < 5; ++round) {
    const std::string dir = MakeTempDir();
    std::vector<std::thread> threads;
    std::vector<absl::Status> results(6);
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        auto provider = TlsContextProvider::Create(SelfSigned(dir), "localhost");
        results[i] = provider.status();
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& s : results) EXPECT_TRUE(s.ok()) << s;
    // The pair on disk matches.
    auto ctx = MakeServerTlsContext(dir + "/localhost.crt", dir + "/localhost.key");
    EXPECT_TRUE(ctx.ok()) << ctx.status();
  }
}

TEST(TlsContextTest, ConfiguredFiles) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", dir + "/c.pem", dir + "/k.pem").ok());
  kurier::config::v1::TlsConfig tls;
  tls.set_cert_file(dir + "/c.pem");
  tls.set_key_file(dir + "/k.pem");
  auto provider = TlsContextProvider::Create(tls, "localhost");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_FALSE((*provider)->self_signed());
  EXPECT_EQ((*provider)->cert_path(), dir + "/c.pem");

  tls.clear_key_file();
  EXPECT_EQ(TlsContextProvider::Create(tls, "localhost").status().code(), absl::StatusCode::kInvalidArgument);

  tls.set_key_file(dir + "/missing.pem");
  auto missing = TlsContextProvider::Create(tls, "localhost");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.pem"), std::string::npos) << missing.status();
}

TEST(TlsContextTest, MismatchedKeyIsAnError) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", dir + "/a.crt", dir + "/a.key").ok());
  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", dir + "/b.crt", dir + "/b.key").ok());
  auto ctx = MakeServerTlsContext(dir + "/a.crt", dir + "/b.key");
  EXPECT_FALSE(ctx.ok());
}

TEST(TlsContextTest, ReloadSwapsOrKeepsTheOld) {
  const std::string dir = MakeTempDir();
  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", dir + "/c.pem", dir + "/k.pem").ok());
  kurier::config::v1::TlsConfig tls;
  tls.set_cert_file(dir + "/c.pem");
  tls.set_key_file(dir + "/k.pem");
  auto provider = TlsContextProvider::Create(tls, "localhost");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto first = (*provider)->Current();

  ASSERT_TRUE(WriteSelfSignedCertificate("localhost", dir + "/c.pem", dir + "/k.pem").ok());
  ASSERT_TRUE((*provider)->Reload().ok());
  auto second = (*provider)->Current();
  EXPECT_NE(first, second);

  { std::ofstream(dir + "/c.pem") << "not a certificate\n"; }
  EXPECT_FALSE((*provider)->Reload().ok());
  EXPECT_EQ((*provider)->Current(), second);
}

TEST(TlsContextTest, SelfSignedReloadRecreatesDeletedFiles) {
  const std::string dir = MakeTempDir();
  auto provider = TlsContextProvider::Create(SelfSigned(dir), "localhost");
  ASSERT_TRUE(provider.ok()) << provider.status();
  const std::string before = ReadFile((*provider)->cert_path());
  ASSERT_TRUE((*provider)->Reload().ok());
  EXPECT_EQ(ReadFile((*provider)->cert_path()), before);  // unchanged files are reused
  std::filesystem::remove((*provider)->cert_path());
  ASSERT_TRUE((*provider)->Reload().ok());
  EXPECT_NE(ReadFile((*provider)->cert_path()), before);
  EXPECT_EQ(Mode((*provider)->key_path()), 0600u);
}

}  // namespace
}  // namespace kurier::net
