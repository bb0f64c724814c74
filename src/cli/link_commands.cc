// Network faults between members of a cluster brought up with `up --faults`: partition,
// isolate, cut, delay, slow, heal and links (supervisor/supervisor_links.cc does the work).
// Every failure here — bad input, a cluster that is not running, a cluster with direct links —
// is one line on stderr and exit code 2, and changes nothing.
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/link_matrix.h"

namespace pc::cli {

namespace {

constexpr int kBadInput = 2;

int Refuse(const std::string& message) {
  Fail(message);
  return kBadInput;
}

struct LinkArgs {
  ClusterRef ref;
  std::vector<std::string> groups;  // partition
  std::string target, a, b;
  std::string delay, jitter, bandwidth;
  bool one_way = false, reset = false, json = false;
};

// Sends one link request; prints the supervisor's lines (or the JSON reply with --json).
int Send(const LinkArgs& args, const nlohmann::json& request, bool print_json = false) {
  const std::string dir = ResolveClusterDir(args.ref);
  ControlReply reply = Request(SocketPath(dir), request, [](const nlohmann::json& m) {
    if (m.contains("line")) std::printf("%s\n", m.value("line", "").c_str());
  });
  if (!reply.connected) return Refuse(NotRunning(dir));
  if (!reply.ok) return Refuse(reply.error);
  if (print_json) std::printf("%s\n", reply.data.dump(2).c_str());
  return 0;
}

std::string Size(uint64_t bytes) {
  char text[32];
  if (bytes < 10 * 1024) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KB", double(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1048576);
  }
  return text;
}

// One row per pair of members, both directions side by side.
std::string RenderLinks(const nlohmann::json& data, int64_t now_ms) {
  if (data.value("mode", "") != "proxied") {
    return "direct links: the members talk to each other without the supervisor in between "
           "(`up --faults` proxies them)\n";
  }
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-7s %-26s %-26s %10s %7s %10s %7s %5s  %s\n", "link",
                "a->b", "b->a", "bytes a->b", "msgs", "bytes b->a", "msgs", "conns",
                "last activity");
  out << line;
  const auto& links = data["links"];
  for (const auto& ab : links) {
    const int a = ab.value("from", 0), b = ab.value("to", 0);
    if (a > b) continue;
    nlohmann::json ba;
    for (const auto& l : links) {
      if (l.value("from", 0) == b && l.value("to", 0) == a) ba = l;
    }
    const int64_t last = std::max(ab.value("last_activity_ms", int64_t{-1}),
                                  ba.value("last_activity_ms", int64_t{-1}));
    char ago[32] = "never";
    if (last >= 0) std::snprintf(ago, sizeof ago, "%.1fs ago", double(now_ms - last) / 1000);
    const std::string pair = std::to_string(a) + " - " + std::to_string(b);
    std::snprintf(line, sizeof line, "%-7s %-26s %-26s %10s %7llu %10s %7llu %5d  %s\n",
                  pair.c_str(), ab.value("fault", "").c_str(), ba.value("fault", "").c_str(),
                  Size(ab.value("bytes", uint64_t{0})).c_str(),
                  static_cast<unsigned long long>(ab.value("messages", uint64_t{0})),
                  Size(ba.value("bytes", uint64_t{0})).c_str(),
                  static_cast<unsigned long long>(ba.value("messages", uint64_t{0})),
                  ab.value("connections", 0) + ba.value("connections", 0), ago);
    out << line;
  }
  return out.str();
}

int CmdLinks(const LinkArgs& args) {
  const std::string dir = ResolveClusterDir(args.ref);
  ControlReply reply = Request(SocketPath(dir), {{"cmd", "status"}});
  if (!reply.connected) return Refuse(NotRunning(dir));
  if (!reply.ok) return Refuse(reply.error);
  const nlohmann::json& links = reply.data["links"];
  if (args.json) {
    std::printf("%s\n", links.dump(2).c_str());
  } else {
    std::printf("%s", RenderLinks(links, reply.data["cluster"].value("uptime_ms", 0)).c_str());
  }
  return 0;
}

int CmdPartition(const LinkArgs& args) {
  nlohmann::json groups = nlohmann::json::array();
  for (const std::string& group : args.groups) {
    if (group == "|") continue;  // `partition 1,2 | 3,4,5`, as the simulator's scenarios write it
    nlohmann::json names = nlohmann::json::array();
    std::stringstream in(group);
    std::string name;
    while (std::getline(in, name, ',')) {
      if (name.empty()) return Refuse("partition: empty member in group '" + group + "'");
      names.push_back(name);
    }
    if (names.empty()) return Refuse("partition: empty group");
    groups.push_back(names);
  }
  return Send(args, {{"cmd", "partition"}, {"groups", groups}});
}

