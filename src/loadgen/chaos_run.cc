#include "loadgen/chaos_run.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "chaos/history.h"
#include "chaos/verdict.h"
#include "loadgen/bench_cluster.h"
#include "loadgen/chaos_nemesis.h"
#include "loadgen/chaos_plot.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/timeline.h"

namespace fs = std::filesystem;

namespace pc::loadgen {

namespace {

constexpr const char* kRoot = "/pseudo-chaos";
constexpr const char* kRegister = "/pseudo-chaos/register";
constexpr const char* kSequential = "/pseudo-chaos/seq";  // the sequential workload's parent
constexpr const char* kEphemerals = "/pseudo-chaos/eph";  // the session workload's ephemerals
constexpr const char* kWatched = "/pseudo-chaos/w";       // its watched, written node
constexpr const char* kHealed = "/pseudo-chaos/healed";   // the write after the final heal
constexpr int kSessionTimeoutMs = 10000;
constexpr int kValues = 5;  // register values 0..4: few values make a hard history to check

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted = true; }

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// What the run shares between its threads.
struct Shared {
  int64_t start_ns = 0;
  std::atomic<bool> stop{false};
  // The session workload's end: after the final heal each client proves its session alive with
  // one more write (final_write), then keeps it open until the final listings are taken.
  std::atomic<bool> final_write{false}, release{false};
  std::atomic<int> final_done{0};
  std::atomic<int64_t> ok{0}, fail{0}, info{0};
  std::mutex mu;
  std::string fault = "none";  // the fault in force, for progress
  int64_t Since() const { return NowNs() - start_ns; }
};

std::vector<Member> Members(const BenchCluster& cluster) {
  std::string error;
  auto view = cluster.Status(&error);
  return view ? view->members : std::vector<Member>{};
}

// The connect string of client `index`: every member, member index % n first. The run turns
// off the C client's shuffling of this list (zoo_deterministic_conn_order), so client i talks
// to member i % n while it is up, and every member, the leader included, has clients whenever
// --clients >= --nodes; after a connection loss a client moves on to the next member.
std::string HostsFor(const std::vector<Member>& members, int index) {
  std::vector<Member> order;
  for (size_t i = 0; i < members.size(); ++i) {
    order.push_back(members[(static_cast<size_t>(index) + i) % members.size()]);
  }
  return HostList(order);
}

// One client of the workload, one op at a time. register: write / cas / read on one znode.
// sequential: persistent sequential creates under one parent, named p<process>- (so an info
// create can explain only a node of its own prefix). A process id is one sequence of ops; after an
// op whose outcome is unknown (info) the client goes on as a new process, as Jepsen does, so a
// process never has two ops outstanding.
class RegisterClient {
 public:
  RegisterClient(int index, const ChaosOptions& o, std::string hosts, Shared* shared)
      : index_(index),
        options_(o),
        hosts_(std::move(hosts)),
        shared_(shared),
        rng_(o.seed * 1000003u + static_cast<uint64_t>(index)),
        process_(index) {}

  void Run() {
    const double per_client = options_.rate / std::max(1, options_.clients);
    const int64_t gap_ns = per_client > 0 ? static_cast<int64_t>(1e9 / per_client) : 0;
    int64_t next = shared_->Since();
    while (!shared_->stop) {
      if (!client_ || !client_->usable()) {
        if (client_) {
          process_ += options_.clients;  // the session expired: a new process
        }
        client_.reset();
        std::string error;
        client_ = ZkClient::Connect(hosts_, kSessionTimeoutMs, 2000, &error);
        if (!client_) {
          SleepMs(200);
          continue;
        }
        if (options_.workload == "session") {
          Listen();
        }
      }
      if (!client_->connected()) {
        // Between servers: an op now would only come back as a connection loss at once (an
        // info, for a write) and tell nothing. Wait for the client to reconnect.
        SleepMs(20);
        continue;
      }
      const int64_t now = shared_->Since();
      if (now < next) {
        SleepMs((next - now) / 1'000'000 + 1);
      }
      next = std::max(next + gap_ns, shared_->Since());
      if (shared_->stop) {
        break;
      }
      OneOp();
    }
    if (options_.workload == "session") {
      FinalWrite();
    }
    client_.reset();
  }

