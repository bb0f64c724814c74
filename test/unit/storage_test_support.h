// Shared by the storage_*_test.cc files: a temp directory under /tmp removed afterwards, txns
// made the way the core prepares them (next zxid, parent cversion + 1), and a whole-tree dump
// for comparing a recovered tree with the original.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>

#include "core/core.h"
#include "tree/acl.h"
#include "tree/data_tree.h"
#include "tree/txn.h"

namespace zk::storage::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/zk-storage-test-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p ? p : "/tmp/zk-storage-test-failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A create of `path` with `data` as the log holds it, numbered by zxid (no tree kept in step:
// for tests of the log's files, which never apply it).
inline std::string CreateTxnBytes(int64_t zxid, const std::string& path, const std::string& data) {
  Txn t;
  t.header = {0x100, 1, zxid, 1000, ToInt(OpCode::kCreate)};
  t.op.type = OpCode::kCreate;
  t.op.path = path;
  t.op.data = data;
  t.op.acl = OpenAclUnsafe();
  return t.Encode();
}

// Builds txns against a tree the caller keeps in step (apply each txn before making the next).
class TxnMaker {
 public:
  explicit TxnMaker(int64_t first_zxid = 1) : next_zxid_(first_zxid) {}
  int64_t next_zxid() const { return next_zxid_; }
  void set_next_zxid(int64_t z) { next_zxid_ = z; }

  Txn Create(const DataTree& tree, const std::string& path, const std::string& data,
             int64_t session = 0, bool ephemeral = false, AclList acl = OpenAclUnsafe()) {
    Txn t = Header(session, OpCode::kCreate);
    t.op.type = OpCode::kCreate;
    t.op.path = path;
    t.op.data = data;
    t.op.acl = std::move(acl);
    t.op.ephemeral = ephemeral;
    const Node* parent = tree.Find(ParentPath(path));
    t.op.parent_cversion = parent ? parent->stat.cversion + 1 : 0;
    return t;
  }
  Txn Delete(const std::string& path) {
    Txn t = Header(0, OpCode::kDelete);
    t.op.type = OpCode::kDelete;
    t.op.path = path;
    return t;
  }
  Txn SetData(const DataTree& tree, const std::string& path, const std::string& data) {
    Txn t = Header(0, OpCode::kSetData);
    t.op.type = OpCode::kSetData;
    t.op.path = path;
    t.op.data = data;
    const Node* n = tree.Find(path);
    t.op.version = n ? n->stat.version + 1 : 0;
    return t;
  }
  Txn CreateSession(int64_t session, int32_t timeout_ms) {
    Txn t = Header(session, OpCode::kCreateSession);
    t.op.type = OpCode::kCreateSession;
    t.op.timeout_ms = timeout_ms;
    return t;
  }
  Txn CloseSession(const DataTree& tree, int64_t session) {
    Txn t = Header(session, OpCode::kCloseSession);
    t.op.type = OpCode::kCloseSession;
    if (auto it = tree.ephemerals().find(session); it != tree.ephemerals().end()) {
      t.op.paths.assign(it->second.begin(), it->second.end());
    }
    return t;
  }
  Txn Error(Err err) {
    Txn t = Header(0, OpCode::kError);
    t.op.type = OpCode::kError;
    t.op.err = err;
    return t;
  }
  // A multi of ops made by the calls above, taking the first one's zxid (sub-ops share it).
  Txn Multi(std::vector<Txn> ops) {
    Txn t;
    t.header = ops.front().header;
    t.header.type = ToInt(OpCode::kMulti);
    for (auto& op : ops) t.multi.push_back(std::move(op.op));
    next_zxid_ = t.header.zxid + 1;
    return t;
  }

 private:
  Txn Header(int64_t session, OpCode type) {
    Txn t;
    t.header.client_id = session;
    t.header.cxid = static_cast<int32_t>(next_zxid_);
    t.header.zxid = next_zxid_++;
    t.header.time_ms = 1'700'000'000'000 + t.header.zxid;
    t.header.type = ToInt(type);
    return t;
  }
  int64_t next_zxid_;
};

struct NodeDump {
  std::string data;
  AclList acl;
  Stat stat;
  bool operator==(const NodeDump&) const = default;
};

inline std::map<std::string, NodeDump> Dump(const DataTree& tree) {
  std::map<std::string, NodeDump> out;
  const Node* root = tree.Find("/");
  out["/"] = {root->data, *root->acl, root->stat};
  tree.ForEachDescendant("/", [&](const std::string& path, const Node& n) {
    out[path] = {n.data, *n.acl, n.stat};
  });
  return out;
}

inline void ExpectSameTree(const DataTree& want, const DataTree& got) {
  auto a = Dump(want);
  auto b = Dump(got);
  EXPECT_EQ(a.size(), b.size());
  for (const auto& [path, node] : a) {
    auto it = b.find(path);
    if (it == b.end()) {
      ADD_FAILURE() << "missing " << path;
      continue;
    }
    EXPECT_EQ(node.data, it->second.data) << path;
    EXPECT_TRUE(node.acl == it->second.acl) << path;
    const Stat& s = node.stat;
    const Stat& t = it->second.stat;
    EXPECT_TRUE(s == t) << path << " czxid " << s.czxid << "/" << t.czxid << " mzxid " << s.mzxid
                        << "/" << t.mzxid << " pzxid " << s.pzxid << "/" << t.pzxid << " version "
                        << s.version << "/" << t.version << " cversion " << s.cversion << "/"
                        << t.cversion << " children " << s.num_children << "/" << t.num_children
                        << " owner " << s.ephemeral_owner << "/" << t.ephemeral_owner << " mtime "
                        << s.mtime << "/" << t.mtime << " ctime " << s.ctime << "/" << t.ctime
                        << " aversion " << s.aversion << "/" << t.aversion << " length "
                        << s.data_length << "/" << t.data_length;
  }
  for (const auto& [path, node] : b) {
    if (!a.count(path)) ADD_FAILURE() << "unexpected " << path;
  }
  EXPECT_EQ(want.ephemerals(), got.ephemerals());
  EXPECT_EQ(want.containers(), got.containers());
}

}  // namespace zk::storage::testing
