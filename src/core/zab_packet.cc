#include "core/zab_packet.h"

namespace zk {

const char* ZabTypeName(ZabType t) {
  switch (t) {
    case ZabType::kRequest: return "REQUEST";
    case ZabType::kProposal: return "PROPOSAL";
    case ZabType::kAck: return "ACK";
    case ZabType::kCommit: return "COMMIT";
    case ZabType::kPing: return "PING";
    case ZabType::kSync: return "SYNC";
    case ZabType::kInform: return "INFORM";
    case ZabType::kCommitAndActivate: return "COMMITANDACTIVATE";
    case ZabType::kNewLeader: return "NEWLEADER";
    case ZabType::kFollowerInfo: return "FOLLOWERINFO";
    case ZabType::kUpToDate: return "UPTODATE";
    case ZabType::kDiff: return "DIFF";
    case ZabType::kTrunc: return "TRUNC";
    case ZabType::kSnap: return "SNAP";
    case ZabType::kObserverInfo: return "OBSERVERINFO";
    case ZabType::kLeaderInfo: return "LEADERINFO";
    case ZabType::kAckEpoch: return "ACKEPOCH";
    case ZabType::kInformAndActivate: return "INFORMANDACTIVATE";
  }
  return "UNKNOWN";
}

std::string EncodeZabPacket(const ZabPacket& p) {
  JuteWriter w;
  w.Int(static_cast<int32_t>(p.type));
  w.Long(p.zxid);
  w.Buffer(p.data);
  return w.Take();
}

std::optional<ZabPacket> DecodeZabPacket(std::string_view bytes) {
  JuteReader r(bytes);
  ZabPacket p;
  int32_t type = r.Int();
  p.zxid = r.Long();
  p.data = r.Buffer();
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  p.type = static_cast<ZabType>(type);
  if (std::string_view(ZabTypeName(p.type)) == "UNKNOWN") return std::nullopt;
  return p;
}

std::string EncodeLong(int64_t v) {
  JuteWriter w;
  w.Long(v);
  return w.Take();
}

int64_t DecodeLong(std::string_view data, bool* ok) {
  JuteReader r(data);
  int64_t v = r.Long();
  *ok = r.ok() && r.AtEnd();
  return v;
}

std::string EncodeLongThen(int64_t v, std::string_view rest) {
  std::string out = EncodeLong(v);
  out.append(rest);
  return out;
}

int64_t DecodeLongThen(std::string_view data, bool* ok, std::string_view* rest) {
  *ok = data.size() >= 8;
  if (!*ok) return 0;
  *rest = data.substr(8);
  return DecodeLong(data.substr(0, 8), ok);
}

std::string EncodeForwardedRequest(const ClientRequest& req) {
  JuteWriter w;
  w.Long(req.session_id);
  w.Int(req.xid);
  w.Int(ToInt(req.op));
  w.Buffer(req.body);
  w.Int(static_cast<int32_t>(req.auth.size()));
  for (const auto& id : req.auth) id.Write(w);
  return w.Take();
}

std::optional<ClientRequest> DecodeForwardedRequest(std::string_view data) {
  JuteReader r(data);
  ClientRequest req;
  req.session_id = r.Long();
  req.xid = r.Int();
  req.op = static_cast<OpCode>(r.Int());
  req.body = r.Buffer();
  int32_t n = r.Int();
  if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 8) return std::nullopt;
  req.auth.resize(static_cast<size_t>(n));
  for (auto& id : req.auth) id.Read(r);
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  return req;
}

std::string EncodeTouches(const std::vector<std::pair<int64_t, int32_t>>& touches) {
  JuteWriter w;
  w.Int(static_cast<int32_t>(touches.size()));
  for (const auto& [sid, timeout] : touches) {
    w.Long(sid);
    w.Int(timeout);
  }
  return w.Take();
}

std::optional<std::vector<std::pair<int64_t, int32_t>>> DecodeTouches(std::string_view data) {
  std::vector<std::pair<int64_t, int32_t>> out;
  if (data.empty()) return out;
  JuteReader r(data);
  int32_t n = r.Int();
  if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 12) return std::nullopt;
  for (int32_t i = 0; i < n; ++i) {
    int64_t sid = r.Long();
    int32_t timeout = r.Int();
    out.emplace_back(sid, timeout);
  }
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  return out;
}

}  // namespace zk
