#include "tree/txn.h"

namespace zk {

namespace {

constexpr auto kTxnHeaderFields = [](auto& io, auto& h) {
  io.Long(h.client_id);
  io.Int(h.cxid);
  io.Long(h.zxid);
  io.Long(h.time_ms);
  io.Int(h.type);
};

// The op's ACL as one field: a SharedAcl is written as its list and read into a fresh one.
void AclsField(JuteFieldWriter& io, const SharedAcl& acl) { WriteAcls(io.writer(), *acl); }
void AclsField(JuteFieldReader& io, SharedAcl& acl) { acl = ReadAcls(io.reader()); }

// The fields of an op of `type` (txn.h lists them); false for a type that has none.
constexpr auto kTxnOpFields = [](auto& io, auto& op, OpCode type) {
  switch (type) {
    case OpCode::kCreate:
      io.String(op.path);
      io.MaybeNullBuffer(op.data, op.data_null);
      AclsField(io, op.acl);
      io.Bool(op.ephemeral);
      io.Int(op.parent_cversion);
      return true;
    case OpCode::kCreateTtl:
      io.String(op.path);
      io.MaybeNullBuffer(op.data, op.data_null);
      AclsField(io, op.acl);
      io.Int(op.parent_cversion);
      io.Long(op.ttl);
      return true;
    case OpCode::kCreateContainer:
      io.String(op.path);
      io.MaybeNullBuffer(op.data, op.data_null);
      AclsField(io, op.acl);
      io.Int(op.parent_cversion);
      return true;
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
      io.String(op.path);
      return true;
    case OpCode::kSetData:
      io.String(op.path);
      io.MaybeNullBuffer(op.data, op.data_null);
      io.Int(op.version);
      return true;
    case OpCode::kSetAcl:
      io.String(op.path);
      AclsField(io, op.acl);
      io.Int(op.version);
      return true;
    case OpCode::kCheck:
      io.String(op.path);
      io.Int(op.version);
      return true;
    case OpCode::kError:
      io.IntEnum(op.err);
      return true;
    case OpCode::kCreateSession:
      io.Int(op.timeout_ms);
      return true;
    case OpCode::kCloseSession:
      io.StringVector(op.paths);
      return true;
    default:
      return false;
  }
};

}  // namespace

void TxnHeader::Write(JuteWriter& w) const { WriteFields(w, *this, kTxnHeaderFields); }

bool TxnHeader::Read(JuteReader& r) { return ReadFields(r, *this, kTxnHeaderFields); }

void TxnOp::Write(JuteWriter& w) const {
  JuteFieldWriter io(w);
  kTxnOpFields(io, *this, type);
}

bool TxnOp::Read(JuteReader& r, OpCode t) {
  type = t;
  JuteFieldReader io(r);
  if (!kTxnOpFields(io, *this, t)) r.Fail();
  return r.ok();
}

std::string Txn::Encode() const {
  JuteWriter w;
  // Header (32 bytes), then the op: its strings plus a few ints, so one allocation for most.
  w.Reserve(64 + op.path.size() + op.data.size() + 32 * op.acl->size());
  header.Write(w);
  if (header.type == ToInt(OpCode::kMulti)) {
    w.Int(static_cast<int32_t>(multi.size()));
    for (const auto& op : multi) {
      JuteWriter inner;
      op.Write(inner);
      w.Int(ToInt(op.type));
      w.Buffer(inner.data());
    }
  } else {
    op.Write(w);
  }
  return w.Take();
}

bool Txn::Decode(std::string_view bytes, Txn* out) {
  JuteReader r(bytes);
  if (!out->header.Read(r)) return false;
  auto type = static_cast<OpCode>(out->header.type);
  if (type == OpCode::kMulti) {
    int32_t n = r.Int();
    if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 8) return false;
    out->multi.resize(static_cast<size_t>(n));
    for (auto& op : out->multi) {
      auto op_type = static_cast<OpCode>(r.Int());
      std::string data = r.Buffer();
      if (!r.ok()) return false;
      JuteReader inner(data);
      if (!op.Read(inner, op_type)) return false;
    }
    return r.ok();
  }
  // A reconfig is logged as ZooKeeper logs it: its header type, then a SetDataTxn of
  // /zookeeper/config.
  return out->op.Read(r, type == OpCode::kReconfig ? OpCode::kSetData : type);
}

}  // namespace zk
