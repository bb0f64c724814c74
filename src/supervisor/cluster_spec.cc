#include "supervisor/cluster_spec.h"

#include <ini.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace pc {

const char* EngineName(Engine engine) { return engine == Engine::kApache ? "apache" : "zkd"; }

std::optional<Engine> ParseEngine(const std::string& text) {
  if (text == "zkd") {
    return Engine::kZkd;
  }
  if (text == "apache") {
    return Engine::kApache;
  }
  return std::nullopt;
}

const char* StartOrderName(StartOrder order) {
  switch (order) {
    case StartOrder::kAll:
      return "all";
    case StartOrder::kNone:
      return "none";
    case StartOrder::kOneByOne:
      return "one-by-one";
  }
  return "all";
}

std::optional<StartOrder> ParseStartOrder(const std::string& text) {
  for (StartOrder order : {StartOrder::kAll, StartOrder::kNone, StartOrder::kOneByOne}) {
    if (text == StartOrderName(order)) {
      return order;
    }
  }
  return std::nullopt;
}

std::optional<int> ParseDurationMs(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(number) || number < 0) return std::nullopt;
  const std::string unit(end);
  double ms;
  if (unit.empty() || unit == "ms") {
    ms = number;
  } else if (unit == "s") {
    ms = number * 1000;
  } else if (unit == "us") {
    ms = number / 1000;
  } else {
    return std::nullopt;
  }
  if (ms > 3600 * 1000.0) return std::nullopt;
  return static_cast<int>(std::lround(ms));
}

namespace {

std::optional<int> ParseInt(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

struct IniState {
  ClusterSpec* spec;
  std::string error;  // first error, without the "file:line: " prefix
};

// inih handler: returns 0 on a bad key or value so ini_parse reports the line.
int OnIniKey(void* user, const char* section, const char* key, const char* value) {
  auto* state = static_cast<IniState*>(user);
  auto fail = [&](const std::string& message) {
    if (state->error.empty()) {
      state->error = message;
    }
    return 0;
  };
  if (std::strcmp(section, "cluster") != 0) {
    return fail("unknown section [" + std::string(section) + "], expected [cluster]");
  }
  ClusterSpec& spec = *state->spec;
  const std::string k = key;
  const std::string v = value;
  auto set_int = [&](int& field, int min, int max) {
    auto n = ParseInt(v);
    if (!n || *n < min || *n > max) {
      return fail("bad value '" + v + "' for " + k + ": expected a number from " +
                  std::to_string(min) + " to " + std::to_string(max));
    }
    field = *n;
    return 1;
  };
  if (k == "name") {
    if (v.empty() || v.find('/') != std::string::npos) {
      return fail("bad value '" + v + "' for name");
    }
    spec.name = v;
  } else if (k == "size") {
    return set_int(spec.voters, 1, 15);
  } else if (k == "observers") {
    return set_int(spec.observers, 0, 15);
  } else if (k == "engine") {
    auto engine = ParseEngine(v);
    if (!engine) {
      return fail("bad value '" + v + "' for engine: expected zkd or apache");
    }
    spec.engine = *engine;
  } else if (k == "base_ports") {
    auto ports = ParseBasePorts(v);
    if (!ports) {
      return fail("bad value '" + v + "' for base_ports: expected client,quorum,election");
    }
    spec.base = *ports;
  } else if (k == "tick_time") {
    return set_int(spec.tick_time_ms, 10, 60000);
  } else if (k == "init_limit") {
    return set_int(spec.init_limit, 1, 1000);
  } else if (k == "sync_limit") {
    return set_int(spec.sync_limit, 1, 1000);
  } else if (k == "dir") {
    spec.dir = v;
  } else if (k == "zookeeper_home") {
    spec.zookeeper_home = v;
  } else if (k == "apache_jvm") {
    if (v != "tuned" && v != "stock") {
      return fail("bad value '" + v + "' for apache_jvm: expected tuned or stock");
    }
    spec.apache_jvm = v;
  } else if (k == "faults" || k == "read_only_mode" || k == "tls" || k == "reconfig") {
    if (v != "true" && v != "false") {
      return fail("bad value '" + v + "' for " + k + ": expected true or false");
    }
    (k == "faults"     ? spec.proxied_links
     : k == "tls"      ? spec.tls
     : k == "reconfig" ? spec.reconfig
                       : spec.read_only_mode) =
        v == "true";
  } else if (k == "max_client_cnxns") {
    return set_int(spec.max_client_cnxns, 0, 100000);
  } else if (k == "start") {
    auto order = ParseStartOrder(v);
    if (!order) {
      return fail("bad value '" + v + "' for start: expected all, none or one-by-one");
    }
    spec.start = *order;
  } else if (k == "start_gap") {
    auto ms = ParseDurationMs(v);
    if (!ms) {
      return fail("bad value '" + v + "' for start_gap: expected a duration such as 1s or 500ms");
    }
    spec.start_gap_ms = *ms;
  } else {
    return fail("unknown key '" + k +
                "' (known: name, size, observers, engine, base_ports, tick_time, init_limit, "
                "sync_limit, dir, zookeeper_home, apache_jvm, faults, read_only_mode, tls, "
                "max_client_cnxns, start, start_gap, reconfig)");
  }
  return 1;
}

}  // namespace

std::optional<BasePorts> ParseBasePorts(const std::string& text) {
  int values[3];
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    size_t comma = text.find(',', start);
    if ((i < 2) != (comma != std::string::npos)) {
      return std::nullopt;
    }
    std::string part = text.substr(start, i < 2 ? comma - start : std::string::npos);
    while (!part.empty() && part.front() == ' ') {
      part.erase(part.begin());
    }
    while (!part.empty() && part.back() == ' ') {
      part.pop_back();
    }
    auto n = ParseInt(part);
    if (!n || *n < 1 || *n > 65535) {
      return std::nullopt;
    }
    values[i] = *n;
    start = comma + 1;
  }
  return BasePorts{values[0], values[1], values[2]};
}

