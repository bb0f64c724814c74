#include "core/pending.h"

namespace zk {

std::optional<NodeRecord> PendingView::Get(const std::string& path) const {
  if (auto it = changes_.find(path); it != changes_.end()) return it->second;
  const Node* n = tree_.Find(path);
  if (!n) return std::nullopt;
  return NodeRecord{n->stat, static_cast<int32_t>(n->children.size()), n->acl};
}

}  // namespace zk
