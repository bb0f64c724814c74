#include "supervisor/zoo_cfg_merge.h"

#include <map>
#include <set>
#include <sstream>

namespace pc {

namespace {

struct Line {
  std::string raw;
  std::string key;  // empty for comments and blank lines
  std::string value;
};

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::vector<Line> Lines(const std::string& text) {
  std::vector<Line> lines;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    Line line{raw, {}, {}};
    const std::string t = Trim(raw);
    const size_t eq = t.find('=');
    if (!t.empty() && t[0] != '#' && eq != std::string::npos) {
      line.key = Trim(t.substr(0, eq));
      line.value = Trim(t.substr(eq + 1));
    }
    lines.push_back(line);
  }
  return lines;
}

std::map<std::string, std::string> Values(const std::vector<Line>& lines) {
  std::map<std::string, std::string> values;
  for (const Line& l : lines) {
    if (!l.key.empty()) values[l.key] = l.value;
  }
  return values;
}

std::string Quoted(const std::string& key, const std::string& value) {
  return "'" + key + "=" + value + "'";
}

std::string WhyOwned(const std::string& key) {
  if (key == "tickTime" || key == "initLimit" || key == "syncLimit") {
    return " (timing comes from up's --tick-time / --init-limit / --sync-limit or the cluster "
           "file)";
  }
  return " (pseudo-cluster sets ports, directories and server.N lines)";
}

}  // namespace

bool ZooCfgKeyOwned(const std::string& key) {
  static const std::set<std::string> owned = {"tickTime",
                                              "initLimit",
                                              "syncLimit",
                                              "dataDir",
                                              "dataLogDir",
                                              "clientPort",
                                              "clientPortAddress",
                                              "admin.enableServer",
                                              "peerType",
                                              "readonlymode.enabled",
                                              "localSessionsEnabled",
                                              "localSessionsUpgradingEnabled",
                                              "reconfigEnabled",
                                              "standaloneEnabled",
                                              "dynamicConfigFile",
                                              "DigestAuthenticationProvider.superDigest"};
  return owned.count(key) > 0 || key.rfind("server.", 0) == 0;
}

ZooCfgMerge MergeZooCfg(const std::string& current, const std::string& written,
                        const std::string& fresh) {
  if (current.empty() || current == written) {
    return {fresh, {}};
  }
  const std::vector<Line> mine = Lines(current);
  const std::vector<Line> ours = Lines(fresh);
  const std::map<std::string, std::string> ours_values = Values(ours);
  const std::map<std::string, std::string> before = Values(Lines(written));
  // Whether the learner's line differs from what pseudo-cluster wrote last.
  auto edited = [&](const Line& l) {
    auto was = before.find(l.key);
    return was == before.end() || was->second != l.value;
  };
  ZooCfgMerge merge;
  std::set<std::string> placed;
  for (const Line& l : mine) {
    if (l.key.empty()) {
      merge.text += l.raw + "\n";  // comments and blank lines stay as they are
      continue;
    }
    if (placed.count(l.key)) {
      merge.notes.push_back("dropped " + Quoted(l.key, l.value) + ": the key appears twice");
      continue;
    }
    placed.insert(l.key);
    if (!ZooCfgKeyOwned(l.key)) {
      merge.text += l.raw + "\n";
      if (edited(l)) merge.notes.push_back("kept your line " + Quoted(l.key, l.value));
      continue;
    }
    auto fresh_value = ours_values.find(l.key);
    if (fresh_value == ours_values.end()) {
      if (edited(l)) merge.notes.push_back("removed " + Quoted(l.key, l.value) + WhyOwned(l.key));
    } else if (fresh_value->second != l.value) {
      merge.text += l.key + "=" + fresh_value->second + "\n";
      if (edited(l)) {
        merge.notes.push_back("replaced " + Quoted(l.key, l.value) + " by " +
                              Quoted(l.key, fresh_value->second) + WhyOwned(l.key));
      }
    } else {
      merge.text += l.raw + "\n";
    }
  }
  // What pseudo-cluster writes and the file lacks: owned keys come back; a key the learner
  // deleted stays out; a key new since the last write comes in.
  for (const Line& l : ours) {
    if (l.key.empty() || placed.count(l.key)) continue;
    const bool deleted = before.count(l.key) > 0;
    if (ZooCfgKeyOwned(l.key)) {
      merge.text += l.raw + "\n";
      if (deleted) merge.notes.push_back("restored " + Quoted(l.key, l.value) + WhyOwned(l.key));
    } else if (deleted) {
      merge.notes.push_back("left out " + Quoted(l.key, l.value) + " as you removed it");
    } else {
      merge.text += l.raw + "\n";
    }
  }
  return merge;
}

}  // namespace pc
