// SASL DIGEST-MD5 for ZooKeeper clients (the `sasl` request, op 102), through Cyrus SASL.
//
// ZooKeeper's server side (ZooKeeperSaslServer) is a DIGEST-MD5 server for service "zookeeper"
// on the fixed host name "zk-sasl-md5" (kazoo and the Java client put zookeeper/zk-sasl-md5 in
// the digest-uri), its users are the JAAS file's user_<name> options (server/jaas_file.h), and
// the session's new auth id is the authentication id: ("sasl", "<name>").
//
// Cyrus is configured in memory, never from /etc/sasl2 or a sasldb: a getopt callback answers
// its options, and the passwords come from an auxprop plugin registered here that looks users
// up in the map given to StartSaslDigest. Cyrus keeps its plugins and options per process, so
// StartSaslDigest is called once, at start-up. Loop thread only.
#pragma once

#include <map>
#include <string>
#include <string_view>

typedef struct sasl_conn sasl_conn_t;

namespace zk {

// Initialises Cyrus SASL with `users` (name → password). Returns an error line, empty on
// success (the DIGEST-MD5 plugin missing: Debian's libsasl2-modules is not installed).
std::string StartSaslDigest(std::map<std::string, std::string> users);
// StartSaslDigest succeeded: the server answers SASL requests.
bool SaslDigestReady();

// One client's exchange: the first token (empty: DIGEST-MD5 has no initial response; anything
// else is ignored, as Java's server does) is answered with the challenge; the client's
// digest-response is checked and answered with rspauth, and the exchange is done.
class SaslDigestExchange {
 public:
  enum class Result { kContinue, kDone, kFailed };

  SaslDigestExchange() = default;
  ~SaslDigestExchange();
  SaslDigestExchange(const SaslDigestExchange&) = delete;
  SaslDigestExchange& operator=(const SaslDigestExchange&) = delete;

  // Takes the client's token; *reply is the token to send back (with kContinue and kDone).
  Result Step(std::string_view token, std::string* reply);
  // After kDone: the authenticated user name. After kFailed: why, for the log.
  const std::string& user() const { return user_; }
  const std::string& error() const { return error_; }

 private:
  Result Fail(std::string why);

  sasl_conn_t* conn_ = nullptr;
  bool done_ = false;
  bool failed_ = false;
  std::string user_;
  std::string error_;
};

}  // namespace zk
