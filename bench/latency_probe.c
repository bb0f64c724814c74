/* latency_probe: per-operation latency of one C-client connection, synchronous API.
 *
 *   latency_probe host:port [--iterations N] [--warmup N] [--data-bytes N]
 *
 * Runs, in order, N sync creates (persistent, fresh paths), N sync gets and N sync sets
 * (one node, fixed-size data), each after a warm-up of the same op, and prints one line
 * per op with p50 / p99 / max in microseconds:
 *
 *   op       n      p50_us   p99_us   max_us
 *   create   2000   ...
 *
 * One request is in flight at a time, so each sample is a full round trip through the
 * client library, the socket and the server (for writes: including the server's fsync).
 * Nodes are created under /latency-probe-<pid> and deleted afterwards (not timed).
 * This is a measuring tool for closing notes, not a test: it asserts nothing about time.
 *
 * Threads: libzookeeper_mt runs its own I/O and completion threads; the session watcher
 * signals the main thread through `g_conn`. Everything else runs on the main thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper.h>

enum {
  kIterationsDefault = 2000,
  kWarmupDefault = 200,
  kDataBytesDefault = 100,
  kDataBytesMax = 1 << 20,
  kBaseBytesMax = 64, /* holds /latency-probe-<pid> */
  kPathBytesMax = 256,
  kConnectWaitS = 20,
  kSessionTimeoutMs = 30000,
};

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int state;
} g_conn = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

static void session_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  (void)zh, (void)path, (void)ctx;
  if (type != ZOO_SESSION_EVENT) return;
  pthread_mutex_lock(&g_conn.mu);
  g_conn.state = state;
  pthread_cond_broadcast(&g_conn.cv);
  pthread_mutex_unlock(&g_conn.mu);
}

static int wait_connected(void) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += kConnectWaitS;
  pthread_mutex_lock(&g_conn.mu);
  int rc = 0;
  while (g_conn.state != ZOO_CONNECTED_STATE && rc != ETIMEDOUT) {
    rc = pthread_cond_timedwait(&g_conn.cv, &g_conn.mu, &deadline);
  }
  int connected = g_conn.state == ZOO_CONNECTED_STATE;
  pthread_mutex_unlock(&g_conn.mu);
  return connected;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile over sorted samples. */
static int64_t percentile(const int64_t *sorted, int n, int pct) {
  int rank = (int)(((int64_t)pct * n + 99) / 100);
  if (rank < 1) rank = 1;
  return sorted[rank - 1];
}

typedef enum { OP_CREATE, OP_GET, OP_SET } op_kind;
static const char *const kOpNames[] = {"create", "get", "set"};

typedef struct {
  zhandle_t *zh;
  char base[kBaseBytesMax];
  char target[kBaseBytesMax + 8];
  char *data;
  int data_bytes;
  char *read_buf;
  int creates; /* sequence for fresh create paths */
} probe;

