#include "sim/simulator.h"

#include <cassert>

namespace zk::sim {

Simulator::Simulator(uint64_t seed, Membership membership, MemberFactory factory)
    : seed_(seed),
      prng_(seed),
      network_(&prng_),
      membership_(std::move(membership)),
      factory_(std::move(factory)) {
  assert(membership_.Validate().empty());
  for (int64_t sid : membership_.voters()) disks_[sid] = SimDisk{};
  for (int64_t sid : membership_.observers()) disks_[sid] = SimDisk{};
}

void Simulator::AddSpare(int64_t sid) {
  assert(!membership_.IsMember(sid) && members_.empty());
  spares_.insert(sid);
  disks_[sid] = SimDisk{};
}

std::vector<int64_t> Simulator::known() const {
  std::set<int64_t> all = spares_;
  all.insert(membership_.voters().begin(), membership_.voters().end());
  all.insert(membership_.observers().begin(), membership_.observers().end());
  return std::vector<int64_t>(all.begin(), all.end());
}

void Simulator::Note(const std::string& line) {
  std::string stamped = "t=" + std::to_string(now_) + " " + line;
  if (echo_) echo_(stamped);
  trace_.push_back(std::move(stamped));
  while (trace_.size() > kTraceLinesMax) trace_.pop_front();
}

std::optional<MemberView> Simulator::view(int64_t sid) const {
  auto it = members_.find(sid);
  if (it == members_.end()) return std::nullopt;
  return it->second->view();
}

SimMember* Simulator::member(int64_t sid) {
  auto it = members_.find(sid);
  return it == members_.end() ? nullptr : it->second.get();
}

const SimMember* Simulator::member(int64_t sid) const {
  auto it = members_.find(sid);
  return it == members_.end() ? nullptr : it->second.get();
}

void Simulator::Poke(int64_t sid) {
  if (failed() || !IsUp(sid)) return;
  AfterStep(sid);
}

void Simulator::AfterStep(int64_t sid) {
  Collect(sid);
  HandleBreaks();
  Check();
  CrashWhereAsked();
}

void Simulator::ArmCrash(int64_t sid, std::optional<CrashPoint> point) {
  if (point) {
    armed_crashes_[sid] = *point;
  } else {
    armed_crashes_.erase(sid);
  }
}

std::optional<CrashPoint> Simulator::armed_crash(int64_t sid) const {
  auto it = armed_crashes_.find(sid);
  if (it == armed_crashes_.end()) return std::nullopt;
  return it->second;
}

void Simulator::CrashWhereAsked() {
  // A crash breaks connections, whose other ends may then reach their own armed point.
  for (bool again = true; again && !failed();) {
    again = false;
    for (const auto& [sid, m] : members_) {
      if (!m->wants_crash()) continue;
      auto point = armed_crash(sid);
      Note("crash point " + std::string(point ? CrashPointName(*point) : "?") + " reached by " +
           std::to_string(sid));
      armed_crashes_.erase(sid);
      CrashMember(sid);
      again = true;
      break;
    }
  }
}

void Simulator::BreakConnection(int64_t a, int64_t b) {
  network_.FinishBreak(a, b);
  Note("connection " + std::to_string(a) + "-" + std::to_string(b) + " broken");
  for (auto [end, other] : {std::make_pair(a, b), std::make_pair(b, a)}) {
    SimMember* m = member(end);
    if (!m) continue;
    m->PeerDisconnected(other);
    Collect(end);
  }
}

bool Simulator::HandleBreaks() {
  // Telling an end may make it send, which may break another connection: until quiet.
  bool any = false;
  while (std::optional<std::pair<int64_t, int64_t>> b = network_.TakeBreak()) {
    BreakConnection(b->first, b->second);
    any = true;
  }
  return any;
}

void Simulator::StartMember(int64_t sid) {
  assert(IsKnown(sid));
  if (failed() || IsUp(sid)) return;
  members_[sid] = factory_(sid, &disks_[sid], membership_);
  Note("start " + std::to_string(sid));
  members_[sid]->Start();
  AfterStep(sid);
  Drain();  // peers on one host answer at once, not a tick later
}

void Simulator::CrashMember(int64_t sid) {
  if (failed() || !IsUp(sid)) return;
  members_[sid]->Crash();
  members_.erase(sid);
  network_.DropTo(sid);
  Note("crash " + std::to_string(sid));
  if (network_.quorum_connections()) {
    // The kernel closes the dead process's sockets: every peer sees its connection go.
    for (int64_t other : known()) {
      if (other != sid) network_.Break(sid, other);
    }
    HandleBreaks();
  } else {
    // Datagram election: no connection breaks, but the peers still see the dead process's
    // election sockets close (EOF / RST), which is what lets their election stop waiting for it.
    std::vector<int64_t> others;
    for (const auto& [other, m] : members_) others.push_back(other);
    for (int64_t other : others) {
      if (SimMember* m = member(other)) {
        m->PeerDisconnected(sid);
        AfterStep(other);
      }
    }
  }
  Check();
}

void Simulator::AddInvariant(std::string name, Invariant check) {
  invariants_.emplace_back(std::move(name), std::move(check));
}

void Simulator::AddEventHook(std::string name, EventHook hook) {
  event_hooks_.emplace_back(std::move(name), std::move(hook));
}

void Simulator::Collect(int64_t sid) {
  SimMember* m = member(sid);
  if (!m) return;
  std::vector<int64_t> closed;  // peers whose connection with sid it closed
  for (SimMessage& msg : m->TakeMessages()) {
    assert(msg.from == sid);
    if (msg.close) {
      network_.Close(sid, msg.to);
      Note("connection " + std::to_string(sid) + "-" + std::to_string(msg.to) + " closed by " +
           std::to_string(sid));
      closed.push_back(msg.to);
      continue;
    }
    network_.Send(std::move(msg), now_);
  }
  for (const SimEvent& e : m->TakeEvents()) {
    Note("s" + std::to_string(e.sid) + " " + e.text);
    if (failed()) continue;
    for (const auto& [name, hook] : event_hooks_) {
      std::string what = hook(*this, e);
      if (!what.empty()) {
        failure_ = name + ": " + what;
        Note("INVARIANT " + failure_);
        break;
      }
    }
  }
  // The other end reads EOF (and may answer, on a new connection).
  for (int64_t other : closed) {
    SimMember* o = member(other);
    if (!o || !IsUp(other)) continue;
    o->PeerDisconnected(sid);
    Collect(other);
  }
}

void Simulator::Check() {
  ++steps_;
  if (failed() || invariants_.empty()) return;
  views_.clear();
  for (const auto& [sid, m] : members_) views_.emplace_back(sid, m->view());
  for (const auto& [name, check] : invariants_) {
    std::string what = check(*this);
    if (!what.empty()) {
      failure_ = name + ": " + what;
      Note("INVARIANT " + failure_);
      return;
    }
  }
}

bool Simulator::Drain() {
  uint64_t delivered = 0;
  while (!failed()) {
    std::optional<SimMessage> m = network_.PopDue(now_);
    if (HandleBreaks()) {  // a message found its link blocked
      Check();
      CrashWhereAsked();
    }
    if (!m) {
      if (network_.HasDue(now_)) continue;
      break;
    }
    if (++delivered > kDeliveriesPerTickMax) {
      failure_ = "message storm: more than " + std::to_string(kDeliveriesPerTickMax) +
                 " deliveries in one tick";
      Note("INVARIANT " + failure_);
      break;
    }
    int64_t to = m->to;
    SimMember* dest = member(to);
    if (!dest) continue;  // crashed: the message is lost
    dest->Step(*m);
    AfterStep(to);
  }
  return !failed();
}

bool Simulator::RunTicks(int64_t n) {
  for (int64_t i = 0; i < n && !failed(); ++i) {
    ++now_;
    std::vector<int64_t> up;
    for (const auto& [sid, m] : members_) up.push_back(sid);
    for (int64_t sid : up) {
      SimMember* m = member(sid);
      if (!m) continue;
      m->Tick();
      AfterStep(sid);
      if (failed()) break;
    }
    Drain();
  }
  return !failed();
}

}  // namespace zk::sim
