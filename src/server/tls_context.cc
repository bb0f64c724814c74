#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

namespace zk {

namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

int VersionOf(const std::string& name) {
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1") return TLS1_VERSION;
  return 0;
}

// The versions ssl.enabledProtocols (else ssl.protocol) names. Java's "TLS" means any.
bool SetVersions(SSL_CTX* ctx, const TlsSettings& s, std::string* error) {
  std::string list = s.enabled_protocols.empty() ? s.protocol : s.enabled_protocols;
  int lo = 0, hi = 0;
  for (const std::string& name : SplitList(list)) {
    if (name == "TLS") return true;
    int v = VersionOf(name);
    if (v == 0) {
      *error = "ssl.enabledProtocols=" + list + ": unknown protocol " + name +
               ": expected TLSv1.2, TLSv1.3 (comma separated)";
      return false;
    }
    lo = lo == 0 || v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  SSL_CTX_set_min_proto_version(ctx, lo);
  SSL_CTX_set_max_proto_version(ctx, hi);
  return true;
}

// ssl.ciphersuites names suites the IANA way (as Java does); OpenSSL has its own names for
// TLS 1.2 suites, so each is looked up among the suites OpenSSL offers.
bool SetCiphers(SSL_CTX* ctx, const TlsSettings& s, std::string* error) {
  if (s.ciphersuites.empty()) return true;
  SSL_CTX_set_cipher_list(ctx, "ALL");
  SSL* probe = SSL_new(ctx);
  STACK_OF(SSL_CIPHER)* all = SSL_get_ciphers(probe);
  std::string tls12, tls13;
  for (const std::string& name : SplitList(s.ciphersuites)) {
    const SSL_CIPHER* found = nullptr;
    for (int i = 0; i < sk_SSL_CIPHER_num(all) && found == nullptr; ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
      if (name == SSL_CIPHER_standard_name(c)) found = c;
    }
    if (found == nullptr) {
      SSL_free(probe);
      *error = "ssl.ciphersuites: unknown cipher suite " + name +
               ": expected IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
      return false;
    }
    const bool tls13_suite = std::string(SSL_CIPHER_get_version(found)) == "TLSv1.3";
    std::string& list = tls13_suite ? tls13 : tls12;
    list += (list.empty() ? "" : ":") + (tls13_suite ? name : SSL_CIPHER_get_name(found));
  }
  SSL_free(probe);
  // Only the listed suites are offered, as in Java: no TLS 1.2 suite listed means no TLS 1.2,
  // and no TLS 1.3 suite listed means no TLS 1.3.
  if (tls12.empty()) {
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  } else {
    SSL_CTX_set_cipher_list(ctx, tls12.c_str());
  }
  SSL_CTX_set_ciphersuites(ctx, tls13.c_str());
  ERR_clear_error();
  return true;
}

int PasswordCallback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  int n = static_cast<int>(password->size()) < size ? static_cast<int>(password->size()) : size;
  password->copy(buf, static_cast<size_t>(n));
  return n;
}

// Why `path` cannot be opened ("No such file or directory"), or "" when it can.
std::string CannotOpen(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return std::strerror(errno);
  std::fclose(f);
  return "";
}

bool LoadKeyStore(SSL_CTX* ctx, const TlsSettings& s, std::string* error) {
  const std::string where = "ssl.keyStore.location=" + s.key_store + ": ";
  if (std::string why = CannotOpen(s.key_store); !why.empty()) {
    *error = where + "cannot open: " + why +
             ": expected a PEM file with the server's certificate and private key";
    return false;
  }
  SSL_CTX_set_default_passwd_cb(ctx, PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&s.key_store_password));
  if (SSL_CTX_use_certificate_chain_file(ctx, s.key_store.c_str()) != 1) {
    *error = where + "no certificate read (" + TakeTlsErrors("unreadable") +
             "): expected a PEM file with the server's certificate and private key";
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, s.key_store.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = where + "no private key read (" + TakeTlsErrors("unreadable") +
             "): expected the key in the same PEM file (check ssl.keyStore.password)";
    return false;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    *error = where + "the private key does not match the certificate";
    return false;
  }
  // The callback's userdata must not outlive the settings: the key is loaded, drop it.
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  return true;
}

bool LoadTrustStore(SSL_CTX* ctx, const TlsSettings& s, std::string* error) {
  const std::string where = "ssl.trustStore.location=" + s.trust_store + ": ";
  if (s.trust_store.empty()) {
    SSL_CTX_set_default_verify_paths(ctx);
  } else {
    if (std::string why = CannotOpen(s.trust_store); !why.empty()) {
      *error = where + "cannot open: " + why + ": expected a PEM file of CA certificates";
      return false;
    }
    if (SSL_CTX_load_verify_locations(ctx, s.trust_store.c_str(), nullptr) != 1) {
      *error = where + "no CA certificate read (" + TakeTlsErrors("unreadable") +
               "): expected a PEM file of CA certificates";
      return false;
    }
    // Tells clients which CAs their certificate should come from.
    SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(s.trust_store.c_str()));
  }
  int mode = SSL_VERIFY_NONE;
  if (s.client_auth == "need") mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (s.client_auth == "want") mode = SSL_VERIFY_PEER;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  return true;
}

}  // namespace

std::string TakeTlsErrors(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? fallback : out;
}

std::unique_ptr<TlsContext> TlsContext::Make(const TlsSettings& settings, std::string* error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "cannot create a TLS context: " + TakeTlsErrors("out of memory");
    return nullptr;
  }
  std::unique_ptr<TlsContext> out(new TlsContext(ctx));
  if (!SetVersions(ctx, settings, error) || !SetCiphers(ctx, settings, error) ||
      !LoadKeyStore(ctx, settings, error) || !LoadTrustStore(ctx, settings, error)) {
    return nullptr;
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace zk