static int run_once(probe *p, op_kind op) {
  char path[kPathBytesMax];
  switch (op) {
    case OP_CREATE:
      snprintf(path, sizeof path, "%s/n%d", p->base, p->creates++);
      return zoo_create(p->zh, path, p->data, p->data_bytes, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    case OP_GET: {
      int len = p->data_bytes;
      return zoo_get(p->zh, p->target, 0, p->read_buf, &len, NULL);
    }
    case OP_SET:
      return zoo_set(p->zh, p->target, p->data, p->data_bytes, -1);
  }
  return ZBADARGUMENTS;
}

/* Warm up, then time `iterations` calls. Returns 0, or the first non-ZOK code. */
static int measure(probe *p, op_kind op, int warmup, int iterations, int64_t *samples_ns) {
  for (int i = 0; i < warmup; i++) {
    int rc = run_once(p, op);
    if (rc != ZOK) return rc;
  }
  for (int i = 0; i < iterations; i++) {
    int64_t t0 = now_ns();
    int rc = run_once(p, op);
    samples_ns[i] = now_ns() - t0;
    if (rc != ZOK) return rc;
  }
  qsort(samples_ns, (size_t)iterations, sizeof *samples_ns, cmp_i64);
  return ZOK;
}

static int parse_int(const char *flag, const char *v, int lo, int hi) {
  char *end = NULL;
  long x = strtol(v, &end, 10);
  if (!v[0] || *end || x < lo || x > hi) {
    fprintf(stderr, "latency_probe: %s wants an integer in [%d, %d], got '%s'\n", flag, lo, hi,
            v);
    exit(2);
  }
  return (int)x;
}

static void cleanup(probe *p) {
  char path[kPathBytesMax];
  for (int i = 0; i < p->creates; i++) {
    snprintf(path, sizeof path, "%s/n%d", p->base, i);
    zoo_delete(p->zh, path, -1);
  }
  zoo_delete(p->zh, p->target, -1);
  zoo_delete(p->zh, p->base, -1);
}

int main(int argc, char **argv) {
  const char *hostport = NULL;
  int iterations = kIterationsDefault, warmup = kWarmupDefault, data_bytes = kDataBytesDefault;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
      iterations = parse_int(argv[i], argv[i + 1], 1, 10000000), i++;
    } else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
      warmup = parse_int(argv[i], argv[i + 1], 0, 10000000), i++;
    } else if (!strcmp(argv[i], "--data-bytes") && i + 1 < argc) {
      data_bytes = parse_int(argv[i], argv[i + 1], 0, kDataBytesMax), i++;
    } else if (!hostport && argv[i][0] != '-') {
      hostport = argv[i];
    } else {
      hostport = NULL;
      break;
    }
  }
  if (!hostport) {
    fprintf(stderr,
            "usage: latency_probe host:port [--iterations N] [--warmup N] [--data-bytes N]\n");
    return 2;
  }

  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  probe p = {0};
  p.data_bytes = data_bytes;
  p.data = malloc((size_t)data_bytes + 1);
  p.read_buf = malloc((size_t)data_bytes + 1);
  int64_t *samples = malloc(sizeof *samples * (size_t)iterations);
  if (!p.data || !p.read_buf || !samples) {
    fprintf(stderr, "latency_probe: out of memory\n");
    return 1;
  }
  memset(p.data, 'x', (size_t)data_bytes);
  snprintf(p.base, sizeof p.base, "/latency-probe-%d", (int)getpid());
  snprintf(p.target, sizeof p.target, "%s-target", p.base);

  p.zh = zookeeper_init(hostport, session_watcher, kSessionTimeoutMs, NULL, NULL, 0);
  /* No getaddrinfo on every poll of the socket (the client's default): it adds to each round trip. */
  if (p.zh) zoo_set_servers_resolution_delay(p.zh, -1);
  if (!p.zh || !wait_connected()) {
    fprintf(stderr, "latency_probe: could not connect to %s within %ds\n", hostport,
            kConnectWaitS);
    return 1;
  }
  int rc = zoo_create(p.zh, p.base, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  if (rc == ZOK) rc = zoo_create(p.zh, p.target, p.data, data_bytes, &ZOO_OPEN_ACL_UNSAFE, 0,
                                 NULL, 0);
  if (rc != ZOK) {
    fprintf(stderr, "latency_probe: setup failed: %s\n", zerror(rc));
    return 1;
  }

  printf("# %s, one connection, sync API, %d iterations per op after %d warm-up, %d-byte data\n",
         hostport, iterations, warmup, data_bytes);
  printf("%-8s %8s %10s %10s %10s\n", "op", "n", "p50_us", "p99_us", "max_us");
  int status = 0;
  for (op_kind op = OP_CREATE; op <= OP_SET; op++) {
    rc = measure(&p, op, warmup, iterations, samples);
    if (rc != ZOK) {
      fprintf(stderr, "latency_probe: %s failed: %s\n", kOpNames[op], zerror(rc));
      status = 1;
      break;
    }
    printf("%-8s %8d %10.1f %10.1f %10.1f\n", kOpNames[op], iterations,
           percentile(samples, iterations, 50) / 1e3, percentile(samples, iterations, 99) / 1e3,
           samples[iterations - 1] / 1e3);
    fflush(stdout);
  }
  cleanup(&p);
  zookeeper_close(p.zh);
  free(samples);
  free(p.read_buf);
  free(p.data);
  return status;
}
