// PeerTransport over real loopback sockets: three transports on one uv loop. Every wait is a
// condition polled under a generous deadline (a failure fails, it never hangs); nothing asserts
// a timing.
#include "server/peer_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/replica.h"
#include "proto/jute.h"
#include "storage/snapshot_codec.h"
#include "tree/acl.h"

namespace zk {
namespace {

constexpr int64_t kDeadlineMs = 30'000;

// Reserves a port for the whole test: a socket bound (never listening) to a port the kernel
// picks, with SO_REUSEADDR like libuv's, so that the transport can still bind and listen on it
// (Linux lets reuse-address sockets share a port while at most one listens). Meanwhile no other
// process's bind-to-0 or outgoing connection can take the port, also while the transport using
// it is stopped, and a dial to a stopped peer is refused instead of reaching a stranger.
int ReservePort(std::vector<int>* fds) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    ADD_FAILURE() << "cannot reserve a port";
    return 0;
  }
  fds->push_back(fd);
  return ntohs(a.sin_port);
}

ZabPacket Packet(int64_t zxid, std::string data = {}) {
  return ZabPacket{ZabType::kProposal, zxid, std::move(data)};
}

Notification Note(int64_t leader, int64_t epoch) {
  return Notification{0, PeerState::kLooking, leader, 0x100000005, epoch, 1};
}

struct Inbox {
  std::vector<Notification> notes;
  std::vector<std::pair<int64_t, ZabPacket>> zabs;
  std::vector<int64_t> lost;
  std::vector<int64_t> unreachable;
};

// A raw TCP client on the test loop, for speaking garbage to a transport.
struct RawClient {
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  uv_write_t write_req{};
  std::string out;
  char buf[4096];
  bool connected = false;
  bool ended = false;   // EOF or error from the transport's side
  bool closed = false;  // our handle is closed
};

