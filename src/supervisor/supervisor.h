// Supervisor: the one process per cluster that owns the server processes. Runs a single libuv
// loop (the only thread); everything below is touched from it alone.
//
//  - spawns every node (NodeProcess), notices exits, and restarts nothing on its own;
//  - learns roles: zkd reports them on its event pipe (zkd_events.h), Apache ZooKeeper (and a zkd
//    that has sent no event) is polled with `srvr` every poll interval, its epoch read from
//    data/version-2/currentEpoch;
//  - keeps the Timeline (starts, exits, roles, elections, windows without a leader, quorum);
//  - keeps the election's facts apart, in a VoteLog (vote_facts.h): zkd reports them on its
//    event pipe, Apache's are read from the members' logs (supervisor_votes.cc);
//  - serves commands on <cluster dir>/supervisor.sock: one JSON request per line, answered by
//    JSON lines (see control_protocol.h);
//  - with `up --faults`, owns the LinkLayer (link_layer.h): every peer link passes through it, and
//    partition / isolate / cut / delay / slow / heal set the faults (supervisor_links.cc);
//  - with `up --reconfig`, grows and shrinks the ensemble (`add`, `remove`, `promote`,
//    `demote`) through
//    ZooKeeper's reconfig, one change at a time (supervisor_reconfig.cc);
//  - on SIGINT/SIGTERM/SIGHUP or `down`, stops every server (SIGTERM, SIGKILL after a grace
//    period) before exiting. If it is killed outright, PR_SET_PDEATHSIG takes the servers down.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "supervisor/apache_election_log.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/engine.h"
#include "supervisor/link_layer.h"
#include "supervisor/log_tail.h"
#include "supervisor/node_process.h"
#include "supervisor/reconfig_call.h"
#include "supervisor/timeline.h"
#include "supervisor/vote_facts.h"
#include "supervisor/zkd_events.h"

namespace pc {

class Supervisor {
 public:
  static constexpr int kStopGraceMs = 5000;
  static constexpr int kStartAwaitMs = 90000;
  // How long `start` waits for a member that is up to join the quorum that runs (lead, follow or
  // observe): an Apache member with a duplicate myid answers `srvr` first and exits seconds later.
  static constexpr int kJoinAwaitMs = 15000;
  static constexpr size_t kConnectionsMax = 64;
  static constexpr size_t kRequestBytesMax = size_t{64} * 1024;
  // A subscriber (`events -f`, `events --votes -f`) with more than this queued and unwritten
  // (beyond its replay of the timeline) is not reading: it is dropped, so a stalled reader
  // cannot grow the supervisor without bound.
  static constexpr size_t kPendingWriteBytesMax = size_t{1} << 20;
  // A dropped subscriber keeps its connection this long, for its queue and the note to drain.
  static constexpr int64_t kDroppedGraceMs = 60000;

  Supervisor(ClusterSpec spec, std::string cluster_dir, Launcher launcher, std::string self_exe);
  ~Supervisor();

  // Listens, starts every node, runs the loop until shutdown. Returns the process exit code.
  int Run();

  struct Connection;  // a control-socket client; defined in supervisor_control.cc

  // The web page (`pseudo-cluster ui`) is served from the supervisor's process, on threads of
  // its own that talk to this loop over the control socket like any client (supervisor_ui.cc).
  // The command line installs the starter, as src/ui sits above this library: it binds
  // 127.0.0.1:port (0: a free one) and returns the page's address with its token, or "" and
  // *error. Called on the loop; returns once the port is bound.
  using UiStarter =
      std::function<std::string(const std::string& cluster_dir, int port, std::string* error)>;
  static void SetUiStarter(UiStarter starter);

  // `add` and `remove` reconfigure through this runner (reconfig_call.h), installed by the
  // command line like the UI starter; without one they answer that they cannot.
  static void SetReconfigRunner(ReconfigRunner runner);

