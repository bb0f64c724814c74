#include "server/tls_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace zk {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// ssl.* keys ZooKeeper knows that zkd accepts without acting on them: hostname checks are a
// client's business, and revocation lists and providers are Java's.
bool IgnoredTlsKey(const std::string& key) {
  static const char* const kIgnored[] = {
      "ssl.hostnameVerification", "ssl.clientHostnameVerification", "ssl.crl", "ssl.ocsp",
      "ssl.handshakeDetectionTimeoutMillis", "ssl.context.supplier.class", "ssl.authProvider",
      "ssl.sslProvider", "ssl.fipsMode", "ssl.keyStore.passwordPath",
      "ssl.trustStore.passwordPath"};
  for (const char* k : kIgnored) {
    if (key == k) return true;
  }
  // ssl.quorum.* (TLS between members, sslQuorum) is not implemented: those keys fall through
  // to the caller's "unknown key, ignored" warning, so nobody believes the quorum encrypted.
  return false;
}

// The store type a file name implies, as ZooKeeper's KeyStoreFileType infers it.
std::string TypeFromFileName(const std::string& path) {
  std::string p = Lower(path);
  if (EndsWith(p, ".pem")) return "PEM";
  if (EndsWith(p, ".jks")) return "JKS";
  if (EndsWith(p, ".p12") || EndsWith(p, ".pfx")) return "PKCS12";
  if (EndsWith(p, ".bcfks")) return "BCFKS";
  return "";
}

std::string CheckStore(const char* key, const std::string& path, const std::string& type) {
  std::string t = type.empty() ? TypeFromFileName(path) : type;
  if (t.empty()) {
    return std::string(key) + ".location=" + path +
           ": cannot tell the store type from the file name: name it *.pem or set " + key +
           ".type=PEM";
  }
  if (t != "PEM") {
    return std::string(key) + ": zkd reads PEM stores only, not " + t +
           ": convert it (openssl pkcs12 -in store.p12 -nodes -out store.pem) and set " + key +
           ".type=PEM";
  }
  return "";
}

}  // namespace

std::optional<std::string> ApplyTlsKey(TlsSettings* tls, const std::string& raw_key,
                                       const std::string& value) {
  std::string key = raw_key.rfind("zookeeper.ssl.", 0) == 0 ? raw_key.substr(10) : raw_key;
  if (key == "secureClientPort") {
    int port = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (ec != std::errc() || end != value.data() + value.size() || port < 1 || port > 65535) {
      return std::string("expected a port number between 1 and 65535");
    }
    tls->secure_client_port = port;
    return std::string();
  }
  if (key.rfind("ssl.", 0) != 0) return std::nullopt;
  std::map<std::string, std::string*> texts = {
      {"ssl.keyStore.location", &tls->key_store},
      {"ssl.keyStore.password", &tls->key_store_password},
      {"ssl.trustStore.location", &tls->trust_store},
      {"ssl.trustStore.password", &tls->trust_store_password},
      {"ssl.enabledProtocols", &tls->enabled_protocols},
      {"ssl.ciphersuites", &tls->ciphersuites}};
  if (auto it = texts.find(key); it != texts.end()) {
    *it->second = value;
    return std::string();
  }
  if (key == "ssl.keyStore.type" || key == "ssl.trustStore.type") {
    std::string type = value;
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (type != "" && type != "PEM" && type != "JKS" && type != "PKCS12" && type != "BCFKS") {
      return std::string("expected PEM (or JKS, PKCS12, BCFKS, which zkd cannot read)");
    }
    (key == "ssl.keyStore.type" ? tls->key_store_type : tls->trust_store_type) = type;
    return std::string();
  }
  if (key == "ssl.clientAuth") {
    std::string v = Lower(value);
    if (v != "need" && v != "want" && v != "none") return std::string("expected need, want or none");
    tls->client_auth = v;
    return std::string();
  }
  if (key == "ssl.protocol") {
    if (value != "TLSv1.3" && value != "TLSv1.2" && value != "TLSv1.1" && value != "TLSv1" &&
        value != "TLS") {
      return std::string("expected TLSv1.2, TLSv1.3 (or TLSv1.1, TLSv1, TLS)");
    }
    tls->protocol = value;
    return std::string();
  }
  if (IgnoredTlsKey(key)) return std::string();
  return std::nullopt;  // an unknown ssl.* key: the caller warns
}

std::string CheckTlsSettings(const TlsSettings& tls) {
  if (!tls.enabled()) return "";
  if (tls.key_store.empty()) {
    return "secureClientPort is set but ssl.keyStore.location is not: expected the PEM file "
           "holding the server's private key and certificate";
  }
  if (std::string e = CheckStore("ssl.keyStore", tls.key_store, tls.key_store_type); !e.empty()) {
    return e;
  }
  if (!tls.trust_store.empty()) {
    return CheckStore("ssl.trustStore", tls.trust_store, tls.trust_store_type);
  }
  return "";
}

}  // namespace zk
