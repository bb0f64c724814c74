// StatusView: renders the supervisor's status JSON as the table a person reads. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pc {

std::string RenderStatus(const nlohmann::json& status);

// The status table's last line for proxied links ("links: proxied ...; 12 of 20 directions cut
// (last: partition {1,2} | {3,4,5}); see `links`"), or "" for direct links.
std::string LinksLine(const nlohmann::json& links);

// "4 voters tolerate 1 failure, the same as 3: ..." or "" for odd sizes.
std::string EvenSizeNote(int voters);

}  // namespace pc
