// plot.png of a chaos run (issue 15): the latency of every op over the run, one point per op
// (ok, fail and info in their own colors and shapes, info drawn at its timeout), the nemesis'
// fault windows shaded and labelled. Writes plot.dat, faults.dat and plot.gp into the output
// directory and runs gnuplot (pngcairo; Debian's gnuplot-nox, see scripts/bootstrap.sh).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/history.h"

namespace pc::loadgen {

// `nemesis` holds nemesis.jsonl's records (start / end pairs). Empty string on success, else
// one line saying what failed.
std::string WriteChaosPlot(const chaos::History& history,
                           const std::vector<nlohmann::json>& nemesis, const std::string& title,
                           const std::string& out_dir);

}  // namespace pc::loadgen
