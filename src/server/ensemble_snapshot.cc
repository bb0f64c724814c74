// An ensemble member's snapshot every snapCount txns, taken as a standalone zkd takes it
// (DurableStore): the tree is walked a few thousand nodes per loop turn, so requests and
// quorum messages keep flowing between steps, and the image is written and synced on a worker
// thread. The snapshot is fuzzy (ZooKeeper's are too): nodes changed while it was walked show
// either state, and recovery replays the log from the snapshot's zxid over it. Before this, a
// member serialized and wrote the whole tree on the loop: 1M znodes stalled it for seconds.
#include <spdlog/spdlog.h>

#include "proto/zxid.h"
#include "server/clock.h"
#include "server/ensemble_node.h"

namespace zk {

namespace {

constexpr size_t kNodesPerTurn = 2000;  // as DurableStore: ~1 ms of work per loop turn
constexpr size_t kKeepBufferBytes = 16 << 20;

struct SnapshotWrite {
  uv_work_t req{};
  EnsembleNode* node = nullptr;
  std::string data_dir;
  storage::SnapshotImage image;
  storage::Status status;
  int64_t started_ms = 0;
};

}  // namespace

void EnsembleNode::StartSnapshot() {
  if (snap_.serializer || snap_.writing) {
    spdlog::warn("Too busy to snap, skipping (the previous snapshot is still being taken)");
    return;
  }
  const Core& core = replica_->core();
  snap_.serializer = std::make_unique<storage::SnapshotSerializer>(
      core.tree(), storage::SessionsOf(core.sessions()), core.last_zxid(), std::move(snap_.buffer));
  snap_.started_ms = SteadyMs();
  if (!snap_.idle_ready) {
    uv_idle_init(loop_, &snap_.idle);
    snap_.idle.data = this;
    snap_.idle_ready = true;
  }
  uv_idle_start(&snap_.idle,
                [](uv_idle_t* idle) { static_cast<EnsembleNode*>(idle->data)->StepSnapshot(); });
}

void EnsembleNode::StepSnapshot() {
  if (!snap_.serializer || stopped_) {
    uv_idle_stop(&snap_.idle);
    return;
  }
  if (!snap_.serializer->Step(kNodesPerTurn)) return;
  uv_idle_stop(&snap_.idle);
  auto* work = new SnapshotWrite;
  work->req.data = work;
  work->node = this;
  work->data_dir = config_.data_dir;
  work->image = snap_.serializer->Finish(replica_->core().last_zxid());
  work->started_ms = snap_.started_ms;
  snap_.serializer.reset();
  snap_.writing = true;
  uv_queue_work(
      loop_, &work->req,
      [](uv_work_t* req) {
        auto* w = static_cast<SnapshotWrite*>(req->data);
        w->status = storage::WriteSnapshot(w->data_dir, w->image);
      },
      [](uv_work_t* req, int) {
        auto* w = static_cast<SnapshotWrite*>(req->data);
        EnsembleNode* self = w->node;
        self->snap_.writing = false;
        // A small image's buffer is kept for the next snapshot (no fresh pages to fault in); a
        // large one is freed: 1M znodes make a ~200 MB image, which would otherwise stay in
        // the RSS between snapshots (measured: 680 instead of 430 bytes per znode).
        if (w->image.nodes.capacity() <= kKeepBufferBytes) {
          self->snap_.buffer = std::move(w->image.nodes);
        }
        if (w->status.ok()) {
          spdlog::info("snapshot at zxid {} written: {} nodes, fuzzy up to {}, {} ms",
                       ZxidHex(w->image.zxid), w->image.node_count, ZxidHex(w->image.end_zxid),
                       SteadyMs() - w->started_ms);
        } else if (!self->stopped_) {
          // As when it was written on the loop: a member that cannot write leaves the quorum
          // until a probe write succeeds (ensemble_storage.cc).
          self->Recorded("a snapshot", w->status);
          self->HandOver();
        }
        delete w;
      });
}

void EnsembleNode::AbortSnapshot() {
  if (!snap_.serializer) return;
  spdlog::info("snapshot at zxid {} dropped: the state is being replaced",
               ZxidHex(replica_->core().last_zxid()));
  snap_.serializer.reset();
  uv_idle_stop(&snap_.idle);
}

void EnsembleNode::StopSnapshots() {
  snap_.serializer.reset();
  if (snap_.idle_ready) uv_close(reinterpret_cast<uv_handle_t*>(&snap_.idle), nullptr);
  snap_.idle_ready = false;
}

}  // namespace zk
