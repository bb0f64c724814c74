// Hand-written chaos histories for the checker's tests: one call per op, times in milliseconds,
// written out as history.jsonl and parsed back, so every test also goes through the parser and
// its problems point at real line numbers. Add ops in invoke order: the returned id is the op's
// id in the built History.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos::testing {

inline int64_t Ms(double ms) { return std::llround(ms * 1e6); }

class HistoryBuilder {
 public:
  // t1 < 0: the op has no completion line.
  int Write(int64_t process, int64_t value, double t0, double t1, Result r = Result::kOk,
            int32_t version = kNoVersion) {
    Op& op = Add(process, OpKind::kWrite, t0, t1, r);
    op.value = value;
    op.version = version;
    return op.id;
  }
  int Cas(int64_t process, int64_t from, int64_t to, double t0, double t1, Result r = Result::kOk,
          int32_t version = kNoVersion) {
    Op& op = Add(process, OpKind::kCas, t0, t1, r);
    op.from = from;
    op.value = to;
    op.version = version;
    return op.id;
  }
  int Read(int64_t process, int64_t value, double t0, double t1, int32_t version = kNoVersion,
           bool final_read = false) {
    Op& op = Add(process, OpKind::kRead, t0, t1, Result::kOk);
    op.value = value;
    op.version = version;
    op.final_read = final_read;
    return op.id;
  }
  int Create(int64_t process, const std::string& path, const std::string& created, double t0,
             double t1, Result r = Result::kOk, bool ephemeral = false) {
    Op& op = Add(process, OpKind::kCreate, t0, t1, r);
    op.path = path;
    op.created = created;
    op.ephemeral = ephemeral;
    return op.id;
  }
  int Exists(int64_t process, const std::string& path, bool exists, double t0, double t1) {
    Op& op = Add(process, OpKind::kExists, t0, t1, Result::kOk);
    op.path = path;
    op.exists = exists;
    return op.id;
  }
  int Watch(int64_t process, const std::string& path, const std::string& kind, int32_t version,
            double t0, double t1) {
    Op& op = Add(process, OpKind::kWatch, t0, t1, Result::kOk);
    op.path = path;
    op.watch_kind = kind;
    op.version = version;
    return op.id;
  }
  int Delete(int64_t process, const std::string& path, double t0, double t1,
             Result r = Result::kOk) {
    Op& op = Add(process, OpKind::kDelete, t0, t1, r);
    op.path = path;
    return op.id;
  }
  int Close(int64_t process, double t0, double t1, Result r = Result::kOk) {
    return Add(process, OpKind::kClose, t0, t1, r).id;
  }
  // The op just added, for extra fields (path, session, read).
  Op& Last() { return h_.ops.back(); }

  void Notify(int64_t process, const std::string& path, const std::string& event, double t) {
    h_.notifications.push_back({0, process, Session(process), path, event, Ms(t)});
  }
  void Expired(int64_t process, double t) {
    h_.session_ends.push_back({0, process, Session(process), "expired", Ms(t)});
  }
  void Final(int member, const std::string& path, std::vector<std::string> children, double t,
             std::map<std::string, std::string> owners = {}) {
    h_.listings.push_back({0, member, path, std::move(children), std::move(owners), Ms(t)});
  }
  void Member(int member, int64_t zxid, const std::string& digest) {
    h_.members.push_back({0, member, zxid, digest, Ms(1e6)});
  }
  void Leader(int member, int64_t epoch, double t) {
    h_.leaders.push_back({0, member, epoch, Ms(t)});
  }
  Setup& setup() { return h_.setup; }

  // Each process's session: "s<process>" unless the op sets another.
  static std::string Session(int64_t process) { return "s" + std::to_string(process); }

  History Build() const {
    std::string jsonl = HistoryToJsonl(h_);
    History parsed;
    std::string error;
    EXPECT_TRUE(ParseHistory(jsonl, &parsed, &error)) << error << "\n" << jsonl;
    EXPECT_EQ(parsed.ops.size(), h_.ops.size());
    for (size_t i = 0; i < std::min(parsed.ops.size(), h_.ops.size()); ++i) {
      EXPECT_EQ(parsed.ops[i].invoke_ns, h_.ops[i].invoke_ns)
          << "add ops in invoke order (op " << i << ")";
    }
    return parsed;
  }

 private:
  Op& Add(int64_t process, OpKind kind, double t0, double t1, Result r) {
    Op op;
    op.id = static_cast<int>(h_.ops.size());
    op.process = process;
    op.session = Session(process);
    op.kind = kind;
    op.result = t1 < 0 ? Result::kInfo : r;
    op.invoke_ns = Ms(t0);
    op.complete_ns = t1 < 0 ? kNever : Ms(t1);
    h_.ops.push_back(op);
    return h_.ops.back();
  }

  History h_;
};

// The first problem of that kind (a copy: results are often temporaries), or nothing.
inline std::optional<Problem> FindProblem(const CheckResult& r, const std::string& kind) {
  for (const Problem& p : r.problems) {
    if (p.kind == kind) return p;
  }
  return std::nullopt;
}

inline bool Names(const std::optional<Problem>& p, int op) {
  return p && std::find(p->ops.begin(), p->ops.end(), op) != p->ops.end();
}

}  // namespace pc::chaos::testing
