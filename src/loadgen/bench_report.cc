#include "loadgen/bench_report.h"

#include <cmath>
#include <cstdio>

#include "loadgen/scale_report.h"

namespace pc::loadgen {

namespace {

std::string Format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

const nlohmann::json* At(const nlohmann::json& j, const std::string& pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!j.contains(p) || !j.at(p).is_number()) {
    return nullptr;
  }
  return &j.at(p);
}

std::string Ms(const nlohmann::json& summary, const char* key) {
  return Format("%9.3f", summary.value(key, 0.0) / 1000.0);
}

struct Figure {
  std::string name, pointer, unit;
  bool lower_is_better;
  double target;  // 0: none
};

std::vector<Figure> Figures() {
  std::vector<Figure> f = {
      {"read latency p50 (get, one client)", "/latency/ops/get/latency/p50_us", "us", true, 1.3},
      {"write latency p50 (set, one client)", "/latency/ops/set/latency/p50_us", "us", true, 2.5},
      {"pipelined write throughput", "/throughput/write/ops_per_s", "ops/s", false, 4},
      {"pipelined read throughput", "/throughput/read/ops_per_s", "ops/s", false, 2},
      {"failover window (median)", "/failover/window_ms/median", "ms", true, 5},
      {"start-up to ready (median)", "/startup/ready_ms/median", "ms", true, 20},
      {"RSS per server after the run (mean)", "/memory/rss_kb_mean", "KiB", true, 20},
  };
  for (const char* op : {"create", "get", "exists", "set", "multi", "delete"}) {
    const std::string base = std::string("/latency/ops/") + op + "/latency/";
    if (std::string(op) != "get" && std::string(op) != "set") {
      f.push_back({std::string(op) + " latency p50 (one client)", base + "p50_us", "us", true, 0});
    }
    f.push_back({std::string(op) + " latency p99 (one client)", base + "p99_us", "us", true, 0});
    f.push_back({std::string(op) + " latency max (one client)", base + "max_us", "us", true, 0});
  }
  for (const char* kind : {"write", "read", "mix"}) {
    const std::string base = std::string("/throughput/") + kind;
    if (std::string(kind) == "mix") {
      f.push_back({"pipelined mix throughput", base + "/ops_per_s", "ops/s", false, 0});
    }
    f.push_back({std::string("pipelined ") + kind + " latency p50", base + "/latency/p50_us", "us",
                 true, 0});
    f.push_back({std::string("pipelined ") + kind + " latency p99", base + "/latency/p99_us", "us",
                 true, 0});
  }
  f.push_back({"failover window (worst)", "/failover/window_ms/worst", "ms", true, 0});
  f.push_back(
      {"largest gap between writes (median)", "/failover/max_gap_ms/median", "ms", true, 0});
  f.push_back({"largest gap between writes (worst)", "/failover/max_gap_ms/worst", "ms", true, 0});
  f.push_back(
      {"start-up to first write (median)", "/startup/first_write_ms/median", "ms", true, 0});
  f.push_back(
      {"start-up to `up -d` returning (median)", "/startup/up_returned_ms/median", "ms", true, 0});
  f.push_back(
      {"RSS per server, peak during the run (max)", "/memory/rss_peak_kb_max", "KiB", true, 0});
  // bench scale (its parts run alone, so these rows appear only then).
  f.push_back({"RSS per znode (max over members)", "/scale/max_bytes_per_znode", "B", true, 3});
  f.push_back({"znode creates, pipelined", "/scale/creates_per_s", "ops/s", false, 0});
  f.push_back({"recovery after restarting all", "/scale/recovery_ms", "ms", true, 0});
  f.push_back(
      {"set p99 during / without a snapshot", "/scale_snapshot_latency/p99_ratio", "x", true, 0});
  f.push_back({"all sessions re-attached after a leader kill", "/scale_sessions/reattach_ms", "ms",
               true, 0});
  f.push_back({"watches set", "/scale_watches/set_s", "s", true, 0});
  f.push_back(
      {"RSS per watch (max over members)", "/scale_watches/max_bytes_per_watch", "B", true, 0});
  f.push_back({"every watch fired", "/scale_watches/fire_ms", "ms", true, 0});
  return f;
}

std::string Value(double v, const std::string& unit) {
  if (unit == "us") {
    return Format("%.3f ms", v / 1000.0);
  }
  if (unit == "ops/s") {
    return Format("%.0f ops/s", v);
  }
  if (unit == "KiB") {
    return Format("%.1f MiB", v / 1024.0);
  }
  return Format("%.1f ms", v);
}

// Members are read with value(): operator[] on a const json asserts on a missing key, and a
// result from an older or interrupted run may lack some.
using Json = nlohmann::json;

void Line(std::string* out, const std::string& s) { *out += s + "\n"; }

std::string ClusterLine(const Json& e) {
  const auto& c = e.value("cluster", Json::object());
  return "== " + e.value("engine", std::string("?")) + ": " + std::to_string(c.value("voters", 0)) +
         " voters + " + std::to_string(c.value("observers", 0)) +
         " observers, forceSync=" + c.value("force_sync", std::string("?")) +
         ", tickTime=" + std::to_string(c.value("tick_time_ms", 0)) + " ms" +
         (c.value("max_client_cnxns", -1) >= 0
              ? ", maxClientCnxns=" + std::to_string(c.value("max_client_cnxns", -1))
              : std::string()) +
         (e.value("engine", std::string()) == "apache"
              ? ", JVM " + c.value("apache_jvm", std::string("?"))
              : std::string()) +
         ", " + c.value("dir", std::string(""));
}

void RenderLatency(const Json& l, std::string* out) {
  Line(out, "latency: one session to " + l.value("host", std::string("")) +
                ", one request at a time, " + std::to_string(l.value("value_bytes", 0)) +
                "-byte values (ms)");
  Line(out, "  op        requests errors      p50       p90       p99     p99.9       max");
  const Json ops = l.value("ops", Json::object());
  for (const std::string op : {"create", "get", "exists", "set", "multi", "delete"}) {
    if (!ops.contains(op)) {
      continue;
    }
    const auto& r = ops[op];
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-9s %8d %6d ", op.c_str(), r.value("requests", 0),
                  r.value("errors", 0));
    const Json s = r.value("latency", Json::object());
    Line(out, buf + Ms(s, "p50_us") + " " + Ms(s, "p90_us") + " " + Ms(s, "p99_us") + " " +
                  Ms(s, "p999_us") + " " + Ms(s, "max_us"));
  }
}

