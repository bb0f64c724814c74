// Standalone: one zkd server on its own (no server.N lines) as a Machine: the request path
// (Core) in the standalone role behind the Ready contract of core/machine.h.
//
// Every write's txn comes out in `log_appends` (with the session it answers); the shell logs
// and syncs it and reports Persisted(zxid), which applies the txns up to zxid and releases their
// replies (and the reads waiting behind them) as `client_outputs`. With
// CoreConfig::apply_on_submit (no log) a txn is applied at once and nothing is appended. A
// standalone server has no peers: the epoch, snapshot, message and event parts stay empty.
//
// Pure; one owner calls everything, from one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "core/machine.h"

namespace zk {

class Standalone final : public Machine {
 public:
  // `config.role` is taken as kStandalone whatever it says.
  Standalone(CoreConfig config, int64_t first_session_id);

  // One tickTime elapsed: expire silent sessions, check containers and TTL nodes.
  void Tick(int64_t now_ms) override { core_.Tick(now_ms); }
  void Persisted(int64_t zxid) override { core_.Commit(zxid); }
  // The log could not take what was appended since the last Persisted(): the requests in
  // flight will never be answered (the shell closes their connections) and their zxids are
  // handed out again.
  void DropInFlight() { core_.DropInFlight(); }
  void TakeReady(Ready* out) override;
  bool serving() const override { return true; }

 private:
  std::vector<Output> outputs_;  // the Core's, between TakeReady calls (keeps its buffer)
};

}  // namespace zk
