#include "core/reconfig.h"

#include <charconv>
#include <optional>

#include "core/invariant.h"
#include "tree/acl.h"

namespace zk {

namespace {

// Java's StringUtils.split as ZooKeeper uses it: pieces trimmed, empty ones dropped.
std::vector<std::string> SplitTrimmed(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) at = s.size();
    std::string piece = s.substr(start, at - start);
    size_t b = piece.find_first_not_of(" \t\r\n");
    size_t e = piece.find_last_not_of(" \t\r\n");
    if (b != std::string::npos) out.push_back(piece.substr(b, e - b + 1));
    start = at + 1;
  }
  return out;
}

bool ParseId(const std::string& s, int64_t* id) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && *id >= 0;
}

// ZooKeeper's QuorumServer.checkAddressDuplicate: no two members share a quorum or election
// address.
bool SharesAnAddress(const ServerSpec& a, const ServerSpec& b) {
  if (a.host != b.host) return false;
  for (int pa : {a.quorum_port, a.election_port}) {
    for (int pb : {b.quorum_port, b.election_port}) {
      if (pa == pb) return true;
    }
  }
  return false;
}

Err Joining(const std::string& joiner, QuorumConfig* next, std::string* why) {
  // server.x=server_spec;client_spec
  std::vector<std::string> parts = SplitTrimmed(joiner, '=');
  if (parts.size() != 2) {
    *why = "Wrong format of server string";
    return Err::kBadArguments;
  }
  int64_t id = 0;
  if (!ParseId(parts[0].substr(parts[0].rfind('.') + 1), &id)) {
    *why = "Wrong format of server string: " + parts[0] + " is not server.<id>";
    return Err::kBadArguments;
  }
  ServerSpec s;
  if (std::string e = ParseServerSpec(id, parts[1], &s); !e.empty()) {
    *why = "Reconfiguration failed: " + joiner + ": " + e;
    return Err::kBadArguments;
  }
  if (s.client_port == 0) {
    *why = "Wrong format of server string - each server should have at least 3 ports specified";
    return Err::kBadArguments;
  }
  for (const ServerSpec& other : next->servers) {
    if (other.id != id && SharesAnAddress(s, other)) {
      *why = "Reconfiguration failed: server." + std::to_string(id) +
             " uses an address of server." + std::to_string(other.id);
      return Err::kBadArguments;
    }
  }
  next->Put(s);
  return Err::kOk;
}

}  // namespace

Err NextQuorumConfig(const QuorumConfig& current, const ReconfigRequest& req, QuorumConfig* next,
                     std::string* why) {
  if (!req.new_members.empty()) {
    // Non-incremental: the whole membership, "server.N=..." separated by commas or newlines.
    std::string text = req.new_members;
    for (char& ch : text) {
      if (ch == ',') ch = '\n';
    }
    QuorumConfig parsed;
    if (std::string e = ParseQuorumConfig(text, &parsed); !e.empty()) {
      *why = e;
      return Err::kBadArguments;
    }
    for (const ServerSpec& s : parsed.servers) {
      if (s.client_port == 0) {
        *why = "server." + std::to_string(s.id) + " has no client port";
        return Err::kBadArguments;
      }
    }
    parsed.version = 0;
    *next = std::move(parsed);
    return Err::kOk;
  }
  QuorumConfig out = current;
  for (const std::string& leaving : SplitTrimmed(req.leaving_servers, ',')) {
    int64_t id = 0;
    if (!ParseId(leaving, &id)) {
      *why = "Leaving servers must be given by their ids: " + leaving;
      return Err::kBadArguments;
    }
    out.Remove(id);
  }
  for (const std::string& joiner : SplitTrimmed(req.joining_servers, ',')) {
    if (Err e = Joining(joiner, &out, why); e != Err::kOk) return e;
  }
  *next = std::move(out);
  return Err::kOk;
}

Err PrepareReconfig(const ReconfigContext& c, const ReconfigRequest& req, TxnOp* out) {
  if (!c.config.reconfig_enabled) return Err::kReconfigDisabled;
  if (c.config.role != CoreRole::kLeader) return Err::kUnimplemented;
  const Node* node = c.tree.Find(kConfigPath);
  std::optional<NodeRecord> pending = c.view.Get(kConfigPath);
  ZK_ASSERT(node != nullptr && pending.has_value());
  // A reconfig prepared and not yet committed: the pending record is newer than the tree's.
  if (pending->stat.mzxid != node->stat.mzxid) return Err::kReconfigInProgress;
  QuorumConfig current;
  if (!ParseQuorumConfig(node->data, &current).empty()) return Err::kBadArguments;
  if (req.cur_config_id != -1 && req.cur_config_id != current.version) return Err::kBadVersion;

  QuorumConfig next;
  std::string why;
  if (Err e = NextQuorumConfig(current, req, &next, &why); e != Err::kOk) return e;
  next.version = c.zxid;
  const std::set<int64_t> voters = next.Voters();
  if (voters.size() < (c.config.standalone_enabled ? 2u : 1u)) return Err::kBadArguments;
  size_t synced = 0;
  for (int64_t id : voters) synced += c.synced.count(id);
  if (synced <= voters.size() / 2) return Err::kNewConfigNoQuorum;
  if (!c.config.skip_acl && !CheckAcl(pending->acl, perm::kWrite, c.auth)) return Err::kNoAuth;

  out->type = OpCode::kSetData;
  out->path = kConfigPath;
  out->data = next.Text();
  out->data_null = false;
  out->version = -1;
  pending->stat.version = -1;
  pending->stat.mzxid = c.zxid;
  c.view.Put(c.zxid, kConfigPath, std::move(*pending));
  return Err::kOk;
}

}  // namespace zk
