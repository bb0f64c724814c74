#include "supervisor/exit_reason.h"

#include <regex>
#include <sstream>
#include <vector>

namespace pc {

namespace {

// "2026-12-05 14:45:15,316 [main] ERROR org.apache....QuorumPeerMain - Invalid config, ..."
const std::regex& LogEntry() {
  static const std::regex entry(R"(^\d{4}-\d\d-\d\d [\d:,.]+ \[[^\]]*\] (\w+) +(\S+) - (.*)$)");
  return entry;
}

// "java.net.BindException: Address already in use", "Caused by: java.lang.Illegal...: msg",
// "org.apache...QuorumPeerConfig$ConfigException: Error processing ..." → short class: message.
bool ExceptionLine(const std::string& line, std::string* shown) {
  static const std::regex exception(
      R"(^(?:Caused by: )?(?:[\w$]+\.)*([\w$]*(?:Exception|Error))(?:: (.*))?$)");
  std::smatch m;
  if (!std::regex_match(line, m, exception)) return false;
  std::string name = m[1].str();
  if (const size_t dollar = name.rfind('$'); dollar != std::string::npos) {
    name = name.substr(dollar + 1);
  }
  *shown = m[2].matched ? name + ": " + m[2].str() : name;
  return true;
}

bool IsEntry(const std::string& line) {
  return !line.empty() && line[0] >= '0' && line[0] <= '9' && std::regex_match(line, LogEntry());
}

bool Blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

ExitClues ReadExitClues(const std::string& run_log) {
  ExitClues clues;
  std::vector<std::string> lines;
  {
    std::istringstream in(run_log);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  std::string last_line, last_error;
  static const std::regex myid(R"(Starting quorum peer, myid=(\d+))");
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (!Blank(line)) last_line = line;
    if (line.find("ddress already in use") != std::string::npos) clues.address_in_use = true;
    if (line.find("myid file is missing") != std::string::npos ||
        line.find("/myid is missing") != std::string::npos) {
      clues.myid_missing = true;
    }
    std::smatch m;
    if (std::regex_search(line, m, myid)) clues.myid = std::stoll(m[1].str());
    if (line.find(" ERROR ") == std::string::npos || !std::regex_match(line, m, LogEntry()) ||
        m[1].str() != "ERROR") {
      continue;
    }
    const std::string message = m[3].str();
    if (message.rfind("Exiting JVM with code", 0) == 0) continue;
    // The exception under it: its first line, or better the deepest "Caused by".
    std::string cause;
    for (size_t j = i + 1; j < lines.size() && !IsEntry(lines[j]); ++j) {
      std::string shown;
      if (ExceptionLine(lines[j], &shown) &&
          (cause.empty() || lines[j].rfind("Caused by", 0) == 0)) {
        cause = shown;
      }
    }
    last_error = cause.empty() ? message : message + ": " + cause;
  }
  clues.reason = last_error.empty() ? last_line : last_error;
  return clues;
}

}  // namespace pc