 private:
  struct NodeView {
    Role role = Role::kUnknown;
    bool serving = false;
    int64_t epoch = -1;
    uint64_t zxid = 0;
    int connections = -1;
    bool poll_in_flight = false;
    bool has_events = false;  // zkd sent at least one event: its roles come from events only
    bool answered = false;    // answered a four-letter word since it started
    std::string last_exit;    // "killed by SIGKILL: <last log line>"
    Role last_role = Role::kUnknown;  // last settled role (not looking), for `start followers`
  };

  // --- nodes and roles (supervisor.cc) ---
  void StartNode(int id, const char* why);
  void AddNodeProcess(int id);  // the NodeProcess and views of member `id` (at Run, and `add`)
  void OnNodeStart(NodeProcess& node);
  void OnNodeExit(NodeProcess& node, const NodeProcess::Exit& exit);
  void OnNodeEventLine(NodeProcess& node, const std::string& line);
  // Why `node` exited unasked: from its run's log (exit_reason.h), worded as a duplicate or a
  // missing myid with the command that fixes it where the log shows one.
  std::string ExitReason(const NodeProcess& node) const;
  void SetRole(int id, Role role, bool serving, int64_t epoch, uint64_t zxid);
  void Poll();
  void EvaluateCluster();
  void AddEvent(int node, std::string kind, std::string text, nlohmann::json data = nullptr);
  int RunningVoters() const;
  int QuorumSize() const { return spec_.voter_count() / 2 + 1; }
  int LeaderId() const;
  bool IsReady() const;
  nlohmann::json StatusJson() const;
  NodeProcess& node(int id) { return *nodes_[id - 1]; }
  const NodeProcess& node(int id) const { return *nodes_[id - 1]; }
  NodeView& view(int id) { return views_[id - 1]; }
  const NodeView& view(int id) const { return views_[id - 1]; }
  std::string DisplayRole(int id) const;
  int64_t NowMs() const;
  void BeginShutdown(const char* why);
  void MaybeFinishShutdown();

  // --- start-up order (supervisor_startup.cc) ---
  // At Run: every member, none (`up --no-start`) or the first of `up --one-by-one`.
  void StartMembers();
  // One-by-one: starts the next queued member `start_gap_ms` after the last one is up.
  void MaybeStartNext();
  // Whether the member last started one-by-one is far enough to start the next: it has exited,
  // or it is up and, once a quorum of voters runs, has a settled role (so that the order of the
  // starts, not a race, decides who leads: with 3 members started one by one, node2 leads).
  bool ReadyForNext(int id) const;
  bool Queued(int id) const;

  // --- election facts (supervisor_votes.cc) ---
  static constexpr int64_t kDropNoticeMs = 60000;  // at most one "dropped" line a minute
  void StartVoteSources();  // Apache: a LogTail per member, from the logs' current ends
  // Stores a fact (a decision gets its explanation first) and streams it to `events --votes -f`;
  // a leader's decision also goes on the timeline, as one line.
  void AddVoteFact(VoteFact fact);
  void ReadApacheLogs();             // new election lines of every Apache member
  void ApacheMemberStarted(int id);  // its previous run's lines no longer count
  void NoticeDroppedVotes();         // the timeline says how many facts were lost
  std::vector<VoteFact> ElectionFactsOf(int id) const;  // since its previous decision
  std::set<int> VoterIds() const;
  bool IsVoteSubscriber(const Connection* conn) const;

