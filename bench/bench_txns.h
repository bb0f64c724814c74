// Txns for the storage benchmarks: what a create of a 32-byte znode logs, numbered by zxid.
#pragma once

#include <cstdint>
#include <string>

#include "tree/acl.h"
#include "tree/txn.h"

namespace zk::storage {

inline std::string BenchCreateTxn(int64_t zxid) {
  Txn t;
  t.header = {0x1000, static_cast<int32_t>(zxid), zxid, 1'700'000'000'000, ToInt(OpCode::kCreate)};
  t.op.type = OpCode::kCreate;
  t.op.path = "/bench/node-" + std::to_string(zxid);
  t.op.data = std::string(32, 'v');
  t.op.acl = OpenAclUnsafe();
  t.op.parent_cversion = static_cast<int32_t>(zxid);
  return t.Encode();
}

}  // namespace zk::storage
