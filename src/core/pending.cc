#include "core/pending.h"

#include <cassert>

namespace zk {

std::optional<NodeRecord> PendingView::Get(const std::string& path) const {
  if (auto it = index_.find(path); it != index_.end()) return At(it->second.newest).record;
  const Node* n = tree_->Find(path);
  if (!n) return std::nullopt;
  return NodeRecord{n->stat, static_cast<int32_t>(n->children.size()), n->acl};
}

bool PendingView::ChildExists(std::string_view parent_path, const std::string& path) const {
  if (path == "/") return true;  // the root is no one's child, and always there
  if (auto it = index_.find(path); it != index_.end()) {
    return At(it->second.newest).record.has_value();
  }
  const Node* parent = tree_->Find(parent_path);
  return parent && DataTree::HasChild(*parent, BaseName(path));
}

void PendingView::Push(int64_t zxid, const std::string& path, std::optional<NodeRecord> record) {
  assert(changes_.empty() || changes_.back().zxid <= zxid);
  uint64_t seq = first_seq_ + changes_.size();
  Index::value_type& entry = *index_.try_emplace(path).first;
  changes_.push_back({zxid, &entry, std::move(record), entry.second.newest});
  entry.second.count++;
  entry.second.newest = seq;
}

void PendingView::Put(int64_t zxid, const std::string& path, NodeRecord record) {
  Push(zxid, path, std::move(record));
}

void PendingView::Erase(int64_t zxid, const std::string& path) { Push(zxid, path, std::nullopt); }

// One change of `path` is gone; the path leaves the index with its last one.
void PendingView::Drop(Index::value_type* path) {
  if (--path->second.count == 0) index_.erase(index_.find(path->first));
}

void PendingView::Rollback(int64_t zxid) {
  while (!changes_.empty() && changes_.back().zxid == zxid) {
    Change& c = changes_.back();
    // If older changes of the path remain, the newest of them is the one this change covered.
    c.path->second.newest = c.previous;
    Drop(c.path);
    changes_.pop_back();
  }
}

void PendingView::Forget(int64_t zxid) {
  while (!changes_.empty() && changes_.front().zxid <= zxid) {
    // The oldest change of its path: if newer ones remain, the newest is still theirs.
    Drop(changes_.front().path);
    changes_.pop_front();
    ++first_seq_;
  }
}

void PendingView::Clear() {
  index_.clear();
  changes_.clear();
  first_seq_ = 0;
}

}  // namespace zk
