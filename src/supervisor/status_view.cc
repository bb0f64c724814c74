#include "supervisor/status_view.h"

#include <cstdio>
#include <sstream>

namespace pc {

std::string Uptime(int64_t ms) {
  if (ms <= 0) {
    return "-";
  }
  char text[32];
  int64_t s = ms / 1000;
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  }
  return text;
}

std::string RenderStatus(const nlohmann::json& status) {
  const auto& c = status["cluster"];
  std::ostringstream out;
  out << "cluster '" << c.value("name", "") << "' (" << c.value("engine", "") << ") in "
      << c.value("dir", "") << ", supervisor pid " << c.value("supervisor_pid", 0) << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-10s %-8s %-6s %-13s %-6s %-6s %-8s %-5s %-7s %s\n", "id",
                "role", "pid", "epoch", "zxid", "client", "quorum", "election", "conns", "uptime",
                "data dir");
  out << line;
  bool starred = false, queued = false;
  for (const auto& n : status["nodes"]) {
    const int64_t epoch = n.value("epoch", int64_t{-1});
    const int conns = n.value("connections", -1);
    const int pid = n.value("pid", 0);
    std::string role = n.value("role", "");
    if (n.value("observer", false) && role != "observer") {
      role += "*";  // an observer that is not observing right now (looking, stopped, ...)
      starred = true;
    }
    queued = queued || role == "queued";
    std::snprintf(line, sizeof line, "%-4d %-10s %-8s %-6s %-13s %-6d %-6d %-8d %-5s %-7s %s\n",
                  n.value("id", 0), role.c_str(), pid ? std::to_string(pid).c_str() : "-",
                  epoch >= 0 ? std::to_string(epoch).c_str() : "-", n.value("zxid", "-").c_str(),
                  n.value("client_port", 0), n.value("quorum_port", 0), n.value("election_port", 0),
                  conns >= 0 ? std::to_string(conns).c_str() : "-",
                  Uptime(n.value("uptime_ms", int64_t{0})).c_str(),
                  n.value("data_dir", "").c_str());
    out << line;
  }
  if (starred) {
    out << "* an observer (peerType=observer): it never votes or leads; the word is its state "
           "now\n";
  }
  if (queued) {
    out << "queued: not started yet, `up --one-by-one` starts it after the one before it\n";
  }
  const int voters = c.value("voters", 0);
  const int running = c.value("running_voters", 0);
  const int quorum = c.value("quorum_size", 0);
  const int survives = c.value("survives", -1);
  out << "quorum: " << quorum << " of " << voters << " voters; " << running << " running; ";
  if (survives >= 0) {
    out << "survives " << survives << " more failure" << (survives == 1 ? "" : "s");
  } else {
    out << "NO QUORUM: needs " << quorum - running << " more voter"
        << (quorum - running == 1 ? "" : "s");
  }
  const int leader = c.value("leader", 0);
  if (leader) {
    out << "; leader node" << leader << " epoch " << c.value("epoch", -1);
  } else {
    out << "; no leader";
  }
  out << (c.value("ready", false) ? "; ready" : "; not ready") << "\n";
  out << LinksLine(status.value("links", nlohmann::json::object()));
  out << TlsLine(status);
  return out.str();
}

std::string TlsLine(const nlohmann::json& status) {
  if (!status["cluster"].value("tls", false)) {
    return "";
  }
  std::string ports;
  for (const auto& n : status["nodes"]) {
    ports += (ports.empty() ? "" : ",") + std::to_string(n.value("secure_client_port", 0));
  }
  const std::string tls = status["cluster"].value("dir", "") + "/tls/";
  return "tls: secureClientPort = client port + 100: " + ports + " (ssl.clientAuth=need); CA " +
         tls + "ca.pem, client certificate " + tls + "client.pem, key " + tls +
         "client-key.pem\n";
}

std::string ZkServerStatusCommands(const nlohmann::json& status, const std::string& script) {
  const std::string dir = status["cluster"].value("dir", "");
  std::string out = "zkServer.sh status of each member (it needs the member's zoo.cfg):\n";
  for (const auto& n : status["nodes"]) {
    const std::string id = std::to_string(n.value("id", 0));
    out += "  node" + id + ": " + script + " status " + dir + "/node" + id + "/zoo.cfg\n";
  }
  return out;
}

std::string LinksLine(const nlohmann::json& links) {
  if (links.value("mode", "direct") != "proxied") {
    return "";  // direct links: the tutorials' layout, nothing to say
  }
  int cut = 0, slow = 0, total = 0;
  for (const auto& l : links.value("links", nlohmann::json::array())) {
    const std::string state = l.value("state", "ok");
    ++total;
    cut += state == "blackhole" || state == "reset" ? 1 : 0;
    slow += state == "slow" ? 1 : 0;
  }
  std::string line = "links: proxied through the supervisor; ";
  if (cut == 0 && slow == 0) {
    return line + "all " + std::to_string(total) + " directions healthy\n";
  }
  line += std::to_string(cut) + " of " + std::to_string(total) + " directions cut";
  if (slow) line += ", " + std::to_string(slow) + " delayed or throttled";
  const std::string last = links.value("last_change", "");
  return line + (last.empty() ? "" : " (last: " + last + ")") + "; see `links`\n";
}

std::string EvenSizeNote(int voters) {
  if (voters < 2 || voters % 2 != 0) {
    return {};
  }
  const int quorum = voters / 2 + 1;
  const int tolerates = voters - quorum;
  return "note: " + std::to_string(voters) + " voters need a quorum of " + std::to_string(quorum) +
         " and so tolerate " + std::to_string(tolerates) + " failure" +
         (tolerates == 1 ? "" : "s") + ", no more than " + std::to_string(voters - 1) +
         " would; the extra voter adds load and no safety";
}

}  // namespace pc
