// TlsSession: the TLS layer of one client connection on zkd's secure port, between the socket
// and the FrameReader. OpenSSL runs over two memory BIOs, so the libuv code keeps doing all
// reads and writes: bytes read from the socket go in through Receive (which yields the
// application bytes), application bytes go out through Seal, and whatever TLS wants sent
// (handshake records, encrypted replies, alerts, close_notify) is taken with TakeOutgoing.
//
// No socket, no loop, no logging: a failure is reported by the return value and error().
// One connection, loop thread only.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

namespace zk {

class TlsSession {
 public:
  explicit TlsSession(SSL_CTX* ctx);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Takes bytes read from the socket, advances the handshake and appends decrypted application
  // bytes to *plain. False when the connection cannot go on (a failed handshake, a bad record,
  // the peer's close_notify): error() says why, empty for close_notify.
  bool Receive(std::string_view cipher, std::string* plain);
  // Encrypts application bytes (only once established()). False on failure, error() says why.
  bool Seal(std::string_view plain);
  // Queues close_notify (once).
  void Shutdown();
  // Appends to *out what must be written to the socket, and forgets it.
  void TakeOutgoing(std::string* out);
  bool has_outgoing() const;

  bool established() const { return established_; }
  const std::string& error() const { return error_; }

 private:
  bool Fail(int rc, const char* what);

  SSL* ssl_;
  BIO* in_;   // socket -> OpenSSL (owned by ssl_)
  BIO* out_;  // OpenSSL -> socket (owned by ssl_)
  bool established_ = false;
  bool shutdown_sent_ = false;
  std::string error_;
};

}  // namespace zk
