// Reads: the requests a server answers from its own tree without a txn — one small function per
// op code, found through a table (FindRead) — plus auth, watch registration and removal
// (ZooKeeper's FinalRequestProcessor answers these the same way on every server; replies:
// docs/wire-format.md, Response by op).
//
// A read function checks and decodes its request record, registers watches, and returns the
// reply; Core::Read sends it. It never changes the tree. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.h"
#include "core/sessions.h"
#include "proto/codes.h"
#include "proto/jute.h"
#include "tree/data_tree.h"
#include "tree/watches.h"

namespace zk {

struct ReadContext {
  const CoreConfig& config;
  const DataTree& tree;
  Watches& watches;
  Session* session;             // nullptr: no such session
  const std::vector<Id>& auth;  // the session's auth ids
  int64_t session_id;
  OpCode op;
  std::string_view body;  // the request record
  std::vector<WatchEvent> fire;  // events to send at once (SetWatches re-arming stale watches)
};

struct ReadReply {
  Err err = Err::kOk;
  std::string body;  // the reply record, when err == kOk
  bool close_after = false;
  bool zero_zxid = false;  // an auth answer's header carries zxid 0
};

using ReadFn = ReadReply (*)(ReadContext& c, JuteReader& r);

// The function that serves `op`, or nullptr if `op` is not answered from the tree.
ReadFn FindRead(OpCode op);

// getChildren's list: the count, then each name (jute vector<ustring>), in the tree's order.
void WriteChildren(JuteWriter& w, const Node& n);

}  // namespace zk
