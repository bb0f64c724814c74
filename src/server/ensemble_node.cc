#include "server/ensemble_node.h"

#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/leave_reason.h"
#include "proto/zxid.h"
#include "server/clock.h"
#include "storage/disk.h"
#include "storage/epoch_file.h"
#include "storage/recovery.h"
#include "storage/snapshot.h"

namespace zk {

std::string MembershipText(const ServerConfig& config) {
  QuorumConfig qc;
  for (const ServerSpec& s : config.servers) qc.Put(s);
  qc.version = config.config_version;
  return qc.Text();
}

namespace {

// Whether something accepts TCP connections on host:port, waiting at most timeout_ms. Called once
// at start-up, before the loop runs, so blocking is fine.
bool SomethingListens(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  bool connected = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (fd < 0) return false;
  if (!connected && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t error_len = sizeof error;
    connected = ::poll(&p, 1, timeout_ms) == 1 &&
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) == 0 && error == 0;
  }
  ::close(fd);
  return connected;
}

}  // namespace

std::string EnsembleNode::PeerListenError(const ServerSpec& me, const std::string& error) const {
  if (error.find("address already in use") == std::string::npos) return error;
  const bool election = error.find("(election port)") != std::string::npos;
  const int port = election ? me.election_port : me.quorum_port;
  // The client port was bound just before, so this is not this member started twice: another
  // member's zoo.cfg has a different clientPort but the same server.N, i.e. the same myid.
  if (!SomethingListens(me.host, port, 500)) return error;
  const std::string id = std::to_string(config_.server_id);
  return "duplicate myid " + id + ": another server already listens on " + me.host + ":" +
         std::to_string(port) + ", the " + (election ? "election" : "quorum") + " port of server." +
         id + ", and this server's myid is " + id + " too (" + config_.data_dir +
         "/myid); give every member its own myid, the N of its own server.N line (" + error + ")";
}

EnsembleNode::EnsembleNode(uv_loop_t* loop, const ServerConfig& config, EventWriter* events,
                           int64_t first_session_id)
    : loop_(loop), config_(config), events_(events),
      log_source_(config.data_dir, config.data_log_dir), syncer_(loop),
      roll_after_entries_(storage::RollAfterEntries(config.snap_count, config.server_id, 0)) {
  std::set<int64_t> voters, observers;
  for (const auto& s : config_.servers) (s.observer ? observers : voters).insert(s.id);
  ReplicaConfig rc;
  rc.my_id = config_.server_id;
  rc.membership = Membership(voters, observers);
  rc.tick_ms = static_cast<int32_t>(TickMs());
  rc.ticks_per_tick_time = std::max<int32_t>(1, config_.tick_ms / rc.tick_ms);
  rc.init_limit = config_.init_limit > 0 ? config_.init_limit : 10;
  rc.sync_limit = config_.sync_limit > 0 ? config_.sync_limit : 5;
  rc.history_max = static_cast<size_t>(config_.commit_log_count);
  rc.snapshot_size_factor = config_.snapshot_size_factor;
  rc.txn_log = &log_source_;
  if (config_.read_only_mode) {
    // ZooKeeper's grace period before a LOOKING member believes it is partitioned.
    int64_t grace_ms = std::max<int64_t>(2000, config_.tick_ms);
    rc.read_only_after_ticks = (grace_ms + rc.tick_ms - 1) / rc.tick_ms;
  }
  if (const char* unsafe = std::getenv("ZKD_TEST_UNSAFE_EARLY_ACK");
      unsafe != nullptr && std::string(unsafe) == "1") {
    // A planted bug for `pseudo-cluster chaos` to catch; never in a real deployment.
    rc.unsafe_early_ack = true;
    spdlog::error(
        "UNSAFE: ZKD_TEST_UNSAFE_EARLY_ACK=1: as leader this server acknowledges writes before "
        "a quorum has logged them; acknowledged writes can be lost. For tests only.");
  }
  if (const char* leak = std::getenv("ZKD_TEST_LEAK_BYTES_PER_TXN");
      leak != nullptr && std::atoll(leak) > 0) {
    test_leak_bytes_per_txn_ = static_cast<size_t>(std::atoll(leak));
    spdlog::error(
        "UNSAFE: ZKD_TEST_LEAK_BYTES_PER_TXN={}: this server leaks that much memory per txn it "
        "logs. For tests only.",
        test_leak_bytes_per_txn_);
  }
  CoreConfig cc = CoreConfigFor(config_);
  cc.role = CoreRole::kLearner;
  cc.apply_on_submit = false;
  cc.config_text = MembershipText(config_);
  cc.config_version = config_.config_version;
  cc.config_written_ms = WallMs();
  replica_ = std::make_unique<Replica>(rc, cc, DurableState{}, first_session_id, &codec_);
}

