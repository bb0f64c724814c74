#include "server/config.h"

#include "server/dynamic_config_file.h"

#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace zk {

const std::set<std::string>& KnownFourLetterWords() {
  static const std::set<std::string> words = {"conf", "cons", "crst", "dirs", "dump", "envi",
                                              "gtmk", "ruok", "stmk", "srst", "srvr", "stat",
                                              "wchc", "wchp", "wchs", "mntr", "isro", "hash"};
  return words;
}

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

int CollectPair(void* user, const char* section, const char* name, const char* value) {
  auto* pairs = static_cast<Pairs*>(user);
  std::string key = name;
  // A zoo.cfg has no sections; a "[x]" line would make inih prefix nothing, so keep it visible.
  if (section != nullptr && section[0] != '\0') key = std::string(section) + "." + key;
  pairs->emplace_back(std::move(key), value);
  return 1;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Decimal, or hex with 0x (Java's Integer.decode, which jute.maxbuffer goes through).
bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  bool neg = false;
  if (*b == '-' || *b == '+') {
    neg = *b == '-';
    ++b;
  }
  int base = 10;
  if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
    base = 16;
    b += 2;
  }
  if (b == e) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v, base);
  if (ec != std::errc() || p != e) return false;
  if (v > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

class Parser {
 public:
  Parser(std::string name, bool read_myid) : name_(std::move(name)), read_myid_(read_myid) {
    config_.path = name_;
    config_.four_letter_whitelist = {"srvr"};
  }

  ConfigResult Run(const Pairs& pairs) {
    for (const auto& [key, value] : pairs) {
      if (!Apply(key, Trim(value))) return Fail();
    }
    if (!Finish()) return Fail();
    return ConfigResult{std::move(config_), {}};
  }

  std::string error;

 private:
  ConfigResult Fail() { return ConfigResult{{}, error}; }

  bool Bad(const std::string& key, const std::string& value, const std::string& expected) {
    error = name_ + ": " + key + "=" + value + ": " + expected;
    return false;
  }

  bool Int(const std::string& key, const std::string& value, int64_t min, int64_t max,
           int64_t* out, const char* expected) {
    int64_t v = 0;
    if (!ParseInt64(value, &v) || v < min || v > max) return Bad(key, value, expected);
    *out = v;
    return true;
  }
  template <typename T>
  bool IntTo(const std::string& key, const std::string& value, int64_t min, int64_t max, T* out,
             const char* expected) {
    int64_t v = 0;
    if (!Int(key, value, min, max, &v, expected)) return false;
    *out = static_cast<T>(v);
    return true;
  }

  bool Bool(const std::string& key, const std::string& value, bool* out) {
    std::string v = Lower(value);
    if (v == "true") {
      *out = true;
    } else if (v == "false") {
      *out = false;
    } else {
      return Bad(key, value, "expected true or false");
    }
    return true;
  }

  bool Apply(const std::string& key, const std::string& value) {
    if (auto it = Setters().find(key); it != Setters().end()) return it->second(*this, key, value);
    if (key.rfind("server.", 0) == 0) return Server(key, value);
    if (auto expected = ApplyTlsKey(&config_.tls, key, value)) {
      return expected->empty() || Bad(key, value, *expected);
    }
    if (key.rfind("authProvider.", 0) == 0 || key.rfind("zookeeper.authProvider.", 0) == 0) {
      return AuthProvider(key, value);
    }
    if (key.rfind("admin.", 0) == 0 || key.rfind("metricsProvider.", 0) == 0) return true;
    static const std::set<std::string> kAccepted = {
        // Known ZooKeeper keys zkd accepts without acting on them (yet).
        "localSessionsEnabled", "localSessionsUpgradingEnabled", "syncEnabled",
        "quorumListenOnAllIPs", "clientPortListenBacklog", "globalOutstandingLimit",
        "leaderServes", "multiAddress.enabled", "audit.enable", "connectToLearnerMasterLimit",
        "maxCnxns",
        // zkd has one connection layer: the factory key matters only to Apache.
        "serverCnxnFactory", "zookeeper.serverCnxnFactory", "client.portUnification",
        "portUnification"};
    if (kAccepted.count(key)) return true;
    config_.warnings.push_back(name_ + ": unknown key " + key + "=" + value + ", ignored");
    return true;
  }

  // One small function per key (and its system-property alias), found by name.
  using Setter = bool (*)(Parser& p, const std::string& key, const std::string& value);
  static const std::map<std::string, Setter>& Setters() {
    static constexpr int64_t kIntMax = INT32_MAX;
    static const std::map<std::string, Setter> setters = [] {
      std::map<std::string, Setter> m;
      m["tickTime"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.IntTo(k, v, 1, kIntMax, &p.config_.tick_ms,
                       "expected a positive number of milliseconds");
      };
      m["dataDir"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Text(k, v, "expected a directory", &p.config_.data_dir);
      };
      m["dataLogDir"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Text(k, v, "expected a directory", &p.config_.data_log_dir);
      };
      m["clientPort"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.IntTo(k, v, 1, 65535, &p.config_.client_port,
                       "expected a port number between 1 and 65535");
      };
      m["clientPortAddress"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Text(k, v, "expected an address to listen on", &p.config_.client_port_address);
      };
      m["maxClientCnxns"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.IntTo(k, v, 0, kIntMax, &p.config_.max_client_cnxns,
                       "expected a number of connections per IP (0 = unlimited)");
      };
      m["minSessionTimeout"] = m["maxSessionTimeout"] = [](Parser& p, const std::string& k,
                                                           const std::string& v) {
        return p.SessionTimeout(k, v);
      };
      m["4lw.commands.whitelist"] = [](Parser& p, const std::string& k, const std::string& v) {
        p.FourLetterWhitelist(k, v);
        return true;
      };
      m["jute.maxbuffer"] = m["zookeeper.jute.maxbuffer"] = [](Parser& p, const std::string& k,
                                                                const std::string& v) {
        return p.Int(k, v, 1, kIntMax, &p.config_.jute_max_buffer,
                     "expected a positive number of bytes");
      };
      m["extendedTypesEnabled"] = m["zookeeper.extendedTypesEnabled"] =
          [](Parser& p, const std::string& k, const std::string& v) {
            return p.Bool(k, v, &p.config_.extended_types_enabled);
          };
      m["DigestAuthenticationProvider.superDigest"] =
          m["zookeeper.DigestAuthenticationProvider.superDigest"] =
              [](Parser& p, const std::string& k, const std::string& v) {
                return p.SuperDigest(k, v);
              };
      m["autopurge.snapRetainCount"] = [](Parser& p, const std::string& k, const std::string& v) {
        if (!p.IntTo(k, v, 0, kIntMax, &p.config_.snap_retain_count,
                     "expected a number of snapshots to keep (at least 3)")) {
          return false;
        }
        p.config_.snap_retain_count = std::max(p.config_.snap_retain_count, 3);  // as ZooKeeper
        return true;
      };
      m["autopurge.purgeInterval"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.IntTo(k, v, 0, kIntMax, &p.config_.purge_interval_hours,
                       "expected a number of hours (0 = never purge)");
      };
      m["initLimit"] = [](Parser& p, const std::string& k, const std::string& v) {
        p.init_limit_missing_ = false;
        return p.IntTo(k, v, 1, kIntMax, &p.config_.init_limit,
                       "expected a positive number of ticks");
      };
      m["syncLimit"] = [](Parser& p, const std::string& k, const std::string& v) {
        p.sync_limit_missing_ = false;
        return p.IntTo(k, v, 1, kIntMax, &p.config_.sync_limit,
                       "expected a positive number of ticks");
      };
      m["peerType"] = [](Parser& p, const std::string& k, const std::string& v) {
        std::string type = Lower(v);
        if (type != "participant" && type != "observer") {
          return p.Bad(k, v, "expected participant or observer");
        }
        p.config_.observer = type == "observer";
        return true;
      };
      m["standaloneEnabled"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Bool(k, v, &p.config_.standalone_enabled);
      };
      m["reconfigEnabled"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Bool(k, v, &p.config_.reconfig_enabled);
      };
      m["dynamicConfigFile"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Text(k, v, "expected the path of the dynamic config file",
                      &p.config_.dynamic_config_file);
      };
      m["skipACL"] = m["zookeeper.skipACL"] = [](Parser& p, const std::string&,
                                                  const std::string& v) {
        p.config_.skip_acl = v == "yes";  // ZooKeeper: exactly "yes", anything else is no
        return true;
      };
      m["electionAlg"] = [](Parser& p, const std::string& k, const std::string& v) {
        return v == "3" || p.Bad(k, v, "only 3 (fast leader election) is supported");
      };
      m["forceSync"] = m["zookeeper.forceSync"] = [](Parser& p, const std::string& k,
                                                      const std::string& v) {
        return p.YesNo(k, v, &p.config_.force_sync);
      };
      m["snapCount"] = m["zookeeper.snapCount"] = [](Parser& p, const std::string& k,
                                                      const std::string& v) {
        return p.Int(k, v, 2, INT64_MAX, &p.config_.snap_count,
                     "expected a number of transactions (at least 2)");
      };
      m["commitLogCount"] = m["zookeeper.commitLogCount"] = [](Parser& p, const std::string& k,
                                                                const std::string& v) {
        return p.Int(k, v, 1, 10'000'000, &p.config_.commit_log_count,
                     "expected a number of transactions (1 to 10000000)");
      };
      m["snapshotSizeFactor"] = m["zookeeper.snapshotSizeFactor"] =
          [](Parser& p, const std::string& k, const std::string& v) {
            return p.SnapshotSizeFactor(k, v);
          };
      m["preAllocSize"] = m["zookeeper.preAllocSize"] = [](Parser& p, const std::string& k,
                                                            const std::string& v) {
        return p.Int(k, v, 1, INT64_MAX, &p.config_.prealloc_kb,
                     "expected a positive number of KB");
      };
      m["readonlymode.enabled"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Bool(k, v, &p.config_.read_only_mode);
      };
      m["jaasLoginConfig"] = [](Parser& p, const std::string& k, const std::string& v) {
        return p.Text(k, v, "expected the path of a JAAS file", &p.config_.jaas_login_config);
      };
      m["superUser"] = m["zookeeper.superUser"] = [](Parser& p, const std::string& k,
                                                      const std::string& v) {
        return p.Text(k, v, "expected a SASL user name", &p.config_.sasl_super_user);
      };
      m["znode.container.checkIntervalMs"] = [](Parser& p, const std::string& k,
                                                const std::string& v) {
        return p.Int(k, v, 1, INT64_MAX, &p.config_.container_check_interval_ms,
                     "expected a positive number of milliseconds");
      };
      return m;
    }();
    return setters;
  }

  bool Text(const std::string& key, const std::string& value, const char* expected,
            std::string* out) {
    if (value.empty()) return Bad(key, value, expected);
    *out = value;
    return true;
  }

  bool YesNo(const std::string& key, const std::string& value, bool* out) {
    std::string v = Lower(value);
    if (v == "yes" || v == "true") {
      *out = true;
    } else if (v == "no" || v == "false") {
      *out = false;
    } else {
      return Bad(key, value, "expected yes or no");
    }
    return true;
  }

  // ZooKeeper (ZKDatabase) parses a double, takes a negative one as "off", and falls back to
  // its default 0.33 with a warning above 1; what is not a number is refused here (ZooKeeper
  // logs an error and uses the default, which would hide the typo).
  bool SnapshotSizeFactor(const std::string& key, const std::string& value) {
    double v = 0;
    const char* begin = value.data() + (value.rfind('+', 0) == 0 ? 1 : 0);  // Java takes "+0.5"
    auto [end, ec] = std::from_chars(begin, value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
        !std::isfinite(v)) {
      return Bad(key, value,
                 "expected a number such as 0.33 (the log may be that share of the snapshot's "
                 "size; negative = no DIFF from the log)");
    }
    if (v > 1) {
      config_.warnings.push_back(name_ + ": " + key + "=" + value +
                                 " is above 1; using ZooKeeper's default 0.33");
      v = 0.33;
    }
    config_.snapshot_size_factor = v;
    return true;
  }

  // minSessionTimeout / maxSessionTimeout: milliseconds, or -1 for the default (2 / 20 ticks).
  bool SessionTimeout(const std::string& key, const std::string& value) {
    constexpr const char* kExpected = "expected a positive number of milliseconds (-1 = default)";
    int32_t v = 0;
    if (!IntTo(key, value, -1, INT32_MAX, &v, kExpected)) return false;
    if (v == 0) return Bad(key, value, kExpected);
    const bool min = key == "minSessionTimeout";
    (min ? min_timeout_ : max_timeout_) = v;
    (min ? min_timeout_text_ : max_timeout_text_) = value;
    return true;
  }

  void FourLetterWhitelist(const std::string& key, const std::string& value) {
    std::stringstream ss(value);
    std::string word;
    while (std::getline(ss, word, ',')) {
      word = Trim(word);
      if (word.empty()) continue;
      if (word == "*") {
        config_.four_letter_whitelist = KnownFourLetterWords();
      } else if (KnownFourLetterWords().count(word)) {
        config_.four_letter_whitelist.insert(word);
      } else {
        config_.warnings.push_back(name_ + ": " + key + ": '" + word +
                                   "' is not a four-letter word zkd knows, ignored");
      }
    }
  }

  // authProvider.N=<class>: SASL is the one provider to switch on; digest and ip always are.
  bool AuthProvider(const std::string& key, const std::string& value) {
    const std::string prefix = "org.apache.zookeeper.server.auth.";
    if (value == prefix + "SASLAuthenticationProvider") {
      config_.sasl_auth_provider = true;
    } else if (value != prefix + "DigestAuthenticationProvider" &&
               value != prefix + "IPAuthenticationProvider") {
      config_.warnings.push_back(name_ + ": " + key + "=" + value +
                                 ": zkd knows only SASLAuthenticationProvider, "
                                 "DigestAuthenticationProvider and IPAuthenticationProvider, ignored");
    }
    return true;
  }

  bool SuperDigest(const std::string& key, const std::string& value) {
    size_t colon = value.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
      return Bad(key, value,
                 "expected <user>:<base64 SHA1 digest>, e.g. super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
    }
    config_.super_digest = value;
    return true;
  }

  // server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]
  bool Server(const std::string& key, const std::string& value) {
    ServerSpec peer;
    if (!ParseInt64(key.substr(7), &peer.id) || peer.id < 0) {
      return Bad(key, value, "expected server.<id> with a non-negative id");
    }
    if (std::string e = ParseServerSpec(peer.id, value, &peer); !e.empty()) {
      return Bad(key, value, e);
    }
    for (const ServerSpec& other : config_.servers) {
      if (other.id == peer.id) return Bad(key, value, "server." + key.substr(7) + " is named twice");
    }
    config_.servers.push_back(peer);
    return true;
  }

  // The dynamic file replaces zoo.cfg's server lines, as in ZooKeeper (QuorumPeerConfig.parse).
  bool ReadDynamicFile() {
    QuorumConfig qc;
    if (std::string e = ReadDynamicConfigFile(config_.dynamic_config_file, &qc); !e.empty()) {
      error = e;
      return false;
    }
    config_.servers = qc.servers;
    config_.config_version = qc.version;
    return true;
  }

  bool Finish() {
    ServerConfig& c = config_;
    if (c.data_dir.empty()) {
      error = name_ + ": dataDir is not set: expected dataDir=<directory for snapshots>";
      return false;
    }
    if (c.data_log_dir.empty()) c.data_log_dir = c.data_dir;
    if (!c.dynamic_config_file.empty() && read_myid_ && !ReadDynamicFile()) return false;
    std::sort(c.servers.begin(), c.servers.end(),
              [](const ServerSpec& a, const ServerSpec& b) { return a.id < b.id; });
    // As ZooKeeper: kazoo and the Java client look for a read-write server with isro.
    if (c.read_only_mode) c.four_letter_whitelist.insert("isro");
    int voters = 0;
    for (const ServerSpec& p : c.servers) voters += p.observer ? 0 : 1;
    if (!c.servers.empty() && voters == 0) {
      error = name_ + ": every server.N is an observer: an ensemble needs at least 1 voter";
      return false;
    }
    ensemble_ = c.servers.size() > 1;
    if (ensemble_ && init_limit_missing_) {
      error = name_ + ": initLimit is not set: expected initLimit=<ticks> (e.g. 10) for an ensemble";
      return false;
    }
    if (ensemble_ && sync_limit_missing_) {
      error = name_ + ": syncLimit is not set: expected syncLimit=<ticks> (e.g. 5) for an ensemble";
      return false;
    }
    if (c.client_port == 0) {
      for (const ServerSpec& p : c.servers) {
        if (p.client_port != 0) {
          c.client_port = p.client_port;
          if (c.client_port_address.empty()) c.client_port_address = p.client_host;
        }
      }
    }
    if (c.client_port == 0) {
      error = name_ + ": clientPort is not set: expected clientPort=<port for clients>";
      return false;
    }
    if (std::string e = CheckTlsSettings(c.tls); !e.empty()) {
      error = name_ + ": " + e;
      return false;
    }
    if (c.tls.secure_client_port == c.client_port) {
      error = name_ + ": secureClientPort=" + std::to_string(c.client_port) +
              ": must differ from clientPort";
      return false;
    }
    c.min_session_timeout_ms = min_timeout_ > 0 ? min_timeout_ : 2 * c.tick_ms;
    c.max_session_timeout_ms = max_timeout_ > 0 ? max_timeout_ : 20 * c.tick_ms;
    if (c.min_session_timeout_ms > c.max_session_timeout_ms) {
      std::string shown = min_timeout_ > 0 ? min_timeout_text_ : std::to_string(c.min_session_timeout_ms);
      error = name_ + ": minSessionTimeout=" + shown +
              ": must not be larger than maxSessionTimeout (" +
              std::to_string(c.max_session_timeout_ms) + ")";
      return false;
    }
    if (read_myid_ && !c.servers.empty()) return ReadMyid();
    return true;
  }

  // For the missing-myid hint: the server whose client port is ours (server.N=...;port), else
  // the last number in the dataDir path if it names a server (node2/data, zk2), else "N".
  std::string GuessMyid() const {
    for (const ServerSpec& p : config_.servers) {
      if (p.client_port != 0 && p.client_port == config_.client_port) return std::to_string(p.id);
    }
    const std::string& dir = config_.data_dir;
    size_t end = dir.find_last_of("0123456789");
    if (end != std::string::npos) {
      size_t begin = end;
      while (begin > 0 && std::isdigit(static_cast<unsigned char>(dir[begin - 1]))) --begin;
      const std::string digits = dir.substr(begin, end - begin + 1);
      for (const ServerSpec& p : config_.servers) {
        if (digits.size() < 4 && std::to_string(p.id) == digits) return digits;
      }
    }
    return "N";
  }

  bool ReadMyid() {
    std::string path = config_.data_dir + "/myid";
    std::ifstream in(path);
    if (!in) {
      if (!ensemble_) return true;  // one server: standalone, the id only seeds session ids
      error = path + " is missing: an ensemble member needs its server id there, the N of its " +
              "own server.N line (echo " + GuessMyid() + " > " + path + ")";
      return false;
    }
    std::string line;
    std::getline(in, line);
    line = Trim(line);
    int64_t id = 0;
    if (!ParseInt64(line, &id) || id < 0 || id > 255) {
      error = path + ": myid=" + line + ": expected the server id (0-255) on the first line";
      return false;
    }
    config_.server_id = id;
    if (!ensemble_) return true;
    for (const ServerSpec& p : config_.servers) {
      if (p.id != id) continue;
      if (p.observer != config_.observer) {
        // ZooKeeper (QuorumPeerConfig) warns and goes by the server list: a member added as an
        // observer by reconfig has no peerType line at all.
        config_.warnings.push_back(
            name_ + ": peerType " + (config_.observer ? "observer" : "participant") +
            " disagrees with server." + std::to_string(id) + " (" +
            (p.observer ? "observer" : "participant") + "): going by the server list");
        config_.observer = p.observer;
      }
      return true;
    }
    error = path + ": myid " + std::to_string(id) + " is not in the server list of " + name_;
    return false;
  }

  std::string name_;
  bool read_myid_;
  bool ensemble_ = false;
  bool init_limit_missing_ = true;
  bool sync_limit_missing_ = true;
  ServerConfig config_;
  int32_t min_timeout_ = -1;
  int32_t max_timeout_ = -1;
  std::string min_timeout_text_;
  std::string max_timeout_text_;
};

}  // namespace

