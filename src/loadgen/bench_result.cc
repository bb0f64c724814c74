#include "loadgen/bench_result.h"

#include "loadgen/samples.h"

namespace pc::loadgen {

void AddLatency(EngineResult& r, LatencyRun run) {
  nlohmann::json& out = r.json["latency"];
  if (out.is_null()) {
    out = run.json;
    out["requests"] = 0;
    out["parts"] = 0;
    for (auto& [op, entry] : out["ops"].items()) {
      entry["requests"] = 0;
      entry["errors"] = 0;
    }
  }
  out["requests"] = out.value("requests", 0) + run.json.value("requests", 0);
  out["parts"] = out.value("parts", 0) + 1;
  for (auto& [op, entry] : run.json["ops"].items()) {
    nlohmann::json& merged = out["ops"][op];
    merged["requests"] = merged.value("requests", 0) + entry.value("requests", 0);
    merged["errors"] = merged.value("errors", 0) + entry.value("errors", 0);
    std::vector<int64_t>& all = r.latency_ns[op];
    auto& part = run.samples_ns[op];
    all.insert(all.end(), part.begin(), part.end());
    merged["latency"] = SummaryJson(Summarize(all));
  }
}

void AddThroughput(EngineResult& r, const std::string& kind, ThroughputRun run) {
  nlohmann::json& out = r.json["throughput"][kind];
  const nlohmann::json& part = run.json;
  if (out.is_null()) {
    out = part;
    out["parts"] = 1;
  } else {
    out["parts"] = out.value("parts", 0) + 1;
    for (const char* key : {"requests", "ok", "errors", "reads", "writes"}) {
      if (part.contains(key)) {
        out[key] = out.value(key, int64_t{0}) + part.value(key, int64_t{0});
      }
    }
    out["duration_s"] = out.value("duration_s", 0.0) + part.value("duration_s", 0.0);
    for (const auto& [code, n] : part["error_codes"].items()) {
      out["error_codes"][code] = out["error_codes"].value(code, int64_t{0}) + n.get<int64_t>();
    }
  }
  const double duration = out.value("duration_s", 0.0);
  out["ops_per_s"] = duration > 0 ? out.value("ok", int64_t{0}) / duration : 0.0;
  std::vector<int64_t>& all = r.latency_ns["pipelined " + kind];
  all.insert(all.end(), run.samples_ns.begin(), run.samples_ns.end());
  out["latency"] = SummaryJson(Summarize(all));
}

}  // namespace pc::loadgen
