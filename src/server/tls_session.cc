#include "server/tls_session.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "server/tls_context.h"

namespace zk {

TlsSession::TlsSession(SSL_CTX* ctx) : ssl_(SSL_new(ctx)) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  // An empty memory BIO means "no bytes yet", not end of file.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

bool TlsSession::Fail(int rc, const char* what) {
  int code = SSL_get_error(ssl_, rc);
  if (code == SSL_ERROR_WANT_READ) return true;  // waiting for the peer's next bytes
  if (code == SSL_ERROR_ZERO_RETURN) {
    error_.clear();  // the client said goodbye (close_notify): an ordinary close
  } else {
    std::string detail = TakeTlsErrors("connection reset");
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      detail += std::string(" (client certificate: ") + X509_verify_cert_error_string(verify) + ")";
    }
    error_ = std::string(what) + ": " + detail;
  }
  return false;
}

bool TlsSession::Receive(std::string_view cipher, std::string* plain) {
  ERR_clear_error();
  if (BIO_write(in_, cipher.data(), static_cast<int>(cipher.size())) !=
      static_cast<int>(cipher.size())) {
    error_ = "TLS buffer: out of memory";
    return false;
  }
  if (!established_) {
    int rc = SSL_do_handshake(ssl_);
    if (rc != 1) return Fail(rc, "TLS handshake failed");
    established_ = true;
  }
  char buf[16 * 1024];
  for (;;) {
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) return Fail(n, "TLS read failed");
    plain->append(buf, static_cast<size_t>(n));
  }
}

bool TlsSession::Seal(std::string_view plain) {
  ERR_clear_error();
  while (!plain.empty()) {
    // A memory BIO takes everything, so a write either succeeds whole or fails.
    int n = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
    if (n <= 0) {
      Fail(n, "TLS write failed");
      if (error_.empty()) error_ = "TLS write failed: renegotiation pending";
      return false;
    }
    plain.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void TlsSession::Shutdown() {
  if (shutdown_sent_ || !established_) return;
  shutdown_sent_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

void TlsSession::TakeOutgoing(std::string* out) {
  char* data = nullptr;
  long n = BIO_get_mem_data(out_, &data);
  if (n <= 0) return;
  out->append(data, static_cast<size_t>(n));
  (void)BIO_reset(out_);
}

bool TlsSession::has_outgoing() const { return BIO_ctrl_pending(out_) > 0; }

}  // namespace zk
