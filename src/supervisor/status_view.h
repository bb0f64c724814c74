// StatusView: renders the supervisor's status JSON as the table a person reads. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pc {

std::string RenderStatus(const nlohmann::json& status);

// "42s", "3m05s", "2h10m"; "-" for 0 or less.
std::string Uptime(int64_t ms);

// `status --verbose`: per member, the zkServer.sh command that asks it for its mode. The
// zoo.cfg goes as a full path: Debian's zkEnv.sh sets ZOOCFGDIR itself, so ZOOCFGDIR=... in the
// environment is not seen, while a path argument is used as it is.
std::string ZkServerStatusCommands(const nlohmann::json& status, const std::string& script);

// The status table's last line for proxied links ("links: proxied ...; 12 of 20 directions cut
// (last: partition {1,2} | {3,4,5}); see `links`"), or "" for direct links.
std::string LinksLine(const nlohmann::json& links);

// With `up --tls`: the line naming every member's secureClientPort and the files a TLS client
// needs (CA, client certificate and key); "" otherwise.
std::string TlsLine(const nlohmann::json& status);

// "4 voters tolerate 1 failure, the same as 3: ..." or "" for odd sizes.
std::string EvenSizeNote(int voters);

}  // namespace pc