void RenderThroughput(const Json& throughput, std::string* out) {
  Line(out, "throughput: pipelined (sessions x requests in flight), latency in ms");
  Line(out,
       "  kind   sessions x inflight     ops/s   requests  errors      p50       p99       max");
  for (const std::string kind : {"write", "read", "mix"}) {
    if (!throughput.contains(kind)) {
      continue;
    }
    const auto& t = throughput[kind];
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-6s %8d x %-8d %9.0f %10lld %7lld ", kind.c_str(),
                  t.value("connections", 0), t.value("inflight", 0), t.value("ops_per_s", 0.0),
                  static_cast<long long>(t.value("requests", int64_t{0})),
                  static_cast<long long>(t.value("errors", int64_t{0})));
    const Json s = t.value("latency", Json::object());
    Line(out,
         buf + Ms(s, "p50_us") + " " + Ms(s, "p99_us") + " " + Ms(s, "max_us") +
             (kind == "mix" ? "  (" + std::to_string(t.value("read_pct", 0)) + "% reads)" : ""));
  }
}

// A missing or null window is a round that never recovered.
std::string FailoverRoundLine(const Json& r) {
  const Json window = r.value("window_ms", Json());
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %5d %6d %10d %10s %15.1f %4lld %7lld %15.1f",
                r.value("round", 0), r.value("killed", 0), r.value("new_leader", 0),
                window.is_number() ? Format("%.1f", window.get<double>()).c_str() : "never",
                r.value("max_gap_ms", 0.0), static_cast<long long>(r.value("writes_ok", 0)),
                static_cast<long long>(r.value("writes_failed", 0)),
                r.value("ready_again_ms", 0.0));
  return buf;
}

