/* Shared scaffolding for the C-client integration programs (c_client_test, diff_runner).
 *
 * What it gives: a connected handle with its session state observable from the test
 * thread, a FIFO of watch events (filled by the client's completion thread, read by the
 * test thread), and a way to wait for one-shot async completions. Everything here is
 * header-only so each program stays a single translation unit.
 *
 * Threads: the C client (libzookeeper_mt) calls watchers and completions on its own
 * completion thread; every structure below is protected by its own mutex. */
#ifndef PC_ZK_TEST_SUPPORT_H
#define PC_ZK_TEST_SUPPORT_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/sha.h>
#include <zookeeper.h>

/* Bounded waits: how long we are prepared to wait for something that must happen. They
 * are never asserted on; they only turn a hang into a readable failure. */
#define ZT_WAIT_S 20
#define ZT_EVENTS_MAX 1024
#define ZT_TAG_BYTES 48
#define ZT_PATH_BYTES 512

/* ---- watch events ---- */

/* A watcher context. Handles use one as their default-watcher context; per-call watchers
 * (zoo_wget, zoo_wexists, ...) use their own, so events can be told apart by tag. */
typedef struct zt_ctx {
  char tag[ZT_TAG_BYTES];
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int state; /* last session state seen through this context */
  int session_events;
} zt_ctx;

typedef struct zt_event {
  char tag[ZT_TAG_BYTES];
  int type;
  int state;
  char path[ZT_PATH_BYTES];
} zt_event;

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  zt_event ev[ZT_EVENTS_MAX];
  int head, count; /* FIFO */
  int dropped;
} zt_events = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static inline void zt_ctx_init(zt_ctx *c, const char *tag) {
  memset(c, 0, sizeof *c);
  snprintf(c->tag, sizeof c->tag, "%s", tag);
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
}

static inline zt_ctx *zt_ctx_new(const char *tag) {
  zt_ctx *c = calloc(1, sizeof *c);
  if (!c) abort();
  zt_ctx_init(c, tag);
  return c;
}

static inline void zt_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  zt_ctx *c = (zt_ctx *)ctx;
  if (!c) return;
  if (type == ZOO_SESSION_EVENT) {
    pthread_mutex_lock(&c->mu);
    c->state = state;
    c->session_events++;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return;
  }
  pthread_mutex_lock(&zt_events.mu);
  if (zt_events.count == ZT_EVENTS_MAX) {
    zt_events.dropped++;
  } else {
    zt_event *e = &zt_events.ev[(zt_events.head + zt_events.count) % ZT_EVENTS_MAX];
    snprintf(e->tag, sizeof e->tag, "%s", c->tag);
    e->type = type;
    e->state = state;
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    zt_events.count++;
  }
  pthread_cond_broadcast(&zt_events.cv);
  pthread_mutex_unlock(&zt_events.mu);
}

static inline const char *zt_event_name(int type) {
  if (type == ZOO_CREATED_EVENT) return "NodeCreated";
  if (type == ZOO_DELETED_EVENT) return "NodeDeleted";
  if (type == ZOO_CHANGED_EVENT) return "NodeDataChanged";
  if (type == ZOO_CHILD_EVENT) return "NodeChildrenChanged";
  if (type == ZOO_SESSION_EVENT) return "Session";
  if (type == ZOO_NOTWATCHING_EVENT) return "NotWatching";
  return "Unknown";
}

static inline const char *zt_state_name(int state) {
  if (state == ZOO_CONNECTED_STATE) return "CONNECTED";
  if (state == ZOO_EXPIRED_SESSION_STATE) return "EXPIRED";
  if (state == ZOO_AUTH_FAILED_STATE) return "AUTH_FAILED";
  if (state == ZOO_CONNECTING_STATE) return "CONNECTING";
  if (state == ZOO_ASSOCIATING_STATE) return "ASSOCIATING";
  if (state == ZOO_NOTCONNECTED_STATE) return "NOTCONNECTED";
  if (state == 0) return "CLOSED/0";
  return "OTHER";
}