  std::vector<chaos::Op>& ops() { return ops_; }
  std::vector<chaos::Notification>& notifications() { return notes_; }
  std::vector<chaos::SessionEnd>& session_ends() { return ends_; }

 private:
  void OneOp() {
    chaos::Op op;
    op.process = process_;
    op.session = client_->SessionId();
    if (options_.workload == "sequential") {
      CreateOp(&op);
      return Record(std::move(op));
    }
    if (options_.workload == "session") {
      return SessionOp(std::move(op));
    }
    const int pick = static_cast<int>(rng_() % 10);
    op.kind = pick < 4   ? chaos::OpKind::kRead
              : pick < 7 ? chaos::OpKind::kWrite
                         : chaos::OpKind::kCas;
    op.invoke_ns = shared_->Since();
    int rc = ZOK;
    const int t = options_.op_timeout_ms;
    if (op.kind == chaos::OpKind::kRead) {
      std::string data;
      int32_t version = -1;
      rc = client_->Get(kRegister, t, &data, &version);
      op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
      if (rc == ZOK) {
        op.value = std::atoll(data.c_str());
        op.version = version;
      }
    } else if (op.kind == chaos::OpKind::kWrite) {
      op.value = static_cast<int64_t>(rng_() % kValues);
      int32_t version = -1;
      rc = client_->Set(kRegister, std::to_string(op.value), -1, t, &version);
      op.result = WriteResult(rc);
      if (rc == ZOK) {
        op.version = version;
      }
    } else {
      op.from = static_cast<int64_t>(rng_() % kValues);
      op.value = static_cast<int64_t>(rng_() % kValues);
      std::string data;
      int32_t seen = -1;
      rc = client_->Get(kRegister, t, &data, &seen);
      if (rc != ZOK) {
        op.result = chaos::Result::kFail;  // nothing was written
      } else {
        op.read_value = std::atoll(data.c_str());
        op.read_version = seen;
        if (*op.read_value != op.from) {
          op.result = chaos::Result::kFail;
        } else {
          int32_t version = -1;
          rc = client_->Set(kRegister, std::to_string(op.value), seen, t, &version);
          op.result = rc == ZBADVERSION ? chaos::Result::kFail : WriteResult(rc);
          if (rc == ZOK) {
            op.version = version;
          }
        }
      }
    }
    op.complete_ns = shared_->Since();
    if (rc != ZOK) {
      op.error = zerror(rc);
    }
    Record(std::move(op));
  }

  void CreateOp(chaos::Op* op) {
    op->kind = chaos::OpKind::kCreate;
    op->path = std::string(kSequential) + "/p" + std::to_string(process_) + "-";
    op->invoke_ns = shared_->Since();
    std::string created;
    const int rc = client_->Create(op->path, "", ZOO_SEQUENCE, options_.op_timeout_ms, &created);
    op->complete_ns = shared_->Since();
    op->result = rc == ZNODEEXISTS || rc == ZNONODE ? chaos::Result::kFail : WriteResult(rc);
    if (rc == ZOK) {
      op->created = created;
    } else {
      op->error = zerror(rc);
    }
  }

  // session: notifications and the session's expiry, recorded as they arrive.
  void Listen() {
    const std::string session = client_->SessionId();
    const int64_t process = process_;
    watch_armed_ = false;  // a new session has no watches
    client_->OnEvent([this, session, process](int type, int state, const std::string& path) {
      std::lock_guard<std::mutex> lock(events_mu_);
      const int64_t now = shared_->Since();
      if (type == ZOO_SESSION_EVENT) {
        if (state == ZOO_EXPIRED_SESSION_STATE) {
          ends_.push_back({0, process, session, "expired", now});
        }
        return;
      }
      const char* event = type == ZOO_CREATED_EVENT   ? "NodeCreated"
                          : type == ZOO_DELETED_EVENT ? "NodeDeleted"
                          : type == ZOO_CHANGED_EVENT ? "NodeDataChanged"
                          : type == ZOO_CHILD_EVENT   ? "NodeChildrenChanged"
                                                      : nullptr;
      if (event != nullptr) {
        notes_.push_back({0, process, session, path, event, now});
      }
      if (path == kWatched) {
        watch_armed_ = false;
      }
    });
  }

