// ClientLoad: simulated ZooKeeper clients for a simulation of ReplicaMembers.
//
// Each client attaches to a random serving member (never to one whose last zxid is older than
// what the client has seen, as ZooKeeper's client rule has it), opens a session there or
// re-attaches its session, pings it, and issues requests through the member's Core: first
// `create /q`, then sequential creates `/q/n-` with a unique payload, and reads of its own
// acknowledged nodes. A reply with err 0 to a create is an acknowledged write (zxid, path,
// data), kept in acked(); a read of an acknowledged node that fails or returns other data is a
// failure (failure()). When its member crashes or stops serving, the client's outstanding
// requests have an unknown outcome and it moves on.
//
// All choices come from the simulator's Prng; Tick() is called once per simulated tick.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/replica_member.h"
#include "sim/tuning.h"

namespace zk::sim {

struct AckedWrite {
  int64_t zxid = 0;
  std::string path;
  std::string data;
  int64_t member = 0;  // where the client heard the reply
};

struct ClientStats {
  uint64_t sessions_opened = 0;
  uint64_t reattached = 0;
  uint64_t requests = 0;
  uint64_t acked_writes = 0;
  uint64_t reads_checked = 0;
  uint64_t dropped = 0;  // requests whose outcome the client never learned
};

class ClientLoad : public ClientSink {
 public:
  ClientLoad(Simulator* sim, const SimTuning& tuning);

  void Tick();
  void set_writing(bool on) { writing_ = on; }
  // Scenarios: `count` more creates through a client pinned to `member` (it attaches there, and
  // only there, when the member serves). Random clients are tuning.clients; pinned ones extra.
  void ScriptedWrites(int64_t member, int count);
  size_t scripted_pending() const;
  void Deliver(int64_t member, const Output& o) override;
  void Dropped(int64_t member) override;

  const std::vector<AckedWrite>& acked() const { return acked_; }
  const std::string& failure() const { return failure_; }
  const ClientStats& stats() const { return stats_; }
  size_t outstanding() const;

 private:
  struct Request {
    OpCode op = OpCode::kCreate;
    std::string path;
    std::string data;
  };
  struct Client {
    int id = 0;
    int64_t member = 0;  // 0: not attached
    int64_t session = 0;
    bool ready = false;  // the session is open on `member`
    int64_t last_zxid_seen = 0;
    int32_t next_xid = 1;
    int64_t last_ping_tick = 0;
    int64_t writes = 0;
    int64_t pinned = 0;      // scripted: only this member
    int scripted_left = 0;   // scripted: creates still to issue
    std::map<int32_t, Request> outstanding;
    std::vector<std::pair<std::string, std::string>> mine;  // acknowledged (path, data)
  };
  ReplicaMember* Member(int64_t sid);
  void Attach(Client& c);
  void Issue(Client& c);
  void Detach(Client& c);

  Simulator* sim_;
  SimTuning tuning_;
  std::vector<Client> clients_;
  std::map<int64_t, size_t> by_session_;
  bool writing_ = true;
  bool parent_created_ = false;
  std::vector<AckedWrite> acked_;
  std::string failure_;
  ClientStats stats_;
};

}  // namespace zk::sim
