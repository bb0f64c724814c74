/* create_writer: sequential creates through the stock C client (libzookeeper_mt), pipelined.
 *
 *   create_writer host:port parent inflight seconds [--print-acks]
 *
 * Creates <parent> (if missing), then keeps `inflight` asynchronous zoo_acreate calls of
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
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper.h>

#define CONNECT_WAIT_S 30
#define SESSION_TIMEOUT_MS 30000
#define INFLIGHT_MAX 100000
#define PATH_BYTES 512

static sem_t slots;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int connected;
static long acked, failed, outstanding;
static int first_error;
static volatile int stop;
static int print_acks;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  pthread_mutex_lock(&mu);
  connected = state == ZOO_CONNECTED_STATE;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void created(int rc, const char *value, const void *data) {
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
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  sem_post(&slots);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s host:port parent inflight seconds [--print-acks]\n", argv[0]);
    return 2;
  }
  const char *hostport = argv[1];
  const char *parent = argv[2];
  int inflight = atoi(argv[3]);
  double seconds = atof(argv[4]);
  print_acks = argc > 5 && strcmp(argv[5], "--print-acks") == 0;
  if (inflight < 1 || inflight > INFLIGHT_MAX) {
    fprintf(stderr, "inflight must be 1..%d\n", INFLIGHT_MAX);
    return 2;
  }
  static char outbuf[1 << 20];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  sem_init(&slots, 0, (unsigned)inflight);

  zhandle_t *zh = zookeeper_init(hostport, watcher, SESSION_TIMEOUT_MS, NULL, NULL, 0);
  if (!zh) {
    perror("zookeeper_init");
    return 1;
  }
  double deadline = now_s() + CONNECT_WAIT_S;
  pthread_mutex_lock(&mu);
  while (!connected && now_s() < deadline) {
    pthread_mutex_unlock(&mu);
    usleep(10000);
    pthread_mutex_lock(&mu);
  }
  int ok = connected;
  pthread_mutex_unlock(&mu);
  if (!ok) {
    fprintf(stderr, "not connected to %s after %d s\n", hostport, CONNECT_WAIT_S);
    return 1;
  }
  int rc = zoo_create(zh, parent, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  if (rc != ZOK && rc != ZNODEEXISTS) {
    fprintf(stderr, "create %s: %s\n", parent, zerror(rc));
    _exit(1);
  }

  char path[PATH_BYTES];
  snprintf(path, sizeof path, "%s/n-", parent);
  const char payload[16] = "0123456789abcde";
  double start = now_s();
  double end = seconds > 0 ? start + seconds : 0;
  while (!stop && (end == 0 || now_s() < end)) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    if (sem_timedwait(&slots, &ts) != 0) continue;
    pthread_mutex_lock(&mu);
    outstanding++;
    pthread_mutex_unlock(&mu);
    rc = zoo_acreate(zh, path, payload, sizeof payload, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE,
                     created, NULL);
    if (rc != ZOK) {
      pthread_mutex_lock(&mu);
      outstanding--;
      failed++;
      if (first_error == 0) first_error = rc;
      stop = 1;
      pthread_mutex_unlock(&mu);
    }
  }
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
  pthread_mutex_unlock(&mu);
  if (failed == 0 && outstanding == 0) zookeeper_close(zh);
  _exit(a > 0 ? 0 : 1);
}
