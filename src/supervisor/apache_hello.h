// Apache ZooKeeper's election hello, rewritten by the election-port proxies of a cluster with
// proxied links (link_proxy.h). A server that dials a larger id sends its hello and hangs up; the
// larger one then dials back the election address the hello carried (QuorumCnxManager,
// docs/election.md, Connections). That address is the dialler's own listen address, so the
// dial-back would bypass the proxies: the proxy i→j puts the address of the proxy j→i there
// instead, and the link between i and j stays under the supervisor's control both ways.
//
// The hello: int64 protocol version (-65536, one address; -65535, "a|b|..." addresses), int64
// sid, int32 length, that many bytes "host:port". An older hello (the version field is the sid,
// >= 0) carries no address and passes unchanged, as does anything that does not parse.
#pragma once

#include <string>

namespace pc {

// Bytes past which a hello is given up on and forwarded as it is.
constexpr size_t kApacheHelloBytesMax = 2048 + 20;

// HelloRewrite for link_proxy.h: false while *bytes is a prefix of a hello; then true, with the
// address in *bytes replaced by `address` (the bytes after the hello are kept).
bool RewriteApacheElectionHello(std::string* bytes, const std::string& address);

}  // namespace pc
