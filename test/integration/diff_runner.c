/* diff_runner: replay one fixed sequence of client operations and print one canonical line
 * per operation, so two servers can be compared line by line (diff_test.py).
 *
 *   diff_runner host:port script.txt
 *
 * The script (diff_script.txt) holds hand-written operations, then `seed N` and `random M`,
 * which appends M operations drawn from a fixed-seed generator in this file. Same script,
 * same seed: same operations, always.
 *
 * Two sessions, A and B, issue the operations. After each operation both sessions make a
 * round trip to the server, so every watch event that operation caused has been delivered;
 * those events are printed after the operation's line, per session, in arrival order.
 *
 * A line carries: op number, session, the operation as written, the result code name, and
 * for successful reads/writes the data, sorted children, ACLs, and the Stat fields that do
 * not depend on time or ids: version, cversion, aversion, dataLength, numChildren, and whose
 * ephemeral it is (A, B, 0, or other). */
#include "zk_test_support.h"

#define SESSION_TIMEOUT_MS 30000
#define LINE_BYTES 2048
#define TOKENS_MAX 16
#define MULTI_OPS_MAX 8
#define DATA_BYTES 4096

typedef struct session {
  const char *name;
  zt_ctx ctx;
  zhandle_t *zh;
} session;

static session sessions[2];
static const char *hostport;
static char alice_id[128];
static char bob_id[128];

static const char *rc_name(int rc) {
  switch (rc) {
    case ZOK: return "OK";
    case ZSYSTEMERROR: return "SYSTEMERROR";
    case ZRUNTIMEINCONSISTENCY: return "RUNTIMEINCONSISTENCY";
    case ZDATAINCONSISTENCY: return "DATAINCONSISTENCY";
    case ZCONNECTIONLOSS: return "CONNECTIONLOSS";
    case ZMARSHALLINGERROR: return "MARSHALLINGERROR";
    case ZUNIMPLEMENTED: return "UNIMPLEMENTED";
    case ZOPERATIONTIMEOUT: return "OPERATIONTIMEOUT";
    case ZBADARGUMENTS: return "BADARGUMENTS";
    case ZINVALIDSTATE: return "INVALIDSTATE";
    case ZAPIERROR: return "APIERROR";
    case ZNONODE: return "NONODE";
    case ZNOAUTH: return "NOAUTH";
    case ZBADVERSION: return "BADVERSION";
    case ZNOCHILDRENFOREPHEMERALS: return "NOCHILDRENFOREPHEMERALS";
    case ZNODEEXISTS: return "NODEEXISTS";
    case ZNOTEMPTY: return "NOTEMPTY";
    case ZSESSIONEXPIRED: return "SESSIONEXPIRED";
    case ZINVALIDCALLBACK: return "INVALIDCALLBACK";
    case ZINVALIDACL: return "INVALIDACL";
    case ZAUTHFAILED: return "AUTHFAILED";
    case ZCLOSING: return "CLOSING";
    case ZSESSIONMOVED: return "SESSIONMOVED";
    case ZNOTREADONLY: return "NOTREADONLY";
    case ZNOWATCHER: return "NOWATCHER";
    case ZRECONFIGDISABLED: return "RECONFIGDISABLED";
    case ZTHROTTLEDOP: return "THROTTLEDOP";
    default: return "UNKNOWN";
  }
}

/* ---- output helpers ---- */

typedef struct out_buf {
  char s[16384];
  size_t n;
} out_buf;

static void outf(out_buf *o, const char *fmt, ...) {
  if (o->n >= sizeof o->s) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(o->s + o->n, sizeof o->s - o->n, fmt, ap);
  va_end(ap);
  if (k > 0) o->n += (size_t)k;
  if (o->n > sizeof o->s) o->n = sizeof o->s;
}

static const char *owner_name(int64_t owner) {
  if (owner == 0) return "0";
  for (int i = 0; i < 2; i++) {
    if (sessions[i].zh && zoo_client_id(sessions[i].zh)->client_id == owner) return sessions[i].name;
  }
  return "other";
}

static void out_stat(out_buf *o, const struct Stat *st) {
  outf(o, " stat{v=%d cv=%d av=%d len=%d kids=%d eph=%s}", st->version, st->cversion, st->aversion,
       st->dataLength, st->numChildren, owner_name(st->ephemeralOwner));
}

static void out_data(out_buf *o, const char *buf, int len) {
  if (len < 0) {
    outf(o, " data=null");
    return;
  }
  outf(o, " data=\"");
  for (int i = 0; i < len; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
      outf(o, "%c", c);
    else
      outf(o, "\\x%02x", c);
  }
  outf(o, "\"");
}

