#include "chaos/session_check.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace pc::chaos {
namespace {

// Ops that the leader refuses once the session's close has begun: an ok one proves the session
// was alive when it was invoked.
bool IsSessionWrite(const Op& op) {
  switch (op.kind) {
    case OpKind::kCreate:
    case OpKind::kWrite:
    case OpKind::kCas:
    case OpKind::kDelete:
    case OpKind::kClose:
      return true;
    default:
      return false;
  }
}

std::string DescribeNotification(const Notification& n) {
  return n.event + " on " + n.path + " to process " + std::to_string(n.process) + " (session " +
         n.session + ") at " + FormatTime(n.time_ns) + " [line " + std::to_string(n.line) + "]";
}

// "Ephemeral P of session S is gone", as seen at time_ns.
struct Gone {
  int64_t time_ns;
  std::string how;
  int op = -1;  // the exists op that saw it, if one did
};

class SessionCheck {
 public:
  SessionCheck(const History& h, CheckResult* out) : h_(h), out_(out) {}

  bool Applicable() const {
    return !ephemerals_.empty() || !h_.notifications.empty() ||
           std::any_of(h_.ops.begin(), h_.ops.end(),
                       [](const Op& op) { return op.kind == OpKind::kWatch; });
  }

  void Run() {
    Index();
    if (!Applicable()) {
      return;
    }
    LostEphemerals();
    OutlivedCloses();
    Watches();
  }

  size_t ephemerals() const { return ephemerals_.size(); }

 private:
  void Index() {
    for (const Op& op : h_.ops) {
      if (op.kind == OpKind::kCreate && op.ephemeral && op.ok()) {
        ephemerals_.emplace(op.created, &op);  // the first ok create of a path owns it
      }
      if (IsSessionWrite(op) && op.ok() && !op.session.empty()) {
        const Op*& latest = latest_write_[op.session];
        if (latest == nullptr || op.invoke_ns > latest->invoke_ns) {
          latest = &op;
        }
      }
      if (op.kind == OpKind::kClose && op.ok()) {
        closed_[op.session] = &op;
      }
    }
  }

  // Where each ephemeral was seen gone, earliest first.
  std::map<std::string, std::vector<Gone>> SeenGone() {
    std::map<std::string, std::vector<Gone>> gone;
    // exists = false after the same session saw the node (its own create, or exists = true).
    std::set<std::pair<std::string, std::string>> saw;  // (session, path)
    std::vector<const Op*> ops;
    for (const Op& op : h_.ops) {
      if (!op.session.empty() && op.ok()) {
        ops.push_back(&op);
      }
    }
    std::stable_sort(ops.begin(), ops.end(),
                     [](const Op* a, const Op* b) { return a->invoke_ns < b->invoke_ns; });
    for (const Op* op : ops) {
      if (op->kind == OpKind::kCreate && op->ephemeral) {
        saw.insert({op->session, op->created});
      }
      if (op->kind != OpKind::kExists) {
        continue;
      }
      if (op->exists) {
        saw.insert({op->session, op->path});
      } else if (saw.count({op->session, op->path}) && ephemerals_.count(op->path)) {
        gone[op->path].push_back({op->complete_ns, DescribeOp(*op), op->id});
      }
    }
    for (const Notification& n : h_.notifications) {
      auto e = ephemerals_.find(n.path);
      if (n.event == "NodeDeleted" && e != ephemerals_.end() &&
          n.time_ns > e->second->complete_ns) {
        gone[n.path].push_back({n.time_ns, "the notification " + DescribeNotification(n)});
      }
    }
    for (const Listing& l : h_.listings) {
      for (const auto& [path, create] : ephemerals_) {
        if (Dirname(path) != l.path || l.time_ns <= create->complete_ns) {
          continue;
        }
        if (std::find(l.children.begin(), l.children.end(), Basename(path)) == l.children.end()) {
          gone[path].push_back({l.time_ns, "member " + std::to_string(l.member) +
                                               "'s final listing of " + l.path + " [line " +
                                               std::to_string(l.line) + "]"});
        }
      }
    }
    for (auto& [path, seen] : gone) {
      std::stable_sort(seen.begin(), seen.end(),
                       [](const Gone& a, const Gone& b) { return a.time_ns < b.time_ns; });
    }
    return gone;
  }