EnsembleNode::~EnsembleNode() { Stop(); }

std::string EnsembleNode::RecoverState(DurableState* durable) {
  storage::RecoveryResult recovered;
  if (auto s = replica_->Recover([&](Core& core) {
        return storage::Recover(config_.data_dir, config_.data_log_dir, core, &recovered,
                                replica_->config().history_max);
      });
      !s.ok()) {
    return s.message();
  }
  recovered_recent_ = std::move(recovered.recent);
  recovered_recent_base_ = recovered.recent_base;
  // As a standalone zkd says it: which snapshot the state came from (the tests check it).
  spdlog::info("recovered zxid {}: {} ({} nodes) + {} txns from the log",
               ZxidHex(recovered.last_zxid),
               recovered.snapshot.empty() ? std::string("no snapshot")
                                          : "snapshot " + recovered.snapshot,
               recovered.snapshot_nodes, recovered.txns_replayed);
  int64_t last_epoch = ZxidEpoch(replica_->core().last_zxid());
  if (auto s = storage::ReadEpoch(config_.data_dir, storage::kAcceptedEpochFile, last_epoch,
                                  &durable->accepted_epoch);
      !s.ok()) {
    return s.message();
  }
  if (auto s = storage::ReadEpoch(config_.data_dir, storage::kCurrentEpochFile, last_epoch,
                                  &durable->current_epoch);
      !s.ok()) {
    return s.message();
  }
  if (durable->accepted_epoch < durable->current_epoch) {
    return config_.data_dir + "/version-2: acceptedEpoch " +
           std::to_string(durable->accepted_epoch) + " is less than currentEpoch " +
           std::to_string(durable->current_epoch) + "; the epoch files are damaged";
  }
  return {};
}

std::string EnsembleNode::Start() {
  const ServerSpec* me = nullptr;
  std::map<int64_t, PeerEndpoint> peers;
  for (const auto& s : config_.servers) {
    peers[s.id] = PeerEndpoint{s.host, s.quorum_port, s.election_port};
    if (s.id == config_.server_id) me = &s;
  }
  if (!me) {
    return config_.path + ": myid " + std::to_string(config_.server_id) +
           " is not in the server list";
  }

  DurableState durable;
  if (std::string error = RecoverState(&durable); !error.empty()) return error;
  // The Replica was built before recovery filled its Core; give it the durable epochs now.
  replica_->SetDurable(durable);
  recorded_ = durable;
  purge_ = std::make_unique<AutoPurge>(loop_, config_.data_dir, config_.data_log_dir,
                                       config_.snap_retain_count, config_.purge_interval_hours);
  purge_->Start();

  log_ = std::make_unique<storage::TxnLog>(
      config_.data_log_dir, storage::TxnLogOptions{config_.prealloc_kb * 1024, config_.force_sync});
  syncer_.Start([this](storage::SyncJob& job) { SyncFinished(job); });
  uv_check_init(loop_, &sync_check_);
  sync_check_.data = this;
  uv_check_start(&sync_check_, OnSyncCheck);
  uv_prepare_init(loop_, &sync_prepare_);
  sync_prepare_.data = this;
  uv_prepare_start(&sync_prepare_, OnSyncPrepare);
  sync_point_started_ = true;

  PeerTransportConfig tc;
  tc.my_sid = config_.server_id;
  tc.host = me->host;
  tc.election_port = me->election_port;
  tc.quorum_port = me->quorum_port;
  tc.peers = peers;
  tc.learn_peers = config_.reconfig_enabled;
  PeerTransportCallbacks cb;
  auto after = [this] { HandOver(); };
  cb.on_notification = [this, after](const Notification& n, const std::string& config) {
    replica_->StepElection(n, config);
    after();
  };
  cb.on_zab = [this, after](int64_t from, const ZabPacket& p) {
    dial_failures_.erase(from);
    replica_->StepZab(from, p);
    after();
  };
  cb.on_peer_lost = [this, after](int64_t sid) {
    replica_->PeerDisconnected(sid);
    after();
  };
  cb.on_peer_unreachable = [this, after](int64_t sid) {
    PeerUnreachable(sid);
    after();
  };
  transport_ = std::make_unique<PeerTransport>(loop_, tc, cb);
  if (std::string e = transport_->Start(); !e.empty()) return PeerListenError(*me, e);

  uv_timer_init(loop_, &tick_timer_);
  tick_timer_.data = this;
  uv_timer_start(&tick_timer_, OnTick, TickMs(), TickMs());
  timer_started_ = true;

  spdlog::info(
      "zkd member {} of {}: recovered zxid {}, acceptedEpoch {}, "
      "currentEpoch {}; quorum port {}, election port {}",
      config_.server_id, replica_->config().membership.voters().size(),
      ZxidHex(replica_->core().last_zxid()), durable.accepted_epoch,
      durable.current_epoch, me->quorum_port, me->election_port);
  replica_->Start(std::move(recovered_recent_), recovered_recent_base_);
  recovered_recent_.clear();
  after();
  return {};
}