// N transports (sids 1..n) on one loop, each with fixed ports picked up front.
class Ensemble {
 public:
  explicit Ensemble(int n, PeerTransportLimits limits = {}) : limits_(limits) {
    EXPECT_EQ(uv_loop_init(&loop_), 0);
    // The guard: UV_RUN_ONCE returns at least every 5 ms, so RunUntil checks its deadline.
    uv_timer_init(&loop_, &guard_);
    uv_timer_start(
        &guard_, [](uv_timer_t*) {}, 5, 5);
    for (int64_t sid = 1; sid <= n; ++sid) {
      table_[sid] = PeerEndpoint{"127.0.0.1", ReservePort(&reserved_), ReservePort(&reserved_)};
    }
  }
  ~Ensemble() {
    transports_.clear();
    for (auto& c : raw_) {
      if (!c->closed && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&c->tcp))) {
        uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnRawClosed);
      }
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&guard_), nullptr);
    // Every handle closes: the transports free their state in the last close callback. Bounded,
    // so that a leaked handle fails the check below instead of hanging the test.
    int64_t deadline = Now() + 10'000;
    while (uv_run(&loop_, UV_RUN_NOWAIT) != 0 && Now() < deadline) {
      usleep(1000);
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
    for (int fd : reserved_) {
      close(fd);
    }
  }

  uv_loop_t* loop() { return &loop_; }
  const PeerEndpoint& address(int64_t sid) { return table_[sid]; }
  PeerTransport& t(int64_t sid) { return *transports_.at(sid); }
  Inbox& in(int64_t sid) { return inbox_[sid]; }
  bool running(int64_t sid) const { return transports_.count(sid) > 0; }

  // Starts sid on its ports (reserved, so this should not fail; a failure is retried anyway).
  void Start(int64_t sid, PeerTransportLimits limits) {
    int64_t deadline = Now() + kDeadlineMs;
    for (;;) {
      PeerTransportConfig config;
      config.my_sid = sid;
      config.election_port = table_[sid].election_port;
      config.quorum_port = table_[sid].quorum_port;
      config.peers = table_;
      config.limits = limits;
      PeerTransportCallbacks cb;
      cb.on_notification = [this, sid](const Notification& n, const std::string&) {
        inbox_[sid].notes.push_back(n);
      };
      cb.on_zab = [this, sid](int64_t from, const ZabPacket& p) {
        inbox_[sid].zabs.emplace_back(from, p);
      };
      cb.on_peer_lost = [this, sid](int64_t peer) { inbox_[sid].lost.push_back(peer); };
      cb.on_peer_unreachable = [this, sid](int64_t peer) {
        inbox_[sid].unreachable.push_back(peer);
      };
      auto t = std::make_unique<PeerTransport>(&loop_, config, cb);
      std::string err = t->Start();
      if (err.empty()) {
        transports_[sid] = std::move(t);
        return;
      }
      t.reset();
      if (Now() > deadline) {
        ADD_FAILURE() << err;
        return;
      }
      RunFor(50);
    }
  }
  void Start(int64_t sid) { Start(sid, limits_); }
  void StartAll() {
    for (auto& [sid, a] : table_) {
      Start(sid);
    }
  }
  // Closes sid's transport (its listeners close at once; the state frees itself on the loop).
  void Stop(int64_t sid) { transports_.erase(sid); }

  bool RunUntil(const std::function<bool()>& done, int64_t timeout_ms = kDeadlineMs) {
    int64_t deadline = Now() + timeout_ms;
    while (!done()) {
      if (Now() > deadline) {
        return false;
      }
      uv_run(&loop_, UV_RUN_ONCE);
    }
    return true;
  }
  void RunFor(int64_t ms) {
    int64_t until = Now() + ms;
    RunUntil([&] { return Now() >= until; });
  }

  // Connects to 127.0.0.1:port and writes `bytes` once connected.
  RawClient* Raw(int port, std::string bytes) {
    raw_.push_back(std::make_unique<RawClient>());
    RawClient* c = raw_.back().get();
    c->out = std::move(bytes);
    uv_tcp_init(&loop_, &c->tcp);
    c->tcp.data = c;
    sockaddr_in a{};
    uv_ip4_addr("127.0.0.1", port, &a);
    uv_tcp_connect(&c->connect_req, &c->tcp, reinterpret_cast<sockaddr*>(&a),
                   [](uv_connect_t* req, int status) {
                     auto* c = static_cast<RawClient*>(req->handle->data);
                     if (status < 0) {
                       c->ended = true;
                       return;
                     }
                     c->connected = true;
                     auto* s = reinterpret_cast<uv_stream_t*>(&c->tcp);
                     uv_read_start(
                         s,
                         [](uv_handle_t* h, size_t, uv_buf_t* b) {
                           auto* c = static_cast<RawClient*>(h->data);
                           *b = uv_buf_init(c->buf, sizeof(c->buf));
                         },
                         [](uv_stream_t* s, ssize_t n, const uv_buf_t*) {
                           if (n < 0) {
                             static_cast<RawClient*>(s->data)->ended = true;
                             uv_read_stop(s);
                           }
                         });
                     if (!c->out.empty()) {
                       uv_buf_t b =
                           uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
                       uv_write(&c->write_req, s, &b, 1, [](uv_write_t*, int) {});
                     }
                   });
    return c;
  }

  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  static void OnRawClosed(uv_handle_t* h) { static_cast<RawClient*>(h->data)->closed = true; }

  PeerTransportLimits limits_;
  uv_loop_t loop_{};
  uv_timer_t guard_{};
  std::vector<int> reserved_;  // port reservations, see ReservePort
  std::map<int64_t, PeerEndpoint> table_;
  std::map<int64_t, Inbox> inbox_;
  std::vector<std::unique_ptr<RawClient>> raw_;  // freed after the loop has closed them
  std::map<int64_t, std::unique_ptr<PeerTransport>> transports_;
};

std::string Hello(int64_t sid) { return EncodeElectionHello({sid, "127.0.0.1:1"}); }

std::vector<int64_t> Zxids(const Inbox& in, int64_t from) {
  std::vector<int64_t> out;
  for (const auto& [f, p] : in.zabs) {
    if (f == from) {
      out.push_back(p.zxid);
    }
  }
  return out;
}

TEST(PeerTransport, NotificationsReachTheAddresseeWithTheSendersSid) {
  Ensemble e(3);
  e.StartAll();
  e.t(1).SendNotification(2, Note(1, 7));
  e.t(1).SendNotification(3, Note(1, 8));
  e.t(2).SendNotification(3, Note(2, 9));
  Notification forged = Note(3, 10);
  forged.sid = 2;  // the transport sends its own sid whatever the caller says
  e.t(3).SendNotification(1, forged);
  ASSERT_TRUE(e.RunUntil([&] {
    return e.in(1).notes.size() == 1 && e.in(2).notes.size() == 1 && e.in(3).notes.size() == 2;
  }));
  EXPECT_EQ(e.in(2).notes[0].sid, 1);
  EXPECT_EQ(e.in(2).notes[0].election_epoch, 7);
  EXPECT_EQ(e.in(1).notes[0].sid, 3);
  EXPECT_EQ(e.in(1).notes[0].election_epoch, 10);
  std::set<std::pair<int64_t, int64_t>> at3;
  for (const auto& n : e.in(3).notes) {
    at3.insert({n.sid, n.election_epoch});
  }
  EXPECT_EQ(at3, (std::set<std::pair<int64_t, int64_t>>{{1, 8}, {2, 9}}));
  Notification expect = Note(1, 7);
  expect.sid = 1;
  EXPECT_EQ(e.in(2).notes[0], expect);
  for (int64_t sid = 1; sid <= 3; ++sid) {
    EXPECT_TRUE(e.in(sid).zabs.empty());
  }
}