std::string FailoverSummaryLine(const Json& f) {
  const Json window = f.value("window_ms", Json::object());
  const Json worst = window.value("worst", Json());
  const Json gap = f.value("max_gap_ms", Json::object());
  return "  window median " + Format("%.1f", window.value("median", 0.0)) + " ms, worst " +
         (worst.is_number() ? Format("%.1f", worst.get<double>()) + " ms"
                            : std::string("never recovered")) +
         "; largest gap median " + Format("%.1f", gap.value("median", 0.0)) + " ms, worst " +
         Format("%.1f", gap.value("worst", 0.0)) + " ms";
}

void RenderFailover(const Json& f, std::string* out) {
  Line(out,
       "failover: leader killed with SIGKILL each round; window = kill -> first successful write");
  Line(out, "  round killed new-leader  window ms  largest gap ms  ok  failed  ready again ms");
  for (const auto& r : f.value("rounds", Json::array())) {
    Line(out, FailoverRoundLine(r));
  }
  if (f.contains("window_ms")) {
    Line(out, FailoverSummaryLine(f));
  }
}

void RenderStartup(const Json& s, std::string* out) {
  Line(out, "start-up: `up -d` of a fresh cluster until ... (ms)");
  Line(out, "  round     ready  first write  up returned");
  for (const auto& r : s.value("rounds", Json::array())) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %5d %9.1f %12.1f %12.1f", r.value("round", 0),
                  r.value("ready_ms", 0.0), r.value("first_write_ms", 0.0),
                  r.value("up_returned_ms", 0.0));
    Line(out, buf);
  }
}

void RenderMemory(const Json& m, std::string* out) {
  Line(out, "memory: RSS per server (" + m.value("when", std::string("")) + ")");
  Line(out, "  node role        pid      RSS MiB  peak MiB");
  for (const auto& n : m.value("nodes", Json::array())) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %4d %-10s %7d %9.1f %9.1f", n.value("id", 0),
                  n.value("role", std::string("")).c_str(), n.value("pid", 0),
                  n.value("rss_kb", 0) / 1024.0, n.value("rss_peak_kb", 0) / 1024.0);
    Line(out, buf);
  }
}

void RenderScale(const Json& s, std::string* out) {
  if (s.contains("error")) {
    Line(out, "scale: " + s.value("error", std::string("")));
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "scale: %lld znodes of %d bytes created in %.1f s (%.0f/s, %lld errors)",
                static_cast<long long>(s.value("znodes", int64_t{0})), s.value("value_bytes", 0),
                s.value("create_s", 0.0), s.value("creates_per_s", 0.0),
                static_cast<long long>(s.value("errors", int64_t{0})));
  Line(out, buf);
  Line(out, "  node role        RSS MiB before  after   bytes per znode");
  for (const auto& m : s.value("members", Json::array())) {
    std::snprintf(buf, sizeof buf, "  %4d %-10s %14.1f %7.1f %13.0f", m.value("id", 0),
                  m.value("role", std::string("")).c_str(), m.value("rss_before_kb", 0) / 1024.0,
                  m.value("rss_after_kb", 0) / 1024.0, m.value("bytes_per_znode", 0.0));
    Line(out, buf);
  }
  if (s.contains("apache_max_heap_mb")) {
    std::snprintf(buf, sizeof buf,
                  "  Apache's JVM: max heap %lld MiB (--apache-jvm stock: Java's default, a "
                  "quarter of the RAM; tuned: 256 MiB, too small for 1M znodes)",
                  static_cast<long long>(s.value("apache_max_heap_mb", int64_t{-1})));
    Line(out, buf);
  }
  const Json snap = s.value("snapshot", Json());
  if (snap.is_object()) {
    std::snprintf(buf, sizeof buf, "  newest snapshot on the leader (or standalone server): %.1f MiB (%s)",
                  snap.value("bytes", 0.0) / 1048576.0,
                  snap.value("file", std::string("")).c_str());
    Line(out, buf);
  }
  if (s.contains("recovery_ms")) {
    std::snprintf(buf, sizeof buf,
                  "  recovery: every member restarted, ready and serving the last znode after "
                  "%.0f ms",
                  s.value("recovery_ms", 0.0));
    Line(out, buf);
  } else if (s.contains("recovery_error")) {
    Line(out, "  recovery failed: " + s.value("recovery_error", std::string("")));
  }
}

}  // namespace

