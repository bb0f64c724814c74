#include "supervisor/port_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "supervisor/cluster_layout.h"

namespace fs = std::filesystem;

namespace pc {

std::vector<PortUse> ClusterPorts(const ClusterSpec& spec) {
  std::vector<PortUse> ports;
  for (int id = 1; id <= spec.nodes(); ++id) {
    const NodePorts p = PortsOf(spec, id);
    const std::string node = "node" + std::to_string(id);
    ports.push_back({p.client, node + " client port"});
    if (spec.tls) {
      ports.push_back({p.secure_client, node + " secure client port"});
    }
    if (spec.nodes() > 1) {
      ports.push_back({p.quorum, node + " quorum port"});
      ports.push_back({p.election, node + " election port"});
    }
  }
  return ports;
}

bool PortIsFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  // SO_REUSEADDR as the servers use it: a port in TIME_WAIT is not "taken".
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

namespace {

// Socket inodes bound to local `port` in /proc/net/tcp or tcp6 (any state).
std::set<std::string> InodesForPort(int port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
          inode;
      auto colon = local.rfind(':');
      if (colon == std::string::npos || inode.empty() || inode == "0") {
        continue;
      }
      if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) {
        inodes.insert(inode);
      }
    }
  }
  return inodes;
}

}  // namespace

std::string PortOwner(int port) {
  const std::set<std::string> inodes = InodesForPort(port);
  if (inodes.empty()) {
    return {};
  }
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string pid = proc.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      const std::string target = fs::read_symlink(fd.path(), link_ec).string();
      if (link_ec || target.rfind("socket:[", 0) != 0) {
        continue;
      }
      if (inodes.count(target.substr(8, target.size() - 9))) {
        std::ifstream comm(proc.path() / "comm");
        std::string name;
        std::getline(comm, name);
        std::string owner = "pid " + pid;
        owner += " (" + name + ")";
        return owner;
      }
    }
  }
  return {};
}

std::vector<std::string> CheckPorts(const ClusterSpec& spec) {
  std::vector<std::string> problems;
  for (const PortUse& use : ClusterPorts(spec)) {
    if (PortIsFree(use.port)) {
      continue;
    }
    std::string owner = PortOwner(use.port);
    problems.push_back("port " + std::to_string(use.port) + " (" + use.what + ") is in use" +
                       (owner.empty() ? "" : " by " + owner) +
                       "; stop that process or choose other ports with --base-ports");
  }
  return problems;
}

}  // namespace pc
