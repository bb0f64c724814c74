#include "core/pending.h"

#include <cassert>

namespace zk {

std::optional<NodeRecord> PendingView::Get(const std::string& path) const {
  if (auto it = changes_.find(path); it != changes_.end()) return it->second.back().second;
  const Node* n = tree_->Find(path);
  if (!n) return std::nullopt;
  return NodeRecord{n->stat, static_cast<int32_t>(n->children.size()), n->acl};
}

void PendingView::Push(int64_t zxid, const std::string& path, std::optional<NodeRecord> record) {
  assert(order_.empty() || order_.back().first <= zxid);
  changes_[path].emplace_back(zxid, std::move(record));
  order_.emplace_back(zxid, path);
}

void PendingView::Put(int64_t zxid, const std::string& path, NodeRecord record) {
  Push(zxid, path, std::move(record));
}

void PendingView::Erase(int64_t zxid, const std::string& path) { Push(zxid, path, std::nullopt); }

void PendingView::Rollback(int64_t zxid) {
  while (!order_.empty() && order_.back().first == zxid) {
    auto it = changes_.find(order_.back().second);
    assert(it != changes_.end() && it->second.back().first == zxid);
    it->second.pop_back();
    if (it->second.empty()) changes_.erase(it);
    order_.pop_back();
  }
}

void PendingView::Forget(int64_t zxid) {
  while (!order_.empty() && order_.front().first <= zxid) {
    auto it = changes_.find(order_.front().second);
    assert(it != changes_.end());
    it->second.pop_front();
    if (it->second.empty()) changes_.erase(it);
    order_.pop_front();
  }
}

void PendingView::Clear() {
  changes_.clear();
  order_.clear();
}

}  // namespace zk
