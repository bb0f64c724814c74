// AskFourLetter: a four-letter word sent to 127.0.0.1:port and the whole answer, blocking, for
// the short-lived command processes (bench, lessons, top); the supervisor itself asks on its
// loop (four_letter_client.h). And the parsing of `mntr`'s answer.
#pragma once

#include <map>
#include <string>

namespace pc {

// What `echo WORD | nc 127.0.0.1 PORT` prints; "" when nobody answered within timeout_ms (a
// paused server accepts the connection but never answers).
std::string AskFourLetter(int port, const std::string& word, int timeout_ms = 3000);

// `mntr` lines "zk_avg_latency\t0.1234" as {"avg_latency": "0.1234"} (the zk_ prefix dropped).
std::map<std::string, std::string> ParseMntr(const std::string& text);

}  // namespace pc
