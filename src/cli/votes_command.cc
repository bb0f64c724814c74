// `events --votes`: the election facts the supervisor keeps (vote_facts.h), in time order, with a
// header each time the election round changes and the one-line explanation at each decision.
#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"
#include "supervisor/timeline.h"

namespace pc::cli {

namespace {

// Prints facts as timeline lines, opening a `--- round N ---` group when the round changes.
// Without --follow, a fact repeated at once by the same member (a peer resends its vote to each
// new connection, so one notification often arrives many times) is printed once, with `(xN)`.
class VotePrinter {
 public:
  VotePrinter(bool absolute, bool collapse) : absolute_(absolute), collapse_(collapse) {}
  ~VotePrinter() { Flush(); }
  VotePrinter(const VotePrinter&) = delete;
  VotePrinter& operator=(const VotePrinter&) = delete;

  void Print(const nlohmann::json& fact) {
    const Event e = EventFromJson(fact);
    const std::string key = std::to_string(e.node) + " " + e.kind + " " + e.text;
    if (collapse_ && repeats_ > 0 && key == pending_key_) {
      ++repeats_;
      return;
    }
    Flush();
    // Votes and decisions say which round their member is in; a notification carries its
    // sender's round, which opens a group only when it is newer (a restarted member counts from
    // 1 again, and its first notifications must not break the group up).
    if (e.data.contains("round") && e.data["round"].is_number_integer()) {
      const int64_t r = e.data["round"].get<int64_t>();
      const bool says_round = e.kind == "vote" || e.kind == "decision";
      if (!opened_ || (says_round && r != round_) || r > round_) {
        round_ = r;
        opened_ = true;
        std::printf("--- round %lld ---\n", static_cast<long long>(round_));
      }
    }
    pending_line_ = RenderEvent(e, absolute_);
    pending_key_ = key;
    repeats_ = 1;
    if (!collapse_) Flush();
  }

  void Flush() {
    if (repeats_ == 0) return;
    if (repeats_ > 1) pending_line_ += " (x" + std::to_string(repeats_) + ")";
    std::printf("%s\n", pending_line_.c_str());
    repeats_ = 0;
  }

 private:
  bool absolute_;
  bool collapse_;
  bool opened_ = false;  // a round header was printed
  int64_t round_ = 0;
  std::string pending_line_, pending_key_;  // the last fact, not printed yet
  int repeats_ = 0;                         // how many times it came in a row; 0: none pending
};

}  // namespace

int CmdEventsVotes(const ClusterRef& ref, bool follow, bool json, bool absolute) {
  const std::string dir = ResolveClusterDir(ref);
  if (follow) {
    CatchInterrupts();
  }
  VotePrinter printer(absolute, !follow);
  const nlohmann::json request = {{"cmd", "events"}, {"votes", true}, {"follow", follow}};
  ControlReply reply = Request(SocketPath(dir), request, [&](const nlohmann::json& m) {
    if (!m.contains("vote")) {
      return;
    }
    if (json) {
      std::printf("%s\n", m["vote"].dump().c_str());  // one object per line
    } else {
      printer.Print(m["vote"]);
    }
    std::fflush(stdout);
  });
  printer.Flush();
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (follow) {
    return 0;  // ends when the supervisor exits or on Ctrl-C
  }
  return reply.ok ? 0 : Fail(reply.error);
}

}  // namespace pc::cli
