#include "sim/client_load.h"

#include "proto/jute.h"
#include "proto/records.h"
#include "tree/acl.h"

namespace zk::sim {

ClientLoad::ClientLoad(Simulator* sim, const SimTuning& tuning) : sim_(sim), tuning_(tuning) {
  for (int i = 0; i < tuning_.clients; ++i) {
    Client c;
    c.id = i + 1;
    clients_.push_back(c);
  }
}

size_t ClientLoad::outstanding() const {
  size_t n = 0;
  for (const Client& c : clients_) n += c.outstanding.size();
  return n;
}

ReplicaMember* ClientLoad::Member(int64_t sid) {
  return dynamic_cast<ReplicaMember*>(sim_->member(sid));
}

void ClientLoad::Detach(Client& c) {
  stats_.dropped += c.outstanding.size();
  c.outstanding.clear();
  c.member = 0;
  c.ready = false;
}

void ClientLoad::Dropped(int64_t member) {
  for (Client& c : clients_) {
    if (c.member == member) Detach(c);
  }
}

void ClientLoad::ScriptedWrites(int64_t member, int count) {
  for (Client& c : clients_) {
    if (c.pinned == member) {
      c.scripted_left += count;
      return;
    }
  }
  Client c;
  c.id = static_cast<int>(clients_.size()) + 1;
  c.pinned = member;
  c.scripted_left = count;
  clients_.push_back(c);
}

size_t ClientLoad::scripted_pending() const {
  size_t n = 0;
  for (const Client& c : clients_) n += static_cast<size_t>(c.scripted_left);
  return n;
}

void ClientLoad::Attach(Client& c) {
  std::vector<int64_t> candidates;
  for (const auto& [sid, v] : sim_->views()) {
    if (c.pinned != 0 && sid != c.pinned) continue;
    ReplicaMember* m = Member(sid);
    if (m && m->replica().serving() && m->replica().core().last_zxid() >= c.last_zxid_seen) {
      candidates.push_back(sid);
    }
  }
  if (candidates.empty()) return;
  int64_t sid = candidates[sim_->prng().Below(candidates.size())];
  Replica& member = Member(sid)->replica();
  const std::string ip = "10.0.0." + std::to_string(c.id);
  c.member = sid;
  c.last_ping_tick = sim_->now();
  if (c.session != 0 && member.Reattach(c.session, Core::SessionPassword(c.session),
                                        tuning_.client_session_timeout_ms, ip) > 0) {
    c.ready = true;
    ++stats_.reattached;
    sim_->Note("client " + std::to_string(c.id) + " re-attaches to " + std::to_string(sid));
    return;
  }
  if (c.session != 0) by_session_.erase(c.session);
  OpenSessionResult r =
      member.OpenSession(tuning_.client_session_timeout_ms, ip, sim_->now() * 10);
  c.session = r.session_id;
  c.ready = false;
  by_session_[c.session] = static_cast<size_t>(c.id - 1);
  ++stats_.sessions_opened;
  sim_->Note("client " + std::to_string(c.id) + " opens a session on " + std::to_string(sid));
  sim_->Poke(sid);
}

void ClientLoad::Issue(Client& c) {
  Request req;
  JuteWriter w;
  Prng& p = sim_->prng();
  if (!parent_created_) {
    req.op = OpCode::kCreate;
    req.path = "/q";
    CreateRequest{req.path, "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  } else if (c.pinned == 0 && !c.mine.empty() && p.Chance(0.3)) {
    const auto& [path, data] = c.mine[p.Below(c.mine.size())];
    req.op = OpCode::kGetData;
    req.path = path;
    req.data = data;
    PathAndWatch{path, false}.Write(w);
  } else {
    if (c.scripted_left > 0) --c.scripted_left;
    req.op = OpCode::kCreate;
    req.path = "/q/n-";
    req.data = "c" + std::to_string(c.id) + "-" + std::to_string(++c.writes);
    CreateRequest{req.path, req.data, OpenAclUnsafe(),
                  static_cast<int32_t>(CreateMode::kPersistentSequential), 0}
        .Write(w, false);
  }
  int32_t xid = c.next_xid++;
  Replica& member = Member(c.member)->replica();
  member.Touch(c.session);
  member.Submit(ClientRequest{c.session, xid, req.op, w.Take(), 0, {}}, sim_->now() * 10);
  c.outstanding[xid] = std::move(req);
  ++stats_.requests;
  sim_->Poke(c.member);
}

void ClientLoad::Tick() {
  Prng& p = sim_->prng();
  for (Client& c : clients_) {
    if (sim_->failed()) return;
    if (c.member != 0) {
      ReplicaMember* m = Member(c.member);
      if (!m || !m->replica().serving()) Detach(c);  // (Dropped() normally did this)
    }
    if (c.pinned != 0) {
      if (c.member == 0 && c.scripted_left > 0) Attach(c);
      if (c.member != 0 && c.ready && c.outstanding.empty() && c.scripted_left > 0) Issue(c);
      continue;
    }
    if (c.member == 0) {
      if (p.Chance(tuning_.attach_chance)) Attach(c);
      continue;
    }
    if (!c.ready) continue;
    if (sim_->now() - c.last_ping_tick >= tuning_.ping_ticks) {
      c.last_ping_tick = sim_->now();
      Member(c.member)->replica().Touch(c.session);
    }
    if (writing_ && c.outstanding.size() < tuning_.pipeline_max &&
        p.Chance(tuning_.request_chance)) {
      Issue(c);
    }
  }
}

void ClientLoad::Deliver(int64_t member, const Output& o) {
  auto it = by_session_.find(o.session_id);
  if (it == by_session_.end()) return;
  Client& c = clients_[it->second];
  if (c.member != member) return;  // a connection the client already gave up
  switch (o.kind) {
    case Output::Kind::kSessionOpened:
      c.ready = true;
      c.last_zxid_seen = std::max(c.last_zxid_seen, o.zxid);
      return;
    case Output::Kind::kCloseSession:
      by_session_.erase(c.session);
      c.session = 0;
      Detach(c);
      return;
    case Output::Kind::kReply: {
      auto r = c.outstanding.find(o.xid);
      if (r == c.outstanding.end()) return;
      Request req = std::move(r->second);
      c.outstanding.erase(r);
      c.last_zxid_seen = std::max(c.last_zxid_seen, o.zxid);
      if (req.op == OpCode::kCreate && req.path == "/q") {
        if (o.err == Err::kOk || o.err == Err::kNodeExists) parent_created_ = true;
        return;
      }
      if (req.op == OpCode::kCreate) {
        if (o.err != Err::kOk) return;
        JuteReader jr(o.body);
        std::string path = jr.String();
        acked_.push_back(AckedWrite{o.zxid, path, req.data, member});
        c.mine.emplace_back(path, req.data);
        ++stats_.acked_writes;
        sim_->Note("client " + std::to_string(c.id) + " ack " + path + " zxid=" +
                   std::to_string(o.zxid >> 32) + ":" + std::to_string(o.zxid & 0xffffffff) +
                   " from " + std::to_string(member));
        return;
      }
      if (req.op == OpCode::kGetData) {
        ++stats_.reads_checked;
        std::string data;
        if (o.err == Err::kOk) {
          JuteReader jr(o.body);
          data = jr.Buffer();
        }
        if ((o.err != Err::kOk || data != req.data) && failure_.empty()) {
          failure_ = "client " + std::to_string(c.id) + " read its acknowledged " + req.path +
                     " on member " + std::to_string(member) + ": err " +
                     std::to_string(static_cast<int>(o.err)) + " data '" + data + "'";
        }
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace zk::sim