static void out_children(out_buf *o, struct String_vector *v) {
  zt_sort_strings(v);
  outf(o, " children=[");
  for (int i = 0; i < v->count; i++) outf(o, "%s%s", i ? " " : "", v->data[i]);
  outf(o, "]");
}

static void out_acl(out_buf *o, struct ACL_vector *v) {
  outf(o, " acl=[");
  for (int i = 0; i < v->count; i++) {
    const char *id = v->data[i].id.id;
    /* name digest ids by user so the line reads well; the full id is still compared */
    const char *who = !strcmp(id, alice_id) ? "<alice>" : !strcmp(id, bob_id) ? "<bob>" : id;
    outf(o, "%s%d:%s:%s", i ? " " : "", v->data[i].perms, v->data[i].id.scheme, who);
  }
  outf(o, "]");
}

/* ---- operands ---- */

static int parse_mode(const char *m, int *mode) {
  static const struct {
    const char *name;
    int mode;
  } modes[] = {{"persistent", 0}, {"ephemeral", 1}, {"pseq", 2},  {"eseq", 3},
               {"container", 4},  {"ttl", 5},       {"ttlseq", 6}, {"badmode", 99}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    if (!strcmp(m, modes[i].name)) {
      *mode = modes[i].mode;
      return 1;
    }
  }
  return 0;
}

static struct ACL acl_alice_all, acl_bob_read, acl_world_nowrite[1], acl_mixed[2];
static struct ACL_vector acl_vec_alice, acl_vec_bob, acl_vec_nowrite, acl_vec_mixed, acl_vec_empty,
    acl_vec_badscheme;
static struct ACL acl_badscheme;

static void init_acls(void) {
  zt_digest_id("alice", "secret", alice_id, sizeof alice_id);
  zt_digest_id("bob", "pw", bob_id, sizeof bob_id);
  acl_alice_all = (struct ACL){ZOO_PERM_ALL, {"digest", alice_id}};
  acl_vec_alice = (struct ACL_vector){1, &acl_alice_all};
  acl_bob_read = (struct ACL){ZOO_PERM_READ, {"digest", bob_id}};
  acl_vec_bob = (struct ACL_vector){1, &acl_bob_read};
  acl_world_nowrite[0] =
      (struct ACL){ZOO_PERM_ALL & ~ZOO_PERM_WRITE, {"world", "anyone"}};
  acl_vec_nowrite = (struct ACL_vector){1, acl_world_nowrite};
  acl_mixed[0] = acl_alice_all;
  acl_mixed[1] = (struct ACL){ZOO_PERM_READ, {"world", "anyone"}};
  acl_vec_mixed = (struct ACL_vector){2, acl_mixed};
  acl_vec_empty = (struct ACL_vector){0, NULL};
  acl_badscheme = (struct ACL){ZOO_PERM_ALL, {"nosuchscheme", "x"}};
  acl_vec_badscheme = (struct ACL_vector){1, &acl_badscheme};
}

static struct ACL_vector *parse_acl(const char *a) {
  if (!strcmp(a, "open")) return &ZOO_OPEN_ACL_UNSAFE;
  if (!strcmp(a, "read")) return &ZOO_READ_ACL_UNSAFE;
  if (!strcmp(a, "creator")) return &ZOO_CREATOR_ALL_ACL;
  if (!strcmp(a, "alice")) return &acl_vec_alice;
  if (!strcmp(a, "bob")) return &acl_vec_bob;
  if (!strcmp(a, "nowrite")) return &acl_vec_nowrite;
  if (!strcmp(a, "mixed")) return &acl_vec_mixed;
  if (!strcmp(a, "empty")) return &acl_vec_empty;
  if (!strcmp(a, "badscheme")) return &acl_vec_badscheme;
  return NULL;
}

/* DATA operand: null, empty, or the literal token */
static const char *parse_data(const char *d, int *len) {
  if (!strcmp(d, "null")) {
    *len = -1;
    return NULL;
  }
  if (!strcmp(d, "empty")) {
    *len = 0;
    return "";
  }
  *len = (int)strlen(d);
  return d;
}

static int split(char *line, char **tok, int max, const char *sep) {
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(line, sep, &save); t && n < max; t = strtok_r(NULL, sep, &save))
    tok[n++] = t;
  return n;
}

static void die(const char *msg, const char *line) {
  fprintf(stderr, "diff_runner: %s: %s\n", msg, line);
  exit(2);
}

