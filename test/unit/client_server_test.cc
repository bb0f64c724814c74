// ClientServer on a real libuv loop in the test thread, driven by raw blocking sockets: the
// handshake forms, ping, named limits, four-letter words and closing rules of the shell.
#include "server/client_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>

#include "core/standalone.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "server/event_writer.h"

namespace zk {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string Frame(const std::string& body) {
  std::string out(4, '\0');
  StoreBigEndian32(out.data(), static_cast<int32_t>(body.size()));
  return out + body;
}

std::string ConnectBody(int64_t sid, const std::string& passwd, bool with_read_only,
                        int64_t last_zxid = 0, int32_t timeout = 30000) {
  ConnectRequest req;
  req.last_zxid_seen = last_zxid;
  req.timeout_ms = timeout;
  req.session_id = sid;
  req.passwd = passwd;
  JuteWriter w;
  req.Write(w);
  std::string body = w.Take();
  // Write() may or may not emit the trailing byte; make the form explicit.
  const size_t base = 4 + 8 + 4 + 8 + 4 + passwd.size();
  body.resize(base);
  if (with_read_only) body.push_back('\0');
  return body;
}

class ShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ConfigResult r = ParseConfigText("dataDir=/tmp/zkd-shell-test\ntickTime=100\n"
                                     "maxClientCnxns=3\nclientPortAddress=127.0.0.1\n"
                                     "clientPort=" + std::to_string(port_) + "\n",
                                     "zoo.cfg");
    ASSERT_TRUE(r.ok()) << r.error;
    config_ = r.config;
    CoreConfig cc;
    cc.tick_ms = config_.tick_ms;
    cc.min_session_timeout_ms = config_.min_session_timeout_ms;
    cc.max_session_timeout_ms = config_.max_session_timeout_ms;
    machine_ = std::make_unique<Standalone>(cc, kFirstSessionId);
    uv_loop_init(&loop_);
    server_ = std::make_unique<ClientServer>(&loop_, config_, machine_.get());
    ASSERT_EQ(server_->Start(), "");
  }
  void TearDown() override {
    for (int fd : fds_) close(fd);
    server_->Stop();
    uv_run(&loop_, UV_RUN_DEFAULT);
    server_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  int Dial() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    fds_.push_back(fd);
    Pump([] { return false; }, 20);  // let the server accept
    return fd;
  }
  void SendRaw(int fd, const std::string& bytes) {
    ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Runs the loop until `done` or `ms` elapse.
  void Pump(const std::function<bool()>& done, int ms = 2000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!done() && std::chrono::steady_clock::now() < end) {
      uv_run(&loop_, UV_RUN_NOWAIT);
      usleep(1000);
    }
  }
  // Reads exactly n bytes (or fewer if the server closes); pumps the loop meanwhile.
  std::string Read(int fd, size_t n) {
    std::string out;
    bool closed = false;
    Pump([&] {
      pollfd p{fd, POLLIN, 0};
      while (out.size() < n && poll(&p, 1, 0) == 1) {
        char buf[4096];
        ssize_t got = recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
        if (got <= 0) {
          closed = true;
          break;
        }
        out.append(buf, static_cast<size_t>(got));
      }
      return closed || out.size() >= n;
    });
    return out;
  }
  std::string ReadFrame(int fd) {
    std::string len = Read(fd, 4);
    if (len.size() < 4) return {};
    return Read(fd, static_cast<size_t>(LoadBigEndian32(len.data())));
  }
  bool ClosedByServer(int fd) {
    bool closed = false;
    Pump([&] {
      char c;
      ssize_t got = recv(fd, &c, 1, MSG_DONTWAIT);
      closed = got == 0 || (got < 0 && errno != EAGAIN);
      return closed;
    });
    return closed;
  }
  std::string ReadUntilClosed(int fd) {
    std::string out;
    Pump([&] {
      char buf[4096];
      ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (got > 0) out.append(buf, static_cast<size_t>(got));
      return got == 0 || (got < 0 && errno != EAGAIN);
    });
    return out;
  }
  ConnectResponse Handshake(int fd, int64_t sid = 0, std::string passwd = std::string(16, '\0')) {
    SendRaw(fd, Frame(ConnectBody(sid, passwd, true)));
    std::string body = ReadFrame(fd);
    JuteReader r(body);
    ConnectResponse resp;
    EXPECT_TRUE(resp.Read(r));
    return resp;
  }

  static constexpr int64_t kFirstSessionId = 0x100;
  int port_ = 0;
  ServerConfig config_;
  std::unique_ptr<Standalone> machine_;
  uv_loop_t loop_{};
  std::unique_ptr<ClientServer> server_;
  std::vector<int> fds_;
};

