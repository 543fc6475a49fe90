#include "services/common/net/tls_context.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace kurier::net {
namespace {

// TLS 1.2: forward secrecy and AEAD only. TLS 1.3 suites are all AEAD.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";

constexpr long kValidSeconds = 730L * 24 * 3600;  // about two years

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

absl::Status OpenSslError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", OpenSslErrors()));
}

bool ValidHostname(const std::string& h) {
  if (h.empty() || h.size() > 253 || h[0] == '.' || h.find("..") != std::string::npos) return false;
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Writes `data` to a temporary file beside `path`, syncs it and renames it
// over `path`: readers see the old file or the whole new one.
absl::Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = absl::StrCat(path, ".tmp.", getpid(), ".", reinterpret_cast<uintptr_t>(&data));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("create ", tmp, ": ", strerror(errno)));
  absl::Status status;
  if (::fchmod(fd, mode) != 0) status = absl::InternalError(absl::StrCat("chmod ", tmp, ": ", strerror(errno)));
  size_t done = 0;
  while (status.ok() && done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::InternalError(absl::StrCat("write ", tmp, ": ", strerror(errno)));
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = absl::InternalError(absl::StrCat("fsync ", tmp, ": ", strerror(errno)));
  }
  ::close(fd);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = absl::InternalError(absl::StrCat("rename ", tmp, " to ", path, ": ", strerror(errno)));
  }
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// subjectAltName built from values, not from a config string, so that no
// hostname can smuggle in extra entries.
bool AddSubjectAltNames(X509* cert, const std::string& hostname) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  if (names == nullptr) return false;
  bool ok = true;
  auto add_dns = [&](const std::string& dns) {
    GENERAL_NAME* g = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (g == nullptr || s == nullptr || ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(g);
      ASN1_IA5STRING_free(s);
      ok = false;
      return;
    }
    GENERAL_NAME_set0_value(g, GEN_DNS, s);
    sk_GENERAL_NAME_push(names, g);
  };
  auto add_ip = [&](const std::string& ip) -> bool {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) return false;
    GENERAL_NAME* g = GENERAL_NAME_new();
    if (g == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      ok = false;
      return true;
    }
    GENERAL_NAME_set0_value(g, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names, g);
    return true;
  };
  ERR_set_mark();
  bool hostname_is_ip = add_ip(hostname);
  ERR_pop_to_mark();  // a2i_IPADDRESS queues an error for non-addresses
  if (!hostname_is_ip) add_dns(hostname);
  if (hostname != "localhost") add_dns("localhost");
  if (hostname != "127.0.0.1") add_ip("127.0.0.1");
  if (hostname != "::1") add_ip("::1");
  ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  return ok;
}

class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error_ = absl::StrCat("open ", path, ": ", strerror(errno));
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      error_ = absl::StrCat("flock ", path, ": ", strerror(errno));
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                                         const std::string& key_file) {
  std::shared_ptr<asio::ssl::context> ctx;
  try {
    ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("TLS context: ", e.what()));
  }
  SSL_CTX* c = ctx->native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(c, 0) != 1) {
    return OpenSslError("TLS versions");
  }
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 0);  // TLS 1.3 would otherwise send two
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  // Idle connections give their record buffers back; writes may be partial
  // and retried from a moved buffer (stream.cc retries with what is left).
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) return OpenSslError("TLS 1.2 ciphers");
  if (SSL_CTX_set_ciphersuites(c, kTls13Suites) != 1) return OpenSslError("TLS 1.3 cipher suites");
  if (SSL_CTX_set1_groups_list(c, kGroups) != 1) return OpenSslError("TLS groups");
  if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1) {
    return OpenSslError(absl::StrCat("certificate ", cert_file));
  }
  if (SSL_CTX_use_PrivateKey_file(c, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return OpenSslError(absl::StrCat("private key ", key_file));
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return OpenSslError(absl::StrCat("private key ", key_file, " does not match ", cert_file));
  }
  return ctx;
}

