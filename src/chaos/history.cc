// history.h's reading half: ParseHistory, line by line, errors naming the line and field.
#include "chaos/history.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <tuple>
#include <utility>

namespace pc::chaos {
namespace {

using nlohmann::json;

struct OpName {
  OpKind kind;
  const char* name;
};
constexpr OpName kOpNames[] = {
    {OpKind::kWrite, "write"},   {OpKind::kCas, "cas"},       {OpKind::kRead, "read"},
    {OpKind::kCreate, "create"}, {OpKind::kExists, "exists"}, {OpKind::kWatch, "watch"},
    {OpKind::kDelete, "delete"}, {OpKind::kClose, "close"},
};

std::optional<OpKind> OpKindFromName(const std::string& name) {
  for (const OpName& n : kOpNames) {
    if (name == n.name) {
      return n.kind;
    }
  }
  return std::nullopt;
}

std::string Quoted(const json& v) {
  std::string s = v.dump();
  if (s.size() > 40) {
    s = s.substr(0, 37) + "...";
  }
  return s;
}

// Reads the fields of one line; the first problem becomes the error, later reads are no-ops.
class LineFields {
 public:
  LineFields(int line, const json& obj, std::string* error)
      : line_(line), obj_(obj), error_(error) {}

  bool failed() const { return !error_->empty(); }
  bool Has(const char* key) const { return obj_.contains(key) && !obj_[key].is_null(); }
  // Whether the field is there to be read; a missing required one fails the record. False once
  // the record has failed.
  bool Present(const char* key, bool required) {
    if (failed()) {
      return false;
    }
    if (!Has(key)) {
      if (required) {
        Fail(key, "missing");
      }
      return false;
    }
    return true;
  }

  void Fail(const char* key, const std::string& why) {
    if (failed()) {
      return;
    }
    *error_ = "line " + std::to_string(line_) + ": field '" + key + "': " + why;
  }

  bool Int(const char* key, int64_t* out, bool required) {
    if (!Present(key, required)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_number_integer()) {
      *out = v.get<int64_t>();
      return true;
    }
    Fail(key, "must be an integer (got " + Quoted(v) + ")");
    return false;
  }

  bool Int32(const char* key, int32_t* out, bool required) {
    int64_t v = 0;
    if (!Int(key, &v, required)) {
      return false;
    }
    if (v < std::numeric_limits<int32_t>::min() + 1 || v > std::numeric_limits<int32_t>::max()) {
      Fail(key, "out of range for a 32-bit int (got " + std::to_string(v) + ")");
      return false;
    }
    *out = static_cast<int32_t>(v);
    return true;
  }

  bool Time(int64_t* out) {
    if (!Int("time", out, true)) {
      return false;
    }
    if (*out < 0) {
      Fail("time", "must not be negative (nanoseconds since the run started)");
      return false;
    }
    return true;
  }

  bool String(const char* key, std::string* out, bool required) {
    if (!Present(key, required)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_string()) {
      *out = v.get<std::string>();
      return true;
    }
    Fail(key, "must be a string (got " + Quoted(v) + ")");
    return false;
  }

  bool Bool(const char* key, bool* out, bool required) {
    if (!Present(key, required)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_boolean()) {
      *out = v.get<bool>();
      return true;
    }
    Fail(key, "must be true or false (got " + Quoted(v) + ")");
    return false;
  }

  // A ZooKeeper session id: a string as written ("0x1000a2b3c0001"), or an integer, kept as hex.
  bool Session(std::string* out, bool required) {
    if (failed()) {
      return false;
    }
    if (Has("session") && obj_["session"].is_number_integer()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%" PRIx64,
                    static_cast<uint64_t>(obj_["session"].get<int64_t>()));
      *out = buf;
      return true;
    }
    return String("session", out, required);
  }

  // A pair of integers [a, b].
  bool IntPair(const char* key, int64_t* a, int64_t* b, bool required) {
    if (!Present(key, required)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) {
      *a = v[0].get<int64_t>();
      *b = v[1].get<int64_t>();
      return true;
    }
    Fail(key, "must be a pair of integers [a, b] (got " + Quoted(v) + ")");
    return false;
  }

  // last_zxid: an integer or a "0x…" string, as srvr prints it.
  bool Zxid(const char* key, int64_t* out) {
    if (failed()) {
      return false;
    }
    if (Has(key) && obj_[key].is_string()) {
      std::string s = obj_[key].get<std::string>();
      char* end = nullptr;
      unsigned long long v = std::strtoull(s.c_str(), &end, 0);
      if (s.empty() || *end != '\0') {
        Fail(key, "must be an integer or a hex string like \"0x100000003\" (got \"" + s + "\")");
        return false;
      }
      *out = static_cast<int64_t>(v);
      return true;
    }
    return Int(key, out, true);
  }

