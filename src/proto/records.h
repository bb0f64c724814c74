// The jute records of zookeeper.jute that the client protocol and the transaction log use
// (docs/wire-format.md, Records), each with Write/Read in wire field order. Read() returns r.ok().
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/codes.h"
#include "proto/jute.h"
#include "proto/jute_fields.h"

namespace zk {

struct Id {
  std::string scheme;
  std::string id;
  bool operator==(const Id&) const = default;
  auto operator<=>(const Id&) const = default;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct Acl {
  int32_t perms = 0;
  Id id;
  bool operator==(const Acl&) const = default;
  auto operator<=>(const Acl&) const = default;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};
using AclList = std::vector<Acl>;
void WriteAcls(JuteWriter& w, const AclList& acls);
AclList ReadAcls(JuteReader& r);
// An AclList as one field of a record's field list (jute_fields.h).
inline void AclsField(JuteFieldWriter& io, const AclList& acls) { WriteAcls(io.writer(), acls); }
inline void AclsField(JuteFieldReader& io, AclList& acls) { acls = ReadAcls(io.reader()); }

struct Stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
  bool operator==(const Stat&) const = default;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct RequestHeader {
  int32_t xid = 0;
  int32_t type = 0;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct ReplyHeader {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct ConnectRequest {
  int32_t protocol_version = 0;
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  bool read_only = false;
  bool has_read_only = false;  // old clients omit the trailing byte
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct ConnectResponse {
  int32_t protocol_version = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  bool read_only = false;
  bool has_read_only = true;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct CreateRequest {
  std::string path;
  std::string data;
  AclList acl;
  int32_t flags = 0;
  int64_t ttl = 0;  // only on the wire for createTTL
  bool data_null = false;  // a null buffer (length -1), which getData returns as null
  void Write(JuteWriter& w, bool with_ttl) const;
  bool Read(JuteReader& r, bool with_ttl);
};

struct PathAndVersion {  // DeleteRequest, CheckVersionRequest
  std::string path;
  int32_t version = -1;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct PathAndWatch {  // ExistsRequest, GetDataRequest, GetChildren(2)Request
  std::string path;
  bool watch = false;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct SetDataRequest {
  std::string path;
  std::string data;
  int32_t version = -1;
  bool data_null = false;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct SetAclRequest {
  std::string path;
  AclList acl;
  int32_t version = -1;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct SetWatchesRequest {  // SetWatches and SetWatches2
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
  void Write(JuteWriter& w, bool v2) const;
  bool Read(JuteReader& r, bool v2);
};

struct PathAndMode {  // AddWatchRequest, CheckWatchesRequest, RemoveWatchesRequest
  std::string path;
  int32_t mode = 0;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct AuthPacket {
  int32_t type = 0;
  std::string scheme;
  std::string auth;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct ReconfigRequest {
  std::string joining_servers;
  std::string leaving_servers;
  std::string new_members;
  int64_t cur_config_id = 0;
  bool Read(JuteReader& r);
};

struct MultiHeader {
  int32_t type = -1;
  bool done = true;
  int32_t err = -1;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

struct WatcherEvent {
  int32_t type = 0;
  int32_t state = 0;
  std::string path;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

}  // namespace zk
