// The workload clients of `pseudo-cluster chaos` (chaos_run.h): one thread each, one op at a
// time, recording every op, notification and session end for the history; and what they share
// with the run (ChaosShared: the clock, the stop flags, the counts for progress). The znodes the
// workloads use are named here, for the run's setup and final reads too.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "chaos/history.h"
#include "loadgen/chaos_run.h"
#include "loadgen/zk_client.h"

namespace pc::loadgen {

constexpr const char* kRoot = "/pseudo-chaos";
constexpr const char* kRegister = "/pseudo-chaos/register";
constexpr const char* kSequential = "/pseudo-chaos/seq";  // the sequential workload's parent
constexpr const char* kEphemerals = "/pseudo-chaos/eph";  // the session workload's ephemerals
constexpr const char* kWatched = "/pseudo-chaos/w";       // its watched, written node
constexpr const char* kHealed = "/pseudo-chaos/healed";   // the write after the final heal
constexpr int kSessionTimeoutMs = 10000;
constexpr int kValues = 5;  // register values 0..4: few values make a hard history to check

void SleepMs(int64_t ms);

// What the run shares between its threads.
struct ChaosShared {
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

// One client of the workload, one op at a time. register: write / cas / read on one znode.
// sequential: persistent sequential creates under one parent, named p<process>- (so an info
// create can explain only a node of its own prefix). A process id is one sequence of ops; after an
// op whose outcome is unknown (info) the client goes on as a new process, as Jepsen does, so a
// process never has two ops outstanding.
class RegisterClient {
 public:
  RegisterClient(int index, const ChaosOptions& o, std::string hosts, ChaosShared* shared)
      : index_(index),
        options_(o),
        hosts_(std::move(hosts)),
        shared_(shared),
        rng_(o.seed * 1000003u + static_cast<uint64_t>(index)),
        process_(index) {}

  void Run();

  std::vector<chaos::Op>& ops() { return ops_; }
  std::vector<chaos::Notification>& notifications() { return notes_; }
  std::vector<chaos::SessionEnd>& session_ends() { return ends_; }

 private:
  void OneOp();
  void CreateOp(chaos::Op* op);
  // session: notifications and the session's expiry, recorded as they arrive.
  void Listen();

  // session: ephemerals created, looked at (exists), a watch on kWatched and writes to it, and
  // now and then a close (the next op then opens a new session, as a new process).
  void SessionOp(chaos::Op op);

  int WriteWatched(chaos::Op* op);
  // session, after the final heal: one ok write proves this session alive at the end (so the
  // session check may demand all its ephemerals in the final listings).
  void FinalWrite();

  void Record(chaos::Op op);
  // A write that got no answer may or may not have happened; one the library refused to send
  // (a closed or expired handle) did not.
  static chaos::Result WriteResult(int rc);

  int index_;
  const ChaosOptions& options_;
  std::string hosts_;
  ChaosShared* shared_;
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

}  // namespace pc::loadgen
