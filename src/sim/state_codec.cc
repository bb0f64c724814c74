#include "sim/state_codec.h"

#include "proto/jute.h"
#include "proto/records.h"

namespace zk::sim {
namespace {

uint64_t Mix(uint64_t h, int64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return Fnv1a(std::string_view(bytes, 8), h);
}

}  // namespace

uint64_t Fnv1a(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t TreeDigest(const DataTree& tree) {
  uint64_t h = 0xcbf29ce484222325ULL;
  tree.ForEachDescendant("/", [&](const std::string& path, const Node& n) {
    h = Fnv1a(path, h);
    h = Mix(h, static_cast<int64_t>(n.data.size()));
    h = Fnv1a(n.data, h);
    h = Mix(h, n.data_null ? 1 : 0);
    const Stat& s = n.stat;
    for (int64_t v : {s.czxid, s.mzxid, s.ctime, s.mtime, s.ephemeral_owner, s.pzxid,
                      int64_t{s.version}, int64_t{s.cversion}, int64_t{s.aversion},
                      int64_t{s.num_children}}) {
      h = Mix(h, v);
    }
  });
  return h;
}

std::string SimStateCodec::Encode(const Core& core) {
  JuteWriter w;
  w.Int(static_cast<int32_t>(core.sessions().all().size()));
  for (const auto& [sid, s] : core.sessions().all()) {
    w.Long(sid);
    w.Int(s.timeout_ms);
  }
  core.tree().ForEachDescendant("/", [&](const std::string& path, const Node& n) {
    w.Bool(true);
    w.String(path);
    w.MaybeNullBuffer(n.data, n.data_null);
    WriteAcls(w, *n.acl);
    n.stat.Write(w);
  });
  w.Bool(false);
  return w.Take();
}

bool SimStateCodec::Decode(std::string_view bytes, DataTree* tree,
                           std::map<int64_t, int32_t>* sessions) {
  JuteReader r(bytes);
  int32_t n = r.Int();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    int64_t sid = r.Long();
    (*sessions)[sid] = r.Int();
  }
  while (r.ok() && r.Bool()) {
    std::string path = r.String();
    Node node;
    node.data = r.Buffer(&node.data_null);
    node.acl = ReadAcls(r);
    node.stat.Read(r);
    if (!r.ok() || !tree->Restore(path, node)) return false;
  }
  return r.ok() && r.AtEnd();
}

}  // namespace zk::sim
