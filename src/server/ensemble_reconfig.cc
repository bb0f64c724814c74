// EnsembleNode, when a reconfig activates (core/replica_reconfig.cc): the member list that
// `conf` and the logs use becomes the new one, the transport learns the new members'
// addresses, and — as ZooKeeper does at activation — the dynamic config file is rewritten
// (zoo.cfg.dynamic.<version> beside zoo.cfg, which then points to it), so a restart comes
// back in the new configuration.
#include <spdlog/spdlog.h>

#include "server/dynamic_config_file.h"
#include "server/ensemble_node.h"

namespace zk {

void EnsembleNode::ActivateConfig(const std::string& text) {
  QuorumConfig qc;
  if (std::string e = ParseQuorumConfig(text, &qc); !e.empty()) {
    spdlog::error("reconfig: cannot read the activated config ({}): {}", e, text);
    return;
  }
  config_.servers = qc.servers;
  config_.config_version = qc.version;
  for (const ServerSpec& s : qc.servers) {
    if (s.id == config_.server_id || !transport_) continue;
    PeerEndpoint e{s.host, s.quorum_port, s.election_port};
    if (std::string err = transport_->AddPeer(s.id, e); !err.empty()) {
      spdlog::error("reconfig: server.{}: {}", s.id, err);
    }
  }
  std::string written;
  if (std::string e = WriteDynamicConfigFile(config_.path, qc, &written); !e.empty()) {
    // The ensemble goes on in the new config; only a restart would come back in the old one.
    spdlog::error("reconfig: version {} active, but the dynamic config file was not written: {}",
                  HexVersion(qc.version), e);
  } else {
    config_.dynamic_config_file = written;
  }
  spdlog::info("reconfig: version {} active, {} voters, {} observers, written to {}",
               HexVersion(qc.version), qc.Voters().size(), qc.Observers().size(), written);
}

}  // namespace zk
