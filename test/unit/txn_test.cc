// Txn encoding: the jute form of ZooKeeper's txn records (docs/wire-format.md, Txn records),
// byte for byte, the round trip of every op type, and the refusals of malformed input.
#include "tree/txn.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wire_bytes.h"

namespace zk {
namespace {

using namespace wire_bytes;  // NOLINT(google-build-using-namespace): test-local helpers

TxnHeader Header(OpCode type) {
  TxnHeader h;
  h.client_id = 0x0102030405060708;
  h.cxid = 7;
  h.zxid = 0x100000002;
  h.time_ms = 1'700'000'000'123;
  h.type = ToInt(type);
  return h;
}

std::string HeaderBytes(int32_t type) {
  return Be64(0x0102030405060708) + Be32(7) + Be64(0x100000002) + Be64(1'700'000'000'123) +
         Be32(static_cast<uint32_t>(type));
}

std::string OpenAclBytes() { return Be32(1) + Be32(31) + Str("world") + Str("anyone"); }

Txn RoundTrip(const Txn& t) {
  Txn back;
  EXPECT_TRUE(Txn::Decode(t.Encode(), &back));
  return back;
}

TEST(Txn, Header_Is32BytesInZooKeeperFieldOrder) {
  JuteWriter w;
  Header(OpCode::kDelete).Write(w);
  EXPECT_EQ(w.data(), HeaderBytes(2));
  EXPECT_EQ(w.size(), 32u);  // long, int, long, long, int
}

TEST(Txn, Create_EncodesAsTxnHeaderThenCreateTxn) {
  Txn t;
  t.header = Header(OpCode::kCreate);
  t.op.type = OpCode::kCreate;
  t.op.path = "/a";
  t.op.data = "xy";
  t.op.acl = OpenAclUnsafe();
  t.op.ephemeral = true;
  t.op.parent_cversion = 5;
  EXPECT_EQ(t.Encode(), HeaderBytes(1) + Str("/a") + Str("xy") + OpenAclBytes() +
                            std::string(1, '\1') + Be32(5));
  Txn back = RoundTrip(t);
  EXPECT_EQ(back.header.client_id, 0x0102030405060708);
  EXPECT_EQ(back.header.cxid, 7);
  EXPECT_EQ(back.header.zxid, 0x100000002);
  EXPECT_EQ(back.header.time_ms, 1'700'000'000'123);
  EXPECT_EQ(back.header.type, 1);
  EXPECT_EQ(back.op.type, OpCode::kCreate);
  EXPECT_EQ(back.op.path, "/a");
  EXPECT_EQ(back.op.data, "xy");
  EXPECT_FALSE(back.op.data_null);
  EXPECT_EQ(*back.op.acl, OpenAclUnsafe());
  EXPECT_TRUE(back.op.ephemeral);
  EXPECT_EQ(back.op.parent_cversion, 5);
}

TEST(Txn, Create_NullDataIsLengthMinusOneAndComesBackNull) {
  Txn t;
  t.header = Header(OpCode::kCreate);
  t.op.type = OpCode::kCreate;
  t.op.path = "/n";
  t.op.data_null = true;
  t.op.acl = OpenAclUnsafe();
  EXPECT_EQ(t.Encode(), HeaderBytes(1) + Str("/n") + Be32(0xffffffff) + OpenAclBytes() +
                            std::string(1, '\0') + Be32(0));
  Txn back = RoundTrip(t);
  EXPECT_TRUE(back.op.data_null);
  EXPECT_EQ(back.op.data, "");
}

TEST(Txn, CreateTtl_HasParentCversionThenTtlAndNoEphemeralFlag) {
  Txn t;
  t.header = Header(OpCode::kCreateTtl);
  t.op.type = OpCode::kCreateTtl;
  t.op.path = "/t";
  t.op.acl = OpenAclUnsafe();
  t.op.parent_cversion = 2;
  t.op.ttl = 60000;
  EXPECT_EQ(t.Encode(),
            HeaderBytes(21) + Str("/t") + Str("") + OpenAclBytes() + Be32(2) + Be64(60000));
  Txn back = RoundTrip(t);
  EXPECT_EQ(back.op.ttl, 60000);
  EXPECT_EQ(back.op.parent_cversion, 2);
}

TEST(Txn, CreateContainer_IsCreateWithoutEphemeralFlag) {
  Txn t;
  t.header = Header(OpCode::kCreateContainer);
  t.op.type = OpCode::kCreateContainer;
  t.op.path = "/c";
  t.op.data = "d";
  t.op.acl = OpenAclUnsafe();
  t.op.parent_cversion = 9;
  EXPECT_EQ(t.Encode(), HeaderBytes(19) + Str("/c") + Str("d") + OpenAclBytes() + Be32(9));
  Txn back = RoundTrip(t);
  EXPECT_EQ(back.op.type, OpCode::kCreateContainer);
  EXPECT_EQ(back.op.parent_cversion, 9);
  EXPECT_EQ(back.op.data, "d");
}

TEST(Txn, DeleteSetDataSetAclCheck_EncodeTheirFieldsOnly) {
  Txn del;
  del.header = Header(OpCode::kDelete);
  del.op.type = OpCode::kDelete;
  del.op.path = "/gone";
  EXPECT_EQ(del.Encode(), HeaderBytes(2) + Str("/gone"));
  EXPECT_EQ(RoundTrip(del).op.path, "/gone");

  Txn set;
  set.header = Header(OpCode::kSetData);
  set.op.type = OpCode::kSetData;
  set.op.path = "/s";
  set.op.data = "new";
  set.op.version = 4;
  EXPECT_EQ(set.Encode(), HeaderBytes(5) + Str("/s") + Str("new") + Be32(4));
  Txn set_back = RoundTrip(set);
  EXPECT_EQ(set_back.op.data, "new");
  EXPECT_EQ(set_back.op.version, 4);

  Txn acl;
  acl.header = Header(OpCode::kSetAcl);
  acl.op.type = OpCode::kSetAcl;
  acl.op.path = "/s";
  acl.op.acl = AclList{Acl{perm::kRead | perm::kAdmin, Id{"digest", "u:h"}}};
  acl.op.version = 2;
  EXPECT_EQ(acl.Encode(),
            HeaderBytes(7) + Str("/s") + Be32(1) + Be32(17) + Str("digest") + Str("u:h") + Be32(2));
  Txn acl_back = RoundTrip(acl);
  EXPECT_EQ(*acl_back.op.acl, (AclList{Acl{17, Id{"digest", "u:h"}}}));
  EXPECT_EQ(acl_back.op.version, 2);

  Txn check;
  check.header = Header(OpCode::kCheck);
  check.op.type = OpCode::kCheck;
  check.op.path = "/s";
  check.op.version = -1;
  EXPECT_EQ(check.Encode(), HeaderBytes(13) + Str("/s") + Be32(0xffffffff));
  EXPECT_EQ(RoundTrip(check).op.version, -1);
}

TEST(Txn, ErrorSessionTxns_CarryTheirOneField) {
  Txn err;
  err.header = Header(OpCode::kError);
  err.op.type = OpCode::kError;
  err.op.err = Err::kNodeExists;
  EXPECT_EQ(err.Encode(), HeaderBytes(0xffffffff) + Be32(static_cast<uint32_t>(-110)));
  EXPECT_EQ(RoundTrip(err).op.err, Err::kNodeExists);

  Txn open;
  open.header = Header(OpCode::kCreateSession);
  open.op.type = OpCode::kCreateSession;
  open.op.timeout_ms = 30000;
  EXPECT_EQ(open.Encode(), HeaderBytes(static_cast<uint32_t>(-10)) + Be32(30000));
  EXPECT_EQ(RoundTrip(open).op.timeout_ms, 30000);

  Txn close;
  close.header = Header(OpCode::kCloseSession);
  close.op.type = OpCode::kCloseSession;
  close.op.paths = {"/e1", "/e2"};
  EXPECT_EQ(close.Encode(),
            HeaderBytes(static_cast<uint32_t>(-11)) + Be32(2) + Str("/e1") + Str("/e2"));
  EXPECT_EQ(RoundTrip(close).op.paths, (std::vector<std::string>{"/e1", "/e2"}));
}

TEST(Txn, Multi_IsACountThenTypeAndBufferPerOp) {
  Txn t;
  t.header = Header(OpCode::kMulti);
  TxnOp create;
  create.type = OpCode::kCreate;
  create.path = "/m";
  create.acl = OpenAclUnsafe();
  create.parent_cversion = 1;
  TxnOp del;
  del.type = OpCode::kDelete;
  del.path = "/old";
  t.multi = {create, del};
  std::string create_body = Str("/m") + Str("") + OpenAclBytes() + std::string(1, '\0') + Be32(1);
  EXPECT_EQ(t.Encode(),
            HeaderBytes(14) + Be32(2) + Be32(1) + Str(create_body) + Be32(2) + Str(Str("/old")));
  Txn back = RoundTrip(t);
  ASSERT_EQ(back.multi.size(), 2u);
  EXPECT_EQ(back.multi[0].type, OpCode::kCreate);
  EXPECT_EQ(back.multi[0].path, "/m");
  EXPECT_EQ(back.multi[0].parent_cversion, 1);
  EXPECT_EQ(back.multi[1].type, OpCode::kDelete);
  EXPECT_EQ(back.multi[1].path, "/old");
}

TEST(Txn, Multi_OfErrorTxnsRoundTrips) {
  Txn t;
  t.header = Header(OpCode::kMulti);
  for (Err e : {Err::kOk, Err::kBadVersion, Err::kRuntimeInconsistency}) {
    TxnOp op;
    op.type = OpCode::kError;
    op.err = e;
    t.multi.push_back(op);
  }
  Txn back = RoundTrip(t);
  ASSERT_EQ(back.multi.size(), 3u);
  EXPECT_EQ(back.multi[0].err, Err::kOk);
  EXPECT_EQ(back.multi[1].err, Err::kBadVersion);
  EXPECT_EQ(back.multi[2].err, Err::kRuntimeInconsistency);
}

TEST(Txn, Decode_EveryTruncationIsRefused) {
  Txn t;
  t.header = Header(OpCode::kCreate);
  t.op.type = OpCode::kCreate;
  t.op.path = "/a";
  t.op.data = "xy";
  t.op.acl = OpenAclUnsafe();
  std::string bytes = t.Encode();
  for (size_t len = 0; len < bytes.size(); ++len) {
    Txn back;
    EXPECT_FALSE(Txn::Decode(std::string_view(bytes).substr(0, len), &back)) << len;
  }
}

TEST(Txn, Decode_UnknownOpTypeIsRefused) {
  // getData (4) is not a txn.
  Txn back;
  EXPECT_FALSE(Txn::Decode(HeaderBytes(4) + Str("/a"), &back));
  EXPECT_FALSE(Txn::Decode(HeaderBytes(14) + Be32(1) + Be32(4) + Str(Str("/a")), &back));
}

TEST(Txn, Decode_MultiCountBeyondTheInputIsRefusedWithoutAllocating) {
  Txn back;
  EXPECT_FALSE(Txn::Decode(HeaderBytes(14) + Be32(0x7fffffff), &back));
  EXPECT_TRUE(back.multi.empty());
  EXPECT_FALSE(Txn::Decode(HeaderBytes(14) + Be32(0xffffffff), &back));
}

TEST(Txn, Decode_AclCountBeyondTheInputIsRefused) {
  Txn back;
  EXPECT_FALSE(Txn::Decode(HeaderBytes(7) + Str("/s") + Be32(1000) + Be32(0), &back));
}

}  // namespace
}  // namespace zk