static inline void zt_deadline(struct timespec *ts, int seconds) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += seconds;
}

/* Removes and returns (in *out) the oldest queued event. 0 if none arrived in time. */
static inline int zt_next_event(zt_event *out, int wait_s) {
  struct timespec ts;
  zt_deadline(&ts, wait_s);
  pthread_mutex_lock(&zt_events.mu);
  while (zt_events.count == 0) {
    if (pthread_cond_timedwait(&zt_events.cv, &zt_events.mu, &ts) == ETIMEDOUT) break;
  }
  int got = 0;
  if (zt_events.count > 0) {
    *out = zt_events.ev[zt_events.head];
    zt_events.head = (zt_events.head + 1) % ZT_EVENTS_MAX;
    zt_events.count--;
    got = 1;
  }
  pthread_mutex_unlock(&zt_events.mu);
  return got;
}

/* Removes and returns every event queued right now, in arrival order. */
static inline inline int zt_drain_events(zt_event *out, int max) {
  pthread_mutex_lock(&zt_events.mu);
  int n = 0;
  while (zt_events.count > 0 && n < max) {
    out[n++] = zt_events.ev[zt_events.head];
    zt_events.head = (zt_events.head + 1) % ZT_EVENTS_MAX;
    zt_events.count--;
  }
  pthread_mutex_unlock(&zt_events.mu);
  return n;
}

/* ---- sessions ---- */

/* Waits until the context's session state is one that ends connecting. */
static inline int zt_wait_state(zt_ctx *c, int wait_s) {
  struct timespec ts;
  zt_deadline(&ts, wait_s);
  pthread_mutex_lock(&c->mu);
  while (c->state != ZOO_CONNECTED_STATE && c->state != ZOO_EXPIRED_SESSION_STATE &&
         c->state != ZOO_AUTH_FAILED_STATE) {
    if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT) break;
  }
  int s = c->state;
  pthread_mutex_unlock(&c->mu);
  return s;
}

/* Waits until the context's session state is exactly `want`. Returns the last state. */
static inline int zt_wait_for_state(zt_ctx *c, int want, int wait_s) {
  struct timespec ts;
  zt_deadline(&ts, wait_s);
  pthread_mutex_lock(&c->mu);
  while (c->state != want) {
    if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT) break;
  }
  int s = c->state;
  pthread_mutex_unlock(&c->mu);
  return s;
}

/* Opens a handle (new session, or re-attach when clientid is given) and waits for the
 * handshake to end. *state_out gets the resulting state. */
static inline zhandle_t *zt_open(const char *hostport, const clientid_t *clientid, zt_ctx *ctx,
                          int session_timeout_ms, int *state_out) {
  zhandle_t *zh = zookeeper_init(hostport, zt_watcher, session_timeout_ms, clientid, ctx, 0);
  if (!zh) {
    *state_out = -1;
    return NULL;
  }
  *state_out = zt_wait_state(ctx, ZT_WAIT_S);
  return zh;
}

/* ---- one-shot async completions ---- */

typedef struct zt_done {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int fired;
  int rc;
  char value[ZT_PATH_BYTES];
} zt_done;

static inline void zt_done_init(zt_done *d) {
  memset(d, 0, sizeof *d);
  pthread_mutex_init(&d->mu, NULL);
  pthread_cond_init(&d->cv, NULL);
  d->rc = 1; /* not a ZooKeeper code */
}

static inline void zt_void_completion(int rc, const void *data) {
  zt_done *d = (zt_done *)data;
  pthread_mutex_lock(&d->mu);
  d->rc = rc;
  d->fired = 1;
  pthread_cond_broadcast(&d->cv);
  pthread_mutex_unlock(&d->mu);
}

