// FourLetterClient: asks a server one four-letter word (`srvr`) over TCP on the supervisor's libuv
// loop and hands back the whole reply (the server closes the connection after replying). Each
// query owns its handles and frees them in their close callbacks; a query that has not finished
// within timeout_ms (a paused server accepts but never answers) ends with ok=false.
#pragma once

#include <uv.h>

#include <functional>
#include <string>

namespace pc {

using FourLetterDone = std::function<void(bool ok, const std::string& reply)>;

void QueryFourLetter(uv_loop_t* loop, int port, const char* word, int timeout_ms,
                     FourLetterDone done);

}  // namespace pc
