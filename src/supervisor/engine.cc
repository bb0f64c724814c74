#include "supervisor/engine.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace pc {

std::string SelfDir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : self.parent_path().string();
}

namespace {

bool IsExecutable(const fs::path& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string FindJava() {
  if (const char* home = std::getenv("JAVA_HOME"); home && *home) {
    fs::path java = fs::path(home) / "bin" / "java";
    if (IsExecutable(java)) {
      return java.string();
    }
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && IsExecutable(fs::path(dir) / "java")) {
      return (fs::path(dir) / "java").string();
    }
  }
  return {};
}

// Classpath for a ZooKeeper installation directory (binary tarball layout: lib/*.jar, conf/),
// or empty when `home` holds no zookeeper jar.
std::string ClasspathForHome(const fs::path& home) {
  std::error_code ec;
  for (const fs::path& dir : {home / "lib", home}) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("zookeeper-3", 0) == 0 && entry.path().extension() == ".jar") {
        return (home / "lib" / "*").string() + ":" + (home / "*").string() + ":" +
               (home / "conf").string();
      }
    }
  }
  return {};
}

}  // namespace

Launcher ResolveLauncher(const ClusterSpec& spec, const std::string& self_dir) {
  Launcher launcher;
  launcher.engine = spec.engine;
  if (spec.engine == Engine::kZkd) {
    // $PSEUDO_CLUSTER_ZKD points at another zkd binary (tests use a fake one).
    const char* override_path = std::getenv("PSEUDO_CLUSTER_ZKD");
    fs::path zkd =
        override_path && *override_path ? fs::path(override_path) : fs::path(self_dir) / "zkd";
    if (!IsExecutable(zkd)) {
      launcher.error = "zkd not found at " + zkd.string() + ": build it with `make build`";
    }
    launcher.program = zkd.string();
    launcher.event_pipe = true;
    return launcher;
  }
  std::string java = FindJava();
  if (java.empty()) {
    launcher.error =
        "java not found (looked in $JAVA_HOME and $PATH): install a Java runtime, e.g. "
        "`apt-get install default-jre-headless`";
    return launcher;
  }
  std::string classpath;
  std::string home = spec.zookeeper_home;
  if (home.empty()) {
    if (const char* env = std::getenv("ZOOKEEPER_HOME"); env && *env) {
      home = env;
    }
  }
  if (!home.empty()) {
    classpath = ClasspathForHome(home);
    if (classpath.empty()) {
      launcher.error = "no zookeeper-3.*.jar in " + home + " or " + home +
                       "/lib: point --zookeeper-home (or $ZOOKEEPER_HOME) at an unpacked Apache "
                       "ZooKeeper release";
      return launcher;
    }
  } else if (fs::exists("/usr/share/java/zookeeper.jar")) {
    // Debian's jar names its dependencies in its manifest Class-Path; add a logger binding.
    classpath = "/usr/share/java/zookeeper.jar";
    if (fs::exists("/usr/share/java/slf4j-simple.jar")) {
      classpath += ":/usr/share/java/slf4j-simple.jar";
    }
    // TLS needs NettyServerCnxnFactory, and Debian's manifest leaves out some of Netty.
    for (const char* jar : {"netty-codec", "netty-resolver", "netty-transport-native-unix-common"}) {
      const std::string path = std::string("/usr/share/java/") + jar + ".jar";
      if (spec.tls && fs::exists(path)) {
        classpath += ":" + path;
      }
    }
  } else {
    launcher.error =
        "Apache ZooKeeper not found (no --zookeeper-home, no $ZOOKEEPER_HOME, no "
        "/usr/share/java/zookeeper.jar): install it with `apt-get install zookeeper` or pass "
        "--zookeeper-home DIR";
    return launcher;
  }
  launcher.program = java;
  if (spec.apache_jvm != "stock") {
    launcher.args = {"-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"};
  }
  std::vector<std::string> common = {
      "-Djava.net.preferIPv4Stack=true", "-Dzookeeper.admin.enableServer=false",
      "-Dorg.slf4j.simpleLogger.showDateTime=true",
      "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS",
      // The supervisor polls `srvr` several times a second: keep that out of the log.
      "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.NIOServerCnxn=warn", "-cp",
      classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain"};
  if (spec.read_only_mode) {
    // Apache reads readonlymode.enabled only as a JVM property, not from zoo.cfg.
    common.insert(common.begin(), "-Dreadonlymode.enabled=true");
  }
  launcher.args.insert(launcher.args.end(), common.begin(), common.end());
  return launcher;
}

std::string ReconfigUnsupported(Engine engine) {
  (void)engine;  // both engines reconfigure (zkd since its reconfig op, docs/zab.md)
  return {};
}

std::string ZkServerScript(const ClusterSpec& spec) {
  std::string home = spec.zookeeper_home;
  if (home.empty()) {
    if (const char* env = std::getenv("ZOOKEEPER_HOME"); env && *env) home = env;
  }
  if (!home.empty() && fs::exists(fs::path(home) / "bin" / "zkServer.sh")) {
    return (fs::path(home) / "bin" / "zkServer.sh").string();
  }
  return "/usr/share/zookeeper/bin/zkServer.sh";
}

}  // namespace pc
