// DataTree: applying create / setData / delete txns, reading a node (data + Stat, encoded as the
// getData reply body) and listing the children of a wide node (encoded as the getChildren reply
// body), on trees of a given size. Txns are built before the timed loop: this is the cost of
// Apply on the loop thread, not of Prepare or of the codec.
// Background trees: `nodes` znodes as /bench/p-NNNN/n-NNNNNN, 1000 children per parent, 32-byte
// values; they are built once per size and shared (benchmarks that add nodes remove them again).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/reads.h"
#include "proto/jute.h"
#include "tree/acl.h"
#include "tree/data_tree.h"

namespace zk {
namespace {

constexpr int kChildrenPerParent = 1000;

int64_t zxid_counter = 0;

Txn CreateTxn(const std::string& path, size_t data_bytes) {
  Txn t;
  t.header = {0x1000, 1, ++zxid_counter, 1'700'000'000'000, ToInt(OpCode::kCreate)};
  t.op.type = OpCode::kCreate;
  t.op.path = path;
  t.op.data = std::string(data_bytes, 'v');
  t.op.acl = OpenAclUnsafe();
  t.op.parent_cversion = -1;  // the parent's next cversion
  return t;
}

Txn DeleteTxn(const std::string& path) {
  Txn t;
  t.header = {0x1000, 1, ++zxid_counter, 1'700'000'000'000, ToInt(OpCode::kDelete)};
  t.op.type = OpCode::kDelete;
  t.op.path = path;
  return t;
}

Txn SetDataTxn(const std::string& path, size_t data_bytes, int32_t version) {
  Txn t;
  t.header = {0x1000, 1, ++zxid_counter, 1'700'000'000'000, ToInt(OpCode::kSetData)};
  t.op.type = OpCode::kSetData;
  t.op.path = path;
  t.op.data = std::string(data_bytes, 's');
  t.op.version = version;
  return t;
}

void MustApply(DataTree& tree, const Txn& t, std::vector<Trigger>* triggers) {
  if (tree.Apply(t, triggers).err != Err::kOk) std::abort();
  triggers->clear();
}

std::string NodePath(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/bench/p-%04d/n-%06d", i / kChildrenPerParent, i);
  return buf;
}

// A tree of `nodes` znodes under /bench, plus an empty /new for the create / delete benchmarks.
DataTree& TreeOf(int nodes) {
  static std::map<int, std::unique_ptr<DataTree>> trees;
  auto& slot = trees[nodes];
  if (slot) return *slot;
  slot = std::make_unique<DataTree>();
  DataTree& tree = *slot;
  std::vector<Trigger> triggers;
  MustApply(tree, CreateTxn("/bench", 0), &triggers);
  MustApply(tree, CreateTxn("/new", 0), &triggers);
  char buf[64];
  for (int p = 0; p * kChildrenPerParent < nodes; ++p) {
    std::snprintf(buf, sizeof buf, "/bench/p-%04d", p);
    MustApply(tree, CreateTxn(buf, 0), &triggers);
  }
  for (int i = 0; i < nodes; ++i) MustApply(tree, CreateTxn(NodePath(i), 32), &triggers);
  return tree;
}

// `count` existing node paths spread over the whole tree.
std::vector<std::string> SpreadPaths(int nodes, int count) {
  std::vector<std::string> paths;
  for (int k = 0; k < count; ++k) {
    paths.push_back(NodePath(static_cast<int>((static_cast<int64_t>(k) * 7919) % nodes)));
  }
  return paths;
}

// Creates or deletes go in batches under /new; the other half of each batch runs untimed.
constexpr int kBatch = 10000;

std::vector<std::string> NewPaths() {
  std::vector<std::string> paths;
  char buf[64];
  for (int i = 0; i < kBatch; ++i) {
    std::snprintf(buf, sizeof buf, "/new/item-%010d", i);
    paths.push_back(buf);
  }
  return paths;
}

// A create (32-byte value) and a delete for each of NewPaths().
std::pair<std::vector<Txn>, std::vector<Txn>> CreatesAndDeletes() {
  std::vector<Txn> creates, deletes;
  for (const auto& p : NewPaths()) {
    creates.push_back(CreateTxn(p, 32));
    deletes.push_back(DeleteTxn(p));
  }
  return {std::move(creates), std::move(deletes)};
}

// Args: {nodes in the tree}.
void BM_Tree_ApplyCreate(benchmark::State& state) {
  DataTree& tree = TreeOf(static_cast<int>(state.range(0)));
  const auto [creates, deletes] = CreatesAndDeletes();
  std::vector<Trigger> triggers;
  size_t done = 0;
  for (auto _ : state) {
    if (done == creates.size()) {
      state.PauseTiming();
      for (const auto& d : deletes) MustApply(tree, d, &triggers);
      done = 0;
      state.ResumeTiming();
    }
    MustApply(tree, creates[done++], &triggers);
  }
  for (size_t i = 0; i < done; ++i) MustApply(tree, deletes[i], &triggers);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tree_ApplyCreate)->Arg(1000)->Arg(100000);

void BM_Tree_ApplyDelete(benchmark::State& state) {
  DataTree& tree = TreeOf(static_cast<int>(state.range(0)));
  const auto [creates, deletes] = CreatesAndDeletes();
  std::vector<Trigger> triggers;
  size_t done = deletes.size();
  for (auto _ : state) {
    if (done == deletes.size()) {
      state.PauseTiming();
      for (const auto& c : creates) MustApply(tree, c, &triggers);
      done = 0;
      state.ResumeTiming();
    }
    MustApply(tree, deletes[done++], &triggers);
  }
  for (size_t i = done; i < deletes.size(); ++i) MustApply(tree, deletes[i], &triggers);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tree_ApplyDelete)->Arg(1000)->Arg(100000);

// Args: {nodes in the tree, value bytes}.
void BM_Tree_ApplySetData(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const size_t value_bytes = static_cast<size_t>(state.range(1));
  DataTree& tree = TreeOf(nodes);
  std::vector<Txn> sets;
  for (const auto& p : SpreadPaths(nodes, 1024)) sets.push_back(SetDataTxn(p, value_bytes, 1));
  std::vector<Trigger> triggers;
  size_t k = 0;
  for (auto _ : state) {
    MustApply(tree, sets[k], &triggers);
    k = (k + 1) % sets.size();
  }
  // Put the 32-byte values back for the benchmarks that follow.
  for (auto& t : sets) {
    t.op.data = std::string(32, 'v');
    MustApply(tree, t, &triggers);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(value_bytes));
}
BENCHMARK(BM_Tree_ApplySetData)->Args({1000, 32})->Args({100000, 32})->Args({100000, 4096});

// getData: look the node up by path and encode data + the client's Stat. Args: {nodes}.
void BM_Tree_GetData(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const DataTree& tree = TreeOf(nodes);
  const std::vector<std::string> paths = SpreadPaths(nodes, 1024);
  size_t k = 0;
  for (auto _ : state) {
    const Node* n = tree.Find(paths[k]);
    if (!n) std::abort();
    JuteWriter w;
    w.MaybeNullBuffer(n->data, n->data_null);
    ClientStat(n->stat).Write(w);
    benchmark::DoNotOptimize(w.data().data());
    k = (k + 1) % paths.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tree_GetData)->Arg(1000)->Arg(100000);

// getChildren of one wide node: /wide with `children` children, names "child-NNNNNNNNNN".
const DataTree& WideTree(int children) {
  static std::map<int, std::unique_ptr<DataTree>> trees;
  auto& slot = trees[children];
  if (slot) return *slot;
  slot = std::make_unique<DataTree>();
  std::vector<Trigger> triggers;
  MustApply(*slot, CreateTxn("/wide", 0), &triggers);
  char buf[64];
  for (int i = 0; i < children; ++i) {
    std::snprintf(buf, sizeof buf, "/wide/child-%010d", i);
    MustApply(*slot, CreateTxn(buf, 0), &triggers);
  }
  return *slot;
}

// Args: {children}. items_per_second = child names listed per second.
void BM_Tree_GetChildrenWide(benchmark::State& state) {
  const int children = static_cast<int>(state.range(0));
  const DataTree& tree = WideTree(children);
  size_t bytes = 0;
  for (auto _ : state) {
    const Node* n = tree.Find("/wide");
    if (!n) std::abort();
    JuteWriter w;
    WriteChildren(w, *n);
    bytes = w.size();
    benchmark::DoNotOptimize(w.data().data());
  }
  state.SetItemsProcessed(state.iterations() * children);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Tree_GetChildrenWide)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zk