void EnsembleNode::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (timer_started_) uv_close(reinterpret_cast<uv_handle_t*>(&tick_timer_), nullptr);
  if (sync_point_started_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&sync_check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sync_prepare_), nullptr);
  }
  if (log_) FlushLog();  // the last ACKs may still go out
  syncer_.Stop();
  if (transport_) transport_->Close();
  if (purge_) purge_->Stop();
  StopSnapshots();
}

std::string EnsembleNode::mode() const {
  if (replica_->read_only()) return "read-only";  // ReadOnlyZooKeeperServer.getState()
  switch (replica_->state()) {
    case PeerState::kLeading:
      return "leader";
    case PeerState::kFollowing:
      return "follower";
    case PeerState::kObserving:
      return "observer";
    default:
      return "looking";
  }
}

void EnsembleNode::FillStats(StatsSnapshot* s) const {
  QuorumStats q;
  const Replica& r = *replica_;
  const char* doing = "looking";
  switch (r.state()) {
    case PeerState::kLeading:
      doing = "leading";
      break;
    case PeerState::kFollowing:
      doing = "following";
      break;
    case PeerState::kObserving:
      doing = "observing";
      break;
    default:
      break;
  }
  // ZooKeeper prints "<state> - <zab phase>" and the phase is broadcast while serving; between
  // roles nothing is served and the words answer "not currently serving" anyway.
  q.peer_state = r.state() == PeerState::kLooking ? std::string(doing)
                 : r.serving()                    ? std::string(doing) + " - broadcast"
                                                  : std::string(doing) + " - synchronization";
  q.quorum_size = static_cast<int64_t>(r.config().membership.voters().size());
  if (r.state() == PeerState::kObserving) q.observer_master_id = r.leader();
  q.init_limit = r.config().init_limit;
  q.sync_limit = r.config().sync_limit;
  for (const auto& p : config_.servers) {
    if (p.id != config_.server_id) continue;
    q.election_port = p.election_port;
    q.quorum_port = p.quorum_port;
    q.observer = p.observer;
  }
  q.membership = MembershipText(config_);
  if (r.state() == PeerState::kLeading) {
    q.leader = true;
    q.learners = static_cast<int64_t>(r.learner_count());
    q.synced_followers = static_cast<int64_t>(r.synced_follower_count());
    q.synced_observers = static_cast<int64_t>(r.synced_observer_count());
    q.pending_syncs = static_cast<int64_t>(r.pending_syncs());
    q.leader_uptime_ms = leading_since_ms_ > 0 ? SteadyMs() - leading_since_ms_ : 0;
    q.last_proposal_size = last_proposal_size_;
    q.min_proposal_size = min_proposal_size_;
    q.max_proposal_size = max_proposal_size_;
  }
  s->quorum = std::move(q);
  s->counters["looking_count"] = looking_count_;
  s->counters["proposal_count"] = proposal_count_;
}

void EnsembleNode::OnTick(uv_timer_t* timer) {
  auto* self = static_cast<EnsembleNode*>(timer->data);
  if (self->stopped_) return;
  self->replica_->Tick(WallMs());
  self->ProbeStorage();  // out of the quorum for storage: is the disk writable again?
  self->HandOver();
}

void EnsembleNode::HandOver() {
  if (on_outputs) {
    on_outputs();
    return;
  }
  std::vector<Output> unclaimed;  // no client shell: carried out, and nobody to deliver to
  TakeClientOutputs(&unclaimed);
}

