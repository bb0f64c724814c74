// PeerTransport round trip: two transports in one process on one uv loop over loopback TCP; A
// sends a Zab packet to B, B's on_zab sends it straight back, A's on_zab ends the round trip.
// Each iteration is one round trip (two frames, two uv_writes, two wake-ups of the same loop);
// p50_us / p99_us / max_us are per-round-trip percentiles. The payload is the packet's data
// size (16 bytes ~ an ACK or PING; 4 KiB ~ a small PROPOSAL).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "server/peer_transport.h"

namespace zk {
namespace {

// A bound, never-listening SO_REUSEADDR socket holds the port while the transport listens on it.
int ReservePort(std::vector<int>* fds) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  fds->push_back(fd);
  return ntohs(a.sin_port);
}

void BM_PeerTransportZabRoundTrip(benchmark::State& state) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<int> fds;
  std::map<int64_t, PeerEndpoint> table;
  for (int64_t sid : {1, 2}) {
    table[sid] = PeerEndpoint{"127.0.0.1", ReservePort(&fds), ReservePort(&fds)};
  }
  auto config = [&](int64_t sid) {
    PeerTransportConfig c;
    c.my_sid = sid;
    c.election_port = table[sid].election_port;
    c.quorum_port = table[sid].quorum_port;
    c.peers = table;
    return c;
  };
  bool back = false;
  PeerTransport* b_ptr = nullptr;
  PeerTransport a(&loop, config(1),
                  {nullptr, [&](int64_t, const ZabPacket&) { back = true; }, nullptr});
  PeerTransport b(
      &loop, config(2),
      {nullptr, [&](int64_t from, const ZabPacket& p) { b_ptr->SendZab(from, p); }, nullptr});
  b_ptr = &b;
  if (!a.Start().empty() || !b.Start().empty()) {
    state.SkipWithError("cannot start the transports");
    return;
  }
  ZabPacket ping{ZabType::kAck, 1, std::string(static_cast<size_t>(state.range(0)), 'p')};
  auto round_trip = [&] {
    back = false;
    a.SendZab(2, ping);
    while (!back) {
      uv_run(&loop, UV_RUN_ONCE);
    }
  };
  for (int i = 0; i < 200; ++i) {
    round_trip();  // connect both ways, warm up
  }

  std::vector<double> us;
  us.reserve(static_cast<size_t>(state.max_iterations));
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    round_trip();
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = us.back();

  a.Close();
  b.Close();
  while (uv_run(&loop, UV_RUN_NOWAIT) != 0) {
  }
  uv_loop_close(&loop);
  for (int fd : fds) {
    close(fd);
  }
}
BENCHMARK(BM_PeerTransportZabRoundTrip)
    ->Arg(16)
    ->Arg(4096)
    ->Iterations(10000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zk