static inline void zt_string_completion(int rc, const char *value, const void *data) {
  zt_done *d = (zt_done *)data;
  pthread_mutex_lock(&d->mu);
  d->rc = rc;
  snprintf(d->value, sizeof d->value, "%s", value ? value : "(null)");
  d->fired = 1;
  pthread_cond_broadcast(&d->cv);
  pthread_mutex_unlock(&d->mu);
}

/* Returns the completion's rc, or 1 if it never fired. */
static inline int zt_done_wait(zt_done *d, int wait_s) {
  struct timespec ts;
  zt_deadline(&ts, wait_s);
  pthread_mutex_lock(&d->mu);
  while (!d->fired) {
    if (pthread_cond_timedwait(&d->cv, &d->mu, &ts) == ETIMEDOUT) break;
  }
  int rc = d->fired ? d->rc : 1;
  pthread_mutex_unlock(&d->mu);
  return rc;
}

static inline void zt_stat_completion(int rc, const struct Stat *stat, const void *data) {
  zt_void_completion(rc, data);
}

/* A round trip whose completion runs on the handle's completion thread, after every watch
 * event the server sent before its reply. (Completions of the synchronous API run on the
 * I/O thread instead, so a synchronous call can return before an earlier event has been
 * handed to the watcher.) Returns the round trip's rc, or 1 if it never completed. */
static inline int zt_barrier(zhandle_t *zh) {
  zt_done d;
  zt_done_init(&d);
  int rc = zoo_aexists(zh, "/", 0, zt_stat_completion, &d);
  if (rc != ZOK) return rc;
  return zt_done_wait(&d, ZT_WAIT_S);
}

/* zoo_add_auth, waited for. */
static inline int zt_add_auth(zhandle_t *zh, const char *scheme, const char *cred) {
  zt_done d;
  zt_done_init(&d);
  int rc = zoo_add_auth(zh, scheme, cred, (int)strlen(cred), zt_void_completion, &d);
  if (rc != ZOK) return rc;
  return zt_done_wait(&d, ZT_WAIT_S);
}

/* zoo_async (the sync operation), waited for. *path_out gets the returned path. */
static inline int zt_sync(zhandle_t *zh, const char *path, char *path_out, size_t path_out_bytes) {
  zt_done d;
  zt_done_init(&d);
  int rc = zoo_async(zh, path, zt_string_completion, &d);
  if (rc != ZOK) return rc;
  rc = zt_done_wait(&d, ZT_WAIT_S);
  if (path_out) snprintf(path_out, path_out_bytes, "%s", d.value);
  return rc;
}

static inline int zt_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void zt_sort_strings(struct String_vector *v) {
  if (v->count > 1) qsort(v->data, (size_t)v->count, sizeof(char *), zt_cmp_str);
}

/* The digest ACL id for user:password: user:base64(SHA1("user:password")). */
static inline void zt_digest_id(const char *user, const char *password, char *out, size_t out_bytes) {
  char cred[256];
  snprintf(cred, sizeof cred, "%s:%s", user, password);
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char *)cred, strlen(cred), sha);
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char enc[64];
  size_t j = 0;
  for (size_t i = 0; i < sizeof sha; i += 3) {
    unsigned v = (unsigned)sha[i] << 16;
    if (i + 1 < sizeof sha) v |= (unsigned)sha[i + 1] << 8;
    if (i + 2 < sizeof sha) v |= sha[i + 2];
    enc[j++] = b64[(v >> 18) & 63];
    enc[j++] = b64[(v >> 12) & 63];
    enc[j++] = (i + 1 < sizeof sha) ? b64[(v >> 6) & 63] : '=';
    enc[j++] = (i + 2 < sizeof sha) ? b64[v & 63] : '=';
  }
  enc[j] = 0;
  snprintf(out, out_bytes, "%s:%s", user, enc);
}

#endif /* PC_ZK_TEST_SUPPORT_H */
