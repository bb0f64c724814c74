// The checks a lesson makes in code, over one session of Debian's C client (loadgen::ZkClient,
// the client bench and chaos use): did a write succeed, what does a member hold. Four-letter
// words: supervisor/four_letter_ask.h.
#pragma once

#include <zookeeper.h>

#include <optional>
#include <string>

#include "supervisor/four_letter_ask.h"  // AskFourLetter, for the lessons

namespace pc::lessons {

// One-shot helpers over a fresh session: the result code of a create (ZOK, ZNODEEXISTS,
// ZCONNECTIONLOSS, ...: zookeeper.h's codes, included for the callers), the value of a get.
int CreateOnce(const std::string& hosts, const std::string& path, const std::string& value,
               int wait_ms = 4000);
std::optional<std::string> GetOnce(const std::string& hosts, const std::string& path,
                                   int wait_ms = 4000);

}  // namespace pc::lessons