  // session: ephemerals created, looked at (exists), a watch on kWatched and writes to it, and
  // now and then a close (the next op then opens a new session, as a new process).
  void SessionOp(chaos::Op op) {
    const int t = options_.op_timeout_ms;
    int pick = static_cast<int>(rng_() % 100);
    if (pick >= 25 && pick < 45 && own_.empty()) {
      pick = 0;
    }
    // One watch armed at a time: a second exists-watch issued while one is armed may reach the
    // server after a change whose notification fires the first, and the history could not tell
    // which watch a notification belongs to. So a session re-arms only after it fired.
    if (pick >= 45 && pick < 65 && watch_armed_) {
      pick = 70;
    }
    op.invoke_ns = shared_->Since();
    int rc = ZOK;
    if (pick < 25) {
      op.kind = chaos::OpKind::kCreate;
      op.ephemeral = true;
      op.path = std::string(kEphemerals) + "/p" + std::to_string(process_) + "-" +
                std::to_string(created_++);
      std::string created;
      rc = client_->Create(op.path, "", ZOO_EPHEMERAL, t, &created);
      op.result = rc == ZNODEEXISTS || rc == ZNONODE ? chaos::Result::kFail : WriteResult(rc);
      if (rc == ZOK) {
        op.created = created;
        own_.push_back(created);
      }
    } else if (pick < 45) {
      op.kind = chaos::OpKind::kExists;
      op.path = own_[rng_() % own_.size()];
      int32_t version = -1;
      rc = client_->Exists(op.path, false, t, &version);
      op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
      op.exists = version >= 0;
    } else if (pick < 65) {
      op.kind = chaos::OpKind::kWatch;
      op.path = kWatched;
      op.watch_kind = "data";
      int32_t version = -1;
      watch_armed_ = true;  // before the request: its notification may beat its answer
      rc = client_->Exists(kWatched, true, t, &version);
      // A watch whose answer never came may still have been set: info.
      op.result = rc == ZOK ? chaos::Result::kOk : WriteResult(rc);
      if (rc == ZOK) {
        op.version = version;
      }
    } else if (pick < 97) {
      rc = WriteWatched(&op);
    } else {
      op.kind = chaos::OpKind::kClose;
      // zookeeper_close sends closeSession only over a live connection; without one the
      // session just times out later, so the close is not known to have happened.
      const bool was_connected = client_->connected();
      rc = client_->Close();
      op.result = rc == ZOK && was_connected ? chaos::Result::kOk : chaos::Result::kInfo;
      own_.clear();
      watch_armed_ = false;
    }
    op.complete_ns = shared_->Since();
    if (rc != ZOK) {
      op.error = zerror(rc);
    }
    const bool closed = op.kind == chaos::OpKind::kClose;
    Record(std::move(op));
    if (closed) {
      client_.reset();
      if (ops_.back().ok()) {
        process_ += options_.clients;  // a new session: a new process
      }
    }
  }

  int WriteWatched(chaos::Op* op) {
    op->kind = chaos::OpKind::kWrite;
    op->path = kWatched;
    op->value = static_cast<int64_t>(rng_() % kValues);
    int32_t version = -1;
    const int rc =
        client_->Set(kWatched, std::to_string(op->value), -1, options_.op_timeout_ms, &version);
    op->result = WriteResult(rc);
    if (rc == ZOK) {
      op->version = version;
    }
    return rc;
  }

  // session, after the final heal: one ok write proves this session alive at the end (so the
  // session check may demand all its ephemerals in the final listings).
  void FinalWrite() {
    while (!shared_->final_write && !shared_->release) {
      SleepMs(20);
    }
    for (int i = 0; i < 200 && client_ && client_->usable() && !client_->connected(); ++i) {
      SleepMs(50);
    }
    if (client_ && client_->usable() && !shared_->release) {
      chaos::Op op;
      op.process = process_;
      op.session = client_->SessionId();
      op.invoke_ns = shared_->Since();
      const int rc = WriteWatched(&op);
      op.complete_ns = shared_->Since();
      if (rc != ZOK) {
        op.error = zerror(rc);
      }
      Record(std::move(op));
    }
    ++shared_->final_done;
    while (!shared_->release) {
      SleepMs(20);
    }
  }

