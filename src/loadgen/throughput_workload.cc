#include "loadgen/throughput_workload.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "loadgen/samples.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

namespace {

struct Driver;

struct Session {
  std::unique_ptr<ZkClient> client;
  std::string path;
  std::atomic<int64_t> sequence{0};
  std::atomic<int> inflight{0};
  std::mutex mu;  // guards the counters below (completion thread vs. the final read)
  std::vector<int64_t> samples;
  int64_t ok = 0, errors = 0, reads = 0, writes = 0;
  std::map<int, int64_t> error_codes;
};

struct Slot : Pending {
  Driver* driver = nullptr;
  Session* session = nullptr;
  int64_t start_ns = 0;
  bool read = false;
  void Done(int rc) override;
};

struct Driver {
  const ThroughputOptions* options;
  std::string value;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> window_start{0}, window_end{0};

  void Record(Session* s, bool read, int64_t start, int64_t now, int rc) {
    if (now < window_start || now > window_end) {
      return;
    }
    std::lock_guard<std::mutex> lock(s->mu);
    (read ? s->reads : s->writes)++;
    if (rc == ZOK) {
      s->ok++;
      s->samples.push_back(now - start);
    } else {
      s->errors++;
      s->error_codes[rc]++;
    }
  }

  // Issues the slot's next request; on a refused issue the slot retires.
  void Issue(Slot* slot) {
    Session* s = slot->session;
    const int64_t n = s->sequence++;
    const std::string& kind = options->kind;
    // 37 is coprime with 100: every block of 100 requests has exactly read_pct reads, spread out.
    slot->read = kind == "read" || (kind == "mix" && (n * 37) % 100 < options->read_pct);
    slot->start_ns = NowNs();
    const int rc = s->client->Issue(slot->read ? Op::kGet : Op::kSet, s->path, value, slot);
    if (rc != ZOK) {
      Record(s, slot->read, slot->start_ns, NowNs(), rc);
      s->inflight--;
    }
  }

