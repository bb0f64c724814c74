// The checks a lesson makes in code, over one session of Debian's C client (loadgen::ZkClient,
// the client bench and chaos use): did a write succeed, what does a member hold; and a
// four-letter word's answer.
#pragma once

#include <zookeeper.h>

#include <optional>
#include <string>

namespace pc::lessons {

// One-shot helpers over a fresh session: the result code of a create (ZOK, ZNODEEXISTS,
// ZCONNECTIONLOSS, ...: zookeeper.h's codes, included for the callers), the value of a get.
int CreateOnce(const std::string& hosts, const std::string& path, const std::string& value,
               int wait_ms = 4000);
std::optional<std::string> GetOnce(const std::string& hosts, const std::string& path,
                                   int wait_ms = 4000);

// A four-letter word sent to 127.0.0.1:port and the whole answer ("" when nobody answered
// within timeout_ms): what `echo srvr | nc 127.0.0.1 PORT` prints.
std::string AskFourLetter(int port, const std::string& word, int timeout_ms = 3000);

}  // namespace pc::lessons
