// --plot FILE.png: writes the samples as gnuplot data files and a generated script into
// `work_dir`, then runs gnuplot (pngcairo). Panels: the latency distribution per engine as
// percentile curves (one client: get and set; pipelined: write and read), and per engine the
// failover timeline — every write's latency over time, all rounds overlaid, the kill at t = 0.
#pragma once

#include <string>
#include <vector>

#include "loadgen/bench_result.h"

namespace pc::loadgen {

// A gnuplot single-quoted string: a quote inside is written twice.
std::string GnuplotQuote(const std::string& s);

// Runs gnuplot on `script`; empty on success, else one line with gnuplot's first complaint.
std::string RunGnuplot(const std::string& script, const std::string& work_dir);

// Empty string on success, else one line saying what failed.
std::string WritePlot(const std::vector<EngineResult>& results, const std::string& png,
                      const std::string& work_dir);

}  // namespace pc::loadgen
