#include "tree/txn.h"

namespace zk {

void TxnHeader::Write(JuteWriter& w) const {
  w.Long(client_id);
  w.Int(cxid);
  w.Long(zxid);
  w.Long(time_ms);
  w.Int(type);
}

bool TxnHeader::Read(JuteReader& r) {
  client_id = r.Long();
  cxid = r.Int();
  zxid = r.Long();
  time_ms = r.Long();
  type = r.Int();
  return r.ok();
}

void TxnOp::Write(JuteWriter& w) const {
  switch (type) {
    case OpCode::kCreate:
      w.String(path);
      w.MaybeNullBuffer(data, data_null);
      WriteAcls(w, *acl);
      w.Bool(ephemeral);
      w.Int(parent_cversion);
      break;
    case OpCode::kCreateTtl:
      w.String(path);
      w.MaybeNullBuffer(data, data_null);
      WriteAcls(w, *acl);
      w.Int(parent_cversion);
      w.Long(ttl);
      break;
    case OpCode::kCreateContainer:
      w.String(path);
      w.MaybeNullBuffer(data, data_null);
      WriteAcls(w, *acl);
      w.Int(parent_cversion);
      break;
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
      w.String(path);
      break;
    case OpCode::kSetData:
      w.String(path);
      w.MaybeNullBuffer(data, data_null);
      w.Int(version);
      break;
    case OpCode::kSetAcl:
      w.String(path);
      WriteAcls(w, *acl);
      w.Int(version);
      break;
    case OpCode::kCheck:
      w.String(path);
      w.Int(version);
      break;
    case OpCode::kError:
      w.Int(ToInt(err));
      break;
    case OpCode::kCreateSession:
      w.Int(timeout_ms);
      break;
    case OpCode::kCloseSession:
      w.StringVector(paths);
      break;
    default:
      break;
  }
}

bool TxnOp::Read(JuteReader& r, OpCode t) {
  type = t;
  switch (t) {
    case OpCode::kCreate:
      path = r.String();
      data = r.Buffer(&data_null);
      acl = ReadAcls(r);
      ephemeral = r.Bool();
      parent_cversion = r.Int();
      break;
    case OpCode::kCreateTtl:
      path = r.String();
      data = r.Buffer(&data_null);
      acl = ReadAcls(r);
      parent_cversion = r.Int();
      ttl = r.Long();
      break;
    case OpCode::kCreateContainer:
      path = r.String();
      data = r.Buffer(&data_null);
      acl = ReadAcls(r);
      parent_cversion = r.Int();
      break;
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
      path = r.String();
      break;
    case OpCode::kSetData:
      path = r.String();
      data = r.Buffer(&data_null);
      version = r.Int();
      break;
    case OpCode::kSetAcl:
      path = r.String();
      acl = ReadAcls(r);
      version = r.Int();
      break;
    case OpCode::kCheck:
      path = r.String();
      version = r.Int();
      break;
    case OpCode::kError:
      err = static_cast<Err>(r.Int());
      break;
    case OpCode::kCreateSession:
      timeout_ms = r.Int();
      break;
    case OpCode::kCloseSession:
      paths = r.StringVector();
      break;
    default:
      r.Fail();
      break;
  }
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
  return out->op.Read(r, type);
}

}  // namespace zk
