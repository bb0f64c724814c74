#include "sim/scenario_zab.h"

#include <algorithm>
#include <optional>

#include "core/peer_wire.h"
#include "core/zab_packet.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/zxid.h"
#include "sim/replica_member.h"
#include "tree/acl.h"
#include "tree/txn.h"

namespace zk::sim {
namespace {

std::optional<ZabType> ForgeableType(const std::string& name) {
  if (name == "leaderinfo") return ZabType::kLeaderInfo;
  if (name == "newleader") return ZabType::kNewLeader;
  if (name == "diff") return ZabType::kDiff;
  if (name == "uptodate") return ZabType::kUpToDate;
  if (name == "commit") return ZabType::kCommit;
  if (name == "proposal") return ZabType::kProposal;
  return std::nullopt;
}

// A txn that creates `path` (data "forged") at `zxid`, as a leader would have prepared it.
std::string ForgedCreate(int64_t zxid, const std::string& path) {
  Txn t;
  t.header.zxid = zxid;
  t.header.type = static_cast<int32_t>(OpCode::kCreate);
  t.op.type = OpCode::kCreate;
  t.op.path = path;
  t.op.data = "forged";
  t.op.acl = SharedAcl::Open();
  return t.Encode();
}

}  // namespace

bool ZabScript::Command(const std::vector<std::string>& w, std::string* error) {
  const std::string& cmd = w[0];
  if (cmd == "crash-at") {
    *error = CrashAt(w);
  } else if (cmd == "hold" || cmd == "release") {
    *error = Link(w);
  } else if (cmd == "session") {
    *error = OpenSession(w);
  } else if (cmd == "ephemeral" || cmd == "close-session") {
    *error = SessionRequest(w);
  } else if (cmd == "forge") {
    *error = Forge(w);
  } else if (cmd == "expect" && w.size() >= 2 && (w[1] == "node" || w[1] == "no-node")) {
    *error = ExpectNode(w);
  } else if (cmd == "expect" && w.size() >= 2 && w[1] == "logged") {
    *error = ExpectLogged(w);
  } else if (cmd == "reconfig") {
    *error = Reconfig(w);
  } else if (cmd == "expect" && w.size() >= 2 && w[1] == "voters") {
    *error = ExpectVoters(w);
  } else if (cmd == "expect" && w.size() >= 2 &&
             (w[1] == "same-config" || w[1] == "config-file")) {
    *error = ExpectConfig(w);
  } else if (cmd == "expect" && w.size() >= 2 && w[1] == "handed-over") {
    *error = ExpectHandedOver(w);
  } else if (cmd == "expect" && w.size() >= 2 && w[1] == "sync") {
    *error = ExpectSync(w);
  } else {
    return false;
  }
  return true;
}

std::string ZabScript::CrashAt(const std::vector<std::string>& w) {
  std::optional<int64_t> sid = w.size() == 3 ? ScenarioNumber(w[1]) : std::nullopt;
  if (!sid || !sim_->IsKnown(*sid)) return "crash-at SID POINT";
  if (w[2] == "none") {
    sim_->ArmCrash(*sid, std::nullopt);
    return {};
  }
  std::optional<CrashPoint> p = ParseCrashPoint(w[2]);
  if (!p) {
    std::string names;
    for (CrashPoint c : AllCrashPoints()) names += std::string(" ") + CrashPointName(c);
    return "unknown crash point " + w[2] + "; one of:" + names;
  }
  sim_->ArmCrash(*sid, *p);
  return {};
}

// hold A -> B | release A -> B
std::string ZabScript::Link(const std::vector<std::string>& w) {
  std::optional<int64_t> a = w.size() == 4 ? ScenarioNumber(w[1]) : std::nullopt;
  std::optional<int64_t> b = w.size() == 4 ? ScenarioNumber(w[3]) : std::nullopt;
  if (!a || !b || w[2] != "->") return w[0] + " A -> B";
  if (w[0] == "hold") {
    sim_->network().Hold(*a, *b);
  } else {
    sim_->network().Release(*a, *b, sim_->now());
  }
  sim_->Note(w[0] + " " + w[1] + " -> " + w[3]);
  if (w[0] == "release") sim_->Drain();
  return {};
}

// session NAME SID
std::string ZabScript::OpenSession(const std::vector<std::string>& w) {
  std::optional<int64_t> sid = w.size() == 3 ? ScenarioNumber(w[2]) : std::nullopt;
  if (!sid) return "session NAME SID";
  auto* m = dynamic_cast<ReplicaMember*>(sim_->member(*sid));
  if (!m || !m->replica().serving()) return "session: member " + w[2] + " does not serve";
  OpenSessionResult r = m->replica().OpenSession(4000, "10.0.1.1", sim_->now() * 10);
  sessions_[w[1]] = Session{*sid, r.session_id, 1};
  sim_->Note("session " + w[1] + " opened on " + w[2]);
  sim_->Poke(*sid);
  return {};
}

std::string ZabScript::ServingSession(const std::string& name, Session** session,
                                      ReplicaMember** member) {
  auto it = sessions_.find(name);
  if (it == sessions_.end()) return "no session named " + name;
  *session = &it->second;
  *member = dynamic_cast<ReplicaMember*>(sim_->member(it->second.member));
  if (!*member || !(*member)->replica().serving()) {
    return "session " + name + ": member " + std::to_string(it->second.member) + " does not serve";
  }
  return {};
}

// ephemeral NAME PATH | close-session NAME
std::string ZabScript::SessionRequest(const std::vector<std::string>& w) {
  const bool create = w[0] == "ephemeral";
  if (w.size() != (create ? 3u : 2u)) return create ? "ephemeral NAME PATH" : "close-session NAME";
  Session* session = nullptr;
  ReplicaMember* m = nullptr;
  if (std::string why = ServingSession(w[1], &session, &m); !why.empty()) return why;
  Session& s = *session;
  JuteWriter body;
  OpCode op = OpCode::kCloseSession;
  if (create) {
    op = OpCode::kCreate;
    CreateRequest{w[2], "e", OpenAclUnsafe(), static_cast<int32_t>(CreateMode::kEphemeral), 0}
        .Write(body, false);
  }
  m->replica().Touch(s.id);
  m->replica().Submit(ClientRequest{s.id, s.next_xid++, op, body.Take(), 0, {}}, sim_->now() * 10);
  sim_->Note("session " + w[1] + (create ? " creates ephemeral " + w[2] : " closes"));
  const int64_t member = s.member;
  if (!create) sessions_.erase(w[1]);  // s is gone from here on
  sim_->Poke(member);
  return {};
}

// forge zab A -> B TYPE ZXID [PATH] | forge vote A -> B leading EPOCH
std::string ZabScript::Forge(const std::vector<std::string>& w) {
  constexpr const char* kUsage =
      "forge zab A -> B TYPE ZXID [PATH] | forge vote A -> B leading EPOCH";
  if (w.size() < 6 || w[3] != "->") return kUsage;
  std::optional<int64_t> a = ScenarioNumber(w[2]), b = ScenarioNumber(w[4]);
  if (!a || !b || !sim_->IsUp(*a)) return kUsage;
  SimMessage msg{*a, *b, Channel::kQuorum, {}};
  if (w[1] == "vote") {
    std::optional<int64_t> epoch = w.size() == 7 ? ScenarioNumber(w[6]) : std::nullopt;
    if (!epoch || w[5] != "leading") return kUsage;
    Notification n{*a, PeerState::kLeading, *a, MakeZxid(*epoch, 0x100), *epoch, *epoch};
    msg.channel = Channel::kElection;
    msg.payload = EncodeNotification(n);
  } else if (w[1] == "zab") {
    std::optional<ZabType> type = ForgeableType(w[5]);
    std::optional<int64_t> zxid = w.size() >= 7 ? ScenarioNumber(w[6]) : std::nullopt;
    const bool proposal = type == ZabType::kProposal;
    if (!type || !zxid || w.size() != (proposal ? 8u : 7u)) return kUsage;
    ZabPacket p{*type, *zxid, proposal ? ForgedCreate(*zxid, w[7]) : std::string()};
    if (*type == ZabType::kNewLeader) p.data = EncodeLong(*zxid);
    msg.payload = EncodeZabPacket(p);
  } else {
    return kUsage;
  }
  std::string what;
  for (size_t i = 1; i < w.size(); ++i) what += " " + w[i];
  sim_->Note("forged" + what);
  sim_->network().Send(std::move(msg), sim_->now());
  sim_->Drain();
  return {};
}

// expect node PATH | expect no-node PATH
std::string ZabScript::ExpectNode(const std::vector<std::string>& w) {
  if (w.size() != 3) return "expect " + w[1] + " PATH";
  const bool want = w[1] == "node";
  for (const auto& [sid, v] : sim_->views()) {
    const auto* m = dynamic_cast<const ReplicaMember*>(sim_->member(sid));
    if (!m) continue;
    const bool has = m->replica().core().tree().Find(w[2]) != nullptr;
    if (has != want) {
      return "expected " + std::string(want ? "" : "no ") + w[2] + " on every member, but " +
             std::to_string(sid) + (has ? " has it" : " has not");
    }
  }
  return {};
}

// expect logged SID ZXID: SID's disk holds every txn up to ZXID (synced log or snapshot).
std::string ZabScript::ExpectLogged(const std::vector<std::string>& w) {
  std::optional<int64_t> sid = w.size() == 4 ? ScenarioNumber(w[2]) : std::nullopt;
  std::optional<int64_t> zxid = w.size() == 4 ? ScenarioNumber(w[3]) : std::nullopt;
  if (!sid || !zxid || !sim_->IsKnown(*sid)) return "expect logged SID ZXID";
  const SimDisk& d = sim_->disk(*sid);
  int64_t durable = d.has_snapshot ? d.snapshot_zxid : 0;
  if (d.log_synced > 0) durable = std::max(durable, d.log[d.log_synced - 1].zxid);
  if (durable < *zxid) {
    return "expected " + w[2] + "'s disk to hold txns up to " + ZxidHex(*zxid) +
           ", but it holds up to " + ZxidHex(durable) +
           " (currentEpoch=" + std::to_string(d.current_epoch) + ")";
  }
  return {};
}

void ZabScript::Tick() {
  for (const auto& [name, s] : sessions_) {
    auto* m = dynamic_cast<ReplicaMember*>(sim_->member(s.member));
    if (m && m->replica().serving()) m->replica().Touch(s.id);
  }
}

}  // namespace zk::sim