  // --- control socket (supervisor_control.cc) ---
  std::string Listen();
  void OnRequest(Connection* conn, const nlohmann::json& request);
  void OnUiRequest(Connection* conn, const nlohmann::json& request);  // supervisor_ui.cc
  void Send(Connection* conn, const nlohmann::json& message);
  void Reply(Connection* conn, bool ok, const std::string& error, nlohmann::json data = nullptr);
  void CloseConnection(Connection* conn);  // after pending writes
  void CloseNow(Connection* conn);         // queued writes are cancelled
  // A subscriber over kPendingWriteBytesMax: no more events, a note to it, in the log and on
  // the timeline (from NoteDroppedSubscribers, after the event being sent has gone to all).
  void DropSubscriber(Connection* conn);
  void NoteDroppedSubscribers();
  void CloseStalledConnections();  // dropped ones whose queue did not drain in the grace
  bool IsSubscriber(const Connection* conn) const;
  void StopListening();
  // Node ids for a target; for start/restart, roles mean the role a stopped node last had.
  std::vector<int> ResolveTarget(const std::string& action, const std::string& target,
                                 std::string* error) const;
  void DoAction(Connection* conn, const std::string& action, const nlohmann::json& request);
  // Carries out `action` on node `id`; the line that tells the user what happened.
  std::string ActOn(int id, const std::string& action, int signal);
  std::string QuorumWarning(const std::string& action, const std::vector<int>& ids) const;
  // A member action that answers once what it began has happened: kill and stop once the
  // member has exited, start and restart once it is up (it answers or reports a role, and joins
  // the quorum if one runs) or has exited again (then with the reason, and as a failure), or at
  // the deadline (supervisor_members.cc).
  struct PendingAction {
    Connection* conn;
    std::string action;
    std::vector<int> ids;
    std::vector<int> exits_before;  // exits_[id] at the request
    std::vector<int> stops;         // exits the action itself causes first (restart: 1)
    std::vector<bool> settled;
    int64_t requested_ms;
    int64_t deadline_ms;
    std::vector<int> failed;  // members that exited or did not start
  };
  // Whether `action` on `id` must be waited for (kill with a signal that may not end it is not).
  static bool Awaits(const std::string& action, int signal);
  int64_t AwaitMs(const std::string& action) const;
  void SettleActions();
  // "" while member i of `p` has not settled, else the line that says how it ended; *failed
  // when the member died or could not start.
  std::string SettledLine(const PendingAction& p, size_t i, bool* failed) const;
  // Leads, follows, observes or runs standalone.
  bool HasJoined(int id) const;
  // The number in the member's data/myid; -1 when it cannot be read.
  int64_t MyidOnDisk(int id) const;
  static void OnNewConnection(uv_stream_t* server, int status);

  // --- add and remove: dynamic reconfiguration (supervisor_reconfig.cc) ---
  // One at a time. `add`: lay out member N+1 (zoo.cfg, myid, dynamic config = the current one
  // plus itself), start it, wait until it follows the leader as a non-voting member, reconfig it
  // in, wait until it follows (or observes) as a member. `remove`: reconfig it out, wait for a
  // leader other than it, stop it. `promote` / `demote`: reconfig an observer in as a
  // participant (or back), wait until it follows (observes). cluster.json records every change (ClusterSpec::reshaped).
  struct Reshape {
    enum class Step { kStarting, kReconfiguring, kJoining, kHandingOver, kStopping };
    Connection* conn;  // nullptr once the client has gone; the work carries on
    bool add;
    int id;
    bool observer;
    Step step;
    int64_t deadline_ms;
    int exits_before;
    bool role_change = false;  // `promote` / `demote`: a member added again in its new role
    // `promote` / `demote`: its cluster.json entry before, put back if ZooKeeper refuses.
    std::optional<MemberKind> kind_before;
  };
  void DoAdd(Connection* conn, const nlohmann::json& request);
  void DoChangeRole(Connection* conn, const nlohmann::json& request, bool to_observer);
  void DoRemove(Connection* conn, const nlohmann::json& request);
  int ReshapeTarget(Connection* conn, const std::string& cmd, const nlohmann::json& request,
                    bool several);
  std::string ReshapeRefusal() const;  // "" when add/remove may start now
  void StartReconfig(const std::string& joining, const std::string& leaving);
  void OnReconfigDone(const ReconfigAnswer& answer);
  void AdvanceReshape();  // from SettleActions: whenever a role or a process changes
  void ReshapeLine(const std::string& line);
  void FinishReshape(bool ok, const std::string& text, bool bad_input);
  void DropNewMember(int id);  // an add that failed: stop it, mark it removed
  std::string ServerLine(int id) const;  // "server.4=127.0.0.1:...:participant;127.0.0.1:2184"
  std::string QuorumText() const;        // "4 voters, quorum 3"
  void SaveSpec() const;                 // cluster.json

