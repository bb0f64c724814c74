#include "loadgen/latency_workload.h"

#include "loadgen/samples.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

namespace {

constexpr Op kSequence[] = {Op::kCreate, Op::kGet, Op::kExists, Op::kSet, Op::kMulti, Op::kDelete};

// One pass of every op over nodes prefix0..prefixN-1. Returns false when interrupted.
bool Pass(ZkClient& client, const std::string& prefix, int count, const std::string& value,
          const LatencyOptions& options, Progress& progress, LatencyRun* run) {
  for (Op op : kSequence) {
    int errors = 0;
    std::vector<int64_t>* samples = run ? &run->samples_ns[OpName(op)] : nullptr;
    for (int i = 0; i < count; ++i) {
      if (Interrupted()) {
        return false;
      }
      int64_t latency = 0;
      const int rc =
          client.Call(op, prefix + std::to_string(i), value, options.timeout_ms, &latency);
      if (rc != ZOK) {
        ++errors;
      } else if (samples) {
        samples->push_back(latency);
      }
      if (run && (i & 63) == 0) {
        progress.Update(std::string(OpName(op)) + " " + std::to_string(i) + "/" +
                        std::to_string(count));
      }
    }
    if (run) {
      run->json["ops"][OpName(op)] = {
          {"requests", count}, {"errors", errors}, {"latency", SummaryJson(Summarize(*samples))}};
    }
  }
  return true;
}

}  // namespace

LatencyRun RunLatency(const std::string& host, const std::string& root,
                      const LatencyOptions& options, Progress& progress) {
  LatencyRun run;
  auto client = ZkClient::Connect(host, options.session_timeout_ms, 30000, &run.error);
  if (!client) {
    return run;
  }
  const std::string value(static_cast<size_t>(options.value_bytes), 'v');
  const std::string dir = root + "/latency";
  client->Ensure(dir, "");
  run.json = {{"host", host},
              {"requests", options.requests},
              {"warmup", options.warmup},
              {"value_bytes", options.value_bytes},
              {"ops", nlohmann::json::object()}};
  if (Pass(*client, dir + "/w", options.warmup, value, options, progress, nullptr)) {
    Pass(*client, dir + "/n", options.requests, value, options, progress, &run);
  }
  client->RemoveTree(dir);  // the multis' "-m" nodes, and whatever an interruption left
  return run;
}

}  // namespace pc::loadgen