  void Record(chaos::Op op) {
    (op.ok() ? shared_->ok : op.fail() ? shared_->fail : shared_->info)++;
    if (op.info()) {
      process_ += options_.clients;
    }
    ops_.push_back(std::move(op));
  }

  // A write that got no answer may or may not have happened; one the library refused to send
  // (a closed or expired handle) did not.
  static chaos::Result WriteResult(int rc) {
    if (rc == ZOK) {
      return chaos::Result::kOk;
    }
    if (rc == ZINVALIDSTATE || rc == ZSESSIONEXPIRED || rc == ZBADARGUMENTS) {
      return chaos::Result::kFail;
    }
    return chaos::Result::kInfo;
  }

  int index_;
  const ChaosOptions& options_;
  std::string hosts_;
  Shared* shared_;
  std::mt19937_64 rng_;
  int64_t process_;
  std::unique_ptr<ZkClient> client_;
  std::vector<chaos::Op> ops_;
  std::vector<std::string> own_;  // session: this session's ok ephemerals
  std::atomic<bool> watch_armed_{false};
  int64_t created_ = 0;
  std::mutex events_mu_;
  std::vector<chaos::Notification> notes_;
  std::vector<chaos::SessionEnd> ends_;
};

// The nemesis thread: starts and heals the scheduled faults, recording each in nemesis.jsonl.
void RunNemesis(const std::string& dir, const std::vector<Fault>& schedule, Shared* shared,
                std::vector<nlohmann::json>* log) {
  for (const Fault& f : schedule) {
    while (!shared->stop && shared->Since() < f.start_ms * 1'000'000) {
      SleepMs(20);
    }
    if (shared->stop) {
      return;
    }
    std::vector<int> targets;
    std::string error;
    const int64_t started = shared->Since();
    StartFault(dir, f, &targets, &error);
    log->push_back(FaultJson(f, "start", started, targets, error));
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->fault = f.Describe();
    }
    while (!shared->stop && shared->Since() < f.end_ms * 1'000'000) {
      SleepMs(20);
    }
    error.clear();
    HealFault(dir, f, &error);
    log->push_back(FaultJson(f, "end", shared->Since(), {}, error));
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->fault = "none";
  }
}

std::string Progress(const Shared& s, int64_t total_ms, const std::string& fault) {
  char line[256];
  std::snprintf(line, sizeof line, "chaos %5.1f/%.0fs  ok %lld  fail %lld  info %lld  fault: %s",
                double(s.Since()) / 1e9, double(total_ms) / 1000, (long long)s.ok.load(),
                (long long)s.fail.load(), (long long)s.info.load(), fault.c_str());
  return line;
}

// A digest of the workload's subtree as one member serves it: path, data and version of every
// child of the root and the names of their children, FNV-1a. Empty when the member did not answer.
std::string SubtreeDigest(ZkClient* client, int timeout_ms) {
  std::vector<std::string> children;
  if (client->Children(kRoot, timeout_ms, &children) != ZOK) {
    return {};
  }
  std::sort(children.begin(), children.end());
  std::string text;
  for (const std::string& child : children) {
    std::string data;
    int32_t version = -1;
    const std::string path = std::string(kRoot) + "/" + child;
    if (client->Get(path, timeout_ms, &data, &version) != ZOK) {
      return {};
    }
    text.append(path).append("=").append(data).append("@").append(std::to_string(version));
    text += "\n";
    std::vector<std::string> names;
    if (client->Children(path, timeout_ms, &names) != ZOK) {
      return {};
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      text.append(path).append("/").append(name).append("\n");
    }
  }
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h = (h ^ c) * 1099511628211ull;
  }
  char out[20];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

bool WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return bool(out);
}

