// Replicas wired together in one process with instant, lossless delivery, for the unit tests
// of the Zab paths (replica_test.cc) and of read-only mode (read_only_test.cc). Each member
// ticks every 10 ms of a shared clock; client outputs are kept per member until Take().
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/replica.h"
#include "storage/snapshot_codec.h"
#include "tree/acl.h"

namespace zk {
namespace test {

class Cluster {
 public:
  // read_only_after_ticks: ReplicaConfig's (readonlymode.enabled); 0 = off.
  // core: the CoreConfig every member gets (reconfig tests: reconfig_enabled, config_text).
  explicit Cluster(int n, int observers = 0, int64_t read_only_after_ticks = 0,
                   const CoreConfig& core = CoreConfig()) {
    std::set<int64_t> voters, obs;
    for (int i = 1; i <= n; ++i) voters.insert(i);
    for (int i = n + 1; i <= n + observers; ++i) obs.insert(i);
    for (int i = 1; i <= n + observers; ++i) {
      ReplicaConfig rc;
      rc.my_id = i;
      rc.membership = Membership(voters, obs);
      rc.ticks_per_tick_time = 10;
      rc.read_only_after_ticks = read_only_after_ticks;
      replicas_[i] =
          std::make_unique<Replica>(rc, core, DurableState{}, int64_t{i} << 56, &codec_);
    }
  }
  // A server outside the others' membership (a joiner), with its own view of it.
  void Add(int64_t id, const Membership& m, const CoreConfig& core) {
    ReplicaConfig rc;
    rc.my_id = id;
    rc.membership = m;
    rc.ticks_per_tick_time = 10;
    replicas_[id] = std::make_unique<Replica>(rc, core, DurableState{}, id << 56, &codec_);
  }
  int64_t now_ms() const { return now_ms_; }
  void Start(int64_t id) {
    up_.insert(id);
    replicas_[id]->Start();
  }
  void Crash(int64_t id) {
    up_.erase(id);
    for (int64_t other : up_) replicas_[other]->PeerDisconnected(id);
  }
  // SIGSTOP / SIGCONT: a paused member neither ticks nor reads; what it is sent meanwhile is
  // lost, except a closed connection, which it notices when it resumes (a socket's EOF).
  void Pause(int64_t id) {
    up_.erase(id);
    paused_.insert(id);
  }
  void Resume(int64_t id) {
    paused_.erase(id);
    up_.insert(id);
    for (int64_t from : eof_[id]) replicas_[id]->PeerDisconnected(from);
    eof_[id].clear();
    Pump();
  }
  Replica& r(int64_t id) { return *replicas_[id]; }
  int disconnects() const { return disconnects_; }

  // Delivers everything until quiet; client outputs are kept per replica.
  void Pump(int max_rounds = 1000) {
    for (int round = 0; round < max_rounds; ++round) {
      bool moved = false;
      for (int64_t id : std::set<int64_t>(up_)) {
        if (!up_.count(id)) continue;
        Ready ready = replicas_[id]->TakeReady();
        if (ready.empty()) continue;
        moved = true;
        if (!ready.log_appends.empty()) replicas_[id]->Persisted(ready.log_appends.back().zxid);
        // No disk here to cut and rebuild from: the state stays, and the Replica asks for a SNAP.
        if (ready.truncate_zxid) replicas_[id]->Truncated([](Core&) {});
        for (int64_t to : ready.quorum_disconnects) {
          ++disconnects_;
          if (up_.count(to)) replicas_[to]->PeerDisconnected(id);
          if (paused_.count(to)) eof_[to].insert(id);
        }
        // With reconfig a vote carries the sender's config in force, as zkd's shell sends it.
        const Replica& sender = *replicas_[id];
        const std::string config =
            sender.core().config().reconfig_enabled ? sender.active_config_text() : "";
        for (auto& m : ready.election_messages) {
          if (up_.count(m.to)) replicas_[m.to]->StepElection(m.n, config);
        }
        for (auto& [to, p] : ready.zab_messages) {
          if (up_.count(to)) replicas_[to]->StepZab(id, p);
        }
        for (auto& o : ready.client_outputs) outputs_[id].push_back(o);
        for (auto& e : ready.events) events_[id].push_back(e);
        for (auto& f : ready.election_facts) facts_[id].push_back(f);
      }
      if (!moved) return;
    }
  }
  void Ticks(int n) {
    for (int i = 0; i < n; ++i) {
      now_ms_ += 10;
      for (int64_t id : up_) replicas_[id]->Tick(now_ms_);
      Pump();
    }
  }
  int64_t Leader() {
    int64_t leader = 0;
    for (int64_t id : up_) {
      if (replicas_[id]->state() == PeerState::kLeading && replicas_[id]->serving()) {
        EXPECT_EQ(leader, 0) << "two serving leaders";
        leader = id;
      }
    }
    return leader;
  }
  // What `id` reported since the last call: its events, its election facts.
  std::vector<ReplicaEvent> TakeEvents(int64_t id) { return std::exchange(events_[id], {}); }
  std::vector<ElectionFact> TakeFacts(int64_t id) { return std::exchange(facts_[id], {}); }
  std::vector<Output> Take(int64_t id) {
    auto out = std::move(outputs_[id]);
    outputs_[id].clear();
    return out;
  }
  // Opens a session on `id` and returns it once the ensemble has committed it.
  int64_t OpenSession(int64_t id) {
    auto s = r(id).OpenSession(30000, "127.0.0.1", now_ms_);
    Pump();
    bool opened = false;
    for (auto& o : Take(id)) opened = opened || o.kind == Output::Kind::kSessionOpened;
    EXPECT_TRUE(opened);
    return s.session_id;
  }
  Output Create(int64_t id, int64_t sid, const std::string& path, int32_t xid) {
    JuteWriter w;
    CreateRequest{path, "v", OpenAclUnsafe(), 0, 0}.Write(w, false);
    r(id).Submit({sid, xid, OpCode::kCreate, w.Take(), 0, {}}, now_ms_);
    Pump();
    for (auto& o : Take(id)) {
      if (o.kind == Output::Kind::kReply && o.xid == xid) return o;
    }
    ADD_FAILURE() << "no reply for xid " << xid << " on " << id;
    return {};
  }

 private:
  storage::SnapshotCodec codec_;
  std::map<int64_t, std::unique_ptr<Replica>> replicas_;
  std::set<int64_t> up_;
  std::set<int64_t> paused_;
  std::map<int64_t, std::set<int64_t>> eof_;  // paused member -> peers that closed on it
  int disconnects_ = 0;
  std::map<int64_t, std::vector<Output>> outputs_;
  std::map<int64_t, std::vector<ReplicaEvent>> events_;
  std::map<int64_t, std::vector<ElectionFact>> facts_;
  int64_t now_ms_ = 1'000'000;
};

}  // namespace test
}  // namespace zk
