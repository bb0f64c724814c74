#include "loadgen/bench_sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loadgen/bench_cluster.h"
#include "loadgen/bench_plot.h"
#include "supervisor/interrupt.h"

namespace pc {

namespace fs = std::filesystem;
using nlohmann::json;
using loadgen::BenchCluster;
using loadgen::GnuplotQuote;
using loadgen::OwnClusterOptions;
using loadgen::RunGnuplot;

namespace {

struct ParamKind {
  const char* name;
  bool server_side;  // a new cluster per value
  int min, max;
};

const ParamKind kParams[] = {
    {"nodes", true, 1, 15},        {"observers", true, 0, 15},   {"value-size", false, 0, 1000000},
    {"sessions", false, 1, 256},   {"inflight", false, 1, 4096}, {"read-pct", false, 0, 100},
};

const ParamKind* FindParam(const std::string& name) {
  for (const ParamKind& p : kParams) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

// "10", "1k", "2M": k and M are 1024-based for value-size (bytes), 1000-based otherwise.
std::optional<long long> ParseCount(const std::string& text, bool bytes) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  const std::string unit = end;
  if (end == text.c_str() || n < 0) return std::nullopt;
  if (unit.empty()) return n;
  if (unit == "k" || unit == "K") return n * (bytes ? 1024 : 1000);
  if (unit == "M" || unit == "m") return n * (bytes ? 1024 * 1024 : 1000000);
  return std::nullopt;
}

void Apply(BenchOptions& o, const std::string& name, int value) {
  if (name == "nodes") o.voters = value;
  if (name == "observers") o.observers = value;
  if (name == "value-size") o.value_bytes = value;
  if (name == "sessions") o.connections = value;
  if (name == "inflight") o.inflight = value;
  if (name == "read-pct") o.read_pct = value;
}

// The figures of one engine's result for the swept workload, in a fixed order.
std::vector<std::pair<std::string, double>> Figures(const json& engine, const std::string& workload) {
  std::vector<std::pair<std::string, double>> out;
  auto at = [](const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : -1.0;
  };
  if (workload == "latency") {
    const json ops = engine.value("latency", json::object()).value("ops", json::object());
    for (const char* op : {"set", "get"}) {
      const json l = ops.value(op, json::object()).value("latency", json::object());
      out.push_back({std::string(op) + " p50 us", at(l, "p50_us")});
      out.push_back({std::string(op) + " p99 us", at(l, "p99_us")});
    }
    return out;
  }
  const json t = engine.value("throughput", json::object());
  for (const char* kind : workload == "mix" ? std::vector<const char*>{"mix"}
                                            : std::vector<const char*>{"write", "read"}) {
    const json k = t.value(kind, json::object());
    out.push_back({std::string(kind) + " ops/s", at(k, "ops_per_s")});
    out.push_back({std::string(kind) + " p50 us", at(k.value("latency", json::object()), "p50_us")});
    out.push_back({std::string(kind) + " p99 us", at(k.value("latency", json::object()), "p99_us")});
  }
  return out;
}

struct Point {
  std::vector<int> values;  // one per varied parameter
  std::string engine;
  std::vector<std::pair<std::string, double>> figures;
};

std::string Slug(const std::string& figure) {
  std::string out;
  for (char c : figure) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

std::string WritePlots(const SweepOptions& o, const std::vector<Point>& points) {
  std::error_code ec;
  fs::create_directories(o.plot_dir, ec);
  if (ec) return "--plot " + o.plot_dir + ": " + ec.message();
  const SweepParam& x = o.vary[0];
  const int lo = *std::min_element(x.values.begin(), x.values.end());
  const int hi = *std::max_element(x.values.begin(), x.values.end());
  const bool log_x = lo > 0 && hi >= 100 * lo;
  for (size_t f = 0; f < points.front().figures.size(); ++f) {
    const std::string figure = points.front().figures[f].first;
    // One line per engine and value of the second parameter.
    std::map<std::string, std::vector<std::pair<int, double>>> lines;
    for (const Point& p : points) {
      std::string label = p.engine;
      if (o.vary.size() == 2) label += " " + o.vary[1].name + "=" + std::to_string(p.values[1]);
      if (p.figures[f].second >= 0) lines[label].push_back({p.values[0], p.figures[f].second});
    }
    const std::string base = o.plot_dir + "/" + Slug(figure);
    std::ofstream gp(base + ".gp");
    gp << "set terminal pngcairo size 800,500\nset output " << GnuplotQuote(base + ".png") << "\n"
       << "set title " << GnuplotQuote(figure + " against " + x.name) << "\n"
       << "set xlabel " << GnuplotQuote(x.name) << "\nset ylabel " << GnuplotQuote(figure)
       << "\nset key outside\nset grid\n";
    if (log_x) gp << "set logscale x\n";
    const bool log_y = figure.find("us") != std::string::npos;
    if (log_y) gp << "set logscale y\n";
    gp << "plot ";
    size_t i = 0;
    for (auto& [label, xy] : lines) {
      std::sort(xy.begin(), xy.end());
      const std::string data = base + "-" + std::to_string(i) + ".dat";
      std::ofstream d(data);
      for (const auto& [xv, yv] : xy) d << xv << " " << yv << "\n";
      gp << (i ? ", " : "") << GnuplotQuote(data) << " using 1:2 with linespoints title "
         << GnuplotQuote(label);
      ++i;
    }
    gp << "\n";
    gp.close();
    if (std::string error = RunGnuplot(base + ".gp", o.plot_dir); !error.empty()) return error;
    std::fprintf(stderr, "sweep: plot %s.png\n", base.c_str());
  }
  return {};
}

void PrintTable(const SweepOptions& o, const std::vector<Point>& points) {
  if (points.empty()) return;
  std::string header;
  char cell[64];
  for (const SweepParam& p : o.vary) {
    std::snprintf(cell, sizeof cell, "%-11s", p.name.c_str());
    header += cell;
  }
  header += "engine ";
  for (const auto& [name, value] : points.front().figures) {
    std::snprintf(cell, sizeof cell, " %14s", name.c_str());
    header += cell;
  }
  std::printf("%s\n", header.c_str());
  for (const Point& p : points) {
    std::string line;
    for (int v : p.values) {
      std::snprintf(cell, sizeof cell, "%-11d", v);
      line += cell;
    }
    std::snprintf(cell, sizeof cell, "%-7s", p.engine.c_str());
    line += cell;
    for (const auto& [name, value] : p.figures) {
      if (value < 0) {
        std::snprintf(cell, sizeof cell, " %14s", "-");
      } else {
        std::snprintf(cell, sizeof cell, name.find("ops/s") != std::string::npos ? " %14.0f"
                                                                                 : " %14.1f",
                      value);
      }
      line += cell;
    }
    std::printf("%s\n", line.c_str());
  }
}

json PointsJson(const SweepOptions& o, const std::vector<Point>& points) {
  json vary = json::array();
  for (const SweepParam& p : o.vary) vary.push_back({{"name", p.name}, {"values", p.values}});
  json list = json::array();
  for (const Point& p : points) {
    json params = json::object(), figures = json::object();
    for (size_t i = 0; i < o.vary.size(); ++i) params[o.vary[i].name] = p.values[i];
    for (const auto& [name, value] : p.figures) figures[name] = value < 0 ? json() : json(value);
    list.push_back({{"params", params}, {"engine", p.engine}, {"figures", figures}});
  }
  return {{"sweep", {{"workload", o.workload}, {"vary", vary}}}, {"points", list}};
}

}  // namespace

std::optional<SweepParam> ParseVary(const std::string& spec, std::string* error) {
  const size_t eq = spec.find('=');
  const std::string name = spec.substr(0, eq);
  const ParamKind* kind = FindParam(name);
  if (eq == std::string::npos || kind == nullptr) {
    *error = "--vary '" + spec +
             "': expected NAME=V1,V2,... with NAME one of nodes, observers, value-size, sessions, "
             "inflight, read-pct";
    return std::nullopt;
  }
  SweepParam p;
  p.name = name;
  std::stringstream in(spec.substr(eq + 1));
  std::string text;
  while (std::getline(in, text, ',')) {
    auto v = ParseCount(text, name == "value-size");
    if (!v || *v < kind->min || *v > kind->max) {
      *error = "--vary " + name + ": '" + text + "' is not a value in " +
               std::to_string(kind->min) + ".." + std::to_string(kind->max) +
               (name == "value-size" ? " (bytes; 1k = 1024)" : "");
      return std::nullopt;
    }
    p.texts.push_back(text);
    p.values.push_back(static_cast<int>(*v));
  }
  if (p.values.empty()) {
    *error = "--vary " + name + ": no values";
    return std::nullopt;
  }
  return p;
}

std::string CheckSweepOptions(const SweepOptions& o) {
  if (o.vary.empty() || o.vary.size() > 2) {
    return "bench sweep: give one or two --vary NAME=V1,V2,...";
  }
  if (o.vary.size() == 2 && o.vary[0].name == o.vary[1].name) {
    return "bench sweep: --vary " + o.vary[0].name + " given twice";
  }
  if (o.workload != "latency" && o.workload != "throughput" && o.workload != "mix") {
    return "bench sweep --workload '" + o.workload + "': latency, throughput or mix";
  }
  if (!o.base.cluster.empty() || !o.base.dir.empty()) {
    return "bench sweep brings its own clusters up: leave out --cluster / --dir";
  }
  return CheckBenchOptions(o.base);
}

int RunSweep(const SweepOptions& o) {
  CatchInterrupts();
  bool server_side = false;
  for (const SweepParam& p : o.vary) server_side = server_side || FindParam(p.name)->server_side;
  const std::vector<std::string> engines =
      o.base.compare ? std::vector<std::string>{"zkd", "apache"}
                     : std::vector<std::string>{o.base.engine};
  // The combinations, first parameter outermost.
  std::vector<std::vector<int>> combos;
  for (int a : o.vary[0].values) {
    if (o.vary.size() == 1) {
      combos.push_back({a});
      continue;
    }
    for (int b : o.vary[1].values) combos.push_back({a, b});
  }
  // Client-side only: one cluster per engine, brought up once.
  // The reused clusters go down and their state root away however the sweep ends (an error
  // line, Ctrl-C, or an exception on its way out).
  struct Reused {
    std::map<std::string, BenchCluster> clusters;
    std::string home;
    ~Reused() {
      for (auto& [engine, cluster] : clusters) cluster.BringDown();
      std::error_code ec;
      if (!home.empty()) fs::remove_all(home, ec);
    }
  } owned;
  std::map<std::string, BenchCluster>& reused = owned.clusters;
  std::string& home = owned.home;
  if (!server_side) {
    const std::string tmp = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
    std::string tmpl = tmp + "/pc-sweep-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::fprintf(stderr, "pseudo-cluster bench sweep: cannot create a directory in %s\n",
                   tmp.c_str());
      return 1;
    }
    home = tmpl;
    for (const std::string& engine : engines) {
      OwnClusterOptions own;
      own.engine = engine;
      own.voters = o.base.voters;
      own.observers = o.base.observers;
      own.tick_time_ms = o.base.tick_time_ms;
      own.apache_jvm = o.base.apache_jvm;
      own.links = o.base.links.empty() ? "direct" : o.base.links;
      int sessions = o.base.connections;
      for (const SweepParam& p : o.vary) {
        if (p.name == "sessions") sessions = *std::max_element(p.values.begin(), p.values.end());
      }
      own.max_client_cnxns = std::max(60, sessions + 16);
      std::string error;
      std::fprintf(stderr, "sweep: bringing up one %s cluster for every point (only client-side "
                           "parameters vary)\n", engine.c_str());
      auto cluster = BenchCluster::BringUp(home, "sweep-" + engine, own, &error);
      if (!cluster) {
        std::fprintf(stderr, "pseudo-cluster bench sweep: %s\n", error.c_str());
        return 1;
      }
      reused.emplace(engine, std::move(*cluster));
    }
  }
  std::vector<Point> points;
  std::string failure;
  const auto started = std::chrono::steady_clock::now();
  const size_t total = combos.size() * (server_side ? 1 : engines.size());
  size_t done = 0;
  for (const std::vector<int>& combo : combos) {
    // Server-side sweeps run both engines in one RunBench (--compare alternates them);
    // client-side ones run each engine against its reused cluster.
    const std::vector<std::string> runs = server_side ? std::vector<std::string>{""} : engines;
    for (const std::string& engine : runs) {
      if (Interrupted()) {
        failure = "interrupted";
        break;
      }
      BenchOptions b = o.base;
      b.workload = o.workload == "latency" ? "latency" : "throughput";
      for (size_t i = 0; i < o.vary.size(); ++i) Apply(b, o.vary[i].name, combo[i]);
      if (!engine.empty()) {
        b.compare = false;
        b.dir = reused.at(engine).dir();
      }
      std::string what;
      for (size_t i = 0; i < o.vary.size(); ++i) {
        what += (i ? " " : "") + o.vary[i].name + "=" + std::to_string(combo[i]);
      }
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double left = done ? elapsed / double(done) * double(total - done) : -1;
      std::fprintf(stderr, "sweep: point %zu/%zu: %s%s%s", done + 1, total, what.c_str(),
                   engine.empty() ? "" : (" on " + engine).c_str(),
                   left < 0 ? "\n" : "");
      if (left >= 0) std::fprintf(stderr, " (about %.0f s left)\n", left);
      std::string error;
      std::optional<BenchRun> run = RunBench(b, &error);
      if (run) {
        std::error_code ec;
        fs::remove_all(run->home, ec);
      }
      if (!run || !run->failure.empty()) {
        failure = what + ": " + (run ? run->failure : error);
        break;
      }
      const json engines_run = run->doc.value("engines", json::object());
      for (const auto& [name, result] : engines_run.items()) {
        points.push_back(Point{combo, name, Figures(result, o.workload)});
      }
      ++done;
    }
    if (!failure.empty()) break;
  }
  for (auto& [engine, cluster] : reused) cluster.BringDown();  // before the report and plots
  reused.clear();
  if (o.json) {
    json doc = PointsJson(o, points);
    if (!failure.empty()) doc["error"] = failure;
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    std::printf("bench sweep: %s, %zu point(s)%s\n", o.workload.c_str(), points.size(),
                server_side ? ", a fresh cluster per point" : ", one cluster per engine reused");
    PrintTable(o, points);
  }
  if (!o.plot_dir.empty() && !points.empty()) {
    if (std::string error = WritePlots(o, points); !error.empty()) {
      std::fprintf(stderr, "pseudo-cluster bench sweep: %s\n", error.c_str());
      return 1;
    }
  }
  if (!failure.empty()) {
    std::fprintf(stderr, "pseudo-cluster bench sweep: stopped at %s\n", failure.c_str());
    return 1;
  }
  return 0;
}

}  // namespace pc