namespace zk::sim {

std::string ZabScript::ExpectSync(const std::vector<std::string>& w) {
  std::optional<int64_t> sid = w.size() >= 4 ? ScenarioNumber(w[2]) : std::nullopt;
  std::optional<int64_t> txns = w.size() == 5 ? ScenarioNumber(w[4]) : std::nullopt;
  // diff: from the in-memory history only; diff-log: partly from the on-disk log.
  const std::map<std::string, ZabType> kinds = {{"diff", ZabType::kDiff},
                                                {"diff-log", ZabType::kDiff},
                                                {"trunc", ZabType::kTrunc},
                                                {"snap", ZabType::kSnap}};
  auto kind = w.size() >= 4 ? kinds.find(w[3]) : kinds.end();
  if (!sid || kind == kinds.end() || w.size() > 5 || (w.size() == 5 && !txns)) {
    return "expect sync SID diff|diff-log|trunc|snap [TXNS]";
  }
  const bool from_log = kind->first == "diff-log";
  const int64_t learner = sid.value_or(0);
  for (const auto& [leader, v] : sim_->views()) {
    const auto* m = dynamic_cast<const ReplicaMember*>(sim_->member(leader));
    if (!m || v.state != PeerState::kLeading || !v.serving) continue;
    for (auto r = m->syncs().rbegin(); r != m->syncs().rend(); ++r) {
      if (r->learner != learner) continue;
      std::string got = std::string(ZabTypeName(r->how)) + " of " + std::to_string(r->txns) +
                        " txns from " + ZxidHex(r->from_zxid);
      if (r->log_txns > 0) got += " (" + std::to_string(r->log_txns) + " from the log)";
      if (!r->note.empty()) got += " (not from the log: " + r->note + ")";
      if (r->how != kind->second || (txns && *txns != r->txns) ||
          (r->how == ZabType::kDiff && from_log != (r->log_txns > 0))) {
        return "member " + std::to_string(learner) + " was synced by " + got + " (leader " +
               std::to_string(leader) + ")";
      }
      return {};
    }
    return "leader " + std::to_string(leader) + " never synced member " + std::to_string(learner);
  }
  return "no serving leader";
}

}  // namespace zk::sim