void EnsembleNode::TakeClientOutputs(std::vector<Output>* out) {
  Ready ready = replica_->TakeReady();
  Carry(ready);
  out->clear();
  out->swap(client_outputs_);
}

void EnsembleNode::Carry(Ready& ready) {
  if (ready.empty()) return;
  ReportElectionFacts(ready);
  LogSyncs(ready);
  ready.syncs.clear();
  if (ready.empty()) return;  // it held facts and reports only
  if (!ready.activated_config.empty()) ActivateConfig(ready.activated_config);
  if (replica_->state() == PeerState::kLeading) {
    for (const auto& a : ready.log_appends) {
      auto size = static_cast<int64_t>(a.txn.size());
      last_proposal_size_ = size;
      min_proposal_size_ = min_proposal_size_ < 0 ? size : std::min(min_proposal_size_, size);
      max_proposal_size_ = std::max(max_proposal_size_, size);
      ++proposal_count_;
    }
  }
  const bool failed = !CarryDurable(ready);
  if (failed) {
    // Acting in an epoch this member has not recorded is what the rule forbids: the ACKEPOCH,
    // NEWLEADER ACK or LEADERINFO of this Ready stay here. Closing connections still goes on.
    ready.election_messages.clear();
    ready.zab_messages.clear();
  }
  int64_t barrier = ready.log_appends.empty() ? 0 : log_->last_appended_zxid();
  // Read-only clients count: when read-only serving ends, they must go and find a quorum.
  bool serving = replica_->serving() || replica_->read_only();
  if (was_serving_ && !serving && on_stopped_serving) on_stopped_serving();
  was_serving_ = serving;
  if (SendsAtOnce()) {
    // A leader's messages do not wait for its own fsync (its ACK counts only once Persisted()
    // says so), as ZooKeeper's leader sends a PROPOSAL while logging it: one fsync on the
    // write path instead of two in a row.
    for (int64_t sid : ready.quorum_disconnects) {
      ++quorum_generation_[sid];
      transport_->DisconnectQuorum(sid);
    }
    for (const auto& [to, p] : ready.zab_messages) transport_->SendZab(to, p);
    ready.quorum_disconnects.clear();
    ready.zab_messages.clear();
  }
  Held held{std::move(ready), barrier, {}};
  for (int64_t sid : held.ready.quorum_disconnects) ++quorum_generation_[sid];
  for (const auto& [to, p] : held.ready.zab_messages) {
    held.connection.push_back(quorum_generation_[to]);
  }
  held_.push_back(std::move(held));
  Release();  // the appends are synced at this loop turn's sync point
  if (failed) {
    Ready left = replica_->TakeReady();  // leaving its role: disconnects, events, dropped requests
    Carry(left);
  }
}

bool EnsembleNode::SendsAtOnce() const {
  if (replica_->state() != PeerState::kLeading) return false;
  for (const Held& h : held_) {  // nothing may overtake what earlier Readies still hold
    if (!h.ready.zab_messages.empty() || !h.ready.quorum_disconnects.empty()) return false;
  }
  return true;
}

void EnsembleNode::Release() {
  int64_t synced = log_->last_synced_zxid();
  while (!held_.empty() && held_.front().barrier <= synced) {
    Held held = std::move(held_.front());
    held_.pop_front();
    Ready& ready = held.ready;
    // With reconfig every vote carries the config in force, so a member that missed a
    // reconfig while down learns it (Replica::StepElection).
    const std::string none;
    const std::string& config =
        config_.reconfig_enabled ? replica_->active_config_text() : none;
    for (const auto& m : ready.election_messages) transport_->SendNotification(m.to, m.n, config);
    for (int64_t sid : ready.quorum_disconnects) transport_->DisconnectQuorum(sid);
    for (size_t i = 0; i < ready.zab_messages.size(); ++i) {
      const auto& [to, p] = ready.zab_messages[i];
      if (held.connection[i] != quorum_generation_[to]) continue;  // its connection is gone
      transport_->SendZab(to, p);
    }
    for (auto& o : ready.client_outputs) client_outputs_.push_back(std::move(o));
    for (const auto& e : ready.events) ReportEvent(e);
  }
}

void EnsembleNode::PeerUnreachable(int64_t sid) {
  // ZooKeeper's Learner tries to connect to its leader 5 times, then goes back to LOOKING
  // instead of waiting out initLimit: a leader that died just after the election is left at
  // once (and a cut-off member reaches read-only mode on time). Anyone else hears of it the
  // same way as of a lost connection; the Replica ignores peers it has no relationship with.
  constexpr int kDialTriesMax = 5;
  if (++dial_failures_[sid] < kDialTriesMax) return;
  dial_failures_.erase(sid);
  spdlog::info("sid {} unreachable on its quorum port after {} tries", sid, kDialTriesMax);
  replica_->PeerDisconnected(sid);
}

