// Prepare: turning one decoded write request into a TxnOp, with ZooKeeper's checks in
// ZooKeeper's order (docs/data-tree.md, Create check order), against a PendingView so that requests
// prepared but not yet applied are seen. Also the request decoders and reply encoders shared by
// the request path. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.h"
#include "core/pending.h"
#include "proto/records.h"
#include "tree/data_tree.h"
#include "tree/txn.h"

namespace zk {

// A decoded write request (single or one op of a multi).
struct WriteRequest {
  OpCode op = OpCode::kError;
  CreateRequest create;         // create, create2, createContainer, createTTL
  PathAndVersion path_version;  // delete, check
  SetDataRequest set_data;
  SetAclRequest set_acl;
  std::string raw_path;         // deleteContainer carries the bare path bytes
};

// A client's write request, decoded once from its body (Core::Submit / SubmitForwarded) and
// handed as it is to Core::Prepare.
struct DecodedWrite {
  WriteRequest single;              // a lone write; deleteContainer's bare path (internal only)
  std::vector<WriteRequest> multi;  // kMulti: its ops, in order
  ReconfigRequest reconfig;         // kReconfig
  std::vector<OpCode> MultiOps() const;
};

// Decodes the body of a client's write request `op`: a lone write's record, a multi's ops (not
// setACL, no more than a jute.maxbuffer frame can hold), reconfig's record,
// nothing for closeSession. False if malformed or `op` is no client write.
bool DecodeWriteRequest(OpCode op, std::string_view body, DecodedWrite* out);
// Decodes the ops of a multiRead request (getChildren / getData only); false if malformed.
bool DecodeMultiReadOps(std::string_view body, std::vector<OpCode>* ops);
bool IsKnownClientOp(OpCode op);

struct PrepareContext {
  const CoreConfig& config;
  int64_t session_id;
  int64_t zxid;
  const std::vector<Id>& auth;
  PendingView& view;
};

// Checks the request and fills *out; on success the change is recorded in c.view under c.zxid.
Err PrepareWrite(const PrepareContext& c, const WriteRequest& w, TxnOp* out);
TxnOp ErrorOp(Err e);
// The sequential node suffix: %010d of the parent's cversion, as Java's String.format writes it
// (at least 10 characters, zero padded after the sign).
void AppendSequenceSuffix(std::string* path, int32_t cversion);

// The reply record of a successful write (CreateResponse, Create2Response, Stat, or nothing).
void WriteResultRecord(JuteWriter& w, OpCode request_op, const ApplyResult& r);

}  // namespace zk
