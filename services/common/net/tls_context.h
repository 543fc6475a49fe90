// Server TLS contexts: certificate and key from configuration, or a
// self-signed pair made on first start.
//
// Every context: TLS 1.2 and 1.3 only; for 1.2 only ECDHE with AES-GCM or
// ChaCha20-Poly1305; server cipher preference; no compression; no
// renegotiation; no session tickets and no session cache (the services are
// stateless and load balanced: resumption would not find its session).
//
// Self-signed (tls.cert_file and tls.key_file empty): <self_signed_dir>/
// <hostname>.crt and .key, reused when present. EC P-256, SHA-256, valid two
// years, CA:FALSE, extendedKeyUsage serverAuth, subjectAltName DNS:<hostname>,
// DNS:localhost, IP:127.0.0.1, IP:::1. The certificate is its own trust
// anchor: `curl --cacert <hostname>.crt` and Python's
// ssl.create_default_context(cafile=...) accept it for "localhost" and
// 127.0.0.1. Two processes starting at once agree on one pair: creation holds
// an flock on <hostname>.lock and writes each file to a temporary name, then
// renames it. The key is 0600, the directory is made 0700.
#ifndef KURIER_SERVICES_COMMON_NET_TLS_CONTEXT_H_
#define KURIER_SERVICES_COMMON_NET_TLS_CONTEXT_H_

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/kurier/config/v1/config.pb.h"

namespace kurier::net {
namespace asio = boost::asio;

class TlsContextProvider {
 public:
  static absl::StatusOr<std::unique_ptr<TlsContextProvider>> Create(
      const kurier::config::v1::TlsConfig& tls, const std::string& hostname);

  // The newest context. Thread-safe; new handshakes should take it each time.
  std::shared_ptr<asio::ssl::context> Current() const;

  // Re-reads the files (for self-signed: re-creates them if they are gone).
  // On error the current context stays and the error is returned.
  // Blocking file I/O (and, rarely, key generation): a few milliseconds.
  absl::Status Reload();

  std::string cert_path() const { return cert_path_; }
  std::string key_path() const { return key_path_; }
  bool self_signed() const { return self_signed_; }

 private:
  TlsContextProvider(std::string cert_path, std::string key_path, bool self_signed,
                     std::string hostname, std::string dir);
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> Load() const;

  const std::string cert_path_;
  const std::string key_path_;
  const bool self_signed_;
  const std::string hostname_;
  const std::string dir_;

  mutable absl::Mutex mu_;
  std::shared_ptr<asio::ssl::context> current_ ABSL_GUARDED_BY(mu_);
};

// A server context from PEM files with the settings above.
absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                                         const std::string& key_file);

// Writes a new self-signed pair (see above) for `hostname`, replacing the
// files atomically (temporary file + rename; key 0600). No locking.
absl::Status WriteSelfSignedCertificate(const std::string& hostname, const std::string& cert_path,
                                        const std::string& key_path);

// Makes sure <dir>/<hostname>.crt and .key exist (creating them under the
// lock described above) and returns their paths.
absl::StatusOr<std::pair<std::string, std::string>> EnsureSelfSignedCertificate(
    const std::string& dir, const std::string& hostname);

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_TLS_CONTEXT_H_
