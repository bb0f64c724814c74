#include "tree/watches.h"

#include <cassert>

namespace zk {

Watches::Table& Watches::TableFor(WatchKind kind) {
  switch (kind) {
    case WatchKind::kData: return data_;
    case WatchKind::kChild: return child_;
    case WatchKind::kPersistent: return persistent_;
    case WatchKind::kPersistentRecursive: return recursive_;
  }
  assert(false);
  return data_;
}

const Watches::Table& Watches::TableFor(WatchKind kind) const {
  return const_cast<Watches*>(this)->TableFor(kind);
}

bool Watches::Add(const std::string& path, int64_t session_id, WatchKind kind) {
  auto& set = TableFor(kind)[path];
  if (set.count(session_id)) return true;
  if (count_ >= watches_max_) {
    if (set.empty()) TableFor(kind).erase(path);
    return false;
  }
  set.insert(session_id);
  ++count_;
  return true;
}

bool Watches::Has(const std::string& path, int64_t session_id, WatchKind kind) const {
  const auto& t = TableFor(kind);
  auto it = t.find(path);
  return it != t.end() && it->second.count(session_id) > 0;
}

bool Watches::Remove(const std::string& path, int64_t session_id, WatchKind kind) {
  auto& t = TableFor(kind);
  auto it = t.find(path);
  if (it == t.end() || it->second.erase(session_id) == 0) return false;
  --count_;
  if (it->second.empty()) t.erase(it);
  return true;
}

void Watches::RemoveSession(int64_t session_id) {
  for (Table* t : {&data_, &child_, &persistent_, &recursive_}) {
    for (auto it = t->begin(); it != t->end();) {
      count_ -= it->second.erase(session_id);
      if (it->second.empty()) {
        it = t->erase(it);
      } else {
        ++it;
      }
    }
  }
}

std::vector<WatchEvent> Watches::Trigger(const std::string& path, EventType type) {
  std::set<int64_t> fired;
  auto consume = [&](Table& t) {
    auto it = t.find(path);
    if (it == t.end()) return;
    fired.insert(it->second.begin(), it->second.end());
    count_ -= it->second.size();
    t.erase(it);
  };
  switch (type) {
    case EventType::kNodeCreated:
    case EventType::kNodeDataChanged:
      consume(data_);
      break;
    case EventType::kNodeDeleted:
      consume(data_);
      consume(child_);
      break;
    case EventType::kNodeChildrenChanged:
      consume(child_);
      break;
    default:
      break;
  }
  if (auto it = persistent_.find(path); it != persistent_.end()) {
    fired.insert(it->second.begin(), it->second.end());
  }
  if (type != EventType::kNodeChildrenChanged && !recursive_.empty()) {
    // The path itself and every ancestor up to "/".
    std::string p = path;
    while (true) {
      if (auto it = recursive_.find(p); it != recursive_.end()) {
        fired.insert(it->second.begin(), it->second.end());
      }
      if (p == "/") break;
      auto slash = p.rfind('/');
      p = slash == 0 ? "/" : p.substr(0, slash);
    }
  }
  std::vector<WatchEvent> events;
  events.reserve(fired.size());
  for (int64_t sid : fired) events.push_back({sid, type, path});
  return events;
}

size_t Watches::data_watch_count() const {
  size_t n = 0;
  for (const auto& [path, set] : data_) n += set.size();
  return n;
}

std::map<int64_t, std::set<std::string>> Watches::BySession() const {
  std::map<int64_t, std::set<std::string>> out;
  for (const auto& [path, set] : data_) {
    for (int64_t sid : set) out[sid].insert(path);
  }
  return out;
}

std::map<std::string, std::set<int64_t>> Watches::ByPath() const { return data_; }

}  // namespace zk