TEST(PeerTransport, ZabPacketsReachTheAddresseeWithTheSender) {
  Ensemble e(3);
  e.StartAll();
  e.t(3).SendZab(1, ZabPacket{ZabType::kLeaderInfo, int64_t{2} << 32, ""});
  e.t(3).SendZab(2, ZabPacket{ZabType::kLeaderInfo, int64_t{2} << 32, ""});
  e.t(1).SendZab(3, ZabPacket{ZabType::kAckEpoch, 5, EncodeLong(1)});
  e.t(2).SendZab(3, ZabPacket{ZabType::kFollowerInfo, int64_t{1} << 32, EncodeLong(2)});
  ASSERT_TRUE(e.RunUntil([&] { return e.in(3).zabs.size() == 2 && e.in(1).zabs.size() == 1; }));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).zabs.size() == 1; }));
  EXPECT_EQ(e.in(1).zabs[0],
            std::make_pair(int64_t{3}, ZabPacket{ZabType::kLeaderInfo, int64_t{2} << 32, ""}));
  EXPECT_EQ(e.in(2).zabs[0].first, 3);
  std::map<int64_t, ZabPacket> at3(e.in(3).zabs.begin(), e.in(3).zabs.end());
  EXPECT_EQ(at3[1], (ZabPacket{ZabType::kAckEpoch, 5, EncodeLong(1)}));
  EXPECT_EQ(at3[2], (ZabPacket{ZabType::kFollowerInfo, int64_t{1} << 32, EncodeLong(2)}));
  EXPECT_TRUE(e.in(3).notes.empty());
  EXPECT_EQ(e.t(3).counters().zab_sent, 2);
  EXPECT_EQ(e.t(3).counters().zab_received, 2);
}

TEST(PeerTransport, ThousandPacketsArriveInSendOrder) {
  Ensemble e(3);
  e.StartAll();
  // Sent in bursts across loop iterations, some before the connections exist.
  for (int64_t zxid = 1; zxid <= 1000; ++zxid) {
    e.t(1).SendZab(2, Packet(zxid, std::string(static_cast<size_t>(zxid % 97), 'x')));
    e.t(1).SendZab(3, Packet(zxid));
    if (zxid % 100 == 0) {
      e.RunFor(1);
    }
  }
  ASSERT_TRUE(
      e.RunUntil([&] { return e.in(2).zabs.size() == 1000 && e.in(3).zabs.size() == 1000; }));
  std::vector<int64_t> expect(1000);
  for (int64_t i = 0; i < 1000; ++i) {
    expect[static_cast<size_t>(i)] = i + 1;
  }
  EXPECT_EQ(Zxids(e.in(2), 1), expect);
  EXPECT_EQ(Zxids(e.in(3), 1), expect);
  for (const auto& [from, p] : e.in(2).zabs) {
    ASSERT_EQ(p.data, std::string(static_cast<size_t>(p.zxid % 97), 'x'));
  }
  EXPECT_EQ(e.t(1).counters().frames_dropped, 0);
}

TEST(PeerTransport, EightMebibytePacketArrivesWholeAndInOrder) {
  Ensemble e(2);
  e.StartAll();
  std::string big(8 * 1024 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>((i * 131) >> 7);
  }
  e.t(1).SendZab(2, Packet(1));
  e.t(1).SendZab(2, ZabPacket{ZabType::kSnap, 2, big});
  e.t(1).SendZab(2, Packet(3));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).zabs.size() == 3; }));
  EXPECT_EQ(Zxids(e.in(2), 1), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(e.in(2).zabs[1].second.type, ZabType::kSnap);
  EXPECT_TRUE(e.in(2).zabs[1].second.data == big);
}