void EnsembleNode::LogElectionTook(const ReplicaEvent& e, int64_t election_ms) const {
  // ZooKeeper's own lines at the end of an election (Leader.lead, Follower.followLeader, and
  // Observer.observeLeader, which does not time it), which the tutorials grep for.
  if (e.state == PeerState::kLeading) {
    spdlog::info("LEADING - LEADER ELECTION TOOK - {} MS", election_ms);
  } else if (e.state == PeerState::kFollowing) {
    spdlog::info("FOLLOWING - LEADER ELECTION TOOK - {} MS", election_ms);
  } else if (e.state == PeerState::kObserving) {
    for (const ServerSpec& s : config_.servers) {
      if (s.id != e.leader) continue;
      spdlog::info("Observing new leader sid={} addr=/{}:{}", s.id, s.host, s.quorum_port);
    }
  }
}

void EnsembleNode::ReportElectionFacts(Ready& ready) {
  // Reports, not actions: they go out at once, ahead of whatever waits for the log.
  if (events_) {
    events_->FactsDropped(ready.election_facts_dropped);
    for (const ElectionFact& f : ready.election_facts) events_->Fact(f, TickMs());
  }
  ready.election_facts.clear();
  ready.election_facts_dropped = 0;
}

void EnsembleNode::ReportEvent(const ReplicaEvent& e) {
  int64_t election_ms = e.election_ticks * TickMs();
  if (e.what == "state") {
    if (e.state == PeerState::kLooking) ++looking_count_;
    if (e.state == PeerState::kLeading) {
      // A new leadership term: its own uptime and proposal sizes, as a new ZooKeeper Leader.
      leading_since_ms_ = SteadyMs();
      last_proposal_size_ = min_proposal_size_ = max_proposal_size_ = -1;
    } else {
      leading_since_ms_ = 0;
    }
  }
  if (e.what == "read_only" || e.what == "read_only_end") {
    bool on = e.what == "read_only";
    spdlog::info("{} (LOOKING for {} ms; epoch {}, zxid {})",
                 on ? "Read-only server started: serving read-only clients from this member's tree"
                    : "read-only serving ended: its sessions are closed",
                 election_ms, e.epoch, ZxidHex(e.zxid));
    if (on && on_serving_read_only) on_serving_read_only();
    return;
  }
  if (e.what == "storage_failed") return;  // Recorded() said why, in the log and as an event
  if (e.what == "reconfig") return;  // ActivateConfig logged it when it took effect
  if (e.what == "handing_over") {
    // ZooKeeper's "this leader is not the designated leader anymore, setting allowedToCommit=false"
    spdlog::info("reconfig {} committed: handing over to {} (designated leader); this leader "
                 "commits nothing more and follows it once it takes over",
                 ZxidHex(e.zxid), e.leader);
    return;
  }
  if (e.what == "serving") {
    spdlog::info("{} in epoch {} (leader {}), serving; {} ms since the election began",
                 PeerStateName(e.state), e.epoch, e.leader, election_ms);
    if (events_) {
      events_->State(PeerStateName(e.state), e.epoch, e.zxid, election_ms);
      events_->Serving();
    }
    return;
  }
  std::string where = "epoch " + std::to_string(e.epoch) + ", zxid " + ZxidHex(e.zxid) +
                      (e.leader ? ", leader " + std::to_string(e.leader) : std::string());
  if (e.what == "quorum_lost") {
    spdlog::warn("quorum lost: {} no longer serving ({})", PeerStateName(e.state), where);
  } else if (e.what == "left") {
    spdlog::info("left {}: no longer serving ({})", PeerStateName(e.state), where);
  } else if (e.what.rfind("gave_up ", 0) == 0) {
    spdlog::info("left {} before it served: {} ({})", PeerStateName(e.state),
                 LeaveReasonText(std::string_view(e.what).substr(8)), where);
  } else {
    spdlog::info("state {} ({})", PeerStateName(e.state), where);
    LogElectionTook(e, election_ms);
  }
  if (events_ && e.state == PeerState::kLooking) {
    events_->State("LOOKING", e.epoch, e.zxid, 0);
  }
}

}  // namespace zk
