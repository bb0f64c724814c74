// libFuzzer target: arbitrary request streams into the pure core. Whatever the bytes, the core
// must answer each request exactly once and never crash; the tree must stay consistent.
#include <cassert>
#include <cstddef>
#include <cstdint>

#include "core/core.h"
#include "proto/jute.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk;
  CoreConfig config;
  config.extended_types_enabled = (size % 2) == 0;
  config.container_check_ticks = 1;
  Core core(config, 0x1000);
  int64_t now = 1000;
  auto a = core.OpenSession(30000, "127.0.0.1", now);
  auto b = core.OpenSession(4000, "10.0.0.1", now);
  core.TakeOutputs();
  // The input is a sequence of frames: int len, int xid, int type, body.
  JuteReader r(reinterpret_cast<const char*>(data), size);
  int32_t xid = 0;
  while (r.ok() && !r.AtEnd()) {
    int32_t len = r.Int();
    int32_t type = r.Int();
    if (!r.ok() || len < 0 || static_cast<size_t>(len) > r.remaining()) break;
    std::string body(r.position(), static_cast<size_t>(len));
    r.Skip(static_cast<size_t>(len));
    ClientRequest req{(type & 1) ? a.session_id : b.session_id, ++xid, static_cast<OpCode>(type),
                      body};
    if (req.op == OpCode::kPing) continue;
    core.Submit(req, now);
    int replies = 0;
    for (const auto& o : core.TakeOutputs()) {
      if (o.kind == Output::Kind::kReply && o.xid == xid) ++replies;
    }
    assert(replies == 1);
    if (xid % 7 == 0) core.Tick(now += 2000);
  }
  // Every node's parent lists it as a child; counts agree.
  core.tree().ForEachDescendant("/", [&](const std::string& path, const Node& n) {
    assert(static_cast<size_t>(n.stat.num_children) == n.children.size());
    const Node* parent = core.tree().Find(ParentPath(path));
    assert(parent && parent->children.count(std::string(BaseName(path))));
  });
  return 0;
}
