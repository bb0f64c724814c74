#include "loadgen/chaos_plot.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

namespace pc::loadgen {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

}  // namespace

std::string WriteChaosPlot(const chaos::History& history,
                           const std::vector<nlohmann::json>& nemesis, const std::string& title,
                           const std::string& out_dir) {
  // plot.dat: time (s), latency (ms), one data block per result (ok, fail, info).
  std::ofstream data(out_dir + "/plot.dat");
  int64_t last_ns = 0;
  for (chaos::Result result : {chaos::Result::kOk, chaos::Result::kFail, chaos::Result::kInfo}) {
    data << "# " << chaos::ResultName(result) << "\n";
    bool any = false;
    for (const chaos::Op& op : history.ops) {
      if (op.result != result || op.complete_ns == chaos::kNever) {
        continue;
      }
      data << double(op.invoke_ns) / 1e9 << " " << double(op.complete_ns - op.invoke_ns) / 1e6
           << "\n";
      last_ns = std::max(last_ns, op.complete_ns);
      any = true;
    }
    if (!any) {
      data << "-1 -1\n";  // an empty block would shift the others' indices
    }
    data << "\n\n";
  }
  // Fault windows: a start record and the end record after it with the same scheduled time.
  std::ofstream gp(out_dir + "/plot.gp");
  gp << "set terminal pngcairo size 1400,600 font ',10'\n"
     << "set output " << Quote(out_dir + "/plot.png") << "\n"
     << "set title " << Quote(title) << " noenhanced\n"
     << "set xlabel 'time since the run started (s)'\n"
     << "set ylabel 'latency (ms)'\n"
     << "set logscale y\nset yrange [0.05:*]\nset xrange [0:" << double(last_ns) / 1e9 + 1 << "]\n"
     << "set grid\nset key outside right top\n";
  int object = 1;
  for (size_t i = 0; i < nemesis.size(); ++i) {
    const auto& start = nemesis[i];
    if (start.value("type", "") != "start") {
      continue;
    }
    double end_s = double(last_ns) / 1e9;
    for (size_t j = i + 1; j < nemesis.size(); ++j) {
      if (nemesis[j].value("type", "") == "end" && nemesis[j].value("scheduled_ms", int64_t{-1}) ==
                                                       start.value("scheduled_ms", int64_t{-2})) {
        end_s = double(nemesis[j].value("time", int64_t{0})) / 1e9;
        break;
      }
    }
    const double start_s = double(start.value("time", int64_t{0})) / 1e9;
    gp << "set object " << object++ << " rect from " << start_s << ", graph 0 to " << end_s
       << ", graph 1 fc rgb '#ffcc80' fs solid 0.35 noborder behind\n";
    // Upright along the window's left edge, so the labels of many short windows do not overlap.
    gp << "set label " << object << " " << Quote(start.value("text", "")) << " at " << start_s
       << ", graph 0.98 rotate by 90 right font ',7' tc rgb '#8a5a00' noenhanced front\n";
  }
  const std::string dat = Quote(out_dir + "/plot.dat");
  gp << "plot " << dat << " index 0 using 1:2 with points pt 7 ps 0.3 lc rgb '#1f77b4' title 'ok', "
     << dat << " index 1 using 1:2 with points pt 2 ps 0.6 lc rgb '#d62728' title 'fail', " << dat
     << " index 2 using 1:2 with points pt 6 ps 0.8 lc rgb '#2ca02c' title 'info (unknown)'\n";
  gp.close();
  data.close();
  const std::string command =
      "gnuplot " + Quote(out_dir + "/plot.gp") + " 2>" + Quote(out_dir + "/gnuplot.err");
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {
      return "gnuplot not found; install it with scripts/bootstrap.sh (gnuplot-nox)";
    }
    std::ifstream err(out_dir + "/gnuplot.err");
    std::string first;
    std::getline(err, first);
    return "gnuplot failed on " + out_dir + "/plot.gp: " + first;
  }
  return {};
}

}  // namespace pc::loadgen
