// The history of a chaos run (issue 15): every operation the clients invoked and what came back,
// and the facts gathered after the final heal. On disk it is history.jsonl, one JSON object per
// line; this module parses and writes those lines and pairs each invoke with its completion into
// an Op, the unit every checker works on. Pure: strings in, strings out; no files, clock, threads
// or randomness. Single-threaded; a History is a plain value.
//
// Lines, by "type" (time: nanoseconds since the run started, on the recorder's one clock):
//   setup    what the run started from: workload, initial (register value), initial_version
//            (its Stat.version), initial_cversion (the sequential parent's counter). Optional;
//            defaults 0 / 0 / 0.
//   invoke   {process, session, op, time, ...op fields}: a client sends an operation.
//   ok | fail | info   the completion of that process's outstanding invoke: {process, time, ...}.
//            ok: it happened, with its results; fail: it certainly did not happen (BADVERSION,
//            NONODE, a cas whose read saw another value); info: unknown (a timeout, a connection
//            loss during a write). An invoke with no completion line is info. Optional "error".
//   notify   a watch notification a session received: process, session, path, event, time.
//   session  a client learned that its session ended: process, session, state "expired", time.
//   final    one member's listing of one parent after the final heal: member, path, children,
//            optional owners {child: session} (ephemerals), time.
//   member   one member's last facts after the final heal: member, last_zxid, digest, time.
//   leader   a member seen serving writes as leader of an epoch: member, epoch, time.
//
// Op fields (invoke → completion):
//   write  value (int)                    → ok: version (the Stat.version setData returned)
//   cas    value [from, to]               → ok: version (produced); ok/fail: optional read
//          [value, version], what its getData saw before the conditional setData
//   read   optional final: true (made after the final heal, on a converged ensemble)
//                                         → ok: value, version (getData's data and Stat.version)
//   create path (the requested path, e.g. "/chaos/seq/p3-"), optional ephemeral: true
//                                         → ok: value (the path ZooKeeper returned)
//   exists path                           → ok: value (true / false)
//   watch  path, kind "data" | "child"    → ok: version (the data version seen; -1: absent)
//   delete path;  close (the session)     → ok
// Register ops may carry a path (several independent registers); empty means "the register".
// Every path that write, cas or read touch is checked as a register: it exists before the run
// with setup's initial value and version and is never deleted (a delete or re-create would
// restart its versions).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::chaos {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
inline constexpr int32_t kNoVersion = std::numeric_limits<int32_t>::min();
// A limit on input: one history line, and lines per history.
inline constexpr size_t kLineBytesMax = 1 << 20;
inline constexpr size_t kLinesMax = 20'000'000;

enum class OpKind { kWrite, kCas, kRead, kCreate, kExists, kWatch, kDelete, kClose };
enum class Result { kOk, kFail, kInfo };

const char* OpKindName(OpKind kind);
const char* ResultName(Result result);

struct Op {
  int id = 0;  // position in History::ops, which is invoke order
  int64_t process = 0;
  std::string session;
  OpKind kind = OpKind::kRead;
  Result result = Result::kInfo;
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNever;  // kNever: no completion line
  int invoke_line = 0;           // 1-based lines of history.jsonl; 0 = none
  int complete_line = 0;
  std::string error;  // the completion's "error", if any

  std::string path;  // the znode; for create the requested path
  // write: the value written; read ok: the value read; cas: the new value (to).
  int64_t value = 0;
  int64_t from = 0;                   // cas: the expected value
  int32_t version = kNoVersion;       // write/cas ok: produced; read/watch ok: seen
  std::optional<int64_t> read_value;  // cas: what its getData saw
  int32_t read_version = kNoVersion;
  bool final_read = false;
  bool ephemeral = false;  // create
  std::string created;     // create ok: the path ZooKeeper returned
  bool exists = false;     // exists ok
  std::string watch_kind;  // watch: "data" or "child"

  bool ok() const { return result == Result::kOk; }
  bool info() const { return result == Result::kInfo; }
  bool fail() const { return result == Result::kFail; }
};

struct Setup {
  std::string workload;  // "register", "sequential", "session"; empty: unsaid
  int64_t initial_value = 0;
  int32_t initial_version = 0;
  int32_t initial_cversion = 0;
};

struct Notification {
  int line = 0;
  int64_t process = 0;
  std::string session;
  std::string path;
  std::string event;  // NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged
  int64_t time_ns = 0;
};

struct SessionEnd {
  int line = 0;
  int64_t process = 0;
  std::string session;
  std::string state;  // "expired"
  int64_t time_ns = 0;
};

struct Listing {
  int line = 0;
  int member = 0;
  std::string path;
  std::vector<std::string> children;
  std::map<std::string, std::string> owners;  // child → owning session, for ephemerals
  int64_t time_ns = 0;
};

struct MemberFacts {
  int line = 0;
  int member = 0;
  int64_t last_zxid = -1;
  std::string digest;  // empty: not known
  int64_t time_ns = 0;
};

struct LeaderSighting {
  int line = 0;
  int member = 0;
  int64_t epoch = 0;
  int64_t time_ns = 0;
};

struct History {
  Setup setup;
  std::vector<Op> ops;  // invoke order
  std::vector<Notification> notifications;
  std::vector<SessionEnd> session_ends;
  std::vector<Listing> listings;
  std::vector<MemberFacts> members;
  std::vector<LeaderSighting> leaders;
};

// Parses history.jsonl. Blank lines are skipped. On malformed input returns false and sets
// *error to one line: "line 12: field 'process': must be an integer (got \"x\")".
bool ParseHistory(std::string_view text, History* out, std::string* error);

// The lines a recorder writes: an op's invoke line and its completion line (none for an op
// without completion), and the other records.
nlohmann::json InvokeJson(const Op& op);
std::optional<nlohmann::json> CompletionJson(const Op& op);
nlohmann::json SetupJson(const Setup& setup);
nlohmann::json NotificationJson(const Notification& n);
nlohmann::json SessionEndJson(const SessionEnd& s);
nlohmann::json ListingJson(const Listing& l);
nlohmann::json MemberJson(const MemberFacts& m);
nlohmann::json LeaderJson(const LeaderSighting& l);

// The whole history as JSONL: setup, then invokes and completions in time order (an invoke
// before a completion at the same time), then the other records. ParseHistory reads it back.
std::string HistoryToJsonl(const History& history);

// "1.234567s": a history time for people.
std::string FormatTime(int64_t ns);
// "ok cas 3→4 by process 2 (session 0x1a) 1.200000s–1.250000s, version 5 [line 17]".
std::string DescribeOp(const Op& op);
// "ok cas 3->4 by process 2 [line 17]": the same, short, for a verdict line.
std::string ShortOp(const Op& op);
// The op as JSON for verdict.json: its fields and lines.
nlohmann::json OpJson(const Op& op);

// A znode path's parent ("/" for a child of the root) and its last name, for the checks.
std::string Dirname(const std::string& path);
std::string Basename(const std::string& path);

}  // namespace pc::chaos
