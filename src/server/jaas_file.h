// JaasFile: the JAAS login configuration ZooKeeper's server reads its SASL users from, e.g.
//
//   Server {
//     org.apache.zookeeper.server.auth.DigestLoginModule required
//     user_bob="bobsecret"
//     user_super="adminsecret";
//   };
//
// A section ("Server") holds login-module entries: a class name, a flag, options key=value
// (values bare or double-quoted), ';'. Comments are // and /* */, as Java's parser takes them.
// DIGEST-MD5 users are the options named user_<name> of the section's entries, whatever the
// module (ZooKeeper's SaslServerCallbackHandler reads them so). This is a small hand-written
// parser of the file format only: the SASL exchange itself is Cyrus SASL's (sasl_digest.h).
//
// Where zkd finds the file, first found wins (docs/sasl.md):
//   1. zoo.cfg's jaasLoginConfig (zkd's own key; relative to zoo.cfg's directory),
//   2. -Djava.security.auth.login.config=<path> in java.env next to zoo.cfg (what zkEnv.sh
//      sources; it usually sets SERVER_JVMFLAGS),
//   3. the same flag in the JVMFLAGS, then the SERVER_JVMFLAGS environment variable.
// The last occurrence of the flag in one text wins, as on a java command line.
// I/O: LoadJaasUsers reads files. No global state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"

namespace zk {

struct JaasEntry {
  std::string module;  // org.apache.zookeeper.server.auth.DigestLoginModule
  std::string flag;    // required / requisite / sufficient / optional
  std::map<std::string, std::string> options;
};

struct JaasParse {
  std::map<std::string, std::vector<JaasEntry>> sections;
  std::string error;  // "<name>:<line>: <what is expected>", empty on success
  bool ok() const { return error.empty(); }
};

JaasParse ParseJaasText(std::string_view text, const std::string& name);

// user_<name>="<password>" options of `entries`, as name → password.
std::map<std::string, std::string> DigestUsers(const std::vector<JaasEntry>& entries);

// The value of the last -D<property>=<value> in JVM flags (shell text: quotes are dropped,
// words split on whitespace inside them too, as zkServer.sh's unquoted $JVMFLAGS is);
// empty when absent. A leading '=' (-Dkey==value, "override") is dropped too.
std::string JvmProperty(std::string_view flags, std::string_view property);

// Where the JAAS file is, and the place that said so (for messages).
struct JaasLocation {
  std::string path;    // empty: none configured
  std::string source;  // "zoo.cfg jaasLoginConfig", "<dir>/java.env", "SERVER_JVMFLAGS", ...
};
// `java_env_text` is java.env's contents (empty if there is none); the flags are the
// environment variables' values (nullptr when unset).
JaasLocation FindJaasFile(const ServerConfig& config, std::string_view java_env_text,
                          const char* jvmflags, const char* server_jvmflags);

// What start-up needs: the configured file (if any), read and parsed, and its "Server" users.
struct JaasUsers {
  bool configured = false;  // a JAAS file was named
  bool has_server_section = false;
  std::string path;
  std::map<std::string, std::string> users;
  std::string error;  // unreadable or malformed file: one line; zkd exits 2
};
// Looks in the places above (reads java.env and the environment) and loads the file.
JaasUsers LoadJaasUsers(const ServerConfig& config);

}  // namespace zk