SpecResult LoadClusterIni(const std::string& path, ClusterSpec& spec) {
  IniState state{&spec, {}};
  int rc = ini_parse(path.c_str(), OnIniKey, &state);
  if (rc == -1) {
    return {path + ": cannot open (check the path)"};
  }
  if (rc == -2) {
    return {path + ": out of memory while parsing"};
  }
  if (rc > 0) {
    std::string why = state.error.empty() ? "syntax error (expected key = value)" : state.error;
    return {path + ":" + std::to_string(rc) + ": " + why};
  }
  return {};
}

SpecResult CheckSpec(const ClusterSpec& spec) {
  if (spec.voters < 1 || spec.voters > 15) {
    return {"size must be 1..15"};
  }
  if (spec.observers < 0 || spec.observers > 15) {
    return {"observers must be 0..15"};
  }
  if (spec.observers > 0 && spec.voters < 2) {
    return {"observers need an ensemble: use at least 2 voters with --observers"};
  }
  if (spec.proxied_links && spec.nodes() < 2) {
    return {"--faults proxies the links between members: it needs at least 2 members"};
  }
  const int n = spec.nodes();
  // With --tls the secure client ports are a fourth range.
  const int bases[4] = {spec.base.client, spec.base.quorum, spec.base.election,
                        spec.base.client + kSecurePortShift};
  const char* names[4] = {"client", "quorum", "election", "secure client (--tls)"};
  const int ranges = spec.tls ? 4 : 3;
  for (int i = 0; i < ranges; ++i) {
    if (bases[i] < 2 || bases[i] - 1 + n > 65535) {
      return {std::string(names[i]) + " base port " + std::to_string(bases[i]) +
              " does not leave room for " + std::to_string(n) + " nodes"};
    }
    for (int j = i + 1; j < ranges; ++j) {
      // Node i uses base-1+i: the ranges [base, base+n-1] must not overlap.
      if (bases[i] < bases[j] + n && bases[j] < bases[i] + n) {
        return {std::string(names[i]) + " ports " + std::to_string(bases[i]) + ".. and " +
                names[j] + " ports " + std::to_string(bases[j]) + ".. overlap for " +
                std::to_string(n) + " nodes; choose bases further apart"};
      }
    }
  }
  if (spec.tick_time_ms < 10) {
    return {"tick_time must be at least 10 ms"};
  }
  return {};
}

}  // namespace pc

