// Watch registrations and their firing rules (docs/data-tree.md, Watches, and ZooKeeper's
// WatchManager): one-shot data/exist watches and child watches, persistent watches on a path, and
// persistent-recursive watches on a subtree. A watcher is identified by its session id.
// Pure: no I/O. Ordered containers only, so dumps and fired events are deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/codes.h"

namespace zk {

struct WatchEvent {
  int64_t session_id = 0;
  EventType type = EventType::kNone;
  std::string path;
};

enum class WatchKind { kData, kChild, kPersistent, kPersistentRecursive };

class Watches {
 public:
  // Returns false (and registers nothing) when the named limit of watches is reached.
  bool Add(const std::string& path, int64_t session_id, WatchKind kind);
  bool Has(const std::string& path, int64_t session_id, WatchKind kind) const;
  // Removes one registration; true if it existed.
  bool Remove(const std::string& path, int64_t session_id, WatchKind kind);
  // Drops everything a session registered (its connection closed).
  void RemoveSession(int64_t session_id);

  // The events an action on `path` fires, consuming one-shot watches.
  // kNodeCreated / kNodeDataChanged: data watches of path. kNodeDeleted: data and child watches of
  // path. kNodeChildrenChanged: child watches of path (the parent of what changed). Persistent
  // watches of path always fire (never consumed); persistent-recursive watches of path and of
  // every ancestor fire for everything except kNodeChildrenChanged. One event per session.
  std::vector<WatchEvent> Trigger(const std::string& path, EventType type);

  void set_limit(size_t watches_max) { watches_max_ = watches_max; }
  size_t count() const { return count_; }
  // For wchs / wchc / wchp / mntr (data = data+exist watches, ZooKeeper's "data watches").
  size_t data_watch_count() const;
  std::map<int64_t, std::set<std::string>> BySession() const;
  std::map<std::string, std::set<int64_t>> ByPath() const;

 private:
  using Table = std::map<std::string, std::set<int64_t>>;
  Table& TableFor(WatchKind kind);
  const Table& TableFor(WatchKind kind) const;
  Table data_;
  Table child_;
  Table persistent_;
  Table recursive_;
  size_t count_ = 0;
  size_t watches_max_ = 1'000'000;
};

}  // namespace zk