absl::Status WriteSelfSignedCertificate(const std::string& hostname, const std::string& cert_path,
                                        const std::string& key_path) {
  if (!ValidHostname(hostname)) {
    return absl::InvalidArgumentError(absl::StrCat("not a host name for a certificate: \"", hostname, "\""));
  }
  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) return OpenSslError("EC key generation");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!cert) return OpenSslError("X509_new");
  X509* x = cert.get();
  if (X509_set_version(x, X509_VERSION_3) != 1) return OpenSslError("certificate version");

  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("serial number");
  serial[0] = (serial[0] & 0x7f) | 0x40;  // positive, 16 bytes
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  bool serial_ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nullptr;
  BN_free(bn);
  if (!serial_ok) return OpenSslError("serial number");

  if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), kValidSeconds) == nullptr) {
    return OpenSslError("validity");
  }
  if (X509_set_pubkey(x, key.get()) != 1) return OpenSslError("public key");
  X509_NAME* name = X509_get_subject_name(x);
  const std::string cn = hostname.size() <= 64 ? hostname : "kurier";
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("Kurier self-signed"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(x, name) != 1) {
    return OpenSslError("certificate name");
  }
  // A leaf that is its own trust anchor. No keyUsage: with one, OpenSSL
  // would want keyCertSign to accept the certificate as its own issuer.
  if (!AddExtension(x, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(x, NID_ext_key_usage, "serverAuth") ||
      !AddExtension(x, NID_subject_key_identifier, "hash") ||
      !AddExtension(x, NID_authority_key_identifier, "keyid:always") || !AddSubjectAltNames(x, hostname)) {
    return OpenSslError("certificate extensions");
  }
  if (X509_sign(x, key.get(), EVP_sha256()) <= 0) return OpenSslError("signing the certificate");

  auto to_pem = [](auto write) -> std::string {
    std::unique_ptr<BIO, decltype(&BIO_free)> mem(BIO_new(BIO_s_mem()), &BIO_free);
    if (!mem || write(mem.get()) != 1) return std::string();
    char* data = nullptr;
    long len = BIO_get_mem_data(mem.get(), &data);
    std::string out(data, static_cast<size_t>(len));
    OPENSSL_cleanse(data, static_cast<size_t>(len));
    return out;
  };
  std::string key_pem = to_pem(
      [&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  std::string cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x); });
  if (key_pem.empty() || cert_pem.empty()) return OpenSslError("PEM encoding");

  // The key first: the certificate's arrival is what marks the pair done.
  absl::Status status = WriteFileAtomic(key_path, key_pem, 0600);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!status.ok()) return status;
  return WriteFileAtomic(cert_path, cert_pem, 0644);
}

absl::StatusOr<std::pair<std::string, std::string>> EnsureSelfSignedCertificate(const std::string& dir,
                                                                                 const std::string& hostname) {
  if (!ValidHostname(hostname)) {
    return absl::InvalidArgumentError(absl::StrCat("not a host name for a certificate: \"", hostname, "\""));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::create_directories(dir, ec)) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("create ", dir, ": ", ec.message()));

  const std::string base = (fs::path(dir) / hostname).string();
  std::pair<std::string, std::string> paths{base + ".crt", base + ".key"};
  FileLock lock(base + ".lock");
  if (!lock.error().empty()) return absl::InternalError(lock.error());
  if (fs::exists(paths.first, ec) && fs::exists(paths.second, ec)) return paths;
  absl::Status status = WriteSelfSignedCertificate(hostname, paths.first, paths.second);
  if (!status.ok()) return status;
  return paths;
}

TlsContextProvider::TlsContextProvider(std::string cert_path, std::string key_path, bool self_signed,
                                       std::string hostname, std::string dir)
    : cert_path_(std::move(cert_path)),
      key_path_(std::move(key_path)),
      self_signed_(self_signed),
      hostname_(std::move(hostname)),
      dir_(std::move(dir)) {}

absl::StatusOr<std::unique_ptr<TlsContextProvider>> TlsContextProvider::Create(
    const kurier::config::v1::TlsConfig& tls, const std::string& hostname) {
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return absl::InvalidArgumentError("tls.cert_file and tls.key_file must be set together");
  }
  std::unique_ptr<TlsContextProvider> provider;
  if (!tls.cert_file().empty()) {
    provider.reset(new TlsContextProvider(tls.cert_file(), tls.key_file(), false, hostname, ""));
  } else {
    const std::string dir = tls.self_signed_dir().empty() ? "./data/tls" : tls.self_signed_dir();
    auto paths = EnsureSelfSignedCertificate(dir, hostname);
    if (!paths.ok()) return paths.status();
    provider.reset(new TlsContextProvider(paths->first, paths->second, true, hostname, dir));
  }
  auto ctx = provider->Load();
  if (!ctx.ok()) return ctx.status();
  {
    absl::MutexLock lock(&provider->mu_);
    provider->current_ = *std::move(ctx);
  }
  return provider;
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> TlsContextProvider::Load() const {
  return MakeServerTlsContext(cert_path_, key_path_);
}

std::shared_ptr<asio::ssl::context> TlsContextProvider::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::Status TlsContextProvider::Reload() {
  if (self_signed_) {
    auto paths = EnsureSelfSignedCertificate(dir_, hostname_);
    if (!paths.ok()) return paths.status();
  }
  auto ctx = Load();
  if (!ctx.ok()) return ctx.status();
  absl::MutexLock lock(&mu_);
  current_ = *std::move(ctx);
  return absl::OkStatus();
}

}  // namespace kurier::net
