// TlsSettings: the zoo.cfg keys of TLS for clients (secureClientPort and ZooKeeper's ssl.* keys),
// read by config.cc and turned into an OpenSSL context by tls_context.cc.
//
// ZooKeeper reads the ssl.* keys as system properties `zookeeper.ssl.*`; both spellings are
// accepted here. Key and trust stores must be PEM files (ZooKeeper 3.8 accepts PEM as
// ssl.keyStore.type / ssl.trustStore.type, or infers it from a .pem file name): the key store
// holds the private key and the certificate chain in one file, the trust store the CA
// certificates. JKS / PKCS12 stores are refused with a hint to convert them. Pure: no I/O.
#pragma once

#include <optional>
#include <string>

namespace zk {

struct TlsSettings {
  int secure_client_port = 0;  // 0: no TLS listener
  std::string key_store;       // ssl.keyStore.location: PEM key + certificate chain
  std::string key_store_password;
  std::string key_store_type;  // "" (inferred from the file name) or PEM
  std::string trust_store;     // ssl.trustStore.location: PEM CA certificates; "" = system CAs
  std::string trust_store_password;
  std::string trust_store_type;
  std::string client_auth = "need";  // need | want | none (ZooKeeper's default: need)
  std::string protocol = "TLSv1.2";  // ssl.protocol (ZooKeeper 3.8.0's default)
  std::string enabled_protocols;     // ssl.enabledProtocols, comma list; "" = just `protocol`
  std::string ciphersuites;          // ssl.ciphersuites, IANA names, comma list; "" = defaults
  bool enabled() const { return secure_client_port != 0; }
};

// Applies one key to *tls. nullopt: not a TLS key. Otherwise "" when applied, or what was
// expected ("expected need, want or none") for the caller's error line.
std::optional<std::string> ApplyTlsKey(TlsSettings* tls, const std::string& key,
                                       const std::string& value);

// Checks the settings once the whole file is read: "" or "<key>: <what is wrong and what to do>".
std::string CheckTlsSettings(const TlsSettings& tls);

}  // namespace zk
