// `events --votes`: the election facts the supervisor keeps (vote_facts.h), in time order, with a
// header each time the election round changes and the one-line explanation at each decision.
#include <cstdint>
#include <cstdio>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"
#include "supervisor/timeline.h"

namespace pc::cli {

namespace {

// Prints facts as timeline lines, opening a `--- round N ---` group when the round changes.
class VotePrinter {
 public:
  explicit VotePrinter(bool absolute) : absolute_(absolute) {}

  void Print(const nlohmann::json& fact) {
    const Event e = EventFromJson(fact);
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
    std::printf("%s\n", RenderEvent(e, absolute_).c_str());
  }

 private:
  bool absolute_;
  bool opened_ = false;  // a round header was printed
  int64_t round_ = 0;
};

}  // namespace

int CmdEventsVotes(const ClusterRef& ref, bool follow, bool json, bool absolute) {
  const std::string dir = ResolveClusterDir(ref);
  if (follow) {
    CatchInterrupts();
  }
  VotePrinter printer(absolute);
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
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (follow) {
    return 0;  // ends when the supervisor exits or on Ctrl-C
  }
  return reply.ok ? 0 : Fail(reply.error);
}

}  // namespace pc::cli