// Connections in both directions between every pair on the quorum port.
void ConnectQuorumMesh(Ensemble& e, std::vector<int64_t> sids) {
  for (int64_t a : sids) {
    for (int64_t b : sids) {
      if (a != b) {
        e.t(a).SendZab(b, ZabPacket{ZabType::kPing, a, ""});
      }
    }
  }
  ASSERT_TRUE(e.RunUntil([&] {
    for (int64_t s : sids) {
      if (e.in(s).zabs.size() < sids.size() - 1) return false;
    }
    return true;
  }));
}

TEST(PeerTransport, ClosedPeerIsReportedLostByTheOthers) {
  Ensemble e(3);
  e.StartAll();
  ConnectQuorumMesh(e, {1, 2, 3});
  e.Stop(3);
  // Two connections each (to 3 and from 3): each loss is reported once.
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).lost.size() == 2 && e.in(2).lost.size() == 2; }));
  EXPECT_EQ(e.in(1).lost, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(e.in(2).lost, (std::vector<int64_t>{3, 3}));
  // 1 and 2 carry on.
  e.t(1).SendZab(2, Packet(42));
  e.t(2).SendNotification(1, Note(2, 3));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).zabs.size() == 3 && e.in(1).notes.size() == 1; }));
  EXPECT_EQ(e.in(2).zabs.back(), std::make_pair(int64_t{1}, Packet(42)));
  e.RunFor(20);
  EXPECT_EQ(e.in(1).lost.size(), 2u);
  EXPECT_EQ(e.in(2).lost.size(), 2u);
}

// A Replica leaving a Zab relationship (Ready::quorum_disconnects): the peer hears both
// connections close, the closing side hears nothing, and the next message goes at once on a
// new connection and arrives after the peer heard of the close.
TEST(PeerTransport, DisconnectQuorumTellsOnlyThePeerAndTheNextMessageOpensANewConnection) {
  Ensemble e(3);
  e.StartAll();
  ConnectQuorumMesh(e, {1, 2, 3});
  e.t(1).DisconnectQuorum(2);
  e.t(1).SendZab(2, Packet(9));  // after the close: a new connection
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).lost.size() == 2 && e.in(2).zabs.size() == 3; }));
  EXPECT_EQ(e.in(2).lost, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(e.in(2).zabs.back(), std::make_pair(int64_t{1}, Packet(9)));
  e.t(2).SendZab(1, Packet(10));  // 2's side redials too
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).zabs.size() == 3; }));
  EXPECT_EQ(e.in(1).zabs.back(), std::make_pair(int64_t{2}, Packet(10)));
  e.RunFor(20);
  EXPECT_TRUE(e.in(1).lost.empty());
  EXPECT_TRUE(e.in(3).lost.empty());
  EXPECT_EQ(e.t(1).counters().quorum_disconnects, 1);
  EXPECT_EQ(e.t(1).counters().dial_failures, 0);
}

// Each failed dial of a quorum port is reported (a learner gives up on a dead leader after a few,
// as ZooKeeper's); failed election dials and established connections are not.
TEST(PeerTransport, FailedQuorumDialsAreReportedEachTime) {
  Ensemble e(2);
  e.Start(1);
  e.t(1).SendNotification(2, Note(1, 1));
  e.t(1).SendZab(2, Packet(1));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).unreachable.size() >= 3; }));
  for (int64_t sid : e.in(1).unreachable) EXPECT_EQ(sid, 2);
  EXPECT_TRUE(e.in(1).lost.empty());
  e.Start(2);
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).zabs.size() == 1; }));
  size_t failed = e.in(1).unreachable.size();
  e.t(1).SendZab(2, Packet(2));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).zabs.size() == 2; }));
  EXPECT_EQ(e.in(1).unreachable.size(), failed);
}

