// leader-failover and clients-failover: what a client sees when the leader dies.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "lessons/lessons.h"
#include "lessons/zk_session.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::lessons {

namespace {

std::string Id(int id) { return std::to_string(id); }

constexpr int kSessionTimeoutMs = 6000;  // also the longest a single create or read may take

// Writes /leader-failover/w-N one after another through every member until stopped, and keeps
// the paths whose create was acknowledged. Its own thread; a lost connection only costs the
// writes that failed, the session comes back on another member.
class Writer {
 public:
  Writer(std::string hosts) : hosts_(std::move(hosts)), thread_([this] { Loop(); }) {}
  ~Writer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  std::vector<std::string> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int failed() const { return failed_; }

 private:
  void Loop() {
    std::unique_ptr<loadgen::ZkClient> session;
    for (int i = 0; !stop_ && !Interrupted(); ++i) {
      std::string error, created;
      if (!session) {
        session = loadgen::ZkClient::Connect(hosts_, kSessionTimeoutMs, 2000, &error);
        if (!session) {
          continue;
        }
      }
      char path[64];
      std::snprintf(path, sizeof path, "/leader-failover/w-%06d", i);
      const int rc = session->Create(path, "acknowledged", 0, kSessionTimeoutMs, &created);
      if (rc == ZOK) {
        std::lock_guard<std::mutex> lock(mu_);
        acked_.push_back(path);
      } else {
        ++failed_;
        if (rc == ZSESSIONEXPIRED || rc == ZINVALIDSTATE) {
          session.reset();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

  std::string hosts_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_{0};
  std::mutex mu_;
  std::vector<std::string> acked_;
  std::thread thread_;
};

// The re-election time of the last "leader" event, in ms; -1 when the timeline has none.
int64_t LastElectionMs(LessonRun& r) {
  int64_t ms = -1;
  for (const auto& e : r.Events()) {
    if (e.value("kind", "") == "leader" && e["data"].contains("election_ms")) {
      ms = e["data"].value("election_ms", int64_t{-1});
    }
  }
  return ms;
}

}  // namespace

void LeaderFailover(LessonRun& r) {
  r.Step("up");
  r.Up(3);
  const int old_leader = r.WaitLeader();
  r.ZkCli({1}, {"create", "/leader-failover"});

  r.Step("writer");
  Writer writer(r.Hosts({1, 2, 3}));
  r.WaitUntil(30, [&] { return writer.acked().size() >= 100; });
  const size_t before = writer.acked().size();
  r.Check(before > 0, r.Fact("writes_flow"),
          r.Fact("writes_acked", {{"n", std::to_string(before)}}));

  r.Step("kill_leader");
  r.MustPc({"kill", "leader"});
  const int new_leader = r.WaitLeader();
  r.ShowEvents();
  r.Check(new_leader != 0 && new_leader != old_leader,
          r.Fact("new_leader", {{"old", Id(old_leader)}}),
          new_leader == 0 ? r.Fact("no_leader") : r.Fact("leader_is", {{"id", Id(new_leader)}}));
  const int64_t election_ms = LastElectionMs(r);
  r.Say(r.Fact("election_took", {{"ms", std::to_string(election_ms)}}));
  const size_t at_kill = writer.acked().size();
  r.WaitUntil(30, [&] { return writer.acked().size() >= at_kill + 100; });

  r.Step("old_back");
  r.MustPc({"start", Id(old_leader)});
  r.WaitLeader();
  const std::string role = r.Role(old_leader);
  r.Check(role == "follower", r.Fact("role_is", {{"id", Id(old_leader)}, {"role", "follower"}}),
          r.Fact("role_is", {{"id", Id(old_leader)}, {"role", role}}));

  r.Step("read_back");
  writer.Stop();
  const std::vector<std::string> acked = writer.acked();
  int missing = 0;
  std::string error;
  auto session = loadgen::ZkClient::Connect(r.Hosts({old_leader}), kSessionTimeoutMs, 10000, &error);
  for (const auto& path : acked) {
    std::string data;
    int32_t version = -1;
    if (!session || session->Get(path, kSessionTimeoutMs, &data, &version) != ZOK) {
      ++missing;
    }
  }
  r.Say(r.Fact("writer_summary", {{"acked", std::to_string(acked.size())},
                                  {"failed", std::to_string(writer.failed())},
                                  {"id", Id(old_leader)}}));
  const std::string n = std::to_string(acked.size());
  const std::string none_lost = r.Fact("none_lost", {{"n", n}});
  r.Check(
      session && missing == 0, none_lost,
      missing == 0 ? none_lost : r.Fact("lost", {{"n", n}, {"missing", std::to_string(missing)}}));
}

namespace {

// Prints what the interactive zkCli wrote since *shown, without the SLF4J start-up lines.
void PrintNew(const InteractiveChild& cli, size_t* shown) {
  const std::string& out = cli.output();
  size_t at = *shown;
  while (at < out.size()) {
    size_t end = out.find('\n', at);
    if (end == std::string::npos) {
      break;  // an unfinished line waits for the next call
    }
    const std::string line = out.substr(at, end - at);
    if (line.rfind("SLF4J", 0) != 0 && line.find_first_not_of(" \r") != std::string::npos) {
      std::printf("  %s\n", line.c_str());
    }
    at = end + 1;
  }
  *shown = at;
  std::fflush(stdout);
}

// What `stat PATH` in the interactive zkCli says the owner session is; "" when it did not
// answer with one within timeout_s. Sends the command again every few seconds: while the
// client reconnects, a command fails with ConnectionLoss.
std::string EphemeralOwner(LessonRun& r, InteractiveChild& cli, const std::string& path,
                           double timeout_s) {
  const std::string key = "ephemeralOwner = ";
  std::string owner;
  r.WaitUntil(timeout_s, [&] {
    const size_t from = cli.output().size();
    std::printf("  zk> stat %s\n", path.c_str());
    cli.Send("stat " + path);
    const size_t at = cli.WaitFor(key, from, 3);
    if (at == std::string::npos) {
      return false;
    }
    owner = cli.output().substr(at + key.size(), cli.output().find('\n', at) - at - key.size());
    return true;
  });
  return owner;
}

}  // namespace

void ClientsFailover(LessonRun& r) {
  r.Step("up");
  r.Up(3);
  r.WaitLeader();

  r.Step("session");
  const std::string hosts = r.Hosts({1, 2, 3});
  std::printf("$ zkCli.sh -server %s\n", hosts.c_str());
  InteractiveChild cli({"/usr/share/zookeeper/bin/zkCli.sh", "-server", hosts});
  for (const char* line : {"create /clients-failover", "create -e /clients-failover/mine alive"}) {
    std::printf("  zk> %s\n", line);
    cli.Send(line);
  }
  size_t shown = 0;
  const std::string before = EphemeralOwner(r, cli, "/clients-failover/mine", 60);
  PrintNew(cli, &shown);
  r.Check(!before.empty(), r.Fact("session_open"),
          before.empty() ? r.Fact("no_session") : r.Fact("session_is", {{"session", before}}));

  r.Step("kill_leader");
  r.MustPc({"kill", "leader"});
  r.WaitLeader();
  r.ShowEvents();
  const std::string after = EphemeralOwner(r, cli, "/clients-failover/mine", 60);
  PrintNew(cli, &shown);
  const std::string same = r.Fact("same_session", {{"session", before}});
  r.Check(!before.empty() && after == before, same,
          after.empty()     ? r.Fact("node_gone")
          : after == before ? same
                            : r.Fact("session_is", {{"session", after}}));
  const size_t from = cli.output().size();
  cli.Send("quit");
  cli.WaitFor("Closed", from, 10);
}

}  // namespace pc::lessons