static void open_session(session *s) {
  int state;
  zt_ctx_init(&s->ctx, s->name);
  s->zh = zt_open(hostport, NULL, &s->ctx, SESSION_TIMEOUT_MS, &state);
  if (!s->zh || state != ZOO_CONNECTED_STATE) {
    fprintf(stderr, "diff_runner: session %s did not connect (%s)\n", s->name, zt_state_name(state));
    exit(2);
  }
}

/* ---- one operation ---- */

static void run_multi(session *s, char **tok, int ntok, out_buf *o) {
  zoo_op_t ops[MULTI_OPS_MAX];
  zoo_op_result_t res[MULTI_OPS_MAX];
  char paths[MULTI_OPS_MAX][ZT_PATH_BYTES];
  struct Stat stats[MULTI_OPS_MAX];
  char *sub[MULTI_OPS_MAX][5];
  char copies[MULTI_OPS_MAX][256];
  int n = 0;
  for (int i = 0; i < ntok && n < MULTI_OPS_MAX; i++, n++) {
    snprintf(copies[n], sizeof copies[n], "%s", tok[i]);
    int k = split(copies[n], sub[n], 5, ",");
    int len, mode, version;
    if (!strcmp(sub[n][0], "create") && k == 4) {
      const char *data = parse_data(sub[n][2], &len);
      if (!parse_mode(sub[n][3], &mode)) die("bad mode", tok[i]);
      zoo_create_op_init(&ops[n], sub[n][1], data, len, &ZOO_OPEN_ACL_UNSAFE, mode, paths[n],
                         sizeof paths[n]);
    } else if (!strcmp(sub[n][0], "delete") && k == 3) {
      version = atoi(sub[n][2]);
      zoo_delete_op_init(&ops[n], sub[n][1], version);
    } else if (!strcmp(sub[n][0], "set") && k == 4) {
      const char *data = parse_data(sub[n][2], &len);
      zoo_set_op_init(&ops[n], sub[n][1], data, len, atoi(sub[n][3]), &stats[n]);
    } else if (!strcmp(sub[n][0], "check") && k == 3) {
      zoo_check_op_init(&ops[n], sub[n][1], atoi(sub[n][2]));
    } else {
      die("bad multi op", tok[i]);
    }
    paths[n][0] = 0;
    memset(&stats[n], 0, sizeof stats[n]);
  }
  memset(res, 0, sizeof res);
  int rc = zoo_multi(s->zh, n, ops, res);
  outf(o, " -> %s [", rc_name(rc));
  for (int i = 0; i < n; i++) {
    outf(o, "%s%s", i ? " " : "", rc_name(res[i].err));
    if (res[i].err == ZOK && ops[i].type == ZOO_CREATE_OP) outf(o, ":%s", paths[i]);
    if (res[i].err == ZOK && ops[i].type == ZOO_SETDATA_OP)
      outf(o, ":v=%d,len=%d", stats[i].version, stats[i].dataLength);
  }
  outf(o, "]");
}