TEST(PeerTransport, PeerThatDialsUsEndsOurBackoff_QueuedVotesGoOutAtOnce) {
  // A backoff of a minute: what 1 queued for 2 could only leave on 2's own dial to 1.
  PeerTransportLimits slow;
  slow.reconnect_delay_ms_min = 60'000;
  slow.reconnect_delay_ms_max = 60'000;
  Ensemble e(2, slow);
  e.Start(1);
  e.t(1).SendNotification(2, Note(1, 1));  // 2 is not up: refused, then the long wait
  ASSERT_TRUE(e.RunUntil([&] { return e.t(1).counters().dial_failures >= 1; }));
  e.Start(2);
  e.t(2).SendNotification(1, Note(2, 1));  // 2 dials 1: 1 knows 2 is up
  ASSERT_TRUE(e.RunUntil([&] { return e.in(2).notes.size() == 1; }, 10'000));
  EXPECT_EQ(e.in(2).notes[0].sid, 1);
  EXPECT_EQ(e.in(1).notes.size(), 1u);
}

TEST(PeerTransport, RestartedPeerOnTheSamePortsGetsTrafficAgain) {
  Ensemble e(3);
  e.StartAll();
  ConnectQuorumMesh(e, {1, 2, 3});
  e.Stop(3);
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).lost.size() == 2; }));
  e.in(3) = Inbox{};
  // Sent while 3 is down: queued, and delivered by the reconnect once 3 is back.
  e.t(1).SendZab(3, Packet(7));
  e.t(2).SendNotification(3, Note(2, 4));
  ASSERT_TRUE(e.RunUntil(
      [&] { return e.t(1).counters().dial_failures > 0 && e.t(2).counters().dial_failures > 0; }));
  e.Start(3);
  ASSERT_TRUE(e.running(3));
  e.t(3).SendZab(1, Packet(8));
  ASSERT_TRUE(e.RunUntil([&] {
    return e.in(3).zabs.size() == 1 && e.in(3).notes.size() == 1 && e.in(1).zabs.size() == 3;
  }));
  EXPECT_EQ(e.in(3).zabs[0], std::make_pair(int64_t{1}, Packet(7)));
  EXPECT_EQ(e.in(3).notes[0].sid, 2);
  EXPECT_EQ(e.in(1).zabs.back(), std::make_pair(int64_t{3}, Packet(8)));
}

TEST(PeerTransport, GarbageOnTheElectionPortClosesOnlyThatConnection) {
  Ensemble e(3);
  e.StartAll();
  ConnectQuorumMesh(e, {1, 2, 3});
  e.t(2).SendNotification(1, Note(2, 1));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).notes.size() == 1; }));
  int port = e.address(1).election_port;

  std::string forged = Hello(2) + EncodeFrame(EncodeNotification(Notification{3}));
  std::string oversized = Hello(2);
  oversized += std::string("\x00\x10\x00\x00", 4);  // 1 MiB > 512 KiB
  std::vector<RawClient*> bad = {
      e.Raw(port, "GET / HTTP/1.1\r\nHost: zk\r\n\r\n"),          // not a hello
      e.Raw(port, Hello(99) + EncodeFrame("x")),                  // unknown sid
      e.Raw(port, Hello(1)),                                      // my own sid
      e.Raw(port, forged),                                        // sid differs from hello
      e.Raw(port, oversized),                                     // frame over the limit
      e.Raw(port, Hello(3) + EncodeFrame("not a notification")),  // malformed payload
  };
  ASSERT_TRUE(e.RunUntil(
      [&] { return std::all_of(bad.begin(), bad.end(), [](RawClient* c) { return c->ended; }); }));
  for (RawClient* c : bad) {
    EXPECT_TRUE(c->connected);
  }
  EXPECT_EQ(e.t(1).counters().protocol_errors, 6);
  EXPECT_TRUE(e.in(1).lost.empty());  // election-port garbage is nobody's lost peer

  // The real connections still work, both ways.
  e.t(2).SendNotification(1, Note(2, 2));
  e.t(3).SendZab(1, Packet(9));
  e.t(1).SendNotification(2, Note(1, 2));
  ASSERT_TRUE(e.RunUntil([&] {
    return e.in(1).notes.size() == 2 && e.in(1).zabs.size() == 3 && e.in(2).notes.size() == 1;
  }));
  EXPECT_EQ(e.in(1).notes.back().sid, 2);
  EXPECT_EQ(e.in(1).zabs.back(), std::make_pair(int64_t{3}, Packet(9)));
  for (int64_t sid = 1; sid <= 3; ++sid) {
    EXPECT_TRUE(e.in(sid).lost.empty()) << sid;
  }
}

