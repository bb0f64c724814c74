// Transactions: what a prepared write becomes, and what is logged, replicated and applied.
// Shapes follow ZooKeeper's txn records (docs/wire-format.md, Txn records); Encode/Decode write the
// jute form so the log and the ensemble can carry them. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/codes.h"
#include "proto/records.h"
#include "tree/acl.h"

namespace zk {

struct TxnHeader {
  int64_t client_id = 0;  // session id
  int32_t cxid = 0;
  int64_t zxid = 0;
  int64_t time_ms = 0;    // the preparing server's wall clock
  int32_t type = 0;       // OpCode, or -1 for an error txn
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r);
};

// One operation. `type` selects which fields mean something:
//   kCreate / kCreateTtl / kCreateContainer: path, data, acl, ephemeral, parent_cversion, ttl
//   kDelete / kDeleteContainer: path
//   kSetData: path, data, version (the new version)
//   kSetAcl: path, acl, version (the new aversion)
//   kCheck: path, version
//   kError: err
//   kCreateSession: timeout_ms
//   kCloseSession: paths (ephemerals to delete)
struct TxnOp {
  OpCode type = OpCode::kError;
  std::string path;
  std::string data;
  bool data_null = false;
  SharedAcl acl;
  bool ephemeral = false;
  int32_t parent_cversion = 0;
  int64_t ttl = 0;
  int32_t version = 0;
  Err err = Err::kOk;
  int32_t timeout_ms = 0;
  std::vector<std::string> paths;
  void Write(JuteWriter& w) const;
  bool Read(JuteReader& r, OpCode type);
};

struct Txn {
  TxnHeader header;
  TxnOp op;                  // when header.type != kMulti
  std::vector<TxnOp> multi;  // when header.type == kMulti
  std::string Encode() const;
  static bool Decode(std::string_view bytes, Txn* out);
};

}  // namespace zk