  // Whether an ok or info delete of the path was invoked before time_ns.
  bool DeletedBefore(const std::string& path, int64_t time_ns) const {
    return std::any_of(h_.ops.begin(), h_.ops.end(), [&](const Op& op) {
      return op.kind == OpKind::kDelete && !op.fail() && op.path == path && op.invoke_ns < time_ns;
    });
  }

  // Gone while its session still wrote afterwards (and nobody deleted it).
  void LostEphemerals() {
    for (const auto& [path, seen] : SeenGone()) {
      const Op* create = ephemerals_.at(path);
      auto alive = latest_write_.find(create->session);
      if (alive == latest_write_.end()) {
        continue;
      }
      const Op* proof = alive->second;
      for (const Gone& g : seen) {
        if (proof->invoke_ns <= g.time_ns) {
          break;  // sorted: later ones are later still
        }
        if (DeletedBefore(path, g.time_ns)) {
          break;  // someone deleted it: not the session's doing
        }
        Problem p{"ephemeral-lost",
                  "ephemeral " + path + " of session " + create->session + " (" + ShortOp(*create) +
                      ") was gone by " + FormatTime(g.time_ns) + " (" + g.how +
                      "), yet its session was alive after: " + DescribeOp(*proof),
                  {create->id, proof->id}};
        if (g.op >= 0) {
          p.ops.push_back(g.op);
        }
        out_->Add(std::move(p));
        break;  // one problem per ephemeral
      }
    }
  }

  // Still listed after its session's ok close.
  void OutlivedCloses() {
    for (const Listing& l : h_.listings) {
      for (const std::string& child : l.children) {
        std::string path = (l.path == "/" ? "" : l.path) + "/" + child;
        std::string owner;
        if (auto o = l.owners.find(child); o != l.owners.end()) {
          owner = o->second;
        } else if (auto e = ephemerals_.find(path); e != ephemerals_.end()) {
          owner = e->second->session;
        }
        auto closed = closed_.find(owner);
        if (owner.empty() || closed == closed_.end() || closed->second->complete_ns >= l.time_ns) {
          continue;
        }
        std::string text = "ephemeral ";
        text += path;
        text += " of session ";
        text += owner;
        text += " is still in member " + std::to_string(l.member) + "'s final listing [line ";
        text += std::to_string(l.line) + "] after its session closed: ";
        text += DescribeOp(*closed->second);
        out_->Add({"ephemeral-outlived-close", text, {closed->second->id}});
      }
    }
  }

  struct Armed {
    const Op* watch;
    bool consumed = false;
  };

  static std::vector<std::string> Triggers(const std::string& event) {
    if (event == "NodeDataChanged" || event == "NodeCreated") {
      return {"data"};
    }
    if (event == "NodeChildrenChanged") {
      return {"child"};
    }
    if (event == "NodeDeleted") {
      return {"data", "child"};
    }
    return {};
  }

  // An op that could have made the change the notification reports.
  const Op* Cause(const Notification& n, int32_t version_seen) const {
    for (const Op& op : h_.ops) {
      if (op.fail() || op.invoke_ns >= n.time_ns) {
        continue;
      }
      bool cause = false;
      if (n.event == "NodeDataChanged") {
        cause = (op.kind == OpKind::kWrite || op.kind == OpKind::kCas) && op.path == n.path &&
                (version_seen == kNoVersion || !op.ok() || op.version == kNoVersion ||
                 op.version > version_seen);
      } else if (n.event == "NodeCreated") {
        cause = op.kind == OpKind::kCreate && (op.ok() ? op.created : op.path) == n.path;
      } else if (n.event == "NodeDeleted") {
        cause = (op.kind == OpKind::kDelete && op.path == n.path) ||
                (op.kind == OpKind::kCreate && op.ephemeral &&
                 (op.ok() ? op.created : op.path) == n.path);
      } else if (n.event == "NodeChildrenChanged") {
        cause = (op.kind == OpKind::kCreate || op.kind == OpKind::kDelete) &&
                Dirname(op.path) == n.path;
      }
      if (cause) {
        return &op;
      }
    }
    return nullptr;
  }

