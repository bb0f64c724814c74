// TlsContext: the OpenSSL server context zkd's secure client listener hands every TLS
// connection (one per ClientServer), built from zoo.cfg's ssl.* keys (server/tls_config.h).
//
// What the keys mean, as ZooKeeper 3.8 uses them: the key store is one PEM file with the
// private key (encrypted with ssl.keyStore.password, or not) and the certificate chain; the
// trust store holds the CAs client certificates are checked against (the system CAs when
// unset); ssl.clientAuth need asks for and requires a client certificate, want asks for one
// and checks it when given, none asks for none; ssl.protocol / ssl.enabledProtocols bound the
// TLS versions; ssl.ciphersuites lists IANA suite names (the names Java uses).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "server/tls_config.h"

namespace zk {

class TlsContext {
 public:
  // Builds the context or sets *error to one line naming the key or file at fault.
  static std::unique_ptr<TlsContext> Make(const TlsSettings& settings, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// OpenSSL's pending errors as one line (and the queue emptied); `fallback` when there are none.
std::string TakeTlsErrors(const char* fallback);

}  // namespace zk
