// libFuzzer target: arbitrary request streams into the pure core, through the Standalone machine
// as zkd's shell drives it (Submit, then TakeReady; what it appends is persisted at once).
// Whatever the bytes, each request must be answered exactly once and nothing may crash; the tree
// must stay consistent.
#include <cassert>
#include <cstddef>
#include <cstdint>

#include "core/standalone.h"
#include "proto/jute.h"

namespace {

// Carries out the machine's Ready as the shell would, persisting every append at once, until
// nothing is left; returns how many replies to `xid` came out.
int Carry(zk::Standalone& m, zk::Ready& ready, int32_t xid) {
  int replies = 0;
  while (true) {
    m.TakeReady(&ready);
    for (const auto& o : ready.client_outputs) {
      if (o.kind == zk::Output::Kind::kReply && o.xid == xid) ++replies;
    }
    if (ready.log_appends.empty()) return replies;
    m.Persisted(ready.log_appends.back().zxid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk;
  CoreConfig config;
  config.extended_types_enabled = (size % 2) == 0;
  config.container_check_ticks = 1;
  config.apply_on_submit = false;  // as zkd serves: applied once the log has it
  Standalone m(config, 0x1000);
  Ready ready;
  int64_t now = 1000;
  auto a = m.OpenSession(30000, "127.0.0.1", now);
  auto b = m.OpenSession(4000, "10.0.0.1", now);
  Carry(m, ready, 0);
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
                      body, 0, {}};
    if (req.op == OpCode::kPing) continue;
    m.Submit(req, now);
    int replies = Carry(m, ready, xid);
    assert(replies == 1);
    if (xid % 7 == 0) {
      m.Tick(now += 2000);
      Carry(m, ready, -1);
    }
  }
  // Every node's parent lists it as a child; counts agree.
  m.core().tree().ForEachDescendant("/", [&](const std::string& path, const Node& n) {
    assert(static_cast<size_t>(n.stat.num_children) == n.children.size());
    const Node* parent = m.core().tree().Find(ParentPath(path));
    assert(parent && parent->children.count(std::string(BaseName(path))));
  });
  return 0;
}
