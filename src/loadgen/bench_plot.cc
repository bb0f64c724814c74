#include "loadgen/bench_plot.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loadgen/samples.h"

namespace fs = std::filesystem;

namespace pc::loadgen {

namespace {

// Writes (nines, ms) of a latency distribution; false when there are no samples.
bool WriteCurve(const std::vector<int64_t>& samples, const std::string& path) {
  if (samples.empty()) {
    return false;
  }
  std::ofstream out(path);
  for (const auto& [p, us] : PercentileCurve(samples)) {
    out << -std::log10(1.0 - p / 100.0) << " " << us / 1000.0 << "\n";
  }
  return true;
}

}  // namespace

std::string GnuplotQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

namespace {

std::string Quote(const std::string& s) { return GnuplotQuote(s); }

// One color per engine, one dash pattern per operation.
std::string Style(size_t engine, int dash) {
  return std::string(" with lines lw 2 dt ") + std::to_string(dash) + " lc rgb " +
         (engine == 0 ? "'#1f77b4'" : "'#d62728'");
}

std::string CurvePanel(const std::string& title, const std::vector<std::string>& plots) {
  std::ostringstream p;
  p << "set title " << Quote(title) << "\n"
    << "unset arrow; unset label\n"
    << "set logscale y; set grid\n"
    << "set xlabel 'percentile'; set ylabel 'latency (ms)'\n"
    << "set xrange [0:*]; set yrange [*:*]\n"
    << "set xtics ('0' 0, '90' 1, '99' 2, '99.9' 3, '99.99' 4, '99.999' 5)\n"
    << "set key top left\n"
    << "plot ";
  for (size_t i = 0; i < plots.size(); ++i) {
    p << (i ? ", " : "") << plots[i];
  }
  p << "\n";
  return p.str();
}

// Skipped when the engine has no samples for `key`.
void AddCurve(const EngineResult& r, size_t engine, int dash, const std::string& key,
              const std::string& dat, const std::string& title, std::vector<std::string>* plots) {
  auto it = r.latency_ns.find(key);
  if (it != r.latency_ns.end() && WriteCurve(it->second, dat)) {
    plots->push_back(Quote(dat) + " using 1:2" + Style(engine, dash) + " title " + Quote(title));
  }
}

// Both engines' curves share a panel: one for one-client latency, one for pipelined.
std::vector<std::string> LatencyPanels(const std::vector<EngineResult>& results,
                                       const std::string& work_dir) {
  std::vector<std::string> one_client, pipelined;
  for (size_t e = 0; e < results.size(); ++e) {
    const EngineResult& r = results[e];
    int dash = 0;
    for (const char* op : {"get", "set"}) {
      AddCurve(r, e, ++dash, op, work_dir + "/lat-" + r.engine + "-" + op + ".dat",
               r.engine + " " + op, &one_client);
    }
    dash = 0;
    for (const char* kind : {"write", "read", "mix"}) {
      AddCurve(r, e, ++dash, std::string("pipelined ") + kind,
               work_dir + "/tp-" + r.engine + "-" + kind + ".dat", r.engine + " " + kind,
               &pipelined);
    }
  }
  std::vector<std::string> panels;
  if (!one_client.empty()) {
    panels.push_back(CurvePanel("latency, one client, one request at a time", one_client));
  }
  if (!pipelined.empty()) {
    panels.push_back(CurvePanel("latency of pipelined requests (throughput runs)", pipelined));
  }
  return panels;
}

// (seconds since the kill, ms, round) per write, successes and failures apart; returns whether
// any write failed.
bool WriteFailoverPoints(const EngineResult& r, const std::string& ok, const std::string& failed) {
  std::ofstream ok_out(ok), failed_out(failed);
  bool any_failed = false;
  for (const FailoverPoint& p : r.failover_points) {
    (p.ok ? ok_out : failed_out) << p.t_ms / 1000.0 << " " << std::max(p.latency_ms, 0.001) << " "
                                 << p.round << "\n";
    any_failed = any_failed || !p.ok;
  }
  return any_failed;
}

std::string FailoverPanel(const EngineResult& r, const std::string& work_dir) {
  const std::string ok = work_dir + "/fo-" + r.engine + "-ok.dat";
  const std::string failed = work_dir + "/fo-" + r.engine + "-failed.dat";
  const bool any_failed = WriteFailoverPoints(r, ok, failed);
  std::ostringstream p;
  p << "set title "
    << Quote(r.engine + ": failover, latency of every write, " +
             std::to_string(r.failover_rounds.size()) + " rounds overlaid (x = issue time)")
    << "\n"
    << "unset arrow; unset label\n"
    << "set logscale y; set grid\n"
    << "set xlabel 'seconds since the leader was killed'; set ylabel 'write latency (ms)'\n"
    << "set xrange [*:*]; set yrange [*:*]; set xtics autofreq\n"
    << "set arrow from 0, graph 0 to 0, graph 1 nohead lw 2 lc rgb 'red'\n"
    << "set label 'leader killed' at 0, graph 0.95 offset 0.5,0 textcolor rgb 'red'\n"
    << "set key top right\n"
    << "plot " << Quote(ok) << " using 1:2 with points pt 7 ps 0.3 lc rgb '#1f77b4' title 'ok'";
  if (any_failed) {
    p << ", " << Quote(failed)
      << " using 1:2 with points pt 2 ps 0.8 lc rgb '#d62728' title 'failed'";
  }
  p << "\n";
  return p.str();
}

// Panels two to a row.
void WriteScript(const std::string& script, const std::string& png,
                 const std::vector<std::string>& panels) {
  const int cols = panels.size() > 1 ? 2 : 1;
  const int rows = static_cast<int>((panels.size() + 1) / 2);
  std::ofstream out(script);
  out << "set terminal pngcairo size " << 800 * cols << "," << 560 * rows << " font 'sans,10'\n"
      << "set output " << Quote(png) << "\n"
      << "set multiplot layout " << rows << "," << cols
      << " title 'pseudo-cluster bench' font 'sans,13'\n";
  for (const auto& panel : panels) {
    out << panel;
  }
  out << "unset multiplot\n";
}

}  // namespace

std::string RunGnuplot(const std::string& script, const std::string& work_dir) {
  const std::string command = "gnuplot " + Quote(script) + " 2>" + Quote(work_dir + "/gnuplot.err");
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {
      return "--plot: gnuplot not found; install it with scripts/bootstrap.sh (gnuplot-nox)";
    }
    std::ifstream err(work_dir + "/gnuplot.err");
    std::string first;
    std::getline(err, first);
    return "--plot: gnuplot failed on " + script + ": " + first;
  }
  return {};
}

std::string WritePlot(const std::vector<EngineResult>& results, const std::string& png,
                      const std::string& work_dir) {
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  std::vector<std::string> panels = LatencyPanels(results, work_dir);
  for (const EngineResult& r : results) {
    if (!r.failover_points.empty()) {
      panels.push_back(FailoverPanel(r, work_dir));
    }
  }
  if (panels.empty()) {
    return "--plot: nothing to draw (run latency, throughput or failover)";
  }
  const std::string script = work_dir + "/plot.gp";
  WriteScript(script, png, panels);
  return RunGnuplot(script, work_dir);
}

}  // namespace pc::loadgen
