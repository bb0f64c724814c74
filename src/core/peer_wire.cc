#include "core/peer_wire.h"

#include "proto/jute.h"

namespace zk {

std::string EncodeNotification(const Notification& n, std::string_view config) {
  JuteWriter w;
  w.Long(n.sid);
  w.Int(static_cast<int32_t>(n.state));
  w.Long(n.leader);
  w.Long(n.zxid);
  w.Long(n.election_epoch);
  w.Long(n.peer_epoch);
  w.Int(kNotificationVersion);
  w.Buffer(config);
  return w.Take();
}

std::optional<WireNotification> DecodeNotification(std::string_view payload) {
  if (payload.size() > kElectionFrameMax) return std::nullopt;
  JuteReader r(payload);
  WireNotification out;
  out.n.sid = r.Long();
  int32_t state = r.Int();
  out.n.leader = r.Long();
  out.n.zxid = r.Long();
  out.n.election_epoch = r.Long();
  out.n.peer_epoch = r.Long();
  int32_t version = r.Int();
  bool is_null = false;
  out.config = r.Buffer(&is_null);
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  if (state < 0 || state > 3 || version != kNotificationVersion) return std::nullopt;
  if (out.config.size() > kElectionConfigMax) return std::nullopt;
  out.n.state = static_cast<PeerState>(state);
  return out;
}

std::string EncodeElectionHello(const ElectionHello& h) {
  JuteWriter w;
  w.Long(kElectionProtocolVersion);
  w.Long(h.sid);
  w.Buffer(h.address);
  return w.Take();
}

FrameResult DecodeElectionHello(std::string_view bytes, ElectionHello* out, size_t* consumed) {
  constexpr size_t kFixed = 8 + 8 + 4;
  if (bytes.size() < kFixed) return FrameResult::kNeedMore;
  JuteReader r(bytes);
  int64_t version = r.Long();
  int64_t sid = r.Long();
  int32_t len = r.Int();
  if (version != kElectionProtocolVersion || len < 0 ||
      static_cast<size_t>(len) > kElectionAddressMax) {
    return FrameResult::kBad;
  }
  if (r.remaining() < static_cast<size_t>(len)) return FrameResult::kNeedMore;
  out->sid = sid;
  out->address.assign(r.position(), static_cast<size_t>(len));
  *consumed = kFixed + static_cast<size_t>(len);
  return FrameResult::kOk;
}

std::string EncodeFrame(std::string_view payload) {
  JuteWriter w;
  w.Int(static_cast<int32_t>(payload.size()));
  w.Raw(payload);
  return w.Take();
}

FrameResult TakeFrame(std::string_view bytes, std::string_view* payload, size_t* consumed) {
  if (bytes.size() < 4) return FrameResult::kNeedMore;
  int32_t len = LoadBigEndian32(bytes.data());
  if (len <= 0 || static_cast<size_t>(len) > kElectionFrameMax) return FrameResult::kBad;
  if (bytes.size() - 4 < static_cast<size_t>(len)) return FrameResult::kNeedMore;
  *payload = bytes.substr(4, static_cast<size_t>(len));
  *consumed = 4 + static_cast<size_t>(len);
  return FrameResult::kOk;
}

}  // namespace zk