std::string LinksLine(const std::string& mode) {
  if (mode == "proxied") {
    return "links: proxied (every peer link through the supervisor, `up --faults`)";
  }
  if (mode == "direct") {
    return "links: direct (members dial each other on 127.0.0.1)";
  }
  return "links: " + (mode.empty() ? std::string("unknown") : mode);
}

std::string RenderEngine(const nlohmann::json& e) {
  std::string out;
  Line(&out, ClusterLine(e));
  if (e.contains("latency")) {
    RenderLatency(e["latency"], &out);
  }
  if (e.contains("throughput")) {
    RenderThroughput(e["throughput"], &out);
  }
  if (e.contains("failover")) {
    RenderFailover(e["failover"], &out);
  }
  if (e.contains("startup")) {
    RenderStartup(e["startup"], &out);
  }
  if (e.contains("memory")) {
    RenderMemory(e["memory"], &out);
  }
  if (e.contains("scale")) {
    RenderScale(e["scale"], &out);
  }
  if (e.contains("scale_snapshot_latency")) {
    RenderSnapshotLatency(e["scale_snapshot_latency"], &out);
  }
  if (e.contains("scale_sessions")) {
    RenderScaleSessions(e["scale_sessions"], &out);
  }
  if (e.contains("scale_watches")) {
    RenderScaleWatches(e["scale_watches"], &out);
  }
  return out;
}

nlohmann::json CompareJson(const nlohmann::json& zkd, const nlohmann::json& apache) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Figure& f : Figures()) {
    const nlohmann::json* z = At(zkd, f.pointer);
    const nlohmann::json* a = At(apache, f.pointer);
    if (z == nullptr || a == nullptr) {
      continue;
    }
    const double zv = z->get<double>(), av = a->get<double>();
    nlohmann::json row = {
        {"figure", f.name}, {"unit", f.unit}, {"better", f.lower_is_better ? "lower" : "higher"},
        {"zkd", zv},        {"apache", av},   {"advantage", nullptr},
        {"target", nullptr}};
    const double num = f.lower_is_better ? av : zv, den = f.lower_is_better ? zv : av;
    if (den > 0) {
      row["advantage"] = num / den;
    }
    if (f.target > 0) {
      const bool met = den > 0 && num / den >= f.target;
      row["target"] = {
          {"text", (f.lower_is_better ? "<= Apache/" : ">= Apache x ") + Format("%g", f.target)},
          {"factor", f.target},
          {"met", met}};
    }
    rows.push_back(row);
  }
  return rows;
}

std::string RenderCompare(const nlohmann::json& rows) {
  std::string out =
      "zkd vs Apache ZooKeeper, same machine, same run. \"zkd x\" = how many times better zkd "
      "is\n(apache/zkd for times and memory, zkd/apache for throughput); > 1 means zkd is "
      "better.\n\n";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-42s %14s %14s %8s  %-18s %s\n", "figure", "zkd", "apache",
                "zkd x", "target", "");
  out += buf;
  for (const auto& r : rows) {
    const std::string unit = r.value("unit", "");
    std::string adv = r["advantage"].is_number() ? Format("%.2fx", r["advantage"].get<double>())
                                                 : std::string("-");
    std::string target = "-", verdict;
    if (r["target"].is_object()) {
      const double factor = r["target"].value("factor", 0.0);
      target = r["target"].value("text", "");
      if (r["target"].value("met", false)) {
        verdict = "met";
      } else {
        const double have = r["advantage"].is_number() ? r["advantage"].get<double>() : 0;
        verdict = "MISSED (" + Format("%.2fx", have) + " of " + Format("%gx", factor) + ")";
      }
    }
    std::snprintf(buf, sizeof buf, "%-42s %14s %14s %8s  %-18s %s\n", r.value("figure", "").c_str(),
                  Value(r.value("zkd", 0.0), unit).c_str(),
                  Value(r.value("apache", 0.0), unit).c_str(), adv.c_str(), target.c_str(),
                  verdict.c_str());
    out += buf;
  }
  return out;
}

}  // namespace pc::loadgen
