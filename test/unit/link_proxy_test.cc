// LinkProxy over real loopback sockets: a plain listening socket stands for the member, a plain
// client for the member that dials; the proxy runs on a uv loop driven by the test thread. Every
// wait polls a condition under a generous deadline; nothing asserts a timing.
#include "supervisor/link_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace pc {
namespace {

constexpr int kDeadlineMs = 20'000;

int Listen(const char* host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host, &a.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int PortOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

class LinkProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    member_ = Listen("127.0.0.1", 0);
    ASSERT_GE(member_, 0);
    proxy_ = std::make_unique<LinkProxy>(&loop_, "127.0.7.9", PortOf(member_), "127.0.0.1",
                                         PortOf(member_));
    ASSERT_EQ(proxy_->Start(), "");
  }
  void TearDown() override {
    for (int fd : {dialler_, accepted_, member_}) {
      if (fd >= 0) close(fd);
    }
    proxy_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // Runs the loop until `done` holds; false at the deadline.
  bool RunUntil(const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
    while (std::chrono::steady_clock::now() < end) {
      uv_run(&loop_, UV_RUN_NOWAIT);
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  // Dials the proxy; returns the member's side once the proxy has connected through.
  void Connect(bool expect_through = true) {
    dialler_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(PortOf(member_)));
    inet_pton(AF_INET, "127.0.7.9", &a.sin_addr);
    ASSERT_EQ(connect(dialler_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    fcntl(dialler_, F_SETFL, O_NONBLOCK);
    if (!expect_through) return;
    ASSERT_TRUE(RunUntil([&] {
      accepted_ = accept4(member_, nullptr, nullptr, SOCK_NONBLOCK);
      return accepted_ >= 0;
    }));
  }

  void SendAll(int fd, const std::string& bytes) {
    ASSERT_EQ(send(fd, bytes.data(), bytes.size(), 0), ssize_t(bytes.size()));
  }

  // Reads what `fd` has until `want` bytes arrived (or the deadline).
  std::string Receive(int fd, size_t want) {
    std::string got;
    RunUntil([&] {
      char buf[4096];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) got.append(buf, size_t(n));
      return got.size() >= want || n == 0;
    });
    return got;
  }

  // Whether fd sees EOF or a reset (the proxy closed it) by the deadline.
  bool SeesClose(int fd) {
    return RunUntil([&] {
      char buf[4096];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    });
  }

  uv_loop_t loop_;
  int member_ = -1, dialler_ = -1, accepted_ = -1;
  std::unique_ptr<LinkProxy> proxy_;
};

TEST_F(LinkProxyTest, ForwardsBothWaysAndCounts) {
  Connect();
  SendAll(dialler_, "hello member");
  EXPECT_EQ(Receive(accepted_, 12), "hello member");
  SendAll(accepted_, "hi");
  EXPECT_EQ(Receive(dialler_, 2), "hi");
  EXPECT_EQ(proxy_->forward().bytes, 12u);
  EXPECT_EQ(proxy_->backward().bytes, 2u);
  EXPECT_GE(proxy_->forward().messages, 1u);
  EXPECT_EQ(proxy_->connections(), 1);
}

TEST_F(LinkProxyTest, BlackholeDropsBytesThenHealResetsTheConnection) {
  Connect();
  LinkFault cut;
  cut.blackhole = true;
  proxy_->SetFaults(cut, LinkFault{});
  SendAll(dialler_, "lost");
  ASSERT_TRUE(RunUntil([&] { return proxy_->forward().dropped_bytes == 4; }));
  SendAll(accepted_, "still flows");
  EXPECT_EQ(Receive(dialler_, 11), "still flows");
  char buf[16];
  EXPECT_LT(recv(accepted_, buf, sizeof buf, 0), 0);  // nothing arrived
  proxy_->SetFaults(LinkFault{}, LinkFault{});
  EXPECT_TRUE(SeesClose(dialler_));
  EXPECT_TRUE(SeesClose(accepted_));
}

TEST_F(LinkProxyTest, ADialDuringABlackholeIsHeldAndResetAtHeal) {
  LinkFault cut;
  cut.blackhole = true;
  proxy_->SetFaults(LinkFault{}, cut);
  Connect(/*expect_through=*/false);
  SendAll(dialler_, "anyone?");
  ASSERT_TRUE(RunUntil([&] { return proxy_->forward().dropped_bytes == 7; }));
  EXPECT_LT(accept4(member_, nullptr, nullptr, SOCK_NONBLOCK), 0);  // never dialled
  proxy_->SetFaults(LinkFault{}, LinkFault{});
  EXPECT_TRUE(SeesClose(dialler_));
}

TEST_F(LinkProxyTest, AHeldDialWhoseDiallerGivesUpIsDropped) {
  LinkFault cut;
  cut.blackhole = true;
  proxy_->SetFaults(cut, cut);
  for (int i = 0; i < 3; ++i) {
    Connect(/*expect_through=*/false);
    ASSERT_TRUE(RunUntil([&] { return proxy_->connections() == 1; }));
    close(dialler_);
    dialler_ = -1;
    ASSERT_TRUE(RunUntil([&] { return proxy_->connections() == 0; }));
  }
}

TEST_F(LinkProxyTest, DelayWithJitterKeepsTheOrder) {
  Connect();
  LinkFault slow;
  slow.delay_ms = 20;
  slow.jitter_ms = 15;
  proxy_->SetFaults(slow, slow);
  std::string sent;
  for (int i = 0; i < 30; ++i) {
    const std::string piece = std::to_string(i) + ";";
    SendAll(dialler_, piece);
    sent += piece;
    RunUntil([&] { return true; });
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(Receive(accepted_, sent.size()), sent);
}

TEST_F(LinkProxyTest, ThrottledBytesAllArrive) {
  Connect();
  LinkFault narrow;
  narrow.bandwidth_bps = 200 * 1024;
  proxy_->SetFaults(narrow, narrow);
  const std::string big(64 * 1024, 'x');
  SendAll(dialler_, big);
  EXPECT_EQ(Receive(accepted_, big.size()).size(), big.size());
}

TEST_F(LinkProxyTest, ResetClosesConnectionsAndRefusesNewOnes) {
  Connect();
  LinkFault reset;
  reset.reset = true;
  proxy_->SetFaults(reset, reset);
  EXPECT_TRUE(SeesClose(dialler_));
  EXPECT_TRUE(SeesClose(accepted_));
  close(dialler_);
  close(accepted_);
  accepted_ = -1;
  Connect(/*expect_through=*/false);
  EXPECT_TRUE(SeesClose(dialler_));
}

TEST_F(LinkProxyTest, AMemberThatIsDownLooksLikeAReset) {
  close(member_);  // the proxy's member is gone: nothing listens on its port
  member_ = -1;
  dialler_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(
      proxy_->listen_address().substr(proxy_->listen_address().rfind(':') + 1))));
  inet_pton(AF_INET, "127.0.7.9", &a.sin_addr);
  ASSERT_EQ(connect(dialler_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  fcntl(dialler_, F_SETFL, O_NONBLOCK);
  EXPECT_TRUE(SeesClose(dialler_));
}

TEST_F(LinkProxyTest, HelloRewriteSeesTheFirstBytesOnly) {
  proxy_->SetHelloRewrite([](std::string* bytes) {
    if (bytes->size() < 5) return false;
    bytes->replace(0, 5, "HELLO");
    return true;
  });
  Connect();
  SendAll(dialler_, "he");
  RunUntil([] { return true; });
  SendAll(dialler_, "llo world hello");
  EXPECT_EQ(Receive(accepted_, 17), "HELLO world hello");
}

}  // namespace
}  // namespace pc
