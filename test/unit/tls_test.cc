// TLS: zoo.cfg's TLS keys (tls_config.h), and a TlsSession driven in memory against an OpenSSL
// client, with the certificates `up --tls` makes (supervisor/tls_certs.h).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <filesystem>

#include "server/config.h"
#include "server/tls_context.h"
#include "server/tls_session.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/status_view.h"
#include "supervisor/tls_certs.h"

namespace zk {
namespace {

ConfigResult Parse(const std::string& extra) {
  return ParseConfigText("dataDir=/tmp/zk\nclientPort=2181\n" + extra, "zoo.cfg");
}

TEST(TlsConfig, ZooKeeperKeysAreRead) {
  ConfigResult r = Parse(
      "secureClientPort=2281\n"
      "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n"
      "ssl.keyStore.location=/k/server.pem\nssl.keyStore.password=pw\nssl.keyStore.type=PEM\n"
      "zookeeper.ssl.trustStore.location=/k/ca.pem\nssl.trustStore.type=pem\n"
      "ssl.clientAuth=want\nssl.protocol=TLSv1.3\nssl.ciphersuites=TLS_AES_128_GCM_SHA256\n"
      "ssl.hostnameVerification=false\n");
  ASSERT_TRUE(r.ok()) << r.error;
  const TlsSettings& t = r.config.tls;
  EXPECT_EQ(t.secure_client_port, 2281);
  EXPECT_EQ(t.key_store, "/k/server.pem");
  EXPECT_EQ(t.key_store_password, "pw");
  EXPECT_EQ(t.trust_store, "/k/ca.pem");
  EXPECT_EQ(t.trust_store_type, "PEM");
  EXPECT_EQ(t.client_auth, "want");
  EXPECT_EQ(t.protocol, "TLSv1.3");
  EXPECT_EQ(t.ciphersuites, "TLS_AES_128_GCM_SHA256");
  EXPECT_TRUE(r.config.warnings.empty());
}

TEST(TlsConfig, DefaultsAreZooKeeper380s) {
  ConfigResult r = Parse("");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.config.tls.enabled());
  EXPECT_EQ(r.config.tls.client_auth, "need");
  EXPECT_EQ(r.config.tls.protocol, "TLSv1.2");
}

TEST(TlsConfig, BadInputIsOneLineNamingTheKey) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"secureClientPort=x\n", "zoo.cfg: secureClientPort=x: expected a port number"},
      {"secureClientPort=2281\n", "secureClientPort is set but ssl.keyStore.location is not"},
      {"secureClientPort=2181\nssl.keyStore.location=/k/s.pem\n", "must differ from clientPort"},
      {"secureClientPort=2281\nssl.keyStore.location=/k/s.jks\n", "zkd reads PEM stores only"},
      {"secureClientPort=2281\nssl.keyStore.location=/k/store\n", "set ssl.keyStore.type=PEM"},
      {"ssl.clientAuth=maybe\n", "zoo.cfg: ssl.clientAuth=maybe: expected need, want or none"},
      {"ssl.protocol=SSLv3\n", "zoo.cfg: ssl.protocol=SSLv3: expected TLSv1.2"},
  };
  for (const Case& c : cases) {
    ConfigResult r = Parse(c.text);
    EXPECT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error.find(c.want), std::string::npos) << r.error;
  }
}

// A client and a server TlsSession talking through strings: what one writes the other reads.
class TlsSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tls-test-" + std::to_string(getpid()));
    ASSERT_EQ(pc::MakeClusterCerts(dir_.string()), "");
    files_ = pc::TlsFilesIn(dir_.string());
    settings_.secure_client_port = 2281;
    settings_.key_store = files_.server;
    settings_.trust_store = files_.ca;
    std::string error;
    server_ctx_ = TlsContext::Make(settings_, &error);
    ASSERT_NE(server_ctx_, nullptr) << error;
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(client_ctx_, files_.ca.c_str(), nullptr);
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
  }
  void TearDown() override {
    if (client_ != nullptr) SSL_free(client_);
    SSL_CTX_free(client_ctx_);
    std::filesystem::remove_all(dir_);
  }

  void NewClient(bool with_cert) {
    if (with_cert) {
      SSL_CTX_use_certificate_file(client_ctx_, files_.client_cert.c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(client_ctx_, files_.client_key.c_str(), SSL_FILETYPE_PEM);
    }
    client_ = SSL_new(client_ctx_);
    SSL_set1_host(client_, "127.0.0.1");
    to_server_ = BIO_new(BIO_s_mem());
    from_server_ = BIO_new(BIO_s_mem());
    SSL_set_bio(client_, from_server_, to_server_);
    SSL_set_connect_state(client_);
  }

  // Moves bytes both ways until neither side has anything to say; false if the server quit.
  bool Pump(TlsSession* server, std::string* plain) {
    for (int round = 0; round < 20; ++round) {
      SSL_do_handshake(client_);
      std::string to_server(BIO_ctrl_pending(to_server_), '\0');
      BIO_read(to_server_, to_server.data(), static_cast<int>(to_server.size()));
      if (!to_server.empty() && !server->Receive(to_server, plain)) return false;
      std::string back;
      server->TakeOutgoing(&back);
      if (to_server.empty() && back.empty()) return true;
      BIO_write(from_server_, back.data(), static_cast<int>(back.size()));
    }
    return true;
  }

  std::filesystem::path dir_;
  pc::TlsFiles files_;
  TlsSettings settings_;
  std::unique_ptr<TlsContext> server_ctx_;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* client_ = nullptr;
  BIO* to_server_ = nullptr;
  BIO* from_server_ = nullptr;
};

