// The report lines of `bench scale --sessions` and `--watches` (swarm_workloads.h), kept apart
// from bench_report.cc so neither grows past a readable size.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pc::loadgen {

void RenderScaleSessions(const nlohmann::json& s, std::string* out);
void RenderScaleWatches(const nlohmann::json& w, std::string* out);
void RenderSnapshotLatency(const nlohmann::json& l, std::string* out);

}  // namespace pc::loadgen
