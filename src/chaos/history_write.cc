// history.h's writing half: the lines a recorder writes, and ops described for people.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <tuple>
#include <vector>

#include "chaos/history.h"

namespace pc::chaos {

using nlohmann::json;

json InvokeJson(const Op& op) {
  json j = {{"type", "invoke"}, {"process", op.process}, {"op", OpKindName(op.kind)}};
  if (!op.session.empty()) {
    j["session"] = op.session;
  }
  switch (op.kind) {
    case OpKind::kWrite:
      j["value"] = op.value;
      break;
    case OpKind::kCas:
      j["value"] = {op.from, op.value};
      break;
    case OpKind::kRead:
      if (op.final_read) {
        j["final"] = true;
      }
      break;
    case OpKind::kCreate:
      if (op.ephemeral) {
        j["ephemeral"] = true;
      }
      break;
    case OpKind::kWatch:
      j["kind"] = op.watch_kind;
      break;
    default:
      break;
  }
  if (!op.path.empty()) {
    j["path"] = op.path;
  }
  j["time"] = op.invoke_ns;
  return j;
}

std::optional<json> CompletionJson(const Op& op) {
  if (op.complete_ns == kNever) {
    return std::nullopt;
  }
  json j = {{"type", ResultName(op.result)}, {"process", op.process}, {"op", OpKindName(op.kind)}};
  if (op.ok()) {
    switch (op.kind) {
      case OpKind::kRead:
        j["value"] = op.value;
        break;
      case OpKind::kCreate:
        j["value"] = op.created;
        break;
      case OpKind::kExists:
        j["value"] = op.exists;
        break;
      default:
        break;
    }
    if (op.version != kNoVersion) {
      j["version"] = op.version;
    }
  }
  if (op.read_value) {
    j["read"] = {*op.read_value, op.read_version};
  }
  if (!op.error.empty()) {
    j["error"] = op.error;
  }
  j["time"] = op.complete_ns;
  return j;
}

json SetupJson(const Setup& s) {
  json j = {{"type", "setup"}};
  if (!s.workload.empty()) {
    j["workload"] = s.workload;
  }
  j["initial"] = s.initial_value;
  j["initial_version"] = s.initial_version;
  j["initial_cversion"] = s.initial_cversion;
  return j;
}

json NotificationJson(const Notification& n) {
  return {{"type", "notify"}, {"process", n.process}, {"session", n.session},
          {"path", n.path},   {"event", n.event},     {"time", n.time_ns}};
}

json SessionEndJson(const SessionEnd& s) {
  return {{"type", "session"},
          {"process", s.process},
          {"session", s.session},
          {"state", s.state},
          {"time", s.time_ns}};
}

json ListingJson(const Listing& l) {
  json j = {{"type", "final"}, {"member", l.member}, {"path", l.path}, {"children", l.children}};
  if (!l.owners.empty()) {
    j["owners"] = l.owners;
  }
  j["time"] = l.time_ns;
  return j;
}

json MemberJson(const MemberFacts& m) {
  json j = {{"type", "member"}, {"member", m.member}, {"last_zxid", m.last_zxid}};
  if (!m.digest.empty()) {
    j["digest"] = m.digest;
  }
  j["time"] = m.time_ns;
  return j;
}

json LeaderJson(const LeaderSighting& l) {
  return {{"type", "leader"}, {"member", l.member}, {"epoch", l.epoch}, {"time", l.time_ns}};
}

std::string HistoryToJsonl(const History& h) {
  // (time, op id, 0 = invoke / 1 = completion): at equal times an op's invoke comes before its
  // completion, and a process's completion before its next invoke (ids are invoke order).
  std::vector<std::tuple<int64_t, int, int>> events;
  for (const Op& op : h.ops) {
    events.emplace_back(op.invoke_ns, op.id, 0);
    if (op.complete_ns != kNever) {
      events.emplace_back(op.complete_ns, op.id, 1);
    }
  }
  std::sort(events.begin(), events.end());
  std::string out = SetupJson(h.setup).dump() + "\n";
  for (const auto& [time, id, completion] : events) {
    out += (completion ? *CompletionJson(h.ops[id]) : InvokeJson(h.ops[id])).dump() + "\n";
  }
  for (const Notification& n : h.notifications) {
    out += NotificationJson(n).dump() + "\n";
  }
  for (const SessionEnd& s : h.session_ends) {
    out += SessionEndJson(s).dump() + "\n";
  }
  for (const Listing& l : h.listings) {
    out += ListingJson(l).dump() + "\n";
  }
  for (const MemberFacts& m : h.members) {
    out += MemberJson(m).dump() + "\n";
  }
  for (const LeaderSighting& l : h.leaders) {
    out += LeaderJson(l).dump() + "\n";
  }
  return out;
}

std::string FormatTime(int64_t ns) {
  if (ns == kNever) {
    return "never";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRId64 ".%06" PRId64 "s", ns / 1'000'000'000,
                (ns % 1'000'000'000) / 1000);
  return buf;
}

namespace {

// "ok cas 3->4", "ok read = 5", "ok create /s/p1-0000000003": result, op and its values.
std::string OpHead(const Op& op) {
  std::string s = std::string(ResultName(op.result)) + " " + OpKindName(op.kind);
  switch (op.kind) {
    case OpKind::kWrite:
      s += " " + std::to_string(op.value);
      break;
    case OpKind::kCas:
      s += " " + std::to_string(op.from) + "->" + std::to_string(op.value);
      break;
    case OpKind::kRead:
      if (op.final_read) {
        s += " (final)";
      }
      if (op.ok()) {
        s += " = " + std::to_string(op.value);
      }
      break;
    case OpKind::kCreate:
      s += " " + (op.ok() ? op.created : op.path);
      break;
    case OpKind::kExists:
      s += " " + op.path + (op.ok() ? (op.exists ? " = true" : " = false") : "");
      break;
    case OpKind::kWatch:
      s += " " + op.watch_kind + " " + op.path;
      break;
    case OpKind::kDelete:
      s += " " + op.path;
      break;
    case OpKind::kClose:
      break;
  }
  return s;
}

}  // namespace

std::string ShortOp(const Op& op) {
  return OpHead(op) + " by process " + std::to_string(op.process) + " [line " +
         std::to_string(op.invoke_line) + "]";
}

std::string DescribeOp(const Op& op) {
  std::string s = OpHead(op);
  if ((op.kind == OpKind::kWrite || op.kind == OpKind::kCas || op.kind == OpKind::kRead) &&
      !op.path.empty()) {
    s += " on " + op.path;
  }
  s += " by process " + std::to_string(op.process);
  if (!op.session.empty()) {
    s += " (session " + op.session + ")";
  }
  s += " " + FormatTime(op.invoke_ns) + "-" +
       (op.complete_ns == kNever ? std::string("(no completion)") : FormatTime(op.complete_ns));
  if (op.version != kNoVersion) {
    s += ", version " + std::to_string(op.version);
  }
  if (op.read_value) {
    s += ", read " + std::to_string(*op.read_value) + " at version " +
         std::to_string(op.read_version);
  }
  s += " [line " + std::to_string(op.invoke_line);
  if (op.complete_line) {
    s += "/" + std::to_string(op.complete_line);
  }
  s += "]";
  return s;
}

json OpJson(const Op& op) {
  json j = InvokeJson(op);
  j.erase("type");
  j["result"] = ResultName(op.result);
  j["invoke_time"] = op.invoke_ns;
  j.erase("time");
  if (op.complete_ns != kNever) {
    j["complete_time"] = op.complete_ns;
  }
  if (std::optional<json> c = CompletionJson(op)) {
    for (const char* key : {"version", "read", "error"}) {
      if (c->contains(key)) {
        j[key] = (*c)[key];
      }
    }
    if (op.ok() && c->contains("value") && op.kind != OpKind::kWrite && op.kind != OpKind::kCas) {
      j["result_value"] = (*c)["value"];
    }
  }
  j["line"] = op.invoke_line;
  if (op.complete_line) {
    j["complete_line"] = op.complete_line;
  }
  j["id"] = op.id;
  return j;
}

}  // namespace pc::chaos
