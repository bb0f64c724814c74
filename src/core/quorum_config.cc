#include "core/quorum_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace zk {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

bool ParsePort(std::string_view s, int* out) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 65535) return false;
  *out = v;
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ParseServerSpec(int64_t id, std::string_view value, ServerSpec* out) {
  constexpr const char* kExpected =
      "expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]";
  ServerSpec s;
  s.id = id;
  value = Trim(value);
  std::string_view addr = value, client;
  if (size_t semi = value.find(';'); semi != std::string_view::npos) {
    addr = value.substr(0, semi);
    client = value.substr(semi + 1);
  }
  std::vector<std::string_view> parts = Split(addr, ':');
  if (parts.size() < 3 || parts.size() > 4 || Trim(parts[0]).empty()) return kExpected;
  if (!ParsePort(parts[1], &s.quorum_port) || !ParsePort(parts[2], &s.election_port)) {
    return kExpected;
  }
  if (s.quorum_port == s.election_port) {
    return "the quorum port and the election port must differ";
  }
  s.host = std::string(Trim(parts[0]));
  if (parts.size() == 4) {
    std::string role = Lower(Trim(parts[3]));
    if (role != "participant" && role != "observer") return kExpected;
    s.observer = role == "observer";
  }
  if (!client.empty()) {
    std::string_view port = client;
    if (size_t colon = client.rfind(':'); colon != std::string_view::npos) {
      s.client_host = std::string(client.substr(0, colon));
      port = client.substr(colon + 1);
    }
    if (!ParsePort(port, &s.client_port)) return kExpected;
  }
  *out = std::move(s);
  return {};
}

std::string ServerSpecText(const ServerSpec& s) {
  std::string out = s.host + ":" + std::to_string(s.quorum_port) + ":" +
                    std::to_string(s.election_port) + ":" +
                    (s.observer ? "observer" : "participant");
  if (s.client_port > 0) {
    out += ";" + (s.client_host.empty() ? std::string("0.0.0.0") : s.client_host) + ":" +
           std::to_string(s.client_port);
  }
  return out;
}

std::set<int64_t> QuorumConfig::Voters() const {
  std::set<int64_t> ids;
  for (const ServerSpec& s : servers) {
    if (!s.observer) ids.insert(s.id);
  }
  return ids;
}

std::set<int64_t> QuorumConfig::Observers() const {
  std::set<int64_t> ids;
  for (const ServerSpec& s : servers) {
    if (s.observer) ids.insert(s.id);
  }
  return ids;
}

const ServerSpec* QuorumConfig::Find(int64_t id) const {
  for (const ServerSpec& s : servers) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

void QuorumConfig::Put(const ServerSpec& s) {
  Remove(s.id);
  auto at = std::lower_bound(servers.begin(), servers.end(), s.id,
                             [](const ServerSpec& a, int64_t id) { return a.id < id; });
  servers.insert(at, s);
}

bool QuorumConfig::Remove(int64_t id) {
  auto it = std::find_if(servers.begin(), servers.end(),
                         [id](const ServerSpec& s) { return s.id == id; });
  if (it == servers.end()) return false;
  servers.erase(it);
  return true;
}

std::string QuorumConfig::FileText() const {
  std::string out;
  for (const ServerSpec& s : servers) {
    out += "server." + std::to_string(s.id) + "=" + ServerSpecText(s) + "\n";
  }
  return out;
}

std::string QuorumConfig::Text() const { return FileText() + "version=" + HexVersion(version); }

std::string ParseQuorumConfig(std::string_view text, QuorumConfig* out) {
  QuorumConfig c;
  for (std::string_view line : Split(text, '\n')) {
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return std::string(line) + ": expected server.N=... or version=<hex>";
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    const std::string shown = key + "=" + std::string(value);
    if (key == "version") {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v, 16);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size()) {
        return shown + ": expected the config version in hex (a zxid)";
      }
      c.version = static_cast<int64_t>(v);
      continue;
    }
    if (key.rfind("server.", 0) != 0) {
      return shown + ": a dynamic config holds only server.N lines (and version)";
    }
    int64_t id = 0;
    const std::string digits = key.substr(7);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || id < 0) {
      return shown + ": expected server.<id> with a non-negative id";
    }
    if (c.Find(id) != nullptr) return shown + ": server." + digits + " is named twice";
    ServerSpec s;
    if (std::string e = ParseServerSpec(id, value, &s); !e.empty()) return shown + ": " + e;
    c.Put(s);
  }
  *out = std::move(c);
  return {};
}

bool VersionFromFileName(std::string_view name, int64_t* version) {
  constexpr std::string_view kMark = ".dynamic.";
  size_t at = name.rfind(kMark);
  if (at == std::string_view::npos) return false;
  std::string_view hex = name.substr(at + kMark.size());
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
  if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size()) return false;
  *version = static_cast<int64_t>(v);
  return true;
}

std::string HexVersion(int64_t version) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(version), 16);
  return std::string(buf, p);
}

}  // namespace zk
