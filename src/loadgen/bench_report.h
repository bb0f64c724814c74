// The bench's output for people and machines: one engine's results as tables, the side-by-side
// comparison of zkd and Apache ZooKeeper with the targets. Pure functions over
// EngineResult JSON (the machine's description is bench_machine.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/bench_result.h"

namespace pc::loadgen {

// "links: direct (...)" or "links: proxied (...)": how the members measured reach each other.
std::string LinksLine(const std::string& mode);

std::string RenderEngine(const nlohmann::json& engine);

// One row per figure both engines have:
// {"figure", "unit", "better": "lower"|"higher", "zkd", "apache", "advantage",
//  "target": null | {"text", "factor", "met"}}. advantage = how many times better zkd is:
// apache / zkd for lower-is-better figures, zkd / apache for higher-is-better ones.
nlohmann::json CompareJson(const nlohmann::json& zkd, const nlohmann::json& apache);
std::string RenderCompare(const nlohmann::json& rows);

}  // namespace pc::loadgen