TEST_F(ShellTest, NewSession_ConnectResponseWithPasswordAndReadOnlyByte) {
  int fd = Dial();
  SendRaw(fd, Frame(ConnectBody(0, std::string(16, '\0'), true, 0, 30000)));
  std::string body = ReadFrame(fd);
  ASSERT_EQ(body.size(), 37u);  // 4+4+8+4+16+1
  JuteReader r(body);
  ConnectResponse resp;
  ASSERT_TRUE(resp.Read(r));
  EXPECT_EQ(resp.session_id, kFirstSessionId);
  EXPECT_EQ(resp.timeout_ms, 2000);  // clamped to maxSessionTimeout = 20 x tickTime
  EXPECT_EQ(resp.passwd, Core::SessionPassword(kFirstSessionId));
}

TEST_F(ShellTest, OldConnectForm_ResponseWithoutReadOnlyByte) {
  int fd = Dial();
  SendRaw(fd, Frame(ConnectBody(0, std::string(16, '\0'), false)));
  EXPECT_EQ(ReadFrame(fd).size(), 36u);
}

TEST_F(ShellTest, Ping_AnsweredByTheShellWithLastZxid) {
  int fd = Dial();
  Handshake(fd);
  JuteWriter w;
  RequestHeader{kXidPing, ToInt(OpCode::kPing)}.Write(w);
  SendRaw(fd, Frame(w.data()));
  std::string body = ReadFrame(fd);
  ASSERT_EQ(body.size(), 16u);
  JuteReader r(body);
  ReplyHeader h;
  ASSERT_TRUE(h.Read(r));
  EXPECT_EQ(h.xid, kXidPing);
  EXPECT_EQ(h.zxid, machine_->core().last_zxid());
  EXPECT_EQ(h.err, 0);
}

TEST_F(ShellTest, PipelinedRequests_RepliesInOrderInOneRead) {
  int fd = Dial();
  Handshake(fd);
  std::string bytes;
  for (int32_t xid = 1; xid <= 3; ++xid) {
    JuteWriter w;
    RequestHeader{xid, ToInt(OpCode::kExists)}.Write(w);
    PathAndWatch{"/zookeeper", false}.Write(w);
    bytes += Frame(w.data());
  }
  SendRaw(fd, bytes);
  for (int32_t xid = 1; xid <= 3; ++xid) {
    std::string body = ReadFrame(fd);
    JuteReader r(body);
    ReplyHeader h;
    ASSERT_TRUE(h.Read(r));
    EXPECT_EQ(h.xid, xid);
    EXPECT_EQ(h.err, 0);
    EXPECT_EQ(body.size(), 16u + 68u);  // header + Stat
  }
}

TEST_F(ShellTest, OversizeFrame_ClosesOnlyThatConnection) {
  int good = Dial();
  Handshake(good);
  int bad = Dial();
  std::string len(4, '\0');
  StoreBigEndian32(len.data(), static_cast<int32_t>(config_.jute_max_buffer + 1));
  SendRaw(bad, len);
  EXPECT_TRUE(ClosedByServer(bad));
  JuteWriter w;
  RequestHeader{kXidPing, ToInt(OpCode::kPing)}.Write(w);
  SendRaw(good, Frame(w.data()));
  EXPECT_EQ(ReadFrame(good).size(), 16u);
}

TEST_F(ShellTest, NegativeLength_Closes) {
  int fd = Dial();
  SendRaw(fd, std::string("\xff\xff\xff\xff", 4));
  EXPECT_TRUE(ClosedByServer(fd));
}

TEST_F(ShellTest, FourLetterWord_SrvrAlwaysAllowed) {
  int fd = Dial();
  SendRaw(fd, "srvr");
  std::string text = ReadUntilClosed(fd);
  EXPECT_EQ(text.rfind("Zookeeper version: ", 0), 0u) << text;
  EXPECT_NE(text.find("\nMode: standalone\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nConnections: 1\n"), std::string::npos) << text;
}