  void Watches() {
    std::map<std::pair<std::string, std::string>, std::vector<Armed>> armed;  // (session, path)
    for (const Op& op : h_.ops) {
      if (op.kind == OpKind::kWatch && !op.fail()) {
        armed[{op.session, op.path}].push_back({&op});
      }
    }
    std::vector<const Notification*> notes;
    for (const Notification& n : h_.notifications) {
      notes.push_back(&n);
    }
    std::stable_sort(notes.begin(), notes.end(),
                     [](const auto* a, const auto* b) { return a->time_ns < b->time_ns; });
    for (const Notification* n : notes) {
      std::vector<std::string> kinds = Triggers(n->event);
      std::vector<Armed>& watches = armed[{n->session, n->path}];
      const Op* earlier = nullptr;  // a watch this one could have been, already fired
      bool fired = false;
      // The oldest version the consumed watches saw (the server's watch is the first one set);
      // unknown if any of them did not report one.
      int32_t version_seen = std::numeric_limits<int32_t>::max();
      for (Armed& a : watches) {
        if (std::find(kinds.begin(), kinds.end(), a.watch->watch_kind) == kinds.end() ||
            a.watch->invoke_ns >= n->time_ns) {
          continue;
        }
        if (a.consumed) {
          earlier = a.watch;
          continue;
        }
        a.consumed = true;
        fired = true;
        bool known = a.watch->ok() && a.watch->version != kNoVersion;
        if (!known) {
          version_seen = kNoVersion;
        }
        if (known && version_seen != kNoVersion) {
          version_seen = std::min(version_seen, a.watch->version);
        }
      }
      if (!fired) {
        if (earlier != nullptr) {
          out_->Add({"watch-fired-twice",
                     DescribeNotification(*n) + ": the watch set by " + DescribeOp(*earlier) +
                         " had already fired",
                     {earlier->id}});
        } else {
          out_->Add({"watch-never-set",
                     DescribeNotification(*n) + ": no watch of that session on that path could "
                                                "fire for it",
                     {}});
        }
        continue;
      }
      if (Cause(*n, version_seen) == nullptr) {
        out_->Add({"watch-without-change",
                   DescribeNotification(*n) + ": no op that could have made that change was "
                                              "invoked before it",
                   {}});
      }
    }
  }

  const History& h_;
  CheckResult* out_;
  std::map<std::string, const Op*> ephemerals_;    // path → its ok create
  std::map<std::string, const Op*> latest_write_;  // session → its latest-invoked ok write
  std::map<std::string, const Op*> closed_;        // session → its ok close
};

}  // namespace

CheckResult CheckSessions(const History& history) {
  CheckResult out;
  out.name = "session";
  SessionCheck check(history, &out);
  check.Run();
  if (!check.Applicable()) {
    out.applicable = false;
    out.summary = "no ephemerals or watches";
    return out;
  }
  out.details = {{"ephemerals", check.ephemerals()},
                 {"notifications", history.notifications.size()}};
  out.summary = out.outcome == Outcome::kValid
                    ? std::to_string(check.ephemerals()) +
                          " ephemerals kept while their "
                          "sessions lived; " +
                          std::to_string(history.notifications.size()) +
                          " notifications each from one watch and for a real change"
                    : std::to_string(out.problems_total) + " session problem(s)";
  return out;
}

}  // namespace pc::chaos
