// ChildMap: a node's children by name, sorted, kept in short sorted runs ("chunks") of at most
// kChunkMax entries, each run one contiguous array of (name, value).
//
// Why not std::map: listing a wide node (getChildren, snapshots) walks every child, and a
// red-black tree puts each child in its own allocation, so the walk is one dependent cache miss
// per child: with 100k children a listing cost up to 3.5x more per child than with 10k, and 75%
// of zkd's time in it went to _Rb_tree_increment (bench/results/children_cost.txt). Here the
// walk reads arrays front to back (names up to 15 bytes sit inside the std::string), and an
// entry takes 40 bytes instead of a map node's 80.
// Inserting or erasing moves at most one chunk's entries (64: erasing the oldest of many
// sequential children, as a lock queue does, costs ~30 ns more than with std::map; 128 cost
// ~100 ns). Appending after the last name (every sequential create) fills the last chunk and
// then starts a new one, so chunks of appended children are full. A lookup is a binary search
// over the chunks' last names, then within one.
// Iterators are invalidated by any insert or erase (callers never keep them across a change).
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zk {

template <class V>
class ChildMap {
 public:
  using value_type = std::pair<std::string, V>;
  static constexpr size_t kChunkMax = 64;

 private:
  using Chunk = std::vector<value_type>;

 public:
  class const_iterator {
   public:
    const_iterator() = default;
    const value_type& operator*() const { return (*chunks_)[chunk_][pos_]; }
    const value_type* operator->() const { return &**this; }
    const_iterator& operator++() {
      if (++pos_ == (*chunks_)[chunk_].size()) {
        ++chunk_;
        pos_ = 0;
        // Chunks are separate allocations, so the hardware does not see the next one coming:
        // ask for its first entries while this one is read.
        if (chunk_ + 1 < chunks_->size()) __builtin_prefetch((*chunks_)[chunk_ + 1].data());
      }
      return *this;
    }
    bool operator==(const const_iterator& o) const { return chunk_ == o.chunk_ && pos_ == o.pos_; }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    friend class ChildMap;
    const_iterator(const std::vector<Chunk>* chunks, size_t chunk, size_t pos)
        : chunks_(chunks), chunk_(chunk), pos_(pos) {}
    const std::vector<Chunk>* chunks_ = nullptr;
    size_t chunk_ = 0;  // chunks_->size(): end
    size_t pos_ = 0;
  };
  using iterator = const_iterator;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }
  const_iterator begin() const { return {&chunks_, 0, 0}; }
  const_iterator end() const { return {&chunks_, chunks_.size(), 0}; }
  // The greatest name; the map must not be empty.
  const value_type& back() const { return chunks_.back().back(); }

  const_iterator find(std::string_view name) const {
    size_t c = ChunkFor(name);
    if (c == chunks_.size()) return end();
    const Chunk& chunk = chunks_[c];
    auto it = LowerBound(chunk, name);
    if (it == chunk.end() || it->first != name) return end();
    return {&chunks_, c, static_cast<size_t>(it - chunk.begin())};
  }
  size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  const V& at(std::string_view name) const {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("ChildMap::at");
    return it->second;
  }
  // The first entry whose name is greater than `name`.
  const_iterator upper_bound(std::string_view name) const {
    size_t c = ChunkFor(name);
    if (c == chunks_.size()) return end();
    const Chunk& chunk = chunks_[c];
    auto it = std::upper_bound(chunk.begin(), chunk.end(), name,
                               [](std::string_view n, const value_type& e) { return n < e.first; });
    if (it == chunk.end()) return {&chunks_, c + 1, 0};
    return {&chunks_, c, static_cast<size_t>(it - chunk.begin())};
  }

  // Inserts unless `name` is there; returns whether it inserted.
  bool emplace(std::string name, V value) { return Put(std::move(name), std::move(value), false); }
  void insert_or_assign(std::string name, V value) { Put(std::move(name), std::move(value), true); }
  void erase(const_iterator it) {
    Chunk& chunk = chunks_[it.chunk_];
    chunk.erase(chunk.begin() + static_cast<std::ptrdiff_t>(it.pos_));
    --size_;
    if (chunk.empty()) {
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(it.chunk_));
    } else if (chunk.size() * 4 < chunk.capacity()) {
      chunk.shrink_to_fit();  // a chunk thinned by deletes gives its room back
    }
  }
  size_t erase(std::string_view name) {
    auto it = find(name);
    if (it == end()) return 0;
    erase(it);
    return 1;
  }

 private:
  static typename Chunk::const_iterator LowerBound(const Chunk& chunk, std::string_view name) {
    return std::lower_bound(chunk.begin(), chunk.end(), name,
                            [](const value_type& e, std::string_view n) { return e.first < n; });
  }

  // The first chunk whose last name is >= `name` (where `name` is or would go), or the count.
  size_t ChunkFor(std::string_view name) const {
    auto it =
        std::lower_bound(chunks_.begin(), chunks_.end(), name,
                         [](const Chunk& c, std::string_view n) { return c.back().first < n; });
    return static_cast<size_t>(it - chunks_.begin());
  }

  bool Put(std::string name, V value, bool assign) {
    // After the last name (every sequential create) the chunks need no search.
    size_t c = empty() || back().first < name ? chunks_.size() : ChunkFor(name);
    if (c == chunks_.size()) {
      // After the last name: append, to a fresh chunk when the last one is full.
      if (chunks_.empty() || chunks_.back().size() >= kChunkMax) {
        // A node past its first chunk is a wide one: give its new chunk full room at once.
        bool wide = !chunks_.empty();
        chunks_.emplace_back();
        if (wide) chunks_.back().reserve(kChunkMax);
      }
      chunks_.back().emplace_back(std::move(name), std::move(value));
      ++size_;
      return true;
    }
    Chunk* chunk = &chunks_[c];
    auto it = LowerBound(*chunk, name);
    if (it->first == name) {  // it is not end: the chunk's last name is >= name
      if (assign) chunk->at(static_cast<size_t>(it - chunk->begin())).second = std::move(value);
      return false;
    }
    size_t pos = static_cast<size_t>(it - chunk->begin());
    if (chunk->size() >= kChunkMax) {
      // Split the full chunk in halves and insert into the half that holds the position.
      size_t half = chunk->size() / 2;
      Chunk upper(std::make_move_iterator(chunk->begin() + static_cast<std::ptrdiff_t>(half)),
                  std::make_move_iterator(chunk->end()));
      chunk->erase(chunk->begin() + static_cast<std::ptrdiff_t>(half), chunk->end());
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
      chunk = &chunks_[c];
      if (pos > half) {
        chunk = &chunks_[c + 1];
        pos -= half;
      }
    }
    chunk->emplace(chunk->begin() + static_cast<std::ptrdiff_t>(pos), std::move(name),
                   std::move(value));
    ++size_;
    return true;
  }

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace zk
