/* create_writer: sequential creates through the stock C client (libzookeeper_mt), pipelined.
 *
 *   create_writer host:port parent inflight seconds [--print-acks] [--connections N]
 *
 * Creates <parent> (if missing), then keeps `inflight` asynchronous zoo_acreate calls (per
 * connection; N connections, each its own session, default 1) of
 * <parent>/n- (PERSISTENT_SEQUENTIAL, 16 bytes of data) outstanding until `seconds` have passed
 * (0 = until the first failure, e.g. the server was killed). With --print-acks each acknowledged
 * create prints one line "ack <path>" on stdout, after the server's reply arrived. The last line
 * on stderr is a summary: "acked N failed M first_error RC elapsed_s S creates_per_s R".
 *
 * Used by the crash test (test/durability/crash_test.py: every printed path must survive a
 * kill -9 of the server) and by bench/create_throughput.py (creates per second). Exits 0 when
 * it acknowledged at least one create, 1 otherwise; on a failure it exits without
 * zookeeper_close (the server may be gone). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper.h>

#define CONNECT_WAIT_S 30
#define SESSION_TIMEOUT_MS 30000
#define INFLIGHT_MAX 100000
#define CONNECTIONS_MAX 64
#define PATH_BYTES 512

struct conn {
  zhandle_t *zh;
  int connected;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long acked, failed, outstanding;
static int first_error;
static volatile int stop;
static int print_acks;
static double end_s; /* 0: until the first failure */
static char create_path[PATH_BYTES];
static const char payload[16] = "0123456789abcde";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  struct conn *c = ctx;
  if (type != ZOO_SESSION_EVENT) return;
  pthread_mutex_lock(&mu);
  c->connected = state == ZOO_CONNECTED_STATE;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void created(int rc, const char *value, const void *data);

/* Sends one more create on `c`; called with mu held. */
static void send_create(struct conn *c) {
  outstanding++;
  int rc = zoo_acreate(c->zh, create_path, payload, sizeof payload, &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_SEQUENCE, created, c);
  if (rc != ZOK) {
    outstanding--;
    failed++;
    if (first_error == 0) first_error = rc;
    stop = 1;
  }
}

/* The completion thread of each connection sends the next create itself: no hand-off to another
 * thread per request, so the writer spends its CPU on the client library, not on wake-ups. */
static void created(int rc, const char *value, const void *data) {
  struct conn *c = (struct conn *)data;
  pthread_mutex_lock(&mu);
  if (rc == ZOK) {
    acked++;
    if (print_acks) printf("ack %s\n", value);
  } else {
    failed++;
    if (first_error == 0) first_error = rc;
    stop = 1;
  }
  outstanding--;
  if (!stop && (end_s == 0 || now_s() < end_s)) send_create(c);
  if (outstanding == 0) pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s host:port parent inflight seconds [--print-acks] [--connections N]\n",
          argv0);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    usage(argv[0]);
    return 2;
  }
  const char *hostport = argv[1];
  const char *parent = argv[2];
  int inflight = atoi(argv[3]);
  double seconds = atof(argv[4]);
  int connections = 1;
  for (int i = 5; i < argc; i++) {
    if (strcmp(argv[i], "--print-acks") == 0) {
      print_acks = 1;
    } else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections = atoi(argv[++i]);
    } else {
      fprintf(stderr, "unknown argument %s\n", argv[i]);
      usage(argv[0]);
      return 2;
    }
  }
  if (inflight < 1 || inflight > INFLIGHT_MAX) {
    fprintf(stderr, "inflight must be 1..%d\n", INFLIGHT_MAX);
    return 2;
  }
  if (connections < 1 || connections > CONNECTIONS_MAX) {
    fprintf(stderr, "--connections must be 1..%d\n", CONNECTIONS_MAX);
    return 2;
  }
  static char outbuf[1 << 20];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);

  static struct conn conns[CONNECTIONS_MAX];
  for (int i = 0; i < connections; i++) {
    conns[i].zh = zookeeper_init(hostport, watcher, SESSION_TIMEOUT_MS, NULL, &conns[i], 0);
    if (!conns[i].zh) {
      perror("zookeeper_init");
      return 1;
    }
    /* By default the client re-resolves the connect string each time it polls its socket; at
     * thousands of requests per second that lookup costs more CPU than the request itself. */
    zoo_set_servers_resolution_delay(conns[i].zh, -1);
  }
  double deadline = now_s() + CONNECT_WAIT_S;
  pthread_mutex_lock(&mu);
  int up = 0;
  while (now_s() < deadline) {
    up = 0;
    for (int i = 0; i < connections; i++) up += conns[i].connected;
    if (up == connections) break;
    pthread_mutex_unlock(&mu);
    usleep(10000);
    pthread_mutex_lock(&mu);
  }
  pthread_mutex_unlock(&mu);
  if (up != connections) {
    fprintf(stderr, "not connected to %s after %d s\n", hostport, CONNECT_WAIT_S);
    return 1;
  }
  int rc = zoo_create(conns[0].zh, parent, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  if (rc != ZOK && rc != ZNODEEXISTS) {
    fprintf(stderr, "create %s: %s\n", parent, zerror(rc));
    _exit(1);
  }

  snprintf(create_path, sizeof create_path, "%s/n-", parent);
  double start = now_s();
  pthread_mutex_lock(&mu);
  end_s = seconds > 0 ? start + seconds : 0;
  for (int i = 0; i < connections; i++) {
    for (int k = 0; k < inflight && !stop; k++) send_create(&conns[i]);
  }
  pthread_mutex_unlock(&mu);
  /* The callbacks keep the window full until the deadline or the first failure. */
  while (!stop && (end_s == 0 || now_s() < end_s)) usleep(10000);
  /* Wait for what is in flight: replies, or CONNECTIONLOSS once the client gives up. */
  pthread_mutex_lock(&mu);
  double wait_until = now_s() + SESSION_TIMEOUT_MS / 1000.0;
  while (outstanding > 0 && now_s() < wait_until) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_cond_timedwait(&cv, &mu, &ts);
  }
  double elapsed = now_s() - start;
  long a = acked;
  fflush(stdout);
  fprintf(stderr, "acked %ld failed %ld first_error %d elapsed_s %.3f creates_per_s %.0f\n", a,
          failed, first_error, elapsed, elapsed > 0 ? a / elapsed : 0.0);
  int clean = failed == 0 && outstanding == 0;
  pthread_mutex_unlock(&mu);
  if (clean) {
    for (int i = 0; i < connections; i++) zookeeper_close(conns[i].zh);
  }
  _exit(a > 0 ? 0 : 1);
}
