// QuorumConfig: the ensemble's membership as ZooKeeper 3.5+ writes it in /zookeeper/config and
// in the dynamic config file (zoo.cfg.dynamic.<version>): one "server.N=..." line per member,
// and the version, the zxid of the reconfig that made it (0 for a static zoo.cfg). Pure: the
// shell reads and writes the files, the core parses the strings a reconfig request carries.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace zk {

// One `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`.
struct ServerSpec {
  int64_t id = 0;
  std::string host;
  int quorum_port = 0;
  int election_port = 0;
  bool observer = false;
  std::string client_host;  // empty when the line has no client part
  int client_port = 0;      // 0 when the line has no client part
  bool operator==(const ServerSpec&) const = default;
};

// Parses the value of a server.N line (the part after '='). Empty on success, else what is
// expected (one phrase, no file or key: the caller adds where it came from).
std::string ParseServerSpec(int64_t id, std::string_view value, ServerSpec* out);
// "host:qport:eport:participant|observer[;clientHost:clientPort]" as ZooKeeper prints it
// (a bare client port shows as 0.0.0.0:port).
std::string ServerSpecText(const ServerSpec& s);

struct QuorumConfig {
  std::vector<ServerSpec> servers;  // ordered by id, ids unique
  int64_t version = 0;

  std::set<int64_t> Voters() const;
  std::set<int64_t> Observers() const;
  const ServerSpec* Find(int64_t id) const;
  // Adds or replaces the member with s.id, keeping the order by id.
  void Put(const ServerSpec& s);
  bool Remove(int64_t id);
  // The /zookeeper/config text: the server lines, then "version=<hex>", no final newline.
  std::string Text() const;
  // The dynamic file's body: the server lines only (the version is in the file name).
  std::string FileText() const;
};

// Parses the dynamic config text: server.N lines, optionally "version=<hex>" (as in
// /zookeeper/config), blank lines and # comments. Empty on success, else "<key>=<value>: what
// is expected" (or one line about the text as a whole).
std::string ParseQuorumConfig(std::string_view text, QuorumConfig* out);

// "zoo.cfg.dynamic.100000000" -> true and 0x100000000; false when the name has no hex suffix.
bool VersionFromFileName(std::string_view name, int64_t* version);
std::string HexVersion(int64_t version);  // lower-case hex, no 0x: Long.toHexString

}  // namespace zk
