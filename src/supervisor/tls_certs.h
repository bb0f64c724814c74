// The certificates `up --tls` makes for a local cluster, as PEM files in <cluster dir>/tls/:
//   ca.pem, ca-key.pem          a throw-away CA (the members' and clients' trust store)
//   server.pem                  key + certificate for 127.0.0.1 / localhost: every member's
//                               ssl.keyStore.location (one file, as ZooKeeper's PEM store wants)
//   client.pem, client-key.pem  a client certificate from the same CA (ssl.clientAuth=need)
// Made with OpenSSL's library (EC P-256, valid ten years). Files already there are kept, so a
// cluster brought up again keeps its CA and clients keep trusting it.
#pragma once

#include <string>

namespace pc {

struct TlsFiles {
  std::string dir;
  std::string ca;           // trust store
  std::string server;       // key store: key + certificate
  std::string client_cert;
  std::string client_key;
};

TlsFiles TlsFilesIn(const std::string& cluster_dir);

// Makes the files that are missing. Returns an empty string or one line saying what failed.
std::string MakeClusterCerts(const std::string& cluster_dir);

}  // namespace pc