#include <nlohmann/json.hpp>

namespace pc {

namespace {

const char* MemberKindName(MemberKind kind) {
  switch (kind) {
    case MemberKind::kParticipant:
      return "participant";
    case MemberKind::kObserver:
      return "observer";
    case MemberKind::kRemoved:
      return "removed";
  }
  return "participant";
}

// {"4": "participant", "2": "removed"}: only the ids `add` and `remove` changed.
nlohmann::json ReshapedToJson(const ClusterSpec& spec) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [id, kind] : spec.reshaped) j[std::to_string(id)] = MemberKindName(kind);
  return j;
}

}  // namespace

nlohmann::json SpecToJson(const ClusterSpec& spec) {
  return {{"name", spec.name},
          {"size", spec.voters},
          {"observers", spec.observers},
          {"engine", EngineName(spec.engine)},
          {"base_ports", {spec.base.client, spec.base.quorum, spec.base.election}},
          {"tick_time", spec.tick_time_ms},
          {"init_limit", spec.init_limit},
          {"sync_limit", spec.sync_limit},
          {"dir", spec.dir},
          {"zookeeper_home", spec.zookeeper_home},
          {"apache_jvm", spec.apache_jvm},
          {"faults", spec.proxied_links},
          {"read_only_mode", spec.read_only_mode},
          {"tls", spec.tls},
          {"max_client_cnxns", spec.max_client_cnxns},
          {"start", StartOrderName(spec.start)},
          {"start_gap_ms", spec.start_gap_ms},
          {"reconfig", spec.reconfig},
          {"added", spec.added},
          {"reshaped", ReshapedToJson(spec)}};
}

ClusterSpec SpecFromJson(const nlohmann::json& j) {
  ClusterSpec spec;
  spec.name = j.value("name", spec.name);
  spec.voters = j.value("size", spec.voters);
  spec.observers = j.value("observers", spec.observers);
  spec.engine = ParseEngine(j.value("engine", "zkd")).value_or(Engine::kZkd);
  if (j.contains("base_ports") && j["base_ports"].size() == 3) {
    spec.base = {j["base_ports"][0], j["base_ports"][1], j["base_ports"][2]};
  }
  spec.tick_time_ms = j.value("tick_time", spec.tick_time_ms);
  spec.init_limit = j.value("init_limit", spec.init_limit);
  spec.sync_limit = j.value("sync_limit", spec.sync_limit);
  spec.dir = j.value("dir", "");
  spec.zookeeper_home = j.value("zookeeper_home", "");
  spec.apache_jvm = j.value("apache_jvm", spec.apache_jvm);
  spec.proxied_links = j.value("faults", false);
  spec.read_only_mode = j.value("read_only_mode", false);
  spec.tls = j.value("tls", false);
  spec.max_client_cnxns = j.value("max_client_cnxns", -1);
  spec.start = ParseStartOrder(j.value("start", "all")).value_or(StartOrder::kAll);
  spec.start_gap_ms = j.value("start_gap_ms", spec.start_gap_ms);
  spec.reconfig = j.value("reconfig", false);
  spec.added = j.value("added", 0);
  if (j.contains("reshaped") && j["reshaped"].is_object()) {
    for (const auto& [key, value] : j["reshaped"].items()) {
      const std::string kind = value.is_string() ? value.get<std::string>() : "";
      spec.reshaped[std::atoi(key.c_str())] = kind == "removed"    ? MemberKind::kRemoved
                                              : kind == "observer" ? MemberKind::kObserver
                                                                   : MemberKind::kParticipant;
    }
  }
  return spec;
}

}  // namespace pc