  bool Strings(const char* key, std::vector<std::string>* out, bool required) {
    if (!Present(key, required)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_array() &&
        std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); })) {
      for (const json& e : v) {
        out->push_back(e.get<std::string>());
      }
      return true;
    }
    Fail(key, "must be an array of strings");
    return false;
  }

  bool StringMap(const char* key, std::map<std::string, std::string>* out) {
    if (failed() || !Has(key)) {
      return false;
    }
    const json& v = obj_[key];
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_string()) {
          break;
        }
        (*out)[it.key()] = it.value().get<std::string>();
      }
      if (out->size() == v.size()) {
        return true;
      }
    }
    Fail(key, "must be an object of strings {name: session}");
    return false;
  }

 private:
  int line_;
  const json& obj_;
  std::string* error_;
};

std::string LineError(int line, const std::string& why) {
  return "line " + std::to_string(line) + ": " + why;
}

// The fields an invoke line carries for its op.
void ReadInvokeFields(LineFields& f, Op* op) {
  switch (op->kind) {
    case OpKind::kWrite:
      f.Int("value", &op->value, true);
      f.String("path", &op->path, false);
      break;
    case OpKind::kCas:
      f.IntPair("value", &op->from, &op->value, true);
      f.String("path", &op->path, false);
      break;
    case OpKind::kRead:
      f.Bool("final", &op->final_read, false);
      f.String("path", &op->path, false);
      break;
    case OpKind::kCreate:
      f.String("path", &op->path, true);
      f.Bool("ephemeral", &op->ephemeral, false);
      break;
    case OpKind::kExists:
    case OpKind::kDelete:
      f.String("path", &op->path, true);
      break;
    case OpKind::kWatch:
      f.String("path", &op->path, true);
      op->watch_kind = "data";
      if (f.String("kind", &op->watch_kind, false) && op->watch_kind != "data" &&
          op->watch_kind != "child") {
        f.Fail("kind", "must be \"data\" or \"child\" (got \"" + op->watch_kind + "\")");
      }
      break;
    case OpKind::kClose:
      break;
  }
}

// The result fields of a completion line.
void ReadCompletionFields(LineFields& f, Op* op) {
  f.String("error", &op->error, false);
  if (op->kind == OpKind::kCas) {
    int64_t read_value = 0;
    int64_t read_version = 0;
    if (f.IntPair("read", &read_value, &read_version, false)) {
      op->read_value = read_value;
      if (read_version < 0 || read_version > std::numeric_limits<int32_t>::max()) {
        f.Fail("read", "the version must be a non-negative 32-bit int");
      }
      op->read_version = static_cast<int32_t>(read_version);
    }
  }
  if (!op->ok()) {
    return;
  }
  switch (op->kind) {
    case OpKind::kWrite:
    case OpKind::kCas:
    case OpKind::kWatch:
      f.Int32("version", &op->version, false);
      break;
    case OpKind::kRead:
      f.Int("value", &op->value, true);
      f.Int32("version", &op->version, false);
      break;
    case OpKind::kCreate:
      f.String("value", &op->created, true);
      break;
    case OpKind::kExists:
      f.Bool("value", &op->exists, true);
      break;
    case OpKind::kDelete:
    case OpKind::kClose:
      break;
  }
}

class Parser {
 public:
  explicit Parser(History* out) : out_(out) {}

  bool Line(int line, std::string_view text, std::string* error) {
    json obj = json::parse(text, nullptr, false);
    if (obj.is_discarded() || !obj.is_object()) {
      *error = LineError(line, "not a JSON object");
      return false;
    }
    LineFields f(line, obj, error);
    std::string type;
    if (!f.String("type", &type, true)) {
      return false;
    }
    if (type == "invoke") {
      return Invoke(line, f, error);
    }
    if (type == "ok" || type == "fail" || type == "info") {
      return Completion(line, type, f, error);
    }
    if (type == "setup") {
      f.String("workload", &out_->setup.workload, false);
      f.Int("initial", &out_->setup.initial_value, false);
      f.Int32("initial_version", &out_->setup.initial_version, false);
      f.Int32("initial_cversion", &out_->setup.initial_cversion, false);
    } else if (type == "notify") {
      Notification n;
      n.line = line;
      f.Int("process", &n.process, true);
      f.Session(&n.session, true);
      f.String("path", &n.path, true);
      if (f.String("event", &n.event, true) && n.event != "NodeCreated" &&
          n.event != "NodeDeleted" && n.event != "NodeDataChanged" &&
          n.event != "NodeChildrenChanged") {
        f.Fail("event",
               "must be NodeCreated, NodeDeleted, NodeDataChanged or NodeChildrenChanged (got \"" +
                   n.event + "\")");
      }
      f.Time(&n.time_ns);
      out_->notifications.push_back(std::move(n));
    } else if (type == "session") {
      SessionEnd s;
      s.line = line;
      f.Int("process", &s.process, true);
      f.Session(&s.session, true);
      f.String("state", &s.state, true);
      if (!f.failed() && s.state != "expired") {
        f.Fail("state", "must be \"expired\"");
      }
      f.Time(&s.time_ns);
      out_->session_ends.push_back(std::move(s));
    } else if (type == "final") {
      Listing l;
      l.line = line;
      Member(f, &l.member);
      f.String("path", &l.path, true);
      f.Strings("children", &l.children, true);
      f.StringMap("owners", &l.owners);
      f.Time(&l.time_ns);
      out_->listings.push_back(std::move(l));
    } else if (type == "member") {
      MemberFacts m;
      m.line = line;
      Member(f, &m.member);
      f.Zxid("last_zxid", &m.last_zxid);
      f.String("digest", &m.digest, false);
      f.Time(&m.time_ns);
      out_->members.push_back(std::move(m));
    } else if (type == "leader") {
      LeaderSighting l;
      l.line = line;
      Member(f, &l.member);
      f.Int("epoch", &l.epoch, true);
      f.Time(&l.time_ns);
      out_->leaders.push_back(l);
    } else {
      f.Fail(
          "type",
          "unknown type \"" + type +
              "\" (one of invoke, ok, fail, info, setup, notify, session, final, member, leader)");
    }
    return !f.failed();
  }