TEST(PeerTransport, BadFrameOnTheQuorumPortClosesOnlyThatConnection) {
  Ensemble e(3);
  e.StartAll();
  ConnectQuorumMesh(e, {1, 2});
  int port = e.address(1).quorum_port;
  std::string huge = Hello(3) + std::string("\x7f\xff\xff\xff", 4);
  RawClient* a = e.Raw(port, huge);  // over kZabPacketMax
  RawClient* b = e.Raw(port, Hello(3) + EncodeFrame(std::string("\0\0\0\x63zz", 6)));  // bad type
  RawClient* c = e.Raw(port, std::string(40, '\xff'));  // not a hello
  ASSERT_TRUE(e.RunUntil([&] { return a->ended && b->ended && c->ended; }));
  EXPECT_EQ(e.t(1).counters().protocol_errors, 3);
  // Saying hello as 3 and then breaking delivered nothing: no relationship with 3 ends (a
  // stranger must not be able to cost a member its place by borrowing its sid).
  EXPECT_TRUE(e.in(1).lost.empty());
  // One that delivered a frame as 3 and then broke is a lost connection from 3.
  RawClient* d = e.Raw(port, Hello(3) + EncodeFrame(EncodeZabPacket(Packet(6))) +
                                 std::string("\x7f\xff\xff\xff", 4));
  ASSERT_TRUE(e.RunUntil([&] { return d->ended; }));
  EXPECT_EQ(e.t(1).counters().protocol_errors, 4);
  EXPECT_EQ(e.in(1).lost, (std::vector<int64_t>{3}));
  e.t(2).SendZab(1, Packet(5));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).zabs.size() == 3; }));
  EXPECT_EQ(e.in(1).zabs.back(), std::make_pair(int64_t{2}, Packet(5)));
  EXPECT_TRUE(e.in(2).lost.empty());
}

TEST(PeerTransport, InboundConnectionsBeyondConnectionsMaxAreClosed) {
  PeerTransportLimits limits;
  limits.connections_max = 2;
  limits.hello_timeout_ms = 600'000;  // the silent connections below stay
  Ensemble e(2, limits);
  e.StartAll();
  int port = e.address(1).election_port;
  e.t(2).SendNotification(1, Note(2, 1));  // a member's connection, hello said
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).notes.size() == 1; }));
  RawClient* first = e.Raw(port, "");
  ASSERT_TRUE(e.RunUntil([&] { return e.t(1).inbound_connection_count() == 2; }));
  // At the limit the oldest silent stranger makes room; the member's connection stays.
  RawClient* second = e.Raw(port, "");
  ASSERT_TRUE(e.RunUntil([&] { return first->ended; }));
  EXPECT_EQ(e.t(1).counters().protocol_errors, 1);
  EXPECT_EQ(e.t(1).counters().connections_rejected, 0);
  // A member dialling in (its quorum port this time) gets through the same way.
  e.t(2).SendZab(1, Packet(1));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).zabs.size() == 1 && second->ended; }));
  EXPECT_EQ(e.t(1).inbound_connection_count(), 2u);
  // Every connection has said hello: the next one is closed at accept.
  RawClient* third = e.Raw(port, "");
  ASSERT_TRUE(e.RunUntil([&] { return third->ended; }));
  EXPECT_EQ(e.t(1).counters().connections_rejected, 1);
  EXPECT_EQ(e.t(1).inbound_connection_count(), 2u);
  e.t(2).SendNotification(1, Note(2, 2));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).notes.size() == 2; }));
  EXPECT_TRUE(e.in(1).lost.empty());
}

TEST(PeerTransport, SilentConnectionIsClosedAfterTheHelloTimeout) {
  PeerTransportLimits limits;
  limits.hello_timeout_ms = 300;
  Ensemble e(2, limits);
  e.StartAll();
  RawClient* silent = e.Raw(e.address(1).quorum_port, "");
  RawClient* half = e.Raw(e.address(1).election_port, Hello(2).substr(0, 10));
  ASSERT_TRUE(e.RunUntil([&] { return silent->ended && half->ended; }));
  EXPECT_EQ(e.t(1).counters().protocol_errors, 2);
  EXPECT_TRUE(e.in(1).lost.empty());
  // Real peers are not affected.
  e.t(2).SendNotification(1, Note(2, 1));
  ASSERT_TRUE(e.RunUntil([&] { return e.in(1).notes.size() == 1; }));
}

TEST(PeerTransport, QueueForADownPeerIsBoundedAndKeepsTheNewest) {
  PeerTransportLimits limits;
  limits.peer_queue_bytes_max = 4096;
  Ensemble e(2, limits);
  e.Start(1);
  for (int64_t zxid = 1; zxid <= 200; ++zxid) {
    e.t(1).SendZab(2, Packet(zxid, std::string(100, 'p')));
    if (zxid % 20 == 0) {
      e.RunFor(2);
    }
  }
  EXPECT_GT(e.t(1).counters().frames_dropped, 0);
  e.Start(2);
  ASSERT_TRUE(
      e.RunUntil([&] { return !e.in(2).zabs.empty() && e.in(2).zabs.back().second.zxid == 200; }));
  std::vector<int64_t> got = Zxids(e.in(2), 1);
  // A suffix of what was sent, in order, within the bound.
  EXPECT_LE(got.size() * (4 + 4 + 8 + 4 + 100), 4096u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], 200 - static_cast<int64_t>(got.size()) + 1 + static_cast<int64_t>(i));
  }
  EXPECT_EQ(e.t(1).counters().frames_dropped, 200 - static_cast<int64_t>(got.size()));
}

