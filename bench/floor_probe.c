/* floor_probe: the two costs a quorum write through a follower cannot avoid on this machine,
 * measured without any ZooKeeper code, for the closing notes (bench/results/set_latency.txt):
 *
 *   floor_probe [--rounds N] [--dir D]
 *
 *   hop:   one message between two processes over loopback TCP (TCP_NODELAY, each side
 *          blocked in epoll_wait as a libuv loop is): half the p50 of N ping-pongs of 64 bytes;
 *          where the scheduler puts them, both on CPU 0, and on CPU 0 and CPU 1 (a wake-up
 *          on another, idle, CPU of a VM costs an interrupt to that CPU).
 *          A set through a follower makes six of them (client -> follower -> leader ->
 *          follower for the PROPOSAL, ACK back, COMMIT out, reply to the client).
 *   flush: pwrite 200 bytes + fdatasync into a zero-filled file in D, by 1 and by 3 processes
 *          at once (the three members on one disk): p50 per flush. A quorum needs two of the
 *          three members' flushes.
 *
 * Prints one line per figure and the sum (6 hops + the flush of 3 writers). Asserts nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kRoundsDefault = 3000, kFileBytes = 4 << 20, kEntryBytes = 200, kMsgBytes = 64 };

static int64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int CompareI64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

static int64_t Median(int64_t* v, int n) {
  qsort(v, (size_t)n, sizeof *v, CompareI64);
  return v[n / 2];
}

static void Die(const char* what) {
  perror(what);
  exit(1);
}

/* Reads exactly n bytes, waiting in epoll_wait between reads as an event loop does. */
static void ReadAll(int fd, int ep, char* buf, int n) {
  int got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, (size_t)(n - got));
    if (r > 0) {
      got += (int)r;
      continue;
    }
    if (r == 0) exit(0);
    struct epoll_event ev;
    if (epoll_wait(ep, &ev, 1, -1) < 0) Die("epoll_wait");
  }
}

static int Loop(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) Die("epoll");
  return ep;
}

static void PinTo(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) Die("sched_setaffinity");
}

/* cpu_a / cpu_b: the CPUs the two ends are pinned to, -1 for the scheduler's choice. */
static int64_t HopNs(int rounds, int cpu_a, int cpu_b) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (bind(lfd, (struct sockaddr*)&a, sizeof a) != 0 || listen(lfd, 1) != 0 ||
      getsockname(lfd, (struct sockaddr*)&a, &len) != 0) {
    Die("listen on 127.0.0.1");
  }
  pid_t echo = fork();
  if (echo == 0) {
    PinTo(cpu_b);
    int c = accept(lfd, NULL, NULL);
    int ep = Loop(c);
    char buf[kMsgBytes];
    for (;;) {
      ReadAll(c, ep, buf, kMsgBytes);
      if (write(c, buf, kMsgBytes) != kMsgBytes) exit(1);
    }
  }
  PinTo(cpu_a);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr*)&a, sizeof a) != 0) Die("connect");
  int ep = Loop(c);
  char buf[kMsgBytes];
  memset(buf, 'x', sizeof buf);
  int64_t* rtt = malloc(sizeof(int64_t) * (size_t)rounds);
  for (int i = 0; i < rounds; ++i) {
    int64_t t0 = NowNs();
    if (write(c, buf, kMsgBytes) != kMsgBytes) Die("write");
    ReadAll(c, ep, buf, kMsgBytes);
    rtt[i] = NowNs() - t0;
  }
  close(c);
  waitpid(echo, NULL, 0);
  close(lfd);
  int64_t m = Median(rtt, rounds) / 2;
  free(rtt);
  return m;
}

/* One writer: p50 of pwrite + fdatasync, written to `out` (ns). */
static void Flushes(const char* dir, int id, int rounds, int64_t* out) {
  char path[512];
  snprintf(path, sizeof path, "%s/floor_probe.%d.%d", dir, (int)getpid(), id);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Die(path);
  char* zeros = calloc(1, kFileBytes);
  if (write(fd, zeros, kFileBytes) != kFileBytes || fsync(fd) != 0) Die("zero-fill");
  free(zeros);
  char entry[kEntryBytes];
  memset(entry, 'e', sizeof entry);
  int64_t* t = malloc(sizeof(int64_t) * (size_t)rounds);
  for (int i = 0; i < rounds; ++i) {
    int64_t t0 = NowNs();
    off_t at = ((off_t)i * kEntryBytes) % (kFileBytes - kEntryBytes);
    if (pwrite(fd, entry, sizeof entry, at) != (ssize_t)sizeof entry || fdatasync(fd) != 0) {
      Die("pwrite + fdatasync");
    }
    t[i] = NowNs() - t0;
  }
  close(fd);
  unlink(path);
  *out = Median(t, rounds);
  free(t);
}

static int64_t FlushNs(const char* dir, int writers, int rounds) {
  int fds[3][2];
  for (int w = 0; w < writers; ++w) {
    if (pipe(fds[w]) != 0) Die("pipe");
    if (fork() == 0) {
      int64_t m = 0;
      Flushes(dir, w, rounds, &m);
      if (write(fds[w][1], &m, sizeof m) != sizeof m) exit(1);
      exit(0);
    }
  }
  int64_t sum = 0;
  for (int w = 0; w < writers; ++w) {
    int64_t m = 0;
    if (read(fds[w][0], &m, sizeof m) != sizeof m) Die("writer");
    sum += m;
    wait(NULL);
  }
  return sum / writers;
}

int main(int argc, char** argv) {
  int rounds = kRoundsDefault;
  const char* dir = ".";
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else {
      fprintf(stderr, "floor_probe: unknown argument '%s' (use --rounds N, --dir D)\n", argv[i]);
      return 2;
    }
  }
  if (rounds < 1) {
    fprintf(stderr, "floor_probe: --rounds must be at least 1\n");
    return 2;
  }
  int64_t hop = HopNs(rounds, -1, -1);
  int64_t hop_same = HopNs(rounds, 0, 0);
  int64_t hop_cross = HopNs(rounds, 0, 1);
  cpu_set_t all;
  CPU_ZERO(&all);
  for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
  sched_setaffinity(0, sizeof all, &all);
  int64_t one = FlushNs(dir, 1, rounds);
  int64_t three = FlushNs(dir, 3, rounds);
  printf("hop (one loopback message, p50)         %7.1f us\n", hop / 1e3);
  printf("  both ends on CPU 0                    %7.1f us\n", hop_same / 1e3);
  printf("  ends on CPU 0 and CPU 1               %7.1f us\n", hop_cross / 1e3);
  printf("flush (200 B + fdatasync), 1 writer     %7.1f us\n", one / 1e3);
  printf("flush (200 B + fdatasync), 3 at once    %7.1f us\n", three / 1e3);
  printf("floor of a set through a follower: 6 hops + 1 flush of 3 at once = %.1f us\n",
         (6 * hop + three) / 1e3);
  return 0;
}
