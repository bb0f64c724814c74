#include "loadgen/startup_workload.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "loadgen/samples.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

namespace {

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Tries a create on every serving member until one succeeds; sets *done_ns.
void FirstWriteProbe(const std::vector<int>& ports, int session_timeout_ms,
                     const std::atomic<bool>& stop, std::atomic<int64_t>* done_ns) {
  while (!stop && *done_ns == 0) {
    for (int port : ports) {
      std::string role, error;
      if (!SrvrServing(port, &role)) {
        continue;
      }
      auto client =
          ZkClient::Connect("127.0.0.1:" + std::to_string(port), session_timeout_ms, 1000, &error);
      if (!client) {
        continue;
      }
      const int rc = client->Call(Op::kCreate, "/pc-bench-startup", "", 2000);
      if (rc == ZOK || rc == ZNODEEXISTS) {
        *done_ns = NowNs();
        return;
      }
    }
    SleepMs(5);
  }
}

}  // namespace

StartupRound RunStartupRound(const std::string& home, const std::string& name, int round,
                             const StartupOptions& options, Progress& progress) {
  StartupRound result;
  const OwnClusterOptions& c = options.cluster;
  const int nodes = c.voters + c.observers;
  const std::string log = home + "/" + name + "-commands.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    int client_base = 0;
    const std::string ports_arg = PickBasePorts(nodes, &client_base);
    std::vector<int> ports;
    for (int i = 0; i < nodes; ++i) {
      ports.push_back(client_base + i);
    }
    std::atomic<bool> stop{false};
    std::atomic<int64_t> first_write_ns{0};
    int64_t ready_ns = 0, up_exit_ns = 0;
    int up_pid = 0, up_status = 0;
    const int64_t t0 = NowNs();
    if (RunSelf(UpArgs(name, ports_arg, c), home, log, false, &up_pid) != 0) {
      result.error = "cannot run `pseudo-cluster up`";
      return result;
    }
    std::thread probe(FirstWriteProbe, ports, options.session_timeout_ms, std::cref(stop),
                      &first_write_ns);
    const int64_t deadline = t0 + static_cast<int64_t>(options.timeout_s * 1e9);
    while (NowNs() < deadline && !Interrupted()) {
      if (up_exit_ns == 0 && ::waitpid(up_pid, &up_status, WNOHANG) == up_pid) {
        up_exit_ns = NowNs();
        if (!WIFEXITED(up_status) || WEXITSTATUS(up_status) != 0) {
          break;
        }
      }
      if (ready_ns == 0) {
        int leaders = 0, others = 0;
        for (int port : ports) {
          std::string role;
          if (SrvrServing(port, &role)) {
            (role == "leader" ? leaders : others)++;
          }
        }
        if (leaders == 1 && leaders + others == nodes) {
          ready_ns = NowNs();
        }
      }
      if (ready_ns && up_exit_ns && first_write_ns) {
        break;
      }
      progress.Update("round " + std::to_string(round) + ": " +
                      std::to_string((NowNs() - t0) / 1000000) + " ms");
      SleepMs(5);
    }
    stop = true;
    probe.join();
    if (up_exit_ns == 0) {
      ::kill(up_pid, SIGTERM);
      ::waitpid(up_pid, &up_status, 0);
    }
    const bool up_ok = up_exit_ns != 0 && WIFEXITED(up_status) && WEXITSTATUS(up_status) == 0;
    const std::string last = up_ok ? "" : LastLine(log);
    RunSelf({"down", "--name", name, "--clean"}, home, log, true);
    if (!up_ok && last.find("is in use") != std::string::npos && ready_ns == 0) {
      continue;  // a port race with another process: pick new ports
    }
    if (!up_ok || ready_ns == 0 || first_write_ns == 0) {
      result.error = "start-up round " + std::to_string(round) + " of " + c.engine +
                     " did not finish: " + (last.empty() ? "timed out" : last) + " (see " + log +
                     ")";
      return result;
    }
    result.json = {{"round", round},
                   {"ready_ms", Ms(ready_ns - t0)},
                   {"first_write_ms", Ms(first_write_ns - t0)},
                   {"up_returned_ms", Ms(up_exit_ns - t0)}};
    return result;
  }
  result.error = "start-up round " + std::to_string(round) + ": ports kept being taken";
  return result;
}

nlohmann::json SummarizeStartup(const std::vector<nlohmann::json>& rounds) {
  nlohmann::json out = {{"round_count", rounds.size()}, {"rounds", rounds}};
  for (const char* key : {"ready_ms", "first_write_ms", "up_returned_ms"}) {
    std::vector<double> values;
    for (const auto& r : rounds) {
      values.push_back(r.value(key, 0.0));
    }
    if (!values.empty()) {
      out[key] = {{"median", Median(values)},
                  {"best", *std::min_element(values.begin(), values.end())},
                  {"worst", *std::max_element(values.begin(), values.end())}};
    }
  }
  return out;
}

}  // namespace pc::loadgen