TEST_F(TlsSessionTest, HandshakeThenBytesBothWays) {
  NewClient(/*with_cert=*/true);
  TlsSession server(server_ctx_->get());
  std::string plain;
  ASSERT_TRUE(Pump(&server, &plain)) << server.error();
  ASSERT_TRUE(server.established());
  EXPECT_EQ(SSL_get_verify_result(client_), X509_V_OK);  // the cert names 127.0.0.1

  ASSERT_EQ(SSL_write(client_, "ping", 4), 4);
  ASSERT_TRUE(Pump(&server, &plain)) << server.error();
  EXPECT_EQ(plain, "ping");

  ASSERT_TRUE(server.Seal("pong"));
  std::string back;
  server.TakeOutgoing(&back);
  BIO_write(from_server_, back.data(), static_cast<int>(back.size()));
  char buf[8];
  ASSERT_EQ(SSL_read(client_, buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf, 4), "pong");
}

TEST_F(TlsSessionTest, ClientWithoutCertificateIsRefusedWhenNeeded) {
  NewClient(/*with_cert=*/false);
  TlsSession server(server_ctx_->get());
  std::string plain;
  EXPECT_FALSE(Pump(&server, &plain));
  EXPECT_NE(server.error().find("TLS handshake failed"), std::string::npos) << server.error();
}

TEST_F(TlsSessionTest, PlainBytesFailTheHandshake) {
  TlsSession server(server_ctx_->get());
  std::string plain;
  std::string connect_request("\0\0\0\x2c\0\0\0\0", 8);
  EXPECT_FALSE(server.Receive(connect_request, &plain));
  EXPECT_NE(server.error().find("TLS handshake failed"), std::string::npos) << server.error();
  EXPECT_TRUE(plain.empty());
}

TEST_F(TlsSessionTest, KeyStoreWithoutKeyIsAnErrorNamingTheKey) {
  settings_.key_store = files_.client_cert;  // a certificate, no key
  std::string error;
  EXPECT_EQ(TlsContext::Make(settings_, &error), nullptr);
  EXPECT_NE(error.find("ssl.keyStore.location=" + files_.client_cert + ": no private key"),
            std::string::npos)
      << error;
}

// ---- `up --tls`: the zoo.cfg lines, the port range, the status line ----

TEST(UpTls, ZooCfgNamesTheSecurePortAndThePemStores) {
  pc::ClusterSpec spec;
  spec.tls = true;
  const std::string cfg = pc::RenderZooCfg(spec, "/c", 2);
  for (const char* line :
       {"secureClientPort=2282\n",
        "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n",
        "ssl.keyStore.location=/c/tls/server.pem\n", "ssl.keyStore.type=PEM\n",
        "ssl.trustStore.location=/c/tls/ca.pem\n", "ssl.trustStore.type=PEM\n",
        "ssl.clientAuth=need\n"}) {
    EXPECT_NE(cfg.find(line), std::string::npos) << line << cfg;
  }
  // What zkd reads back from it.
  ConfigResult r = ParseConfigText(cfg, "zoo.cfg");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.tls.secure_client_port, 2282);
  EXPECT_TRUE(r.config.warnings.empty()) << r.config.warnings.front();

  spec.tls = false;
  EXPECT_EQ(pc::RenderZooCfg(spec, "/c", 2).find("ssl."), std::string::npos);
}

TEST(UpTls, SecurePortsMustNotOverlapTheOtherRanges) {
  pc::ClusterSpec spec;
  spec.tls = true;
  spec.base = {2181, 2281, 3881};  // quorum ports where the secure ones would go
  EXPECT_NE(pc::CheckSpec(spec).error.find("secure client (--tls)"), std::string::npos)
      << pc::CheckSpec(spec).error;
  spec.tls = false;
  EXPECT_TRUE(pc::CheckSpec(spec).ok());
}

TEST(UpTls, StatusNamesThePortsAndTheClientFiles) {
  nlohmann::json status = {
      {"cluster", {{"tls", true}, {"dir", "/c"}}},
      {"nodes", {{{"secure_client_port", 2281}}, {{"secure_client_port", 2282}}}}};
  EXPECT_EQ(pc::TlsLine(status),
            "tls: secureClientPort = client port + 100: 2281,2282 (ssl.clientAuth=need); CA "
            "/c/tls/ca.pem, client certificate /c/tls/client.pem, key /c/tls/client-key.pem\n");
  status["cluster"]["tls"] = false;
  EXPECT_EQ(pc::TlsLine(status), "");
}

}  // namespace
}  // namespace zk