int CmdDelay(const LinkArgs& args) {
  auto delay = ParseDurationMs(args.delay);
  if (!delay) {
    return Refuse("delay '" + args.delay + "' does not parse: expected e.g. 50ms, 1.5s or 200");
  }
  auto jitter = args.jitter.empty() ? std::optional<int>(0) : ParseDurationMs(args.jitter);
  if (!jitter) {
    return Refuse("--jitter '" + args.jitter + "' does not parse: expected e.g. 10ms");
  }
  if (*jitter > *delay) {
    return Refuse("--jitter " + args.jitter + " is larger than the delay " + args.delay +
                  ": it would reorder nothing but make negative delays");
  }
  return Send(args, {{"cmd", "delay"},
                     {"a", args.a},
                     {"b", args.b},
                     {"delay_ms", *delay},
                     {"jitter_ms", *jitter}});
}

int CmdSlow(const LinkArgs& args) {
  auto rate = ParseBandwidth(args.bandwidth);
  if (!rate) {
    return Refuse("--bandwidth '" + args.bandwidth +
                  "' does not parse: expected e.g. 1MB/s, 512KB/s or 10Mbit/s");
  }
  return Send(args, {{"cmd", "slow"}, {"a", args.a}, {"b", args.b}, {"bandwidth_bps", *rate}});
}

int CmdHeal(const LinkArgs& args) {
  if (args.a.empty() != args.b.empty()) {
    return Refuse("heal takes no member (every link) or two (one link), not one");
  }
  if (args.a.empty()) return Send(args, {{"cmd", "heal"}});
  return Send(args, {{"cmd", "heal"}, {"a", args.a}, {"b", args.b}});
}

}  // namespace

void AddLinkCommands(CLI::App& app, CommandRun* chosen) {
  const char* member = "node id or role (leader, follower, observer)";
  auto a = std::make_shared<LinkArgs>();

  auto* partition = app.add_subcommand(
      "partition", "split the members into groups that cannot reach each other (--faults)");
  partition->add_option("GROUP", a->groups, "comma-separated members, e.g. 1,2 3,4,5")
      ->required();
  FinishWithClusterRef(partition, a->ref, chosen, [a] { return CmdPartition(*a); });

  auto* isolate = app.add_subcommand("isolate", "cut one member off from all others (--faults)");
  isolate->add_option("TARGET", a->target, member)->required();
  FinishWithClusterRef(isolate, a->ref, chosen,
                       [a] { return Send(*a, {{"cmd", "isolate"}, {"target", a->target}}); });

  auto* cut = app.add_subcommand("cut", "cut the link between two members (--faults)");
  cut->add_option("A", a->a, member)->required();
  cut->add_option("B", a->b, member)->required();
  cut->add_flag("--one-way", a->one_way, "only A's bytes no longer reach B");
  cut->add_flag("--reset", a->reset, "reset connections and refuse new ones instead of dropping");
  FinishWithClusterRef(cut, a->ref, chosen, [a] {
    return Send(*a, {{"cmd", "cut"},
                     {"a", a->a},
                     {"b", a->b},
                     {"one_way", a->one_way},
                     {"reset", a->reset}});
  });

  auto* delay = app.add_subcommand("delay", "delay the link(s) of a member, each way (--faults)");
  delay->add_option("A", a->a, member)->required();
  delay->add_option("B", a->b, "a member, or all")->required();
  delay->add_option("DELAY", a->delay, "e.g. 50ms (0 removes the delay)")->required();
  delay->add_option("--jitter", a->jitter, "± this much, e.g. 10ms");
  FinishWithClusterRef(delay, a->ref, chosen, [a] { return CmdDelay(*a); });

  auto* slow = app.add_subcommand("slow", "limit the bandwidth of a member's link(s) (--faults)");
  slow->add_option("A", a->a, member)->required();
  slow->add_option("B", a->b, "a member, or all")->required();
  slow->add_option("--bandwidth", a->bandwidth, "e.g. 1MB/s, 512KB/s, 10Mbit/s")->required();
  FinishWithClusterRef(slow, a->ref, chosen, [a] { return CmdSlow(*a); });

  auto* heal = app.add_subcommand("heal", "heal every link, or the one between A and B");
  heal->add_option("A", a->a, member);
  heal->add_option("B", a->b, member);
  FinishWithClusterRef(heal, a->ref, chosen, [a] { return CmdHeal(*a); });

  auto* links = app.add_subcommand("links", "every link: state, bytes and messages each way");
  links->add_flag("--json", a->json, "machine-readable output");
  FinishWithClusterRef(links, a->ref, chosen, [a] { return CmdLinks(*a); });
}

}  // namespace pc::cli
