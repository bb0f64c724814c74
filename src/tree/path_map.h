// PathMap: values by path, for the data tree's nodes. Each entry (path and value) is allocated
// on its own and keeps its address until it is erased, as the children maps point at nodes. The
// table is open addressing with linear probing over a power-of-two number of slots, at most half
// full; each slot keeps its path's hash next to the entry pointer. A probe therefore compares
// hashes and reads an entry only on a full hash match, so inserting a new path touches one slot
// and no other node, and growing re-places slots without reading any entry. std::unordered_map
// walks its bucket's chain of nodes (a cache miss each) and divides by a prime on every step,
// which with a million nodes was the largest single cost of a create.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zk {

template <class V>
class PathMap {
 public:
  PathMap() = default;
  PathMap(const PathMap&) = delete;
  PathMap& operator=(const PathMap&) = delete;
  PathMap(PathMap&& other) noexcept { Swap(other); }
  PathMap& operator=(PathMap&& other) noexcept {
    PathMap gone;
    gone.Swap(other);
    Swap(gone);
    return *this;
  }
  ~PathMap() {
    for (Slot& s : slots_) delete s.entry;
  }

  V* Find(std::string_view path) {
    const Slot* s = FindSlot(path, Hash(path));
    return s ? &s->entry->value : nullptr;
  }
  const V* Find(std::string_view path) const { return const_cast<PathMap*>(this)->Find(path); }

  // Inserts `value` under `path` unless the path is there; returns the value in the map and
  // whether it was inserted.
  std::pair<V*, bool> Emplace(std::string path, V value) {
    uint64_t hash = Hash(path);
    if (Slot* s = FindSlot(path, hash)) return {&s->entry->value, false};
    if ((size_ + 1) * 2 > slots_.size()) Grow((size_ + 1) * 2);
    auto* entry = new Entry{std::move(path), std::move(value)};
    Place(Slot{hash, entry});
    ++size_;
    return {&entry->value, true};
  }

  bool Erase(std::string_view path) {
    Slot* s = FindSlot(path, Hash(path));
    if (!s) return false;
    delete s->entry;
    --size_;
    // Backward shift: move later slots of the run into the hole when their home allows it, so
    // no probe ever stops early at an emptied slot.
    size_t hole = static_cast<size_t>(s - slots_.data());
    *s = Slot{};
    for (size_t i = (hole + 1) & mask_; slots_[i].entry != nullptr; i = (i + 1) & mask_) {
      size_t home = slots_[i].hash & mask_;
      // Movable if its home is not within (hole, i], cyclically.
      bool home_after_hole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (home_after_hole) continue;
      slots_[hole] = slots_[i];
      slots_[i] = Slot{};
      hole = i;
    }
    return true;
  }

  size_t size() const { return size_; }
  void Reserve(size_t n) {
    if (n * 2 > slots_.size()) Grow(n * 2);
  }

 private:
  struct Entry {
    std::string path;
    V value;
  };
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;  // nullptr: empty
  };

  static uint64_t Hash(std::string_view path) { return std::hash<std::string_view>{}(path); }

  Slot* FindSlot(std::string_view path, uint64_t hash) {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.entry == nullptr) return nullptr;
      if (s.hash == hash && s.entry->path == path) return &s;
    }
  }

  void Place(Slot slot) {
    size_t i = slot.hash & mask_;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
    slots_[i] = slot;
  }

  void Grow(size_t at_least) {
    size_t n = 16;
    while (n < at_least) n *= 2;
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.entry != nullptr) Place(s);
    }
  }

  void Swap(PathMap& other) noexcept {
    slots_.swap(other.slots_);
    std::swap(size_, other.size_);
    std::swap(mask_, other.mask_);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
};

}  // namespace zk