TEST_F(ShellTest, FourLetterWord_NotWhitelisted_RefusalLine) {
  int fd = Dial();
  SendRaw(fd, "ruok");
  EXPECT_EQ(ReadUntilClosed(fd), "ruok is not executed because it is not in the whitelist.\n");
}

TEST_F(ShellTest, InvalidReattach_ZeroResponseThenClose) {
  int fd = Dial();
  SendRaw(fd, Frame(ConnectBody(0x777, std::string(16, 'x'), true)));
  std::string body = ReadFrame(fd);
  std::string want(4 + 4 + 8, '\0');
  want += std::string("\x00\x00\x00\x10", 4) + std::string(16, '\0') + std::string(1, '\0');
  EXPECT_EQ(body, want);
  EXPECT_TRUE(ClosedByServer(fd));
}

TEST_F(ShellTest, Reattach_SameSessionAndOldConnectionClosed) {
  int first = Dial();
  ConnectResponse a = Handshake(first);
  int second = Dial();
  ConnectResponse b = Handshake(second, a.session_id, a.passwd);
  EXPECT_EQ(b.session_id, a.session_id);
  EXPECT_GT(b.timeout_ms, 0);
  EXPECT_TRUE(ClosedByServer(first));
}

TEST_F(ShellTest, ClientZxidAhead_ClosedWithoutReply) {
  int fd = Dial();
  SendRaw(fd, Frame(ConnectBody(0, std::string(16, '\0'), true, /*last_zxid=*/1 << 20)));
  EXPECT_EQ(ReadUntilClosed(fd), "");
}

TEST_F(ShellTest, ConnectionsPerIp_ExcessRefusedAndClosed) {
  int a = Dial(), b = Dial(), c = Dial();
  (void)a;
  (void)b;
  (void)c;
  Pump([&] { return server_->connection_count() == 3; });
  EXPECT_EQ(server_->connection_count(), 3u);
  int d = Dial();
  EXPECT_TRUE(ClosedByServer(d));
  EXPECT_EQ(server_->connection_count(), 3u);
}

TEST_F(ShellTest, CloseSession_ReplyThenConnectionClosed) {
  int fd = Dial();
  Handshake(fd);
  JuteWriter w;
  RequestHeader{5, ToInt(OpCode::kCloseSession)}.Write(w);
  SendRaw(fd, Frame(w.data()));
  std::string body = ReadFrame(fd);
  ASSERT_EQ(body.size(), 16u);
  EXPECT_TRUE(ClosedByServer(fd));
  EXPECT_EQ(machine_->core().sessions().size(), 0u);
}

TEST_F(ShellTest, SilentSession_ExpiresByTickAndConnectionCloses) {
  int fd = Dial();
  ConnectResponse r = Handshake(fd);
  ASSERT_EQ(r.timeout_ms, 2000);
  bool closed = false;
  Pump(
      [&] {
        char c;
        ssize_t got = recv(fd, &c, 1, MSG_DONTWAIT);
        closed = got == 0;
        return closed;
      },
      5000);
  EXPECT_TRUE(closed);
  EXPECT_EQ(machine_->core().sessions().size(), 0u);
}

TEST(Shell, FirstSessionId_ZooKeeperRule) {
  const int64_t now = 1795325422828;
  uint64_t expected = (static_cast<uint64_t>(now) << 24) >> 8;
  EXPECT_EQ(FirstSessionId(now, 0), static_cast<int64_t>(expected));
  EXPECT_EQ(static_cast<uint64_t>(FirstSessionId(now, 3)) >> 56, 3u);
  EXPECT_EQ(FirstSessionId(now, 3) & 0xffff, 0);  // room for 65536 sessions before overlap
}

TEST(Shell, EventLines_SupervisorContract) {
  EXPECT_EQ(EventWriter::StateLine("STANDALONE", 0, 0x1f, 0),
            "{\"event\":\"state\",\"state\":\"STANDALONE\",\"epoch\":0,\"zxid\":\"0x1f\","
            "\"election_ms\":0}\n");
  EXPECT_EQ(EventWriter::ServingLine(), "{\"event\":\"serving\"}\n");
}

}  // namespace
}  // namespace zk
