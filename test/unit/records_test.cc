// The jute records of zookeeper.jute (docs/wire-format.md, Jute encoding and Records): exact
// bytes in wire field order, round trips with values in every field, and the refusals of short
// or lying input.
#include "proto/records.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wire_bytes.h"

namespace zk {
namespace {

using namespace wire_bytes;  // NOLINT(google-build-using-namespace): test-local helpers

template <typename R>
std::string Encode(const R& record) {
  JuteWriter w;
  record.Write(w);
  return w.Take();
}

// Reads `bytes` into a fresh R; expects success and that every byte was used.
template <typename R>
R Decode(const std::string& bytes) {
  R out;
  JuteReader r(bytes);
  EXPECT_TRUE(out.Read(r));
  EXPECT_TRUE(r.AtEnd()) << r.remaining() << " bytes left";
  return out;
}

// Every strict prefix of `bytes` fails to read.
template <typename R>
void ExpectEveryTruncationFails(const std::string& bytes) {
  for (size_t len = 0; len < bytes.size(); ++len) {
    R out;
    JuteReader r(std::string_view(bytes).substr(0, len));
    EXPECT_FALSE(out.Read(r)) << "prefix of " << len << " bytes";
  }
}

Stat SampleStat() {
  Stat s;
  s.czxid = 0x100000001;
  s.mzxid = 0x100000002;
  s.ctime = 1'700'000'000'000;
  s.mtime = 1'700'000'000'500;
  s.version = 3;
  s.cversion = 4;
  s.aversion = 5;
  s.ephemeral_owner = 0x7200000000000001;
  s.data_length = 6;
  s.num_children = 7;
  s.pzxid = 0x100000003;
  return s;
}

TEST(Records, Stat_FieldsInZooKeeperOrder) {
  Stat s = SampleStat();
  std::string want = Be64(0x100000001) + Be64(0x100000002) + Be64(1'700'000'000'000) +
                     Be64(1'700'000'000'500) + Be32(3) + Be32(4) + Be32(5) +
                     Be64(0x7200000000000001) + Be32(6) + Be32(7) + Be64(0x100000003);
  EXPECT_EQ(Encode(s), want);
  EXPECT_EQ(Decode<Stat>(want), s);
  ExpectEveryTruncationFails<Stat>(want);
}

TEST(Records, IdAndAcl_AreStringsAfterPerms) {
  Acl a{perm::kRead | perm::kWrite, Id{"ip", "10.0.0.0/8"}};
  std::string want = Be32(3) + Str("ip") + Str("10.0.0.0/8");
  EXPECT_EQ(Encode(a), want);
  EXPECT_EQ(Decode<Acl>(want), a);
  EXPECT_EQ(Encode(a.id), Str("ip") + Str("10.0.0.0/8"));
  ExpectEveryTruncationFails<Acl>(want);
}

TEST(Records, AclList_RoundTripsInOrder) {
  AclList acls = {Acl{perm::kAll, Id{"world", "anyone"}}, Acl{perm::kAdmin, Id{"super", "x"}}};
  JuteWriter w;
  WriteAcls(w, acls);
  EXPECT_EQ(w.data(),
            Be32(2) + Be32(31) + Str("world") + Str("anyone") + Be32(16) + Str("super") + Str("x"));
  JuteReader r(w.data());
  EXPECT_EQ(ReadAcls(r), acls);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.AtEnd());
}

TEST(Records, AclList_NullAndEmptyReadAsEmpty) {
  for (uint32_t count : {0u, 0xffffffffu}) {
    std::string bytes = Be32(count);
    JuteReader r(bytes);
    EXPECT_TRUE(ReadAcls(r).empty());
    EXPECT_TRUE(r.ok()) << count;
  }
}

TEST(Records, AclList_NegativeOrOversizedCountFails) {
  std::string negative = Be32(static_cast<uint32_t>(-2));
  JuteReader r1(negative);
  EXPECT_TRUE(ReadAcls(r1).empty());
  EXPECT_FALSE(r1.ok());
  // 2 ACLs claimed, room for one (an ACL takes at least 12 bytes).
  std::string oversized = Be32(2) + Be32(1) + Str("") + Str("");
  JuteReader r2(oversized);
  EXPECT_TRUE(ReadAcls(r2).empty());
  EXPECT_FALSE(r2.ok());
}

TEST(Records, RequestAndReplyHeaders_Are8And16Bytes) {
  RequestHeader req{-8, ToInt(OpCode::kSetWatches)};
  EXPECT_EQ(Encode(req), Be32(static_cast<uint32_t>(-8)) + Be32(101));
  RequestHeader req_back = Decode<RequestHeader>(Encode(req));
  EXPECT_EQ(req_back.xid, -8);
  EXPECT_EQ(req_back.type, 101);

  ReplyHeader rep{-1, -1, 0};  // a watcher notification's header
  EXPECT_EQ(Encode(rep), Be32(0xffffffff) + Be64(~0ull) + Be32(0));
  ReplyHeader rep2{12, 0x300000004, ToInt(Err::kNoNode)};
  std::string bytes = Encode(rep2);
  EXPECT_EQ(bytes.size(), 16u);
  ReplyHeader back = Decode<ReplyHeader>(bytes);
  EXPECT_EQ(back.xid, 12);
  EXPECT_EQ(back.zxid, 0x300000004);
  EXPECT_EQ(back.err, -101);
  ExpectEveryTruncationFails<ReplyHeader>(bytes);
}

TEST(Records, ConnectRequest_Is45BytesWithTheReadOnlyByteOutsideTheRecord) {
  ConnectRequest req;
  req.protocol_version = 0;
  req.last_zxid_seen = 0x200000010;
  req.timeout_ms = 30000;
  req.session_id = 0x0100000000000abc;
  req.passwd = std::string(15, '\x5a') + "\x01";
  req.read_only = true;
  req.has_read_only = true;
  std::string want = Be32(0) + Be64(0x200000010) + Be32(30000) + Be64(0x0100000000000abc) +
                     Str(req.passwd) + Byte('\1');
  EXPECT_EQ(Encode(req), want);
  EXPECT_EQ(want.size(), 45u);
  ConnectRequest back = Decode<ConnectRequest>(want);
  EXPECT_EQ(back.last_zxid_seen, 0x200000010);
  EXPECT_EQ(back.timeout_ms, 30000);
  EXPECT_EQ(back.session_id, 0x0100000000000abc);
  EXPECT_EQ(back.passwd, req.passwd);
  EXPECT_TRUE(back.read_only);
  EXPECT_TRUE(back.has_read_only);
  // An old client stops after the password: 44 bytes, no flag.
  ConnectRequest old = Decode<ConnectRequest>(want.substr(0, 44));
  EXPECT_FALSE(old.has_read_only);
  EXPECT_FALSE(old.read_only);
  EXPECT_EQ(old.passwd, req.passwd);
}

TEST(Records, ConnectResponse_Is37BytesThe41ByteCClientPrimerLessTheFrameLength) {
  ConnectResponse resp;
  resp.timeout_ms = 4000;
  resp.session_id = 0x0100000000000abc;
  resp.passwd = std::string(16, '\x11');
  resp.read_only = false;
  std::string want =
      Be32(0) + Be32(4000) + Be64(0x0100000000000abc) + Str(resp.passwd) + Byte('\0');
  EXPECT_EQ(Encode(resp), want);
  EXPECT_EQ(4 + want.size(), 41u);  // the C client's primer counts the frame length too
  ConnectResponse back = Decode<ConnectResponse>(want);
  EXPECT_EQ(back.timeout_ms, 4000);
  EXPECT_EQ(back.session_id, 0x0100000000000abc);
  EXPECT_EQ(back.passwd, resp.passwd);
  EXPECT_TRUE(back.has_read_only);
  EXPECT_FALSE(back.read_only);
  resp.has_read_only = false;  // the reply to an old client
  EXPECT_EQ(Encode(resp), want.substr(0, 36));
}

TEST(Records, CreateRequest_TtlIsOnTheWireOnlyForCreateTtl) {
  CreateRequest c;
  c.path = "/lock-";
  c.data = "v";
  c.acl = {Acl{perm::kAll, Id{"world", "anyone"}}};
  c.flags = 3;  // EPHEMERAL_SEQUENTIAL
  c.ttl = 9000;
  std::string base =
      Str("/lock-") + Str("v") + Be32(1) + Be32(31) + Str("world") + Str("anyone") + Be32(3);
  JuteWriter plain;
  c.Write(plain, false);
  EXPECT_EQ(plain.data(), base);
  JuteWriter ttl;
  c.Write(ttl, true);
  EXPECT_EQ(ttl.data(), base + Be64(9000));

  CreateRequest back;
  JuteReader r(ttl.data());
  ASSERT_TRUE(back.Read(r, true));
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(back.path, "/lock-");
  EXPECT_EQ(back.data, "v");
  EXPECT_EQ(back.acl, c.acl);
  EXPECT_EQ(back.flags, 3);
  EXPECT_EQ(back.ttl, 9000);
  EXPECT_FALSE(back.data_null);

  CreateRequest no_ttl;
  JuteReader r2(plain.data());
  ASSERT_TRUE(no_ttl.Read(r2, false));
  EXPECT_EQ(no_ttl.ttl, 0);
  CreateRequest short_ttl;  // createTTL without its long
  JuteReader r3(plain.data());
  EXPECT_FALSE(short_ttl.Read(r3, true));
}

TEST(Records, CreateRequest_NullDataIsLengthMinusOne) {
  CreateRequest c;
  c.path = "/n";
  c.data_null = true;
  JuteWriter w;
  c.Write(w, false);
  EXPECT_EQ(w.data(), Str("/n") + Be32(0xffffffff) + Be32(0) + Be32(0));
  CreateRequest back;
  JuteReader r(w.data());
  ASSERT_TRUE(back.Read(r, false));
  EXPECT_TRUE(back.data_null);
  EXPECT_TRUE(back.acl.empty());
}

TEST(Records, PathRequests_PathThenVersionWatchOrMode) {
  PathAndVersion del{"/d", 7};
  EXPECT_EQ(Encode(del), Str("/d") + Be32(7));
  PathAndVersion del_back = Decode<PathAndVersion>(Encode(del));
  EXPECT_EQ(del_back.path, "/d");
  EXPECT_EQ(del_back.version, 7);

  PathAndWatch get{"/g", true};
  EXPECT_EQ(Encode(get), Str("/g") + Byte('\1'));
  PathAndWatch get_back = Decode<PathAndWatch>(Encode(get));
  EXPECT_EQ(get_back.path, "/g");
  EXPECT_TRUE(get_back.watch);

  PathAndMode add{"/w", 1};  // persistentRecursive
  EXPECT_EQ(Encode(add), Str("/w") + Be32(1));
  PathAndMode add_back = Decode<PathAndMode>(Encode(add));
  EXPECT_EQ(add_back.path, "/w");
  EXPECT_EQ(add_back.mode, 1);

  ExpectEveryTruncationFails<PathAndVersion>(Encode(del));
  ExpectEveryTruncationFails<PathAndWatch>(Encode(get));
}

TEST(Records, SetDataAndSetAcl_RoundTripEveryField) {
  SetDataRequest set{"/s", "payload", 4, false};
  EXPECT_EQ(Encode(set), Str("/s") + Str("payload") + Be32(4));
  SetDataRequest set_back = Decode<SetDataRequest>(Encode(set));
  EXPECT_EQ(set_back.path, "/s");
  EXPECT_EQ(set_back.data, "payload");
  EXPECT_EQ(set_back.version, 4);
  EXPECT_FALSE(set_back.data_null);
  SetDataRequest null_set{"/s", "", -1, true};
  EXPECT_EQ(Encode(null_set), Str("/s") + Be32(0xffffffff) + Be32(0xffffffff));
  EXPECT_TRUE(Decode<SetDataRequest>(Encode(null_set)).data_null);

  SetAclRequest acl{"/s", {Acl{perm::kRead, Id{"digest", "u:h"}}}, 2};
  EXPECT_EQ(Encode(acl), Str("/s") + Be32(1) + Be32(1) + Str("digest") + Str("u:h") + Be32(2));
  SetAclRequest acl_back = Decode<SetAclRequest>(Encode(acl));
  EXPECT_EQ(acl_back.acl, acl.acl);
  EXPECT_EQ(acl_back.version, 2);
}

TEST(Records, SetWatches_V2AddsPersistentListsAfterTheFirstThree) {
  SetWatchesRequest s;
  s.relative_zxid = 0x500000001;
  s.data_watches = {"/d"};
  s.exist_watches = {"/e1", "/e2"};
  s.child_watches = {};
  s.persistent_watches = {"/p"};
  s.persistent_recursive_watches = {"/r"};
  std::string v1 =
      Be64(0x500000001) + Be32(1) + Str("/d") + Be32(2) + Str("/e1") + Str("/e2") + Be32(0);
  JuteWriter w1;
  s.Write(w1, false);
  EXPECT_EQ(w1.data(), v1);
  JuteWriter w2;
  s.Write(w2, true);
  EXPECT_EQ(w2.data(), v1 + Be32(1) + Str("/p") + Be32(1) + Str("/r"));

  SetWatchesRequest back;
  JuteReader r(w2.data());
  ASSERT_TRUE(back.Read(r, true));
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(back.relative_zxid, 0x500000001);
  EXPECT_EQ(back.data_watches, s.data_watches);
  EXPECT_EQ(back.exist_watches, s.exist_watches);
  EXPECT_TRUE(back.child_watches.empty());
  EXPECT_EQ(back.persistent_watches, s.persistent_watches);
  EXPECT_EQ(back.persistent_recursive_watches, s.persistent_recursive_watches);

  SetWatchesRequest v1_back;
  JuteReader r1(v1);
  ASSERT_TRUE(v1_back.Read(r1, false));
  EXPECT_TRUE(v1_back.persistent_watches.empty());
  SetWatchesRequest v2_of_v1;  // SetWatches2 needs the two extra lists
  JuteReader r2(v1);
  EXPECT_FALSE(v2_of_v1.Read(r2, true));
}

TEST(Records, AuthPacket_TypeSchemeThenAuthBuffer) {
  AuthPacket a{0, "digest", "user:secret"};
  EXPECT_EQ(Encode(a), Be32(0) + Str("digest") + Str("user:secret"));
  AuthPacket back = Decode<AuthPacket>(Encode(a));
  EXPECT_EQ(back.type, 0);
  EXPECT_EQ(back.scheme, "digest");
  EXPECT_EQ(back.auth, "user:secret");
  ExpectEveryTruncationFails<AuthPacket>(Encode(a));
}

TEST(Records, ReconfigRequest_ReadsThreeStringsAndConfigId) {
  std::string bytes = Str("server.4=h:1:2") + Str("2") + Str("") + Be64(0x100000000);
  ReconfigRequest r = Decode<ReconfigRequest>(bytes);
  EXPECT_EQ(r.joining_servers, "server.4=h:1:2");
  EXPECT_EQ(r.leaving_servers, "2");
  EXPECT_EQ(r.new_members, "");
  EXPECT_EQ(r.cur_config_id, 0x100000000);
  ExpectEveryTruncationFails<ReconfigRequest>(bytes);
}

TEST(Records, MultiHeader_EndMarkerIsMinusOneTrueMinusOne) {
  MultiHeader end;  // the defaults are the end marker
  EXPECT_EQ(Encode(end), Be32(0xffffffff) + Byte('\1') + Be32(0xffffffff));
  MultiHeader op{ToInt(OpCode::kSetData), false, -1};
  EXPECT_EQ(Encode(op), Be32(5) + Byte('\0') + Be32(0xffffffff));
  MultiHeader back = Decode<MultiHeader>(Encode(op));
  EXPECT_EQ(back.type, 5);
  EXPECT_FALSE(back.done);
  EXPECT_EQ(back.err, -1);
}

TEST(Records, WatcherEvent_TypeStateThenPath) {
  WatcherEvent e{static_cast<int32_t>(EventType::kNodeChildrenChanged),
                 static_cast<int32_t>(KeeperState::kSyncConnected), "/parent"};
  EXPECT_EQ(Encode(e), Be32(4) + Be32(3) + Str("/parent"));
  WatcherEvent back = Decode<WatcherEvent>(Encode(e));
  EXPECT_EQ(back.type, 4);
  EXPECT_EQ(back.state, 3);
  EXPECT_EQ(back.path, "/parent");
  ExpectEveryTruncationFails<WatcherEvent>(Encode(e));
}

TEST(Records, Read_StringLongerThanTheInputFails) {
  std::string lying = Be32(100) + "/short";
  PathAndWatch p;
  JuteReader r(lying);
  EXPECT_FALSE(p.Read(r));
}

}  // namespace
}  // namespace zk
