#include "server/dynamic_config_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace zk {

namespace {

bool ReadAll(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *text = ss.str();
  return true;
}

// Writes `text` to path.tmp, then renames it over `path`.
std::string WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return tmp + ": cannot write: " + std::strerror(errno);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return path + ": cannot replace with " + tmp + ": " + std::strerror(errno);
  }
  return {};
}

bool IsKey(const std::string& line, const std::string& prefix) {
  size_t b = line.find_first_not_of(" \t");
  return b != std::string::npos && line.compare(b, prefix.size(), prefix) == 0;
}

}  // namespace

std::string ReadDynamicConfigFile(const std::string& path, QuorumConfig* out) {
  std::string text;
  if (!ReadAll(path, &text)) {
    return path +
           ": cannot read the dynamic config file (dynamicConfigFile): " + std::strerror(errno);
  }
  QuorumConfig c;
  if (std::string e = ParseQuorumConfig(text, &c); !e.empty()) return path + ": " + e;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    // ZooKeeper refuses it too: the version belongs in the file name.
    if (IsKey(line, "version")) {
      return path + ": " + line +
             ": a dynamic config file has no version line; its version is the file name's suffix";
    }
  }
  if (c.servers.empty()) return path + ": names no server.N: expected the ensemble's members";
  int64_t version = 0;
  c.version = VersionFromFileName(path, &version) ? version : 0;
  *out = std::move(c);
  return {};
}

std::string WriteDynamicConfigFile(const std::string& zoo_cfg, const QuorumConfig& config,
                                   std::string* written) {
  const std::string path = zoo_cfg + ".dynamic." + HexVersion(config.version);
  if (std::string e = WriteAtomically(path, config.FileText()); !e.empty()) return e;
  std::string old;
  if (!ReadAll(zoo_cfg, &old)) return zoo_cfg + ": cannot read: " + std::strerror(errno);
  std::string next;
  std::istringstream lines(old);
  for (std::string line; std::getline(lines, line);) {
    if (IsKey(line, "server.") || IsKey(line, "dynamicConfigFile")) continue;
    next += line + "\n";
  }
  next += "dynamicConfigFile=" + path + "\n";
  if (std::string e = WriteAtomically(zoo_cfg, next); !e.empty()) return e;
  *written = path;
  return {};
}

}  // namespace zk