std::string DefaultOutDir() {
  char name[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(name, sizeof name, "chaos-%Y%m%d-%H%M%S", &tm);
  return name;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Unknown(const std::string& why) {
  std::fflush(stderr);
  std::printf("verdict: unknown (%s)\n", why.c_str());
  return 3;
}

}  // namespace

int RunChaos(const ChaosOptions& o) {
  const fs::path out = o.out_dir.empty() ? fs::path(DefaultOutDir()) : fs::path(o.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    return Unknown("cannot create the output directory " + out.string() + ": " + ec.message());
  }
  RedirectClientLog((out / "client.log").string());
  zoo_deterministic_conn_order(1);

  // The cluster: our own (proxied links, so partitions work) or the one given.
  std::optional<BenchCluster> cluster;
  std::string home;
  if (o.cluster_dir.empty()) {
    char tmpl[] = "/tmp/pc-chaos-XXXXXX";  // short: the control socket's path must fit
    if (::mkdtemp(tmpl) == nullptr) {
      return Unknown("cannot create a state directory in /tmp");
    }
    home = tmpl;
    OwnClusterOptions own;
    own.engine = o.engine;
    own.voters = o.nodes;
    own.links = "proxied";
    // tickTime 1 s, not ZooKeeper's 2 s: a member cut off is noticed after syncLimit (5) ticks,
    // so faults of a few seconds lead to elections within a short run.
    own.tick_time_ms = 1000;
    std::string error;
    std::fprintf(stderr, "chaos: bringing up %d %s members with proxied links\n", o.nodes,
                 o.engine.c_str());
    cluster = BenchCluster::BringUp(home, "chaos", own, &error);
    if (!cluster) {
      fs::remove_all(home, ec);
      return Unknown(error);
    }
  } else {
    cluster.emplace(o.cluster_dir);
  }
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto finish = [&](int code) {
    if (o.cluster_dir.empty()) {
      cluster->BringDown();
      fs::remove_all(home, ec);
    }
    return code;
  };

  std::string error;
  if (!cluster->WaitReady(120, &error)) {
    return finish(Unknown(error));
  }
  const std::vector<Member> members = Members(*cluster);
  // A running cluster (--cluster) says which engine it runs; the title and the report use that.
  std::string engine = o.engine;
  if (!o.cluster_dir.empty()) {
    if (auto view = cluster->Status(&error)) {
      engine = view->engine;
    }
    std::fprintf(stderr, "chaos: cluster %s: %s, %zu members\n", o.cluster_dir.c_str(),
                 engine.c_str(), members.size());
  }
  const std::string all_hosts = HostList(members);
  chaos::History history;
  history.setup.workload = o.workload;
  {
    auto setup = ZkClient::Connect(all_hosts, kSessionTimeoutMs, 10000, &error);
    if (!setup) {
      return finish(Unknown(error));
    }
    setup->RemoveTree(kSequential);  // RemoveTree goes one level down
    setup->RemoveTree(kEphemerals);
    setup->RemoveTree(kRoot);
    const std::pair<const char*, const char*> nodes[] = {
        {kRoot, ""}, {kRegister, "0"}, {kSequential, ""}, {kEphemerals, ""}, {kWatched, "0"}};
    for (const auto& [path, data] : nodes) {
      std::string created;
      if (const int rc = setup->Create(path, data, 0, 10000, &created); rc != ZOK) {
        return finish(Unknown("cannot create " + std::string(path) + ": " + zerror(rc)));
      }
    }
  }

  Shared shared;
  shared.start_ns = NowNs();
  const int64_t start_wall_ms = WallMs();
  const std::vector<Fault> schedule = NemesisSchedule(o.seed, o.nemesis, o.interval_ms, o.time_ms,
                                                      static_cast<int>(members.size()));
  std::vector<std::unique_ptr<RegisterClient>> clients;
  std::vector<std::thread> threads;
  clients.reserve(static_cast<size_t>(o.clients));
  threads.reserve(static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_unique<RegisterClient>(i, o, HostsFor(members, i), &shared));
  }
  for (auto& c : clients) {
    threads.emplace_back([&c] { c->Run(); });
  }
  std::vector<nlohmann::json> nemesis_log;
  std::thread nemesis([&] { RunNemesis(cluster->dir(), schedule, &shared, &nemesis_log); });

  const bool tty = ::isatty(2);
  // Progress: on a terminal one line rewritten 5 times a second; else a line every 5 s and one
  // whenever a fault starts or ends.
  int64_t last_print = 0;
  std::string last_fault = "none";
  while (shared.Since() < o.time_ms * 1'000'000 && !g_interrupted) {
    SleepMs(100);
    const int64_t now = shared.Since();
    std::string fault;
    {
      std::lock_guard<std::mutex> lock(shared.mu);
      fault = shared.fault;
    }
    if (now - last_print >= (tty ? 200'000'000 : 5'000'000'000) || fault != last_fault) {
      last_print = now;
      last_fault = fault;
      std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", Progress(shared, o.time_ms, fault).c_str());
    }
  }
  shared.stop = true;
  auto join_clients = [&] {
    shared.release = true;
    for (auto& t : threads) {
      if (t.joinable()) {
        t.join();
      }
    }
  };
  if (o.workload != "session") {
    join_clients();  // session clients keep theirs until the end
  }
  nemesis.join();
  if (tty) {
    std::fprintf(stderr, "\n");
  }
  if (g_interrupted) {
    std::fprintf(stderr, "chaos: interrupted; healing and checking what ran\n");
  }

  // Heal everything and wait until every member runs and serves, then one write so every member
  // has processed a transaction of the last epoch (srvr's zxid is the last one processed).
  std::fprintf(stderr, "chaos: healing everything\n");
  std::string heal_error;
  HealAll(cluster->dir(), &heal_error);
  // A cluster that does not recover is no verdict on the history (the run still writes what it
  // recorded); the final reads are skipped.
  std::string not_recovered;
  if (!cluster->WaitReady(120, &error)) {
    not_recovered = "the cluster did not recover after the final heal: " + error;
  } else {
    auto c = ZkClient::Connect(all_hosts, kSessionTimeoutMs, 20000, &error);
    std::string created;
    if (!c || c->Create(kHealed, "", 0, 20000, &created) != ZOK) {
      not_recovered = "the write after the final heal did not succeed";
    }
  }
  if (o.workload == "session" && not_recovered.empty()) {
    shared.final_write = true;
    for (int i = 0; i < 600 && shared.final_done < o.clients; ++i) {
      SleepMs(50);
    }
  }
  // Every member caught up: the same last zxid everywhere (waits up to 30 s). Taken for all
  // members before the final reads, whose sessions are transactions too.
  std::vector<int64_t> last_zxids(members.size(), -1);
  for (int i = 0; not_recovered.empty() && i < 300; ++i) {
    std::set<int64_t> seen;
    for (size_t k = 0; k < members.size(); ++k) {
      SrvrReply r;
      last_zxids[k] = AskSrvr(members[k].client_port, &r) ? static_cast<int64_t>(r.zxid) : -1;
      seen.insert(last_zxids[k]);
    }
    if (seen.size() == 1) {
      break;
    }
    SleepMs(100);
  }
  // The final reads and digests, member by member.
  std::vector<chaos::Op> finals;
  for (size_t k = 0; not_recovered.empty() && k < members.size(); ++k) {
    const Member& m = members[k];
    chaos::MemberFacts facts;
    facts.member = m.id;
    facts.last_zxid = last_zxids[k];
    auto c = ZkClient::Connect(HostOf(m), kSessionTimeoutMs, 10000, &error);
    chaos::Op op;
    op.process = 100000 + m.id;
    op.kind = chaos::OpKind::kRead;
    op.final_read = true;
    op.invoke_ns = shared.Since();
    if (c) {
      op.session = c->SessionId();
      if (o.workload == "session") {
        chaos::Listing listing;
        listing.member = m.id;
        listing.path = kEphemerals;
        if (c->Children(kEphemerals, 20000, &listing.children) == ZOK) {
          for (const std::string& child : listing.children) {
            std::string data;
            int32_t version = -1;
            int64_t owner = 0;
            if (c->Get(std::string(kEphemerals) + "/" + child, 10000, &data, &version, &owner) ==
                    ZOK &&
                owner != 0) {
              char hex[32];
              std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(owner));
              listing.owners[child] = hex;
            }
          }
          listing.time_ns = shared.Since();
          history.listings.push_back(std::move(listing));
        }
      }
      if (o.workload == "sequential") {
        chaos::Listing listing;
        listing.member = m.id;
        listing.path = kSequential;
        if (c->Children(kSequential, 20000, &listing.children) == ZOK) {
          listing.time_ns = shared.Since();
          history.listings.push_back(std::move(listing));
        }
      }
      std::string data;
      int32_t version = -1;
      const int rc = c->Get(kRegister, 10000, &data, &version);
      op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
      if (rc == ZOK) {
        op.value = std::atoll(data.c_str());
        op.version = version;
      } else {
        op.error = zerror(rc);
      }
      facts.digest = SubtreeDigest(c.get(), 10000);
    } else {
      op.result = chaos::Result::kFail;
      op.error = error;
    }
    op.complete_ns = shared.Since();
    facts.time_ns = op.complete_ns;
    if (o.workload == "register") {
      finals.push_back(op);
    }
    history.members.push_back(facts);
  }

  // The supervisor's timeline: timeline.txt, and the leaders it saw per epoch.
  std::string timeline;
  Request(SocketPath(cluster->dir()), {{"cmd", "events"}, {"follow", false}},
          [&](const nlohmann::json& m) {
            if (!m.contains("event")) {
              return;
            }
            const Event e = EventFromJson(m["event"]);
            timeline += RenderEvent(e, false) + "\n";
            if (e.kind == "role" && e.data.value("role", "") == "leader") {
              chaos::LeaderSighting l;
              l.member = e.node;
              l.epoch = e.data.value("epoch", int64_t{-1});
              l.time_ns = std::max<int64_t>(0, (e.wall_ms - start_wall_ms) * 1'000'000);
              if (l.epoch >= 0) {
                history.leaders.push_back(l);
              }
            }
          });
  join_clients();
  finish(0);  // the cluster is no longer needed: take it down before the (CPU-bound) check

  // The history: every client's ops and the final reads, in invoke order.
  for (auto& c : clients) {
    for (chaos::Op& op : c->ops()) {
      history.ops.push_back(std::move(op));
    }
    for (auto& n : c->notifications()) {
      history.notifications.push_back(n);
    }
    for (auto& e : c->session_ends()) {
      history.session_ends.push_back(e);
    }
  }
  for (chaos::Op& op : finals) {
    history.ops.push_back(std::move(op));
  }
  std::stable_sort(
      history.ops.begin(), history.ops.end(),
      [](const chaos::Op& a, const chaos::Op& b) { return a.invoke_ns < b.invoke_ns; });
  for (size_t i = 0; i < history.ops.size(); ++i) {
    history.ops[i].id = static_cast<int>(i);
  }
  const std::string jsonl = chaos::HistoryToJsonl(history);
  std::string nemesis_text;
  for (const auto& j : nemesis_log) {
    nemesis_text += j.dump() + "\n";
  }
  WriteFile(out / "history.jsonl", jsonl);
  WriteFile(out / "nemesis.jsonl", nemesis_text);
  WriteFile(out / "timeline.txt", timeline);

  // Judged from the file, exactly as `chaos check` would.
  chaos::History parsed;
  if (!chaos::ParseHistory(jsonl, &parsed, &error)) {
    return Unknown("the recorded history does not parse: " + error);
  }
  const chaos::Verdict verdict = chaos::Judge(parsed, chaos::CheckOptions{});
  WriteFile(out / "verdict.json", chaos::VerdictJson(verdict, parsed).dump(2) + "\n");
  const std::string title = engine + ", " + std::to_string(members.size()) + " members, seed " +
                            std::to_string(o.seed) + ": " + chaos::VerdictLine(verdict, parsed);
  if (std::string plot_error = WriteChaosPlot(parsed, nemesis_log, title, out.string());
      !plot_error.empty()) {
    std::fprintf(stderr, "chaos: no plot: %s\n", plot_error.c_str());
  }
  std::fprintf(stderr, "chaos: output in %s\n", out.string().c_str());
  std::fflush(stderr);
  if (!not_recovered.empty() && verdict.outcome != chaos::Outcome::kInvalid) {
    std::fputs(chaos::RenderVerdict(verdict, parsed).c_str(), stdout);
    return Unknown(not_recovered);
  }
  std::fputs(chaos::RenderVerdict(verdict, parsed).c_str(), stdout);
  return chaos::ExitCode(verdict.outcome);
}

}  // namespace pc::loadgen