  // --- link faults (supervisor_links.cc) ---
  void DoLinkCommand(Connection* conn, const std::string& cmd, const nlohmann::json& request);
  // Builds the matrix `cmd` asks for from the current one; false and *error on bad input.
  bool PlanLinks(const std::string& cmd, const nlohmann::json& request, LinkMatrix* next,
                 std::string* what, std::string* error) const;
  bool PlanPartition(const std::vector<std::vector<int>>& groups, LinkMatrix* next,
                     std::string* what, std::string* error) const;
  // The one node a fault command's argument names; 0 and *error otherwise.
  int OneNode(const std::string& target, std::string* error) const;
  nlohmann::json LinksJson() const;
  // ", 1.234s after partition {1,2} | {3,4,5}" while a link change is on record, else "".
  std::string SinceLinkChange() const;
  static void OnConnectionRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

  ClusterSpec spec_;
  std::string cluster_dir_;
  std::string ui_url_;  // the page's address once served ("" before)
  int ui_port_ = 0;
  Launcher launcher_;
  std::string self_exe_;
  uv_loop_t loop_;
  uv_pipe_t server_;
  uv_timer_t poll_timer_;
  uv_signal_t signals_[3];
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<NodeView> views_;
  std::vector<Connection*> connections_;
  std::vector<std::string> dropped_subscribers_;  // what each one missed, not yet noted
  std::unique_ptr<LinkLayer> links_;              // only with proxied links
  struct LinkChange {
    int64_t t_ms;
    std::string what;
  };
  std::optional<LinkChange> last_link_change_;
  std::vector<PendingAction> pending_actions_;
  std::optional<Reshape> reshape_;
  std::vector<int> exits_;            // [id - 1]: exits seen, for PendingAction
  std::vector<int> restart_pending_;  // node ids to start again once they have exited
  std::vector<int> start_queue_;      // one-by-one: members still to start, in order
  int last_queued_ = 0;               // the member the queue started last
  int64_t last_queued_ms_ = 0;        // when
  uv_timer_t start_timer_;            // the gap before the next one-by-one start
  bool start_timer_armed_ = false;
  Timeline timeline_;
  VoteLog votes_;
  std::vector<LogTail> apache_logs_;                     // [id - 1], Apache only
  std::vector<int64_t> apache_log_local_ms_;             // [id - 1]: its last line's time
  std::unique_ptr<ApacheElectionTracker> apache_votes_;  // Apache only
  int64_t votes_lost_by_members_ = 0;  // reported by members, not yet on the timeline
  int64_t votes_pushed_out_ = 0;       // out of the full VoteLog, not yet on the timeline
  int64_t last_drop_notice_ms_ = -1;
  int64_t start_wall_ms_ = 0;  // Unix time at start_ms_
  int64_t start_ms_ = 0;
  int leader_ = 0;                          // current leader id, 0 = none
  int64_t leader_epoch_ = -1;               // its epoch
  std::optional<int64_t> no_leader_since_;  // loop ms when the last leader was lost (or start)
  bool quorum_ = false;                     // a quorum of voters is running
  bool had_quorum_ = false;                 // ever: the first one is "reached", not "regained"
  bool ready_ = false;
  bool shutting_down_ = false;
  bool listening_ = false;
  bool booting_ = false;  // starting the nodes at `up`: no quorum events yet
};

}  // namespace pc