  void OnDone(Slot* slot, int rc) {
    const int64_t now = NowNs();
    Record(slot->session, slot->read, slot->start_ns, now, rc);
    if (!stop && now < window_end) {
      Issue(slot);
    } else {
      slot->session->inflight--;
    }
  }
};

void Slot::Done(int rc) { driver->OnDone(this, rc); }

using Sessions = std::vector<std::unique_ptr<Session>>;

// The counters of all sessions added up, once their clients are closed.
struct Totals {
  int64_t ok = 0, errors = 0, reads = 0, writes = 0;
  nlohmann::json error_codes = nlohmann::json::object();
  std::vector<int64_t> samples_ns;
};

// One session per host, each on a node of its own so that writes do not contend.
bool OpenSessions(const std::vector<std::string>& hosts, const std::string& root,
                  const ThroughputOptions& options, const std::string& value, Sessions* sessions,
                  std::string* error) {
  for (size_t i = 0; i < hosts.size(); ++i) {
    auto s = std::make_unique<Session>();
    s->client = ZkClient::Connect(hosts[i], options.session_timeout_ms, 30000, error);
    if (!s->client) {
      return false;
    }
    s->path = root + "/tp-" + std::to_string(i);
    if (!s->client->Ensure(s->path, value)) {
      *error = "cannot create " + s->path + " through " + hosts[i];
      return false;
    }
    sessions->push_back(std::move(s));
  }
  return true;
}

// From here on each slot reissues itself from its completion until the window ends.
std::vector<std::unique_ptr<Slot>> StartSlots(Driver& driver, const Sessions& sessions) {
  std::vector<std::unique_ptr<Slot>> slots;
  for (const auto& s : sessions) {
    for (int d = 0; d < driver.options->inflight; ++d) {
      auto slot = std::make_unique<Slot>();
      slot->driver = &driver;
      slot->session = s.get();
      s->inflight++;
      driver.Issue(slot.get());
      slots.push_back(std::move(slot));
    }
  }
  return slots;
}

int64_t OkSoFar(const Sessions& sessions) {
  int64_t ok = 0;
  for (const auto& s : sessions) {
    std::lock_guard<std::mutex> lock(s->mu);
    ok += s->ok;
  }
  return ok;
}

// Until the window ends; an interrupt ends the window early, so the rate stays honest.
void ReportUntilWindowEnds(Driver& driver, const Sessions& sessions, int64_t t0, Progress& progress,
                           const std::function<void()>& every_second) {
  int64_t next_second = t0 + 1000000000;
  for (int64_t now = NowNs(); now < driver.window_end; now = NowNs()) {
    if (Interrupted()) {
      driver.window_end = now;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int64_t ok = OkSoFar(sessions);
    const double in_window_s = static_cast<double>(now - driver.window_start) / 1e9;
    progress.Update(now < driver.window_start ? std::string("warming up")
                                              : std::to_string(ok) + " ok, " +
                                                    std::to_string(static_cast<int64_t>(
                                                        ok / std::max(in_window_s, 0.001))) +
                                                    " ops/s");
    if (now >= next_second) {
      next_second += 1000000000;
      if (every_second) {
        every_second();
      }
    }
  }
}

// Gives the requests in flight up to 30 s to complete.
void Drain(Driver& driver, const Sessions& sessions) {
  driver.stop = true;
  const int64_t drain_deadline = NowNs() + int64_t{30} * 1000000000;
  auto outstanding = [&] {
    int n = 0;
    for (const auto& s : sessions) {
      n += s->inflight;
    }
    return n;
  };
  while (outstanding() > 0 && NowNs() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Closing a session completes anything still outstanding (ZCLOSING) before slots go away, and
// only then are its counters final.
Totals CloseAndAddUp(const Sessions& sessions) {
  Totals t;
  for (const auto& s : sessions) {
    s->client.reset();
    t.ok += s->ok;
    t.errors += s->errors;
    t.reads += s->reads;
    t.writes += s->writes;
    for (const auto& [code, n] : s->error_codes) {
      t.error_codes[zerror(code)] = t.error_codes.value(zerror(code), int64_t{0}) + n;
    }
    t.samples_ns.insert(t.samples_ns.end(), s->samples.begin(), s->samples.end());
  }
  return t;
}

// Through a fresh session: the measured ones are closed.
void DeleteNodes(const std::string& host, const ThroughputOptions& options,
                 const Sessions& sessions) {
  std::string ignored;
  if (auto client = ZkClient::Connect(host, options.session_timeout_ms, 10000, &ignored)) {
    std::vector<std::string> paths;
    for (const auto& s : sessions) {
      paths.push_back(s->path);
    }
    client->DeleteMany(paths);
  }
}

nlohmann::json RunJson(const std::vector<std::string>& hosts, const ThroughputOptions& options,
                       const Totals& t, double duration_s) {
  nlohmann::json json = {
      {"kind", options.kind},
      {"connections", static_cast<int>(hosts.size())},
      {"inflight", options.inflight},
      {"hosts", hosts},
      {"value_bytes", options.value_bytes},
      {"duration_s", duration_s},
      {"requests", t.ok + t.errors},
      {"ok", t.ok},
      {"errors", t.errors},
      {"error_codes", t.error_codes},
      {"ops_per_s", duration_s > 0 ? static_cast<double>(t.ok) / duration_s : 0.0},
      {"latency", SummaryJson(Summarize(t.samples_ns))}};
  if (options.kind == "mix") {
    json["read_pct"] = options.read_pct;
    json["reads"] = t.reads;
    json["writes"] = t.writes;
  }
  return json;
}

}  // namespace

ThroughputRun RunThroughput(const std::vector<std::string>& hosts, const std::string& root,
                            const ThroughputOptions& options, Progress& progress,
                            const std::function<void()>& every_second) {
  ThroughputRun run;
  Driver driver;
  driver.options = &options;
  driver.value.assign(static_cast<size_t>(options.value_bytes), 'v');
  Sessions sessions;
  if (!OpenSessions(hosts, root, options, driver.value, &sessions, &run.error)) {
    return run;
  }
  const int64_t t0 = NowNs();
  driver.window_start = t0 + static_cast<int64_t>(options.warmup_s * 1e9);
  driver.window_end = driver.window_start + static_cast<int64_t>(options.duration_s * 1e9);
  const std::vector<std::unique_ptr<Slot>> slots = StartSlots(driver, sessions);
  ReportUntilWindowEnds(driver, sessions, t0, progress, every_second);
  Drain(driver, sessions);
  const double duration_s = static_cast<double>(driver.window_end - driver.window_start) / 1e9;
  Totals totals = CloseAndAddUp(sessions);
  DeleteNodes(hosts[0], options, sessions);
  run.json = RunJson(hosts, options, totals, duration_s);
  run.samples_ns = std::move(totals.samples_ns);
  return run;
}

}  // namespace pc::loadgen
