#include "proto/records.h"

namespace zk {

void Id::Write(JuteWriter& w) const {
  w.String(scheme);
  w.String(id);
}
bool Id::Read(JuteReader& r) {
  scheme = r.String();
  id = r.String();
  return r.ok();
}

void Acl::Write(JuteWriter& w) const {
  w.Int(perms);
  id.Write(w);
}
bool Acl::Read(JuteReader& r) {
  perms = r.Int();
  return id.Read(r);
}

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

void Stat::Write(JuteWriter& w) const {
  w.Long(czxid);
  w.Long(mzxid);
  w.Long(ctime);
  w.Long(mtime);
  w.Int(version);
  w.Int(cversion);
  w.Int(aversion);
  w.Long(ephemeral_owner);
  w.Int(data_length);
  w.Int(num_children);
  w.Long(pzxid);
}
bool Stat::Read(JuteReader& r) {
  czxid = r.Long();
  mzxid = r.Long();
  ctime = r.Long();
  mtime = r.Long();
  version = r.Int();
  cversion = r.Int();
  aversion = r.Int();
  ephemeral_owner = r.Long();
  data_length = r.Int();
  num_children = r.Int();
  pzxid = r.Long();
  return r.ok();
}

void RequestHeader::Write(JuteWriter& w) const {
  w.Int(xid);
  w.Int(type);
}
bool RequestHeader::Read(JuteReader& r) {
  xid = r.Int();
  type = r.Int();
  return r.ok();
}

void ReplyHeader::Write(JuteWriter& w) const {
  w.Int(xid);
  w.Long(zxid);
  w.Int(err);
}
bool ReplyHeader::Read(JuteReader& r) {
  xid = r.Int();
  zxid = r.Long();
  err = r.Int();
  return r.ok();
}

void ConnectRequest::Write(JuteWriter& w) const {
  w.Int(protocol_version);
  w.Long(last_zxid_seen);
  w.Int(timeout_ms);
  w.Long(session_id);
  w.Buffer(passwd);
  if (has_read_only) w.Bool(read_only);
}
bool ConnectRequest::Read(JuteReader& r) {
  protocol_version = r.Int();
  last_zxid_seen = r.Long();
  timeout_ms = r.Int();
  session_id = r.Long();
  passwd = r.Buffer();
  has_read_only = r.ok() && r.remaining() >= 1;
  if (has_read_only) read_only = r.Bool();
  return r.ok();
}

void ConnectResponse::Write(JuteWriter& w) const {
  w.Int(protocol_version);
  w.Int(timeout_ms);
  w.Long(session_id);
  w.Buffer(passwd);
  if (has_read_only) w.Bool(read_only);
}
bool ConnectResponse::Read(JuteReader& r) {
  protocol_version = r.Int();
  timeout_ms = r.Int();
  session_id = r.Long();
  passwd = r.Buffer();
  has_read_only = r.ok() && r.remaining() >= 1;
  if (has_read_only) read_only = r.Bool();
  return r.ok();
}

void CreateRequest::Write(JuteWriter& w, bool with_ttl) const {
  w.String(path);
  if (data_null) {
    w.NullBuffer();
  } else {
    w.Buffer(data);
  }
  WriteAcls(w, acl);
  w.Int(flags);
  if (with_ttl) w.Long(ttl);
}
bool CreateRequest::Read(JuteReader& r, bool with_ttl) {
  path = r.String();
  data = r.Buffer(&data_null);
  acl = ReadAcls(r);
  flags = r.Int();
  if (with_ttl) ttl = r.Long();
  return r.ok();
}

void PathAndVersion::Write(JuteWriter& w) const {
  w.String(path);
  w.Int(version);
}
bool PathAndVersion::Read(JuteReader& r) {
  path = r.String();
  version = r.Int();
  return r.ok();
}

void PathAndWatch::Write(JuteWriter& w) const {
  w.String(path);
  w.Bool(watch);
}
bool PathAndWatch::Read(JuteReader& r) {
  path = r.String();
  watch = r.Bool();
  return r.ok();
}

void SetDataRequest::Write(JuteWriter& w) const {
  w.String(path);
  if (data_null) {
    w.NullBuffer();
  } else {
    w.Buffer(data);
  }
  w.Int(version);
}
bool SetDataRequest::Read(JuteReader& r) {
  path = r.String();
  data = r.Buffer(&data_null);
  version = r.Int();
  return r.ok();
}

void SetAclRequest::Write(JuteWriter& w) const {
  w.String(path);
  WriteAcls(w, acl);
  w.Int(version);
}
bool SetAclRequest::Read(JuteReader& r) {
  path = r.String();
  acl = ReadAcls(r);
  version = r.Int();
  return r.ok();
}

void SetWatchesRequest::Write(JuteWriter& w, bool v2) const {
  w.Long(relative_zxid);
  w.StringVector(data_watches);
  w.StringVector(exist_watches);
  w.StringVector(child_watches);
  if (v2) {
    w.StringVector(persistent_watches);
    w.StringVector(persistent_recursive_watches);
  }
}
bool SetWatchesRequest::Read(JuteReader& r, bool v2) {
  relative_zxid = r.Long();
  data_watches = r.StringVector();
  exist_watches = r.StringVector();
  child_watches = r.StringVector();
  if (v2) {
    persistent_watches = r.StringVector();
    persistent_recursive_watches = r.StringVector();
  }
  return r.ok();
}

void PathAndMode::Write(JuteWriter& w) const {
  w.String(path);
  w.Int(mode);
}
bool PathAndMode::Read(JuteReader& r) {
  path = r.String();
  mode = r.Int();
  return r.ok();
}

void AuthPacket::Write(JuteWriter& w) const {
  w.Int(type);
  w.String(scheme);
  w.Buffer(auth);
}
bool AuthPacket::Read(JuteReader& r) {
  type = r.Int();
  scheme = r.String();
  auth = r.Buffer();
  return r.ok();
}

bool ReconfigRequest::Read(JuteReader& r) {
  joining_servers = r.String();
  leaving_servers = r.String();
  new_members = r.String();
  cur_config_id = r.Long();
  return r.ok();
}

void MultiHeader::Write(JuteWriter& w) const {
  w.Int(type);
  w.Bool(done);
  w.Int(err);
}
bool MultiHeader::Read(JuteReader& r) {
  type = r.Int();
  done = r.Bool();
  err = r.Int();
  return r.ok();
}

void WatcherEvent::Write(JuteWriter& w) const {
  w.Int(type);
  w.Int(state);
  w.String(path);
}
bool WatcherEvent::Read(JuteReader& r) {
  type = r.Int();
  state = r.Int();
  path = r.String();
  return r.ok();
}

}  // namespace zk