static void run_op(int index, const char *line_in) {
  char line[LINE_BYTES];
  snprintf(line, sizeof line, "%s", line_in);
  char *tok[TOKENS_MAX];
  int n = split(line, tok, TOKENS_MAX, " \t");
  if (n < 2) die("short line", line_in);
  session *s = !strcmp(tok[0], "A") ? &sessions[0] : !strcmp(tok[0], "B") ? &sessions[1] : NULL;
  if (!s) die("unknown session", line_in);
  const char *op = tok[1];
  out_buf o;
  o.n = 0;
  outf(&o, "%03d %s", index, line_in);

  char buf[DATA_BYTES];
  char path_out[ZT_PATH_BYTES];
  struct Stat st;
  memset(&st, 0, sizeof st);
  int rc, len, mode;

  if ((!strcmp(op, "create") || !strcmp(op, "create2")) && n == 6) {
    const char *data = parse_data(tok[3], &len);
    struct ACL_vector *acl = parse_acl(tok[5]);
    if (!parse_mode(tok[4], &mode) || !acl) die("bad create", line_in);
    path_out[0] = 0;
    if (mode == 5 || mode == 6)
      rc = !strcmp(op, "create2")
               ? zoo_create2_ttl(s->zh, tok[2], data, len, acl, mode, 60000, path_out,
                                 sizeof path_out, &st)
               : zoo_create_ttl(s->zh, tok[2], data, len, acl, mode, 60000, path_out,
                                sizeof path_out);
    else if (!strcmp(op, "create2"))
      rc = zoo_create2(s->zh, tok[2], data, len, acl, mode, path_out, sizeof path_out, &st);
    else
      rc = zoo_create(s->zh, tok[2], data, len, acl, mode, path_out, sizeof path_out);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) {
      outf(&o, " path=%s", path_out);
      if (!strcmp(op, "create2")) out_stat(&o, &st);
    }
  } else if (!strcmp(op, "delete") && n == 4) {
    rc = zoo_delete(s->zh, tok[2], atoi(tok[3]));
    outf(&o, " -> %s", rc_name(rc));
  } else if (!strcmp(op, "exists") && n == 4) {
    rc = zoo_exists(s->zh, tok[2], atoi(tok[3]), &st);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) out_stat(&o, &st);
  } else if (!strcmp(op, "get") && n == 4) {
    len = sizeof buf;
    rc = zoo_get(s->zh, tok[2], atoi(tok[3]), buf, &len, &st);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) {
      out_data(&o, buf, len);
      out_stat(&o, &st);
    }
  } else if (!strcmp(op, "set") && n == 5) {
    const char *data = parse_data(tok[3], &len);
    rc = zoo_set2(s->zh, tok[2], data, len, atoi(tok[4]), &st);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) out_stat(&o, &st);
  } else if ((!strcmp(op, "children") || !strcmp(op, "children2")) && n == 4) {
    struct String_vector kids;
    memset(&kids, 0, sizeof kids);
    if (!strcmp(op, "children2"))
      rc = zoo_get_children2(s->zh, tok[2], atoi(tok[3]), &kids, &st);
    else
      rc = zoo_get_children(s->zh, tok[2], atoi(tok[3]), &kids);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) {
      out_children(&o, &kids);
      if (!strcmp(op, "children2")) out_stat(&o, &st);
      deallocate_String_vector(&kids);
    }
  } else if (!strcmp(op, "getacl") && n == 3) {
    struct ACL_vector acl;
    memset(&acl, 0, sizeof acl);
    rc = zoo_get_acl(s->zh, tok[2], &acl, &st);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) {
      out_acl(&o, &acl);
      out_stat(&o, &st);
      deallocate_ACL_vector(&acl);
    }
  } else if (!strcmp(op, "setacl") && n == 5) {
    struct ACL_vector *acl = parse_acl(tok[4]);
    if (!acl) die("bad acl", line_in);
    rc = zoo_set_acl(s->zh, tok[2], atoi(tok[3]), acl);
    outf(&o, " -> %s", rc_name(rc));
  } else if (!strcmp(op, "sync") && n == 3) {
    rc = zt_sync(s->zh, tok[2], path_out, sizeof path_out);
    outf(&o, " -> %s", rc_name(rc));
    if (rc == ZOK) outf(&o, " path=%s", path_out);
  } else if (!strcmp(op, "addauth") && n == 3) {
    rc = zt_add_auth(s->zh, "digest", tok[2]);
    outf(&o, " -> %s", rc_name(rc));
  } else if (!strcmp(op, "multi") && n >= 2) {
    run_multi(s, tok + 2, n - 2, &o);
  } else if (!strcmp(op, "reopen") && n == 2) {
    rc = zookeeper_close(s->zh);
    s->zh = NULL;
    outf(&o, " -> %s", rc_name(rc));
    open_session(s);
  } else {
    die("unknown operation", line_in);
  }
  printf("%.*s\n", (int)o.n, o.s);

  /* a round trip on each session: every event this op caused has now been delivered */
  for (int i = 0; i < 2; i++) {
    if (zt_barrier(sessions[i].zh) != ZOK) {
      fprintf(stderr, "diff_runner: barrier on session %s failed\n", sessions[i].name);
      exit(2);
    }
  }
  zt_event ev[64];
  int nev = zt_drain_events(ev, 64);
  for (int i = 0; i < 2; i++) {
    for (int k = 0; k < nev; k++) {
      if (strcmp(ev[k].tag, sessions[i].name) != 0) continue;
      printf("    event %s %s %s\n", ev[k].tag, zt_event_name(ev[k].type), ev[k].path);
    }
  }
  fflush(stdout);
}

/* ---- the generated part ---- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) { /* xorshift64*, reduced; n > 0 */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 33) % n;
}
#define PICK(arr) (arr[rnd(sizeof(arr) / sizeof(arr[0]))])

static const char *gen_paths[] = {
    "/g",     "/g/a",   "/g/b",     "/g/a/x",   "/g/a/y",   "/g/b/z",    "/g/e",
    "/g/e/k", "/g/s",   "/g/s/n-",  "/g/acl",   "/g/acl/c", "/g/missing/deep",
    "/",      "/zookeeper", "/zookeeper/quota", "/zookeeper/config", "/g/c", "/g/c/k"};