 private:
  static void Member(LineFields& f, int* member) {
    int32_t m = 0;
    if (f.Int32("member", &m, true) && m <= 0) {
      f.Fail("member", "must be a member id, 1 or more");
    }
    *member = m;
  }

  bool Invoke(int line, LineFields& f, std::string* error) {
    Op op;
    op.id = static_cast<int>(out_->ops.size());
    op.invoke_line = line;
    std::string name;
    f.Int("process", &op.process, true);
    f.Session(&op.session, false);
    if (f.String("op", &name, true)) {
      std::optional<OpKind> kind = OpKindFromName(name);
      if (!kind) {
        f.Fail("op", "unknown op \"" + name +
                         "\" (one of write, cas, read, create, exists, watch, delete, close)");
        return false;
      }
      op.kind = *kind;
    }
    f.Time(&op.invoke_ns);
    if (f.failed()) {
      return false;
    }
    ReadInvokeFields(f, &op);
    if (f.failed()) {
      return false;
    }
    auto [it, fresh] = pending_.emplace(op.process, op.id);
    if (!fresh) {
      *error = LineError(line, "process " + std::to_string(op.process) +
                                   " invokes again while its invoke on line " +
                                   std::to_string(out_->ops[it->second].invoke_line) +
                                   " has no completion (one op at a time per process)");
      return false;
    }
    out_->ops.push_back(std::move(op));
    return true;
  }

  bool Completion(int line, const std::string& type, LineFields& f, std::string* error) {
    int64_t process = 0;
    if (!f.Int("process", &process, true)) {
      return false;
    }
    auto it = pending_.find(process);
    if (it == pending_.end()) {
      *error = LineError(line, "'" + type + "' for process " + std::to_string(process) +
                                   ", which has no outstanding invoke");
      return false;
    }
    Op& op = out_->ops[it->second];
    std::string name;
    if (f.String("op", &name, false) && name != OpKindName(op.kind)) {
      f.Fail("op", "\"" + name + "\" completes the " + OpKindName(op.kind) + " invoked on line " +
                       std::to_string(op.invoke_line));
    }
    std::string session;
    if (f.Session(&session, false) && !op.session.empty() && session != op.session) {
      f.Fail("session", "\"" + session + "\" is not the invoke's session \"" + op.session + "\"");
    }
    int64_t time = 0;
    if (f.Time(&time) && time < op.invoke_ns) {
      f.Fail("time",
             "the completion is earlier than its invoke on line " + std::to_string(op.invoke_line));
    }
    if (f.failed()) {
      return false;
    }
    op.result = type == "ok" ? Result::kOk : type == "fail" ? Result::kFail : Result::kInfo;
    op.complete_ns = time;
    op.complete_line = line;
    ReadCompletionFields(f, &op);
    pending_.erase(it);
    return !f.failed();
  }

  History* out_;
  std::map<int64_t, int> pending_;  // process → its op without completion yet
};

}  // namespace

const char* OpKindName(OpKind kind) {
  for (const OpName& n : kOpNames) {
    if (n.kind == kind) {
      return n.name;
    }
  }
  return "?";
}

const char* ResultName(Result result) {
  switch (result) {
    case Result::kOk:
      return "ok";
    case Result::kFail:
      return "fail";
    case Result::kInfo:
      return "info";
  }
  return "?";
}

bool ParseHistory(std::string_view text, History* out, std::string* error) {
  *out = History{};
  error->clear();
  Parser parser(out);
  size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view one = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (static_cast<size_t>(line) > kLinesMax) {
      *error = LineError(line, "more than " + std::to_string(kLinesMax) + " lines");
      return false;
    }
    if (one.size() > kLineBytesMax) {
      *error = LineError(line, "longer than " + std::to_string(kLineBytesMax) + " bytes");
      return false;
    }
    if (one.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    if (!parser.Line(line, one, error)) {
      return false;
    }
  }
  return true;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return "/";
  }
  return path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace pc::chaos
