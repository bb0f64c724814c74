#include "supervisor/link_layer.h"

#include <algorithm>
#include <cstdio>

#include "supervisor/apache_hello.h"
#include "supervisor/cluster_layout.h"

namespace pc {

LinkLayer::LinkLayer(uv_loop_t* loop, const ClusterSpec& spec)
    : loop_(loop), nodes_(spec.nodes()), matrix_(spec.nodes()), pairs_(size_t(nodes_) * nodes_) {
  for (int from = 1; from <= nodes_; ++from) {
    for (int to = 1; to <= nodes_; ++to) {
      if (from == to) continue;
      const NodePorts ports = PortsOf(spec, to);
      const std::string host = ProxyHost(from, to);
      Pair& p = pair(from, to);
      p.quorum = std::make_unique<LinkProxy>(loop_, host, ports.quorum, "127.0.0.1", ports.quorum);
      p.election =
          std::make_unique<LinkProxy>(loop_, host, ports.election, "127.0.0.1", ports.election);
      if (spec.engine == Engine::kApache) {
        // A dial-back from `to` must come through the to→from proxy.
        const std::string back =
            ProxyHost(to, from) + ":" + std::to_string(PortsOf(spec, from).election);
        p.election->SetHelloRewrite(
            [back](std::string* bytes) { return RewriteApacheElectionHello(bytes, back); });
      }
    }
  }
}

std::string LinkLayer::Start() {
  for (Pair& p : pairs_) {
    for (LinkProxy* proxy : {p.quorum.get(), p.election.get()}) {
      if (!proxy) continue;
      if (std::string error = proxy->Start(); !error.empty()) {
        return "link proxy: " + error;
      }
    }
  }
  return {};
}

void LinkLayer::Close() {
  for (Pair& p : pairs_) {
    if (p.quorum) p.quorum->Close();
    if (p.election) p.election->Close();
  }
}

void LinkLayer::Apply(const LinkMatrix& next) {
  for (int from = 1; from <= nodes_; ++from) {
    for (int to = 1; to <= nodes_; ++to) {
      if (from == to) continue;
      const LinkFault& forward = next.at(from, to);
      const LinkFault& backward = next.at(to, from);
      if (forward == matrix_.at(from, to) && backward == matrix_.at(to, from)) continue;
      pair(from, to).quorum->SetFaults(forward, backward);
      pair(from, to).election->SetFaults(forward, backward);
    }
  }
  matrix_ = next;
}

std::string FaultText(const LinkFault& fault) {
  if (fault.reset) return "reset";
  if (fault.blackhole) return "blackhole";
  std::string text;
  if (fault.delay_ms || fault.jitter_ms) {
    text = "delay " + std::to_string(fault.delay_ms) + "ms";
    if (fault.jitter_ms) text += "±" + std::to_string(fault.jitter_ms) + "ms";
  }
  if (fault.bandwidth_bps) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f KB/s", double(fault.bandwidth_bps) / 1024.0);
    if (fault.bandwidth_bps >= 1024 * 1024) {
      std::snprintf(rate, sizeof rate, "%.1f MB/s", double(fault.bandwidth_bps) / 1048576.0);
    }
    text += (text.empty() ? "" : ", ") + std::string(rate);
  }
  return text.empty() ? "ok" : text;
}

namespace {

void Add(const FlowCounters& c, FlowCounters* sum) {
  sum->bytes += c.bytes;
  sum->messages += c.messages;
  sum->dropped_bytes += c.dropped_bytes;
  sum->last_ms = std::max(sum->last_ms, c.last_ms);
}

}  // namespace

nlohmann::json LinkLayer::LinksJson(int64_t origin_ms) const {
  nlohmann::json links = nlohmann::json::array();
  for (int from = 1; from <= nodes_; ++from) {
    for (int to = 1; to <= nodes_; ++to) {
      if (from == to) continue;
      // Bytes from `from` to `to`: forward on from's dials, backward on to's dials.
      FlowCounters sum;
      for (const LinkProxy* proxy : {pair(from, to).quorum.get(), pair(from, to).election.get()}) {
        Add(proxy->forward(), &sum);
      }
      for (const LinkProxy* proxy : {pair(to, from).quorum.get(), pair(to, from).election.get()}) {
        Add(proxy->backward(), &sum);
      }
      const LinkFault& f = matrix_.at(from, to);
      links.push_back(
          {{"from", from},
           {"to", to},
           {"state", f.reset ? "reset" : f.blackhole ? "blackhole" : f.healthy() ? "ok" : "slow"},
           {"fault", FaultText(f)},
           {"delay_ms", f.delay_ms},
           {"jitter_ms", f.jitter_ms},
           {"bandwidth_bps", f.bandwidth_bps},
           {"bytes", sum.bytes},
           {"messages", sum.messages},
           {"dropped_bytes", sum.dropped_bytes},
           {"connections",
            pair(from, to).quorum->connections() + pair(from, to).election->connections()},
           {"last_activity_ms", sum.last_ms < 0 ? -1 : sum.last_ms - origin_ms}});
    }
  }
  return links;
}

}  // namespace pc