static const char *gen_data[] = {"null", "empty", "x", "hello", "0123456789", "v"};
static const char *gen_modes[] = {"persistent", "persistent", "persistent", "ephemeral",
                                  "pseq",       "eseq",       "container"};
static const char *gen_acls[] = {"open", "open", "open", "open", "read", "creator",
                                 "alice", "nowrite", "mixed", "empty"};
static const int gen_versions[] = {-1, -1, 0, 0, 1, 2, 5};

static void gen_multi_sub(char *out, size_t bytes) {
  switch (rnd(4)) {
    case 0:
      snprintf(out, bytes, "create,%s,%s,%s", PICK(gen_paths), PICK(gen_data),
               rnd(3) ? "persistent" : "pseq");
      break;
    case 1: snprintf(out, bytes, "delete,%s,%d", PICK(gen_paths), PICK(gen_versions)); break;
    case 2:
      snprintf(out, bytes, "set,%s,%s,%d", PICK(gen_paths), PICK(gen_data), PICK(gen_versions));
      break;
    default: snprintf(out, bytes, "check,%s,%d", PICK(gen_paths), PICK(gen_versions)); break;
  }
}

static void gen_op(char *out, size_t bytes) {
  const char *s = rnd(4) ? "A" : "B";
  const char *p = PICK(gen_paths);
  uint32_t r = rnd(100);
  if (r < 22)
    snprintf(out, bytes, "%s create %s %s %s %s", s, p, PICK(gen_data), PICK(gen_modes),
             PICK(gen_acls));
  else if (r < 27)
    snprintf(out, bytes, "%s create2 %s %s %s %s", s, p, PICK(gen_data), PICK(gen_modes),
             PICK(gen_acls));
  else if (r < 37)
    snprintf(out, bytes, "%s delete %s %d", s, p, PICK(gen_versions));
  else if (r < 45)
    snprintf(out, bytes, "%s exists %s %d", s, p, (int)rnd(2));
  else if (r < 53)
    snprintf(out, bytes, "%s get %s %d", s, p, (int)rnd(2));
  else if (r < 63)
    snprintf(out, bytes, "%s set %s %s %d", s, p, PICK(gen_data), PICK(gen_versions));
  else if (r < 68)
    snprintf(out, bytes, "%s children %s %d", s, p, (int)rnd(2));
  else if (r < 73)
    snprintf(out, bytes, "%s children2 %s %d", s, p, (int)rnd(2));
  else if (r < 77)
    snprintf(out, bytes, "%s getacl %s", s, p);
  else if (r < 81)
    snprintf(out, bytes, "%s setacl %s %d %s", s, p, PICK(gen_versions), PICK(gen_acls));
  else if (r < 83)
    snprintf(out, bytes, "%s sync %s", s, p);
  else if (r < 95) {
    int k = 1 + (int)rnd(4);
    size_t used = (size_t)snprintf(out, bytes, "%s multi", s);
    for (int i = 0; i < k && used < bytes; i++) {
      char sub[256];
      gen_multi_sub(sub, sizeof sub);
      used += (size_t)snprintf(out + used, bytes - used, " %s", sub);
    }
  } else if (r < 97)
    snprintf(out, bytes, "B addauth %s", rnd(2) ? "alice:secret" : "bob:pw");
  else
    snprintf(out, bytes, "B reopen");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s host:port script.txt\n", argv[0]);
    return 2;
  }
  hostport = argv[1];
  FILE *f = fopen(argv[2], "r");
  if (!f) {
    perror(argv[2]);
    return 2;
  }
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  init_acls();
  sessions[0].name = "A";
  sessions[1].name = "B";
  open_session(&sessions[0]);
  open_session(&sessions[1]);

  char line[LINE_BYTES];
  int index = 0;
  uint64_t seed = 1;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == 0 || *p == '#') continue;
    if (!strncmp(p, "seed ", 5)) {
      seed = strtoull(p + 5, NULL, 10);
      continue;
    }
    if (!strncmp(p, "random ", 7)) {
      int count = atoi(p + 7);
      rng_state = seed ? seed : 1;
      for (int i = 0; i < count; i++) {
        char gen[LINE_BYTES];
        gen_op(gen, sizeof gen);
        run_op(++index, gen);
      }
      continue;
    }
    run_op(++index, p);
  }
  fclose(f);
  for (int i = 0; i < 2; i++) zookeeper_close(sessions[i].zh);
  printf("# %d operations\n", index);
  return 0;
}
