// Socket addresses for the I/O shell: turning a configured host and port into a sockaddr to bind
// or dial, and naming the far end of an accepted connection. Shared by the client listener
// (ClientServer) and the peer links (PeerTransport).
//
// ResolveAddress may block in getaddrinfo when the host is a name rather than a literal address;
// call it at start-up or from the loop thread when a short stall is acceptable (as ZooKeeper's
// QuorumPeer does when it re-resolves a peer). PeerAddress only reads the socket.
#pragma once

#include <uv.h>

#include <string>

namespace zk {

// Fills *out with host:port. `host` is an IPv4 or IPv6 literal, or a name looked up with
// getaddrinfo (the first answer wins). False when the name does not resolve.
bool ResolveAddress(const std::string& host, int port, sockaddr_storage* out);

// The remote IP (as text, without brackets) and port of a connected socket. False, leaving both
// untouched, when the socket has no peer (already reset).
bool PeerAddress(uv_tcp_t* tcp, std::string* ip, int* port);

}  // namespace zk