// A "peer" that accepts and never reads: the sender's queue fills, and the connection is closed
// rather than letting the stream skip packets.
TEST(PeerTransport, PeerThatStopsReadingLosesItsConnection) {
  PeerTransportLimits limits;
  limits.peer_queue_bytes_max = 1024 * 1024;
  Ensemble e(2, limits);
  e.Start(1, limits);
  uv_tcp_t stuck{};
  uv_tcp_init(e.loop(), &stuck);
  sockaddr_in a{};
  uv_ip4_addr("127.0.0.1", e.address(2).quorum_port, &a);
  ASSERT_EQ(uv_tcp_bind(&stuck, reinterpret_cast<sockaddr*>(&a), 0), 0);
  std::vector<std::unique_ptr<uv_tcp_t>> accepted;
  stuck.data = &accepted;
  ASSERT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&stuck), 8,
                      [](uv_stream_t* s, int) {
                        auto* acc = static_cast<std::vector<std::unique_ptr<uv_tcp_t>>*>(s->data);
                        acc->push_back(std::make_unique<uv_tcp_t>());
                        uv_tcp_init(s->loop, acc->back().get());
                        uv_accept(s, reinterpret_cast<uv_stream_t*>(acc->back().get()));
                      }),
            0);
  e.t(1).SendZab(2, Packet(1));
  ASSERT_TRUE(e.RunUntil([&] { return !accepted.empty(); }));
  e.RunFor(10);
  std::string chunk(64 * 1024, 'c');
  int64_t zxid = 1;
  ASSERT_TRUE(e.RunUntil([&] {
    for (int i = 0; i < 16 && e.in(1).lost.empty(); ++i) {
      e.t(1).SendZab(2, Packet(++zxid, chunk));
    }
    return !e.in(1).lost.empty();
  }));
  EXPECT_EQ(e.in(1).lost, std::vector<int64_t>{2});
  EXPECT_GT(e.t(1).counters().frames_dropped, 0);
  for (auto& t : accepted) {
    uv_close(reinterpret_cast<uv_handle_t*>(t.get()), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&stuck), nullptr);
  e.RunFor(10);  // the handles above live on this stack frame: close them before it ends
}

TEST(PeerTransport, StartNamesATakenPort) {
  Ensemble e(2);
  e.Start(1);
  PeerTransportConfig config;
  config.my_sid = 2;
  config.election_port = e.address(1).election_port;  // taken by 1
  config.quorum_port = e.address(2).quorum_port;
  config.peers = {{1, e.address(1)}, {2, e.address(2)}};
  PeerTransport t(e.loop(), config, {});
  std::string err = t.Start();
  EXPECT_NE(err.find("127.0.0.1:" + std::to_string(config.election_port)), std::string::npos)
      << err;
  EXPECT_NE(err.find("election port"), std::string::npos) << err;
  EXPECT_NE(err.find("in use"), std::string::npos) << err;
}

TEST(PeerTransport, PortZeroBindsAFreePortAndCloseIsFinal) {
  Ensemble e(1);
  PeerTransportConfig config;
  config.my_sid = 1;
  int lost = 0;
  PeerTransport t(e.loop(), config, {nullptr, nullptr, [&](int64_t) { ++lost; }});
  ASSERT_EQ(t.Start(), "");
  EXPECT_GT(t.election_port(), 0);
  EXPECT_GT(t.quorum_port(), 0);
  EXPECT_NE(t.election_port(), t.quorum_port());
  t.SendZab(9, Packet(1));  // not a peer
  EXPECT_EQ(t.counters().frames_dropped, 1);
  t.Close();
  t.Close();
  t.SendZab(9, Packet(1));
  e.RunFor(10);
  EXPECT_EQ(lost, 0);
}

// ---- end to end: three Replicas over PeerTransport ----

// One member: a Replica driven by its transport and a 10 ms tick, "persisting" at once.
struct Member {
  std::unique_ptr<Replica> replica;
  PeerTransport* transport = nullptr;
  std::vector<Output> outputs;

