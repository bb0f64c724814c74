// EnsembleNode: the I/O around one ensemble member's pure Replica (src/core/replica.h).
//
// It recovers the member's state from its data directories, reads the epoch files, runs the
// PeerTransport (election and quorum ports) and a 10 ms tick timer, and carries out each Ready in
// the Replica's order: epoch files, snapshot install, log appends + one fsync, then the messages,
// then hands the client outputs to the client shell. State changes are logged (one line each,
// with the time the election took) and written to the supervisor's event fd.
//
// Owned by main; the ClientServer borrows core() and pulls client outputs through
// TakeClientOutputs(). Loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/replica.h"
#include "server/config.h"
#include "server/event_writer.h"
#include "server/peer_transport.h"
#include "storage/snapshot_codec.h"
#include "storage/txn_log.h"

namespace zk {

// The Core settings a zoo.cfg asks for (shared by standalone and ensemble start-up).
CoreConfig CoreConfigFor(const ServerConfig& config);

class EnsembleNode {
 public:
  EnsembleNode(uv_loop_t* loop, const ServerConfig& config, EventWriter* events,
               int64_t first_session_id);
  ~EnsembleNode();
  EnsembleNode(const EnsembleNode&) = delete;
  EnsembleNode& operator=(const EnsembleNode&) = delete;

  // Recovery, epoch files, ports, then the first election. An error line on failure.
  std::string Start();
  void Stop();

  Core* core() { return &replica_->core(); }
  const Replica& replica() const { return *replica_; }
  bool serving() const { return replica_ && replica_->serving(); }
  std::string mode() const;  // srvr's Mode: leader / follower / observer (or "looking")

  // Carries out what the Replica produced and returns the client outputs, in order.
  std::vector<Output> TakeClientOutputs();
  // Called after every input the node handles itself (peer messages, ticks), so the client
  // shell delivers their outputs; and when the member stops serving (it closes its clients).
  std::function<void()> on_outputs;
  std::function<void()> on_stopped_serving;

 private:
  static void OnTick(uv_timer_t* timer);
  void Carry(Ready& ready);
  void ReportEvent(const ReplicaEvent& e);
  int64_t TickMs() const { return 10; }

  uv_loop_t* loop_;
  ServerConfig config_;
  EventWriter* events_;
  storage::SnapshotCodec codec_;
  std::unique_ptr<Replica> replica_;
  std::unique_ptr<PeerTransport> transport_;
  std::unique_ptr<storage::TxnLog> log_;
  uv_timer_t tick_timer_{};
  bool timer_started_ = false;
  std::vector<Output> client_outputs_;
  bool was_serving_ = false;
  bool stopped_ = false;
};

}  // namespace zk
