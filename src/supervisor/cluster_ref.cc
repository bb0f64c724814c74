#include "supervisor/cluster_ref.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

namespace fs = std::filesystem;

namespace pc {

std::string ResolveClusterDir(const ClusterRef& ref) {
  if (!ref.dir.empty()) {
    return fs::absolute(ref.dir).lexically_normal().string();
  }
  const std::string root = StateRoot();
  if (!ref.name.empty()) {
    return root + "/" + ref.name;
  }
  if (fs::exists(root + "/default/cluster.json")) {
    return root + "/default";
  }
  std::string only;
  int running = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string dir = entry.path().string();
    if (SupervisorRunning(SocketPath(dir))) {
      only = dir;
      ++running;
    }
  }
  return running == 1 ? only : root + "/default";
}

bool ReadClusterSpec(const std::string& cluster_dir, ClusterSpec* spec) {
  std::ifstream in(cluster_dir + "/cluster.json");
  if (!in) {
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    return false;
  }
  *spec = SpecFromJson(j);
  return true;
}

}  // namespace pc