  void Drain() {
    for (Ready ready = replica->TakeReady(); !ready.empty(); ready = replica->TakeReady()) {
      if (!ready.log_appends.empty()) {
        replica->Persisted(ready.log_appends.back().zxid);
      }
      for (const auto& m : ready.election_messages) {
        transport->SendNotification(m.to, m.n);
      }
      for (const auto& [to, p] : ready.zab_messages) {
        transport->SendZab(to, p);
      }
      for (auto& o : ready.client_outputs) {
        outputs.push_back(std::move(o));
      }
    }
  }
};

TEST(PeerTransport, ThreeReplicasElectSid3AndAWriteThroughMember1ReachesAll) {
  Ensemble e(3);
  storage::SnapshotCodec codec;
  std::map<int64_t, Member> members;
  std::map<int64_t, std::unique_ptr<PeerTransport>> transports;
  for (int64_t sid = 1; sid <= 3; ++sid) {
    ReplicaConfig rc;
    rc.my_id = sid;
    rc.membership = Membership({1, 2, 3}, {});
    rc.tick_ms = 10;
    rc.ticks_per_tick_time = 10;
    members[sid].replica =
        std::make_unique<Replica>(rc, CoreConfig{}, DurableState{}, sid << 56, &codec);
    PeerTransportConfig config;
    config.my_sid = sid;
    config.election_port = e.address(sid).election_port;
    config.quorum_port = e.address(sid).quorum_port;
    for (int64_t p = 1; p <= 3; ++p) {
      config.peers[p] = e.address(p);
    }
    Member* m = &members[sid];
    PeerTransportCallbacks cb;
    cb.on_notification = [m](const Notification& n, const std::string&) {
      m->replica->StepElection(n);
      m->Drain();
    };
    cb.on_zab = [m](int64_t from, const ZabPacket& p) {
      m->replica->StepZab(from, p);
      m->Drain();
    };
    cb.on_peer_lost = [m](int64_t peer) {
      m->replica->PeerDisconnected(peer);
      m->Drain();
    };
    transports[sid] = std::make_unique<PeerTransport>(e.loop(), config, cb);
    ASSERT_EQ(transports[sid]->Start(), "");
    m->transport = transports[sid].get();
  }
  auto wall_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  uv_timer_t tick{};
  uv_timer_init(e.loop(), &tick);
  tick.data = &members;
  uv_timer_start(
      &tick,
      [](uv_timer_t* t) {
        auto* ms = static_cast<std::map<int64_t, Member>*>(t->data);
        int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        for (auto& [sid, m] : *ms) {
          m.replica->Tick(now);
          m.Drain();
        }
      },
      10, 10);
  for (auto& [sid, m] : members) {
    m.replica->Start();
    m.Drain();
  }

  auto serving = [&] {
    return members[3].replica->state() == PeerState::kLeading && members[3].replica->serving() &&
           members[1].replica->serving() && members[2].replica->serving();
  };
  ASSERT_TRUE(e.RunUntil(serving));
  EXPECT_EQ(members[1].replica->leader(), 3);
  EXPECT_EQ(members[2].replica->leader(), 3);

  Member& one = members[1];
  OpenSessionResult s = one.replica->OpenSession(30000, "127.0.0.1", wall_ms());
  one.Drain();
  auto has = [&](Output::Kind kind, int32_t xid) {
    return std::any_of(one.outputs.begin(), one.outputs.end(), [&](const Output& o) {
      return o.kind == kind && (kind != Output::Kind::kReply || o.xid == xid);
    });
  };
  ASSERT_TRUE(e.RunUntil([&] { return has(Output::Kind::kSessionOpened, 0); }));
  JuteWriter w;
  CreateRequest{"/x", "v", OpenAclUnsafe(), 0, 0}.Write(w, false);
  one.replica->Submit({s.session_id, 1, OpCode::kCreate, w.Take(), 0, {}}, wall_ms());
  one.Drain();
  ASSERT_TRUE(e.RunUntil([&] {
    if (!has(Output::Kind::kReply, 1)) return false;
    for (auto& [sid, m] : members) {
      if (m.replica->core().tree().Find("/x") == nullptr) return false;
    }
    return true;
  }));
  for (const Output& o : one.outputs) {
    if (o.kind == Output::Kind::kReply && o.xid == 1) {
      EXPECT_EQ(o.err, Err::kOk);
    }
  }
  for (auto& [sid, m] : members) {
    EXPECT_EQ(m.replica->core().tree().Find("/x")->data, "v") << sid;
  }

  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  transports.clear();
  e.RunFor(10);  // `tick` lives on this frame
}

}  // namespace
}  // namespace zk
