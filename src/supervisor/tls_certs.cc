#include "supervisor/tls_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;

namespace pc {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

constexpr long kValidSeconds = 10L * 365 * 24 * 3600;

Key NewKey() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

// A certificate for `key` named `cn`, signed by issuer_key (self-signed when issuer is null);
// `san` and `eku` (subjectAltName, extendedKeyUsage) may be null.
Cert NewCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial,
             const char* san = nullptr, const char* eku = nullptr) {
  Cert cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("pseudo-cluster"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  }
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (san != nullptr) AddExtension(cert.get(), signer, NID_subject_alt_name, san);
  if (eku != nullptr) AddExtension(cert.get(), signer, NID_ext_key_usage, eku);
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return Cert(nullptr, X509_free);
  }
  return cert;
}

// Writes the PEM blocks (key first when given, as a ZooKeeper PEM key store reads them).
std::string WritePem(const std::string& path, EVP_PKEY* key, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return "cannot write " + path;
  chmod(path.c_str(), key != nullptr ? 0600 : 0644);
  bool ok = true;
  if (key != nullptr) ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok && cert != nullptr) ok = PEM_write_X509(f, cert);
  ok = std::fclose(f) == 0 && ok;
  return ok ? "" : "cannot write " + path;
}

Key ReadKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return Key(nullptr, EVP_PKEY_free);
  Key key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr), EVP_PKEY_free);
  std::fclose(f);
  return key;
}

Cert ReadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return Cert(nullptr, X509_free);
  Cert cert(PEM_read_X509(f, nullptr, nullptr, nullptr), X509_free);
  std::fclose(f);
  return cert;
}

}  // namespace

TlsFiles TlsFilesIn(const std::string& cluster_dir) {
  TlsFiles f;
  f.dir = cluster_dir + "/tls";
  f.ca = f.dir + "/ca.pem";
  f.server = f.dir + "/server.pem";
  f.client_cert = f.dir + "/client.pem";
  f.client_key = f.dir + "/client-key.pem";
  return f;
}

std::string MakeClusterCerts(const std::string& cluster_dir) {
  const TlsFiles files = TlsFilesIn(cluster_dir);
  const std::string ca_key_path = files.dir + "/ca-key.pem";
  std::error_code ec;
  fs::create_directories(files.dir, ec);
  if (ec) return "cannot create " + files.dir + ": " + ec.message();
  if (fs::exists(files.ca) && fs::exists(files.server) && fs::exists(files.client_cert) &&
      fs::exists(files.client_key)) {
    return "";
  }
  // A CA on disk is kept (clients may trust it already); otherwise a new one.
  Key ca_key = ReadKey(ca_key_path);
  Cert ca = ReadCert(files.ca);
  if (ca_key == nullptr || ca == nullptr) {
    ca_key = NewKey();
    if (ca_key == nullptr) return "cannot make a key for the cluster's CA";
    ca = NewCert(ca_key.get(), "pseudo-cluster local CA", nullptr, nullptr, 1);
    if (ca == nullptr) return "cannot sign the cluster's CA certificate";
    if (auto e = WritePem(ca_key_path, ca_key.get(), nullptr); !e.empty()) return e;
    if (auto e = WritePem(files.ca, nullptr, ca.get()); !e.empty()) return e;
  }
  Key server_key = NewKey();
  Key client_key = NewKey();
  if (server_key == nullptr || client_key == nullptr) return "cannot make TLS keys";
  long serial = static_cast<long>(std::time(nullptr));
  Cert server = NewCert(server_key.get(), "localhost", ca.get(), ca_key.get(), serial,
                        "IP:127.0.0.1,DNS:localhost", "serverAuth,clientAuth");
  Cert client = NewCert(client_key.get(), "pseudo-cluster client", ca.get(), ca_key.get(),
                        serial + 1, nullptr, "clientAuth");
  if (server == nullptr || client == nullptr) return "cannot sign the TLS certificates";
  if (auto e = WritePem(files.server, server_key.get(), server.get()); !e.empty()) return e;
  if (auto e = WritePem(files.client_cert, nullptr, client.get()); !e.empty()) return e;
  return WritePem(files.client_key, client_key.get(), nullptr);
}

}  // namespace pc