ConfigResult ParseConfigText(const std::string& text, const std::string& name, bool read_myid) {
  Pairs pairs;
  int rc = ini_parse_string(text.c_str(), CollectPair, &pairs);
  if (rc > 0) {
    return ConfigResult{{}, name + ":" + std::to_string(rc) + ": not a key=value line"};
  }
  if (rc < 0) return ConfigResult{{}, name + ": cannot parse (out of memory)"};
  return Parser(name, read_myid).Run(pairs);
}

ConfigResult ParseConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ConfigResult{{}, path + ": cannot read: " + std::strerror(errno)};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfigText(ss.str(), path, /*read_myid=*/true);
}

CoreConfig CoreConfigFor(const ServerConfig& config) {
  CoreConfig c;
  c.server_id = config.server_id;
  c.tick_ms = config.tick_ms;
  c.min_session_timeout_ms = config.min_session_timeout_ms;
  c.max_session_timeout_ms = config.max_session_timeout_ms;
  c.extended_types_enabled = config.extended_types_enabled;
  c.super_digest = config.super_digest;
  c.sasl_scheme = config.sasl_auth_provider;
  c.reconfig_enabled = config.reconfig_enabled;
  c.standalone_enabled = config.standalone_enabled;
  c.skip_acl = config.skip_acl;
  c.container_check_ticks = std::max<int64_t>(
      1, (config.container_check_interval_ms + config.tick_ms - 1) / config.tick_ms);
  return c;
}

}  // namespace zk
