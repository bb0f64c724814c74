// StatusView: renders the supervisor's status JSON as the table a person reads. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pc {

std::string RenderStatus(const nlohmann::json& status);

// "4 voters tolerate 1 failure, the same as 3: ..." or "" for odd sizes.
std::string EvenSizeNote(int voters);

}  // namespace pc
