#include "sim/scenario.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "core/txn_log_source.h"
#include "sim/client_load.h"
#include "sim/election_invariants.h"
#include "sim/election_member.h"
#include "sim/replica_invariants.h"
#include "sim/replica_member.h"
#include "sim/scenario_runner.h"
#include "sim/scenario_zab.h"
#include "sim/tuning.h"

namespace zk::sim {

std::optional<int64_t> ScenarioNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used, 0);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<int64_t> Number(const std::string& s) { return ScenarioNumber(s); }

namespace {

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::optional<std::set<int64_t>> IdList(const std::string& s) {
  std::set<int64_t> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, ',')) {
    std::optional<int64_t> v = Number(part);
    if (!v) return std::nullopt;
    out.insert(*v);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

bool Runner::EnsureSim() {
  if (sim_) return true;
  Membership m(voters_, observers_);
  if (!m.Validate().empty()) return false;
  if (replica_) {
    ReplicaContext* ctx = &ctx_;
    sim_ = std::make_unique<Simulator>(seed_, m,
                                       [ctx](int64_t sid, SimDisk* d, const Membership& mm) {
                                         return std::make_unique<ReplicaMember>(sid, d, mm, *ctx);
                                       });
    sim_->set_echo([this](const std::string& l) { Trace(l); });
    sim_->network().set_quorum_connections(true);
    SimTuning scripted_only = tuning_;
    scripted_only.clients = 0;  // scripted writes only
    clients_ = std::make_unique<ClientLoad>(sim_.get(), scripted_only);
    checker_ = std::make_unique<ZabChecker>(clients_.get());
    zab_ = std::make_unique<ZabScript>(sim_.get());
    ctx_.sim = sim_.get();
    ctx_.prng = &sim_->prng();
    ctx_.clients = clients_.get();
    ctx_.tuning = tuning_;
    InstallRoleInvariants(*sim_);
    checker_->Install(*sim_);
  } else {
    SimTuning tuning = tuning_;
    sim_ = std::make_unique<Simulator>(seed_, m,
                                       [tuning](int64_t sid, SimDisk* d, const Membership& mm) {
                                         return std::make_unique<ElectionMember>(sid, d, mm, tuning);
                                       });
    sim_->set_echo([this](const std::string& l) { Trace(l); });
    InstallElectionInvariants(*sim_);
  }
  for (int64_t sid : spares_) sim_->AddSpare(sid);
  for (const auto& [sid, d] : disks_) sim_->disk(sid) = d;
  return true;
}

namespace {

// The numbers w[first..] as ids; false if one is not a number or there are none.
bool Ids(const std::vector<std::string>& w, size_t first, std::vector<int64_t>* out) {
  for (size_t i = first; i < w.size(); ++i) {
    std::optional<int64_t> v = Number(w[i]);
    if (!v) return false;
    out->push_back(*v);
  }
  return !out->empty();
}

}  // namespace

std::string Runner::Line(int line_no, const std::string& raw) {
  line_ = line_no;
  std::string text = raw.substr(0, raw.find('#'));
  std::vector<std::string> w = Words(text);
  if (w.empty()) return {};
  std::string echo;
  for (const std::string& word : w) echo += (echo.empty() ? "> " : " ") + word;
  Trace(echo);

  const std::string& cmd = w[0];
  if (cmd == "voters" || cmd == "observers" || cmd == "spares" || cmd == "seed" ||
      cmd == "tuning" || cmd == "mode") {
    return Configure(w);
  }
  if (cmd == "set-zxid" || cmd == "set-epoch") return SetDisk(w);
  if (!EnsureSim()) return Error("bad membership: " + Membership(voters_, observers_).Validate());
  std::string result = Step(w, text);
  if (sim_->failed()) return Error("invariant violated: " + sim_->failure());
  return result;
}

// Configuration: only before the simulator exists.
std::string Runner::Configure(const std::vector<std::string>& w) {
  const std::string& cmd = w[0];
  if (sim_) return Error(cmd + " must come before anything starts");
  if (cmd == "mode") {
    if (w.size() != 2 || (w[1] != "replica" && w[1] != "election")) {
      return Error("mode replica | mode election");
    }
    replica_ = w[1] == "replica";
    return {};
  }
  if (cmd == "seed") {
    std::optional<int64_t> v = w.size() == 2 ? Number(w[1]) : std::nullopt;
    if (!v) return Error("seed N");
    seed_ = static_cast<uint64_t>(*v);
    return {};
  }
  if (cmd == "tuning") return Tune(w);
  std::vector<int64_t> ids;
  if (!Ids(w, 1, &ids)) return Error(cmd + " needs ids");
  std::set<int64_t>& into = cmd == "voters" ? voters_ : cmd == "spares" ? spares_ : observers_;
  into.insert(ids.begin(), ids.end());
  for (int64_t id : spares_) {
    if (voters_.count(id) || observers_.count(id)) {
      return Error("server " + std::to_string(id) + " is a spare and in the starting config");
    }
  }
  return {};
}

// tuning finalize=N min=N max=N lease=N slow-sync=N history=N trace-zab=1 reconfig=1 log-diff=0
std::string Runner::Tune(const std::vector<std::string>& w) {
  for (size_t i = 1; i < w.size(); ++i) {
    size_t eq = w[i].find('=');
    if (eq == std::string::npos) return Error("bad tuning " + w[i]);
    std::string key = w[i].substr(0, eq);
    if (key == "trace-zab" || key == "reconfig") {
      (key == "reconfig" ? tuning_.reconfig : tuning_.trace_zab) = w[i].substr(eq + 1) == "1";
      continue;
    }
    if (key == "log-diff") {  // 0: a learner older than the history gets a SNAP, never a DIFF
      tuning_.snapshot_size_factor = w[i].substr(eq + 1) == "0" ? -1 : kDefaultSnapshotSizeFactor;
      continue;
    }
    int64_t value = Number(w[i].substr(eq + 1)).value_or(0);
    if (value < 1 || value > 1'000'000) return Error("bad tuning " + w[i]);
    int32_t n = static_cast<int32_t>(value);
    if (key == "finalize") {
      tuning_.finalize_wait_ticks = n;
    } else if (key == "min") {
      tuning_.min_notification_ticks = n;
    } else if (key == "max") {
      tuning_.max_notification_ticks = n;
    } else if (key == "lease") {
      tuning_.lease_ticks = n;
    } else if (key == "history") {  // txns a member keeps in memory for DIFF
      tuning_.history_max = static_cast<size_t>(n);
    } else if (key == "slow-sync") {  // every log sync takes 1..n ticks
      tuning_.sync_delay_chance = 1;
      tuning_.sync_delay_max_ticks = n;
    } else {
      return Error("unknown tuning " + key);
    }
  }
  return {};
}

// set-zxid SID VALUE / set-epoch SID VALUE: what a member's disk holds.
std::string Runner::SetDisk(const std::vector<std::string>& w) {
  const std::string& cmd = w[0];
  std::optional<int64_t> sid = w.size() == 3 ? Number(w[1]) : std::nullopt;
  std::optional<int64_t> v = w.size() == 3 ? Number(w[2]) : std::nullopt;
  if (!sid || !v) return Error(cmd + " SID VALUE");
  if (!voters_.count(*sid) && !observers_.count(*sid) && !spares_.count(*sid)) {
    return Error("not a member: " + w[1]);
  }
  SimDisk& d = sim_ ? sim_->disk(*sid) : disks_[*sid];
  if (cmd == "set-zxid") {
    d.last_zxid = *v;
  } else {
    d.current_epoch = *v;
    d.accepted_epoch = *v;
  }
  return {};
}

// disk-full IDS / disk-ok IDS: the members' data directories cannot (can again) take an epoch
// file; the storage rule (replica.h) takes such a member out of the quorum until they can.
std::string Runner::DataDirFull(const std::vector<std::string>& w) {
  std::vector<int64_t> ids;
  if (!replica_ || !Ids(w, 1, &ids)) return Error(w[0] + " needs ids (mode replica)");
  for (int64_t id : ids) {
    if (!sim_->IsKnown(id)) return Error("not a member: " + std::to_string(id));
    sim_->disk(id).data_dir_full = w[0] == "disk-full";
  }
  sim_->Note(w[0] + " " + w[1]);
  return {};
}

// A command to the running simulator; `text` is the line without its comment.
std::string Runner::Step(const std::vector<std::string>& w, const std::string& text) {
  const std::string& cmd = w[0];
  const Membership& m = sim_->membership();
  auto known = [this](int64_t id) { return sim_->IsKnown(id); };
  std::string zab_error;
  if (replica_ && zab_->Command(w, &zab_error)) {
    return zab_error.empty() ? std::string() : Error(zab_error);
  }
  if (cmd == "start" || cmd == "crash" || cmd == "restart") {
    std::vector<int64_t> ids;
    if (!Ids(w, 1, &ids)) return Error(cmd + " needs ids");
    for (int64_t id : ids) {
      if (!known(id)) return Error("not a member: " + std::to_string(id));
      if (cmd != "start") sim_->CrashMember(id);
      if (cmd != "crash") sim_->StartMember(id);
    }
  } else if (cmd == "partition") {
    return Partition(w, text);
  } else if (cmd == "heal") {
    sim_->network().Heal();
    sim_->Note("heal");
  } else if (cmd == "net") {
    return Net(w);
  } else if (cmd == "tick") {
    std::optional<int64_t> n = w.size() == 2 ? Number(w[1]) : std::nullopt;
    if (!n || *n < 0) return Error("tick N");
    RunTicks(*n);
  } else if (cmd == "write" && replica_) {
    std::optional<int64_t> sid = w.size() >= 2 ? Number(w[1]) : std::nullopt;
    std::optional<int64_t> n = w.size() == 3 ? Number(w[2]) : std::optional<int64_t>(1);
    if (!sid || !known(*sid) || !n || *n < 1 || w.size() > 3) return Error("write ID [N]");
    clients_->ScriptedWrites(*sid, static_cast<int>(*n));
  } else if (cmd == "disk-full" || cmd == "disk-ok") {
    return DataDirFull(w);
  } else if (cmd == "expect") {
    return Expect(w);
  } else if (cmd == "print") {
    for (int64_t sid : m.voters()) Trace("  " + Describe(sid));
    for (int64_t sid : m.observers()) Trace("  " + Describe(sid) + " (observer)");
    for (int64_t sid : sim_->spares()) Trace("  " + Describe(sid) + " (spare)");
  } else {
    return Error("unknown command " + cmd);
  }
  return {};
}

// partition A -> B (one way) or partition A,B | C,D (groups).
std::string Runner::Partition(const std::vector<std::string>& w, const std::string& text) {
  auto arrow = std::find(w.begin(), w.end(), "->");
  if (arrow != w.end()) {
    if (w.size() != 4 || arrow != w.begin() + 2) return Error("partition A -> B");
    std::optional<std::set<int64_t>> a = IdList(w[1]), b = IdList(w[3]);
    if (!a || !b) return Error("partition A -> B");
    for (int64_t x : *a) {
      for (int64_t y : *b) sim_->network().Block(x, y);
    }
    sim_->Note("partition " + w[1] + " -> " + w[3]);
    return {};
  }
  std::vector<std::set<int64_t>> groups;
  std::string joined;
  for (size_t i = 1; i < w.size(); ++i) joined += w[i];
  std::istringstream in(joined);
  std::string g;
  while (std::getline(in, g, '|')) {
    std::optional<std::set<int64_t>> ids = IdList(g);
    if (!ids) return Error("partition A,B | C,D");
    groups.push_back(*ids);
  }
  if (groups.size() < 2) return Error("partition needs two groups");
  sim_->network().Partition(groups);
  sim_->Note("partition " + text.substr(text.find_first_not_of(" \t", 9)));
  return {};
}

// net delay MIN MAX | net loss P | net duplicate P
std::string Runner::Net(const std::vector<std::string>& w) {
  constexpr const char* kUsage = "net delay MIN MAX | net loss P | net duplicate P";
  if (w.size() < 3) return Error(kUsage);
  NetworkFaults& f = sim_->network().faults();
  if (w[1] == "delay" && w.size() == 4) {
    std::optional<int64_t> lo = Number(w[2]), hi = Number(w[3]);
    if (!lo || !hi || *lo < 0 || *hi < *lo) return Error("net delay MIN MAX");
    f.delay_min_ticks = static_cast<int32_t>(*lo);
    f.delay_max_ticks = static_cast<int32_t>(*hi);
    return {};
  }
  if (w[1] == "loss" || w[1] == "duplicate") {
    double p = std::stod(w[2]);
    if (p < 0 || p > 1) return Error("probability in [0, 1]");
    (w[1] == "loss" ? f.loss : f.duplicate) = p;
    return {};
  }
  return Error(kUsage);
}

void Runner::RunTicks(int64_t n) {
  if (!replica_) {
    sim_->RunTicks(n);
    return;
  }
  for (int64_t i = 0; i < n && !sim_->failed(); ++i) {
    clients_->Tick();
    zab_->Tick();
    sim_->RunTicks(1);
  }
}

std::string RunScenarioText(const std::string& name, const std::string& text,
                            const ScenarioOptions& options, std::string* trace_out) {
  Runner runner(name, options);
  std::istringstream in(text);
  std::string line;
  int n = 0;
  std::string error;
  while (error.empty() && std::getline(in, line)) error = runner.Line(++n, line);
  if (trace_out) *trace_out = runner.trace();
  if (!error.empty()) return error + "\n--- trace ---\n" + runner.trace();
  return {};
}

std::string RunScenarioFile(const std::string& path, const ScenarioOptions& options) {
  std::ifstream in(path);
  if (!in) return path + ": cannot open";
  std::stringstream buf;
  buf << in.rdbuf();
  std::string trace;
  std::string error = RunScenarioText(path, buf.str(), options, &trace);
  if (!error.empty()) return error;
  std::string golden_path = path + ".golden";
  if (options.rewrite_golden) {
    std::ofstream out(golden_path);
    out << trace;
    if (!out) return golden_path + ": cannot write";
    return {};
  }
  std::ifstream golden(golden_path);
  if (golden) {
    std::stringstream want;
    want << golden.rdbuf();
    if (want.str() != trace) {
      return path + ": trace differs from " + golden_path +
             " (rerun with --rewrite-golden if the change is intended)\n--- trace ---\n" + trace;
    }
  }
  return {};
}

}  // namespace zk::sim
