#include "proto/records.h"

namespace zk {

// Each record's fields, once, in wire order (jute_fields.h); Write and Read below both use them.
namespace {

constexpr auto kIdFields = [](auto& io, auto& r) {
  io.String(r.scheme);
  io.String(r.id);
};

constexpr auto kAclFields = [](auto& io, auto& r) {
  io.Int(r.perms);
  io.Record(r.id);
};

constexpr auto kStatFields = [](auto& io, auto& r) {
  io.Long(r.czxid);
  io.Long(r.mzxid);
  io.Long(r.ctime);
  io.Long(r.mtime);
  io.Int(r.version);
  io.Int(r.cversion);
  io.Int(r.aversion);
  io.Long(r.ephemeral_owner);
  io.Int(r.data_length);
  io.Int(r.num_children);
  io.Long(r.pzxid);
};

constexpr auto kRequestHeaderFields = [](auto& io, auto& r) {
  io.Int(r.xid);
  io.Int(r.type);
};

constexpr auto kReplyHeaderFields = [](auto& io, auto& r) {
  io.Int(r.xid);
  io.Long(r.zxid);
  io.Int(r.err);
};

constexpr auto kConnectRequestFields = [](auto& io, auto& r) {
  io.Int(r.protocol_version);
  io.Long(r.last_zxid_seen);
  io.Int(r.timeout_ms);
  io.Long(r.session_id);
  io.Buffer(r.passwd);
  io.TrailingBool(r.read_only, r.has_read_only);
};

constexpr auto kConnectResponseFields = [](auto& io, auto& r) {
  io.Int(r.protocol_version);
  io.Int(r.timeout_ms);
  io.Long(r.session_id);
  io.Buffer(r.passwd);
  io.TrailingBool(r.read_only, r.has_read_only);
};

constexpr auto kCreateRequestFields = [](auto& io, auto& r, bool with_ttl) {
  io.String(r.path);
  io.MaybeNullBuffer(r.data, r.data_null);
  AclsField(io, r.acl);
  io.Int(r.flags);
  if (with_ttl) io.Long(r.ttl);
};

constexpr auto kPathAndVersionFields = [](auto& io, auto& r) {
  io.String(r.path);
  io.Int(r.version);
};

constexpr auto kPathAndWatchFields = [](auto& io, auto& r) {
  io.String(r.path);
  io.Bool(r.watch);
};

constexpr auto kSetDataRequestFields = [](auto& io, auto& r) {
  io.String(r.path);
  io.MaybeNullBuffer(r.data, r.data_null);
  io.Int(r.version);
};

constexpr auto kSetAclRequestFields = [](auto& io, auto& r) {
  io.String(r.path);
  AclsField(io, r.acl);
  io.Int(r.version);
};

constexpr auto kSetWatchesRequestFields = [](auto& io, auto& r, bool v2) {
  io.Long(r.relative_zxid);
  io.StringVector(r.data_watches);
  io.StringVector(r.exist_watches);
  io.StringVector(r.child_watches);
  if (v2) {
    io.StringVector(r.persistent_watches);
    io.StringVector(r.persistent_recursive_watches);
  }
};

constexpr auto kPathAndModeFields = [](auto& io, auto& r) {
  io.String(r.path);
  io.Int(r.mode);
};

constexpr auto kAuthPacketFields = [](auto& io, auto& r) {
  io.Int(r.type);
  io.String(r.scheme);
  io.Buffer(r.auth);
};

constexpr auto kReconfigRequestFields = [](auto& io, auto& r) {
  io.String(r.joining_servers);
  io.String(r.leaving_servers);
  io.String(r.new_members);
  io.Long(r.cur_config_id);
};

constexpr auto kMultiHeaderFields = [](auto& io, auto& r) {
  io.Int(r.type);
  io.Bool(r.done);
  io.Int(r.err);
};

constexpr auto kWatcherEventFields = [](auto& io, auto& r) {
  io.Int(r.type);
  io.Int(r.state);
  io.String(r.path);
};

}  // namespace

void Id::Write(JuteWriter& w) const { WriteFields(w, *this, kIdFields); }
bool Id::Read(JuteReader& r) { return ReadFields(r, *this, kIdFields); }

void Acl::Write(JuteWriter& w) const { WriteFields(w, *this, kAclFields); }
bool Acl::Read(JuteReader& r) { return ReadFields(r, *this, kAclFields); }

void WriteAcls(JuteWriter& w, const AclList& acls) {
  w.Int(static_cast<int32_t>(acls.size()));
  for (const auto& a : acls) a.Write(w);
}

AclList ReadAcls(JuteReader& r) {
  int32_t n = r.Int();
  AclList v;
  if (!r.ok() || n <= 0) {
    if (n < -1) r.Fail();
    return v;
  }
  // An ACL takes at least 12 bytes: refuse counts the input cannot hold.
  if (static_cast<size_t>(n) > r.remaining() / 12) {
    r.Fail();
    return v;
  }
  v.resize(static_cast<size_t>(n));
  for (auto& a : v) {
    if (!a.Read(r)) break;
  }
  return v;
}

void Stat::Write(JuteWriter& w) const { WriteFields(w, *this, kStatFields); }
bool Stat::Read(JuteReader& r) { return ReadFields(r, *this, kStatFields); }

void RequestHeader::Write(JuteWriter& w) const { WriteFields(w, *this, kRequestHeaderFields); }
bool RequestHeader::Read(JuteReader& r) { return ReadFields(r, *this, kRequestHeaderFields); }

void ReplyHeader::Write(JuteWriter& w) const { WriteFields(w, *this, kReplyHeaderFields); }
bool ReplyHeader::Read(JuteReader& r) { return ReadFields(r, *this, kReplyHeaderFields); }

void ConnectRequest::Write(JuteWriter& w) const { WriteFields(w, *this, kConnectRequestFields); }
bool ConnectRequest::Read(JuteReader& r) { return ReadFields(r, *this, kConnectRequestFields); }

void ConnectResponse::Write(JuteWriter& w) const { WriteFields(w, *this, kConnectResponseFields); }
bool ConnectResponse::Read(JuteReader& r) { return ReadFields(r, *this, kConnectResponseFields); }

void CreateRequest::Write(JuteWriter& w, bool with_ttl) const {
  WriteFields(w, *this, kCreateRequestFields, with_ttl);
}
bool CreateRequest::Read(JuteReader& r, bool with_ttl) {
  return ReadFields(r, *this, kCreateRequestFields, with_ttl);
}

void PathAndVersion::Write(JuteWriter& w) const { WriteFields(w, *this, kPathAndVersionFields); }
bool PathAndVersion::Read(JuteReader& r) { return ReadFields(r, *this, kPathAndVersionFields); }

void PathAndWatch::Write(JuteWriter& w) const { WriteFields(w, *this, kPathAndWatchFields); }
bool PathAndWatch::Read(JuteReader& r) { return ReadFields(r, *this, kPathAndWatchFields); }

void SetDataRequest::Write(JuteWriter& w) const { WriteFields(w, *this, kSetDataRequestFields); }
bool SetDataRequest::Read(JuteReader& r) { return ReadFields(r, *this, kSetDataRequestFields); }

void SetAclRequest::Write(JuteWriter& w) const { WriteFields(w, *this, kSetAclRequestFields); }
bool SetAclRequest::Read(JuteReader& r) { return ReadFields(r, *this, kSetAclRequestFields); }

void SetWatchesRequest::Write(JuteWriter& w, bool v2) const {
  WriteFields(w, *this, kSetWatchesRequestFields, v2);
}
bool SetWatchesRequest::Read(JuteReader& r, bool v2) {
  return ReadFields(r, *this, kSetWatchesRequestFields, v2);
}

void PathAndMode::Write(JuteWriter& w) const { WriteFields(w, *this, kPathAndModeFields); }
bool PathAndMode::Read(JuteReader& r) { return ReadFields(r, *this, kPathAndModeFields); }

void AuthPacket::Write(JuteWriter& w) const { WriteFields(w, *this, kAuthPacketFields); }
bool AuthPacket::Read(JuteReader& r) { return ReadFields(r, *this, kAuthPacketFields); }

bool ReconfigRequest::Read(JuteReader& r) { return ReadFields(r, *this, kReconfigRequestFields); }

void MultiHeader::Write(JuteWriter& w) const { WriteFields(w, *this, kMultiHeaderFields); }
bool MultiHeader::Read(JuteReader& r) { return ReadFields(r, *this, kMultiHeaderFields); }

void WatcherEvent::Write(JuteWriter& w) const { WriteFields(w, *this, kWatcherEventFields); }
bool WatcherEvent::Read(JuteReader& r) { return ReadFields(r, *this, kWatcherEventFields); }

}  // namespace zk
