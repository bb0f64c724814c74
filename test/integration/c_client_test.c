/* c_client_test: every client operation through the stock C client (libzookeeper_mt).
 *
 *   c_client_test host:port [--ttl]
 *
 * --ttl says the server runs with extendedTypesEnabled=true, so TTL nodes must work;
 * without it, creating a TTL node must be refused.
 *
 * Each check prints `ok <name>` or `FAIL <name>: expected X got Y`; the exit status is 1 if
 * any check failed. The program is its own helper for the session re-attach check: run as
 * `c_client_test --hold-session host:port path` it opens a session, creates an ephemeral at
 * path, prints the session id and password, and waits to be killed. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zk_test_support.h"

#define SESSION_TIMEOUT_MS 30000
#define BUF_BYTES 1024

static int failures;
static int checks;

static void ok(const char *name) {
  checks++;
  printf("ok %s\n", name);
  fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...) {
  checks++;
  failures++;
  printf("FAIL %s: ", name);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
}

static void expect_rc(const char *name, int want, int got) {
  if (want == got)
    ok(name);
  else
    fail(name, "expected rc %d (%s) got %d (%s)", want, zerror(want), got, zerror(got));
}

static void expect_int(const char *name, long long want, long long got) {
  if (want == got)
    ok(name);
  else
    fail(name, "expected %lld got %lld", want, got);
}

static void expect_str(const char *name, const char *want, const char *got) {
  if (got && strcmp(want, got) == 0)
    ok(name);
  else
    fail(name, "expected \"%s\" got \"%s\"", want, got ? got : "(null)");
}

static void expect_true(const char *name, int cond, const char *what) {
  if (cond)
    ok(name);
  else
    fail(name, "expected %s", what);
}

/* Waits for the next watch event and checks it is exactly (tag, type, path). */
static void expect_event(const char *name, const char *tag, int type, const char *path) {
  zt_event e;
  if (!zt_next_event(&e, ZT_WAIT_S)) {
    fail(name, "expected event %s %s on %s got none", tag, zt_event_name(type), path);
    return;
  }
  if (strcmp(e.tag, tag) != 0 || e.type != type || strcmp(e.path, path) != 0 ||
      e.state != ZOO_CONNECTED_STATE) {
    fail(name, "expected event %s %s %s (state CONNECTED) got %s %s %s (state %s)", tag,
         zt_event_name(type), path, e.tag, zt_event_name(e.type), e.path,
         zt_state_name(e.state));
    return;
  }
  ok(name);
}

/* A fence: arms an exist watch on a fresh missing node, creates it, and waits for that
 * NodeCreated. Events are delivered in order, so anything that was going to be delivered
 * before the fence has been. Returns the events that came before the fence. */
static int fence(zhandle_t *zh, zt_event *before, int max) {
  static int n;
  static zt_ctx fence_ctx;
  static int inited;
  if (!inited) {
    zt_ctx_init(&fence_ctx, "fence");
    inited = 1;
  }
  char path[64];
  snprintf(path, sizeof path, "/fence-%d", n++);
  int rc = zoo_wexists(zh, path, zt_watcher, &fence_ctx, NULL);
  if (rc != ZNONODE) {
    fail("fence", "wexists %s rc %d", path, rc);
    return 0;
  }
  rc = zoo_create(zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  if (rc != ZOK) {
    fail("fence", "create %s rc %d", path, rc);
    return 0;
  }
  int count = 0;
  zt_event e;
  while (zt_next_event(&e, ZT_WAIT_S)) {
    if (strcmp(e.tag, "fence") == 0 && strcmp(e.path, path) == 0) return count;
    if (count < max) before[count++] = e;
  }
  fail("fence", "fence event for %s never arrived", path);
  return count;
}

/* Checks that no watch event is pending (for one-shot and removed watches). */
static void expect_no_events(const char *name, zhandle_t *zh) {
  zt_event before[16];
  int n = fence(zh, before, 16);
  if (n == 0)
    ok(name);
  else
    fail(name, "expected no event got %d, first %s %s %s", n, before[0].tag,
         zt_event_name(before[0].type), before[0].path);
}

static zhandle_t *open_or_die(const char *hostport, zt_ctx *ctx) {
  int state;
  zhandle_t *zh = zt_open(hostport, NULL, ctx, SESSION_TIMEOUT_MS, &state);
  if (!zh || state != ZOO_CONNECTED_STATE) {
    fail("connect", "expected CONNECTED got %s", zt_state_name(state));
    printf("# %d checks, %d failed\n", checks, failures + 1);
    exit(1);
  }
  return zh;
}

static struct Stat stat_of(zhandle_t *zh, const char *path, int *rc_out) {
  struct Stat st;
  memset(&st, 0, sizeof st);
  *rc_out = zoo_exists(zh, path, 0, &st);
  return st;
}

/* ---------------------------------------------------------------- checks ---- */

static void test_connect(zhandle_t *zh) {
  const clientid_t *id = zoo_client_id(zh);
  expect_true("connect_session_id_nonzero", id && id->client_id != 0, "a session id");
  expect_true("connect_negotiated_timeout_positive", zoo_recv_timeout(zh) > 0,
              "a positive negotiated timeout");
  expect_int("connect_state", ZOO_CONNECTED_STATE, zoo_state(zh));
}

static void test_builtin_nodes(zhandle_t *zh) {
  struct String_vector kids;
  struct Stat st;
  int rc = zoo_exists(zh, "/", 0, &st);
  expect_rc("exists_root", ZOK, rc);
  /* built-in nodes have all-zero stored stats; cversion shows 2 * 0 - numChildren */
  expect_int("root_cversion_is_minus_numChildren", -1, st.cversion);
  expect_int("root_numChildren", 1, st.numChildren);
  expect_int("root_czxid", 0, st.czxid);
  rc = zoo_exists(zh, "/zookeeper", 0, &st);
  expect_int("zookeeper_cversion_is_minus_numChildren", -2, st.cversion);
  rc = zoo_exists(zh, "/zookeeper/config", 0, &st);
  expect_int("zookeeper_config_aversion_is_minus_1", -1, st.aversion);
  rc = zoo_get_children(zh, "/", 0, &kids);
  expect_rc("root_get_children", ZOK, rc);
  if (rc == ZOK) {
    expect_int("root_children_count", 1, kids.count);
    if (kids.count == 1) expect_str("root_child_is_zookeeper", "zookeeper", kids.data[0]);
    deallocate_String_vector(&kids);
  }
  rc = zoo_get_children(zh, "/zookeeper", 0, &kids);
  expect_rc("zookeeper_get_children", ZOK, rc);
  if (rc == ZOK) {
    zt_sort_strings(&kids);
    expect_int("zookeeper_children_count", 2, kids.count);
    if (kids.count == 2) {
      expect_str("zookeeper_child_config", "config", kids.data[0]);
      expect_str("zookeeper_child_quota", "quota", kids.data[1]);
    }
    deallocate_String_vector(&kids);
  }
  char buf[BUF_BYTES];
  int len = sizeof buf;
  rc = zoo_getconfig(zh, 0, buf, &len, &st);
  expect_rc("getconfig", ZOK, rc);
  expect_rc("delete_zookeeper_is_badarguments", ZBADARGUMENTS, zoo_delete(zh, "/zookeeper", -1));
  expect_rc("delete_zookeeper_quota_is_badarguments", ZBADARGUMENTS,
            zoo_delete(zh, "/zookeeper/quota", -1));
  expect_rc("delete_root_is_badarguments", ZBADARGUMENTS, zoo_delete(zh, "/", -1));
  expect_rc("create_root_exists", ZNODEEXISTS,
            zoo_create(zh, "/", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
}

static void test_create_modes(zhandle_t *zh, int ttl_enabled) {
  char out[BUF_BYTES];
  int rc = zoo_create(zh, "/ct", "root", 4, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, out, sizeof out);
  expect_rc("create_persistent", ZOK, rc);
  expect_str("create_persistent_returns_path", "/ct", out);
  expect_rc("create_existing_is_nodeexists", ZNODEEXISTS,
            zoo_create(zh, "/ct", "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("create_without_parent_is_nonode", ZNONODE,
            zoo_create(zh, "/ct/missing/child", "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("create_bad_path_is_badarguments", ZBADARGUMENTS,
            zoo_create(zh, "ct/no-slash", "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));

  /* data: null vs empty vs bytes */
  char buf[BUF_BYTES];
  int len = sizeof buf;
  struct Stat st;
  rc = zoo_get(zh, "/ct", 0, buf, &len, &st);
  expect_rc("get_persistent", ZOK, rc);
  expect_int("get_persistent_len", 4, len);
  if (len == 4) {
    buf[4] = 0;
    expect_str("get_persistent_data", "root", buf);
  }
  expect_int("get_persistent_version", 0, st.version);
  expect_int("get_persistent_dataLength", 4, st.dataLength);
  expect_int("get_persistent_ephemeralOwner", 0, st.ephemeralOwner);
  expect_true("get_persistent_czxid_eq_mzxid", st.czxid == st.mzxid && st.czxid > 0,
              "czxid == mzxid > 0");

  expect_rc("create_null_data", ZOK,
            zoo_create(zh, "/ct/null", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  len = sizeof buf;
  rc = zoo_get(zh, "/ct/null", 0, buf, &len, &st);
  expect_rc("get_null_data", ZOK, rc);
  expect_int("get_null_data_len_is_minus1", -1, len);
  expect_int("get_null_data_dataLength", 0, st.dataLength);
  expect_rc("create_empty_data", ZOK,
            zoo_create(zh, "/ct/empty", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  len = sizeof buf;
  rc = zoo_get(zh, "/ct/empty", 0, buf, &len, &st);
  expect_rc("get_empty_data", ZOK, rc);
  expect_int("get_empty_data_len_is_0", 0, len);

  /* sequential: the suffix counts the parent's child *creations* (%010d). The cversion a client
   * sees counts creations and deletions; Apache stores the creation count and reports
   * 2 * stored - numChildren, so the counter is (cversion + numChildren) / 2. */
  expect_rc("create_seq_parent", ZOK,
            zoo_create(zh, "/ct/seq", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  for (int i = 0; i < 3; i++) {
    char want[128];
    snprintf(want, sizeof want, "/ct/seq/s-%010d", i);
    rc = zoo_create(zh, "/ct/seq/s-", "q", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL, out,
                    sizeof out);
    char name[64];
    snprintf(name, sizeof name, "create_sequential_%d", i);
    expect_rc(name, ZOK, rc);
    snprintf(name, sizeof name, "create_sequential_%d_name", i);
    expect_str(name, want, out);
  }
  {
    rc = 0;
    struct Stat parent = stat_of(zh, "/ct/seq", &rc);
    expect_int("three_creates_parent_cversion", 3, parent.cversion);
    char first[128];
    snprintf(first, sizeof first, "/ct/seq/s-%010d", 0);
    expect_rc("delete_first_sequential", ZOK, zoo_delete(zh, first, -1));
    parent = stat_of(zh, "/ct/seq", &rc);
    expect_int("delete_bumps_parent_cversion", 4, parent.cversion);
    expect_int("delete_lowers_parent_numChildren", 2, parent.numChildren);
    char want[128];
    snprintf(want, sizeof want, "/ct/seq/%010d", (parent.cversion + parent.numChildren) / 2);
    rc = zoo_create(zh, "/ct/seq/", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL, out,
                    sizeof out);
    expect_rc("create_sequential_empty_prefix", ZOK, rc);
    expect_str("sequential_counter_ignores_deletes", want, out);
    expect_str("sequential_counter_is_3", "/ct/seq/0000000003", out);
    parent = stat_of(zh, "/ct/seq", &rc);
    expect_int("create_after_delete_parent_cversion", 5, parent.cversion);
  }

  /* ephemeral */
  const clientid_t *me = zoo_client_id(zh);
  rc = zoo_create(zh, "/ct/eph", "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, out, sizeof out);
  expect_rc("create_ephemeral", ZOK, rc);
  rc = 0;
  st = stat_of(zh, "/ct/eph", &rc);
  expect_int("ephemeral_owner_is_session", me->client_id, st.ephemeralOwner);
  expect_rc("child_of_ephemeral_is_nochildrenforephemerals", ZNOCHILDRENFOREPHEMERALS,
            zoo_create(zh, "/ct/eph/kid", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("sequential_child_of_ephemeral_is_nochildrenforephemerals", ZNOCHILDRENFOREPHEMERALS,
            zoo_create(zh, "/ct/eph/kid", NULL, -1, &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_PERSISTENT_SEQUENTIAL, NULL, 0));
  rc = zoo_create(zh, "/ct/seq/e-", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL_SEQUENTIAL, out,
                  sizeof out);
  expect_rc("create_ephemeral_sequential", ZOK, rc);
  expect_true("create_ephemeral_sequential_suffix",
              strncmp(out, "/ct/seq/e-", 10) == 0 && strlen(out) == 20, "/ct/seq/e-NNNNNNNNNN");
  rc = 0;
  st = stat_of(zh, out, &rc);
  expect_int("ephemeral_sequential_owner_is_session", me->client_id, st.ephemeralOwner);

  /* container */
  rc = zoo_create(zh, "/ct/container", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_CONTAINER, out,
                  sizeof out);
  expect_rc("create_container", ZOK, rc);
  rc = 0;
  st = stat_of(zh, "/ct/container", &rc);
  /* stored as Long.MIN_VALUE, but clients are shown 0 */
  expect_int("container_ephemeralOwner_shown_as_0", 0, st.ephemeralOwner);
  expect_rc("create_in_container", ZOK,
            zoo_create(zh, "/ct/container/kid", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));

  /* TTL */
  const int64_t ttl_ms = 600000;
  rc = zoo_create_ttl(zh, "/ct/ttl", "t", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_WITH_TTL, ttl_ms,
                      out, sizeof out);
  if (ttl_enabled) {
    expect_rc("create_ttl", ZOK, rc);
    rc = 0;
    st = stat_of(zh, "/ct/ttl", &rc);
    /* stored as 0xFF00000000000000 | ttl, but clients are shown 0 */
    expect_int("ttl_ephemeralOwner_shown_as_0", 0, st.ephemeralOwner);
    rc = zoo_create_ttl(zh, "/ct/ttlseq-", NULL, -1, &ZOO_OPEN_ACL_UNSAFE,
                        ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL, ttl_ms, out, sizeof out);
    expect_rc("create_ttl_sequential", ZOK, rc);
    expect_true("create_ttl_sequential_suffix", strncmp(out, "/ct/ttlseq-", 11) == 0,
                "/ct/ttlseq-NNNNNNNNNN");
  } else {
    expect_rc("create_ttl_disabled_is_unimplemented", ZUNIMPLEMENTED, rc);
  }

  /* create2 */
  memset(&st, 0, sizeof st);
  rc = zoo_create2(zh, "/ct/c2", "abc", 3, &ZOO_OPEN_ACL_UNSAFE, 0, out, sizeof out, &st);
  expect_rc("create2", ZOK, rc);
  expect_str("create2_path", "/ct/c2", out);
  expect_int("create2_stat_version", 0, st.version);
  expect_int("create2_stat_dataLength", 3, st.dataLength);
  expect_int("create2_stat_numChildren", 0, st.numChildren);
  expect_true("create2_stat_czxid", st.czxid > 0 && st.czxid == st.mzxid, "czxid == mzxid > 0");
  memset(&st, 0, sizeof st);
  rc = zoo_create2(zh, "/ct/seq/c2-", "abc", 3, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL, out,
                   sizeof out, &st);
  expect_rc("create2_sequential", ZOK, rc);
  expect_true("create2_sequential_path", strncmp(out, "/ct/seq/c2-", 11) == 0, "/ct/seq/c2-N");
  expect_rc("create2_existing_is_nodeexists", ZNODEEXISTS,
            zoo_create2(zh, "/ct/c2", "abc", 3, &ZOO_OPEN_ACL_UNSAFE, 0, out, sizeof out, &st));
}

static void test_get_set_delete(zhandle_t *zh) {
  struct Stat st;
  int rc = zoo_create(zh, "/ct/gs", "v0", 2, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  expect_rc("gs_create", ZOK, rc);
  rc = zoo_set2(zh, "/ct/gs", "v1", 2, 0, &st);
  expect_rc("set_matching_version", ZOK, rc);
  expect_int("set_bumps_version", 1, st.version);
  expect_true("set_moves_mzxid", st.mzxid > st.czxid, "mzxid > czxid");
  expect_rc("set_stale_version_is_badversion", ZBADVERSION, zoo_set(zh, "/ct/gs", "v2", 2, 0));
  rc = zoo_set2(zh, "/ct/gs", "longer value", 12, -1, &st);
  expect_rc("set_any_version", ZOK, rc);
  expect_int("set_any_version_bumps", 2, st.version);
  expect_int("set_dataLength", 12, st.dataLength);
  expect_rc("set_missing_is_nonode", ZNONODE, zoo_set(zh, "/ct/nope", "x", 1, -1));
  char buf[BUF_BYTES];
  int len = sizeof buf;
  rc = zoo_get(zh, "/ct/gs", 0, buf, &len, &st);
  expect_rc("get_after_set", ZOK, rc);
  if (rc == ZOK && len >= 0) {
    buf[len] = 0;
    expect_str("get_after_set_data", "longer value", buf);
  }
  len = sizeof buf;
  expect_rc("get_missing_is_nonode", ZNONODE, zoo_get(zh, "/ct/nope", 0, buf, &len, &st));
  expect_rc("exists_missing_is_nonode", ZNONODE, zoo_exists(zh, "/ct/nope", 0, &st));

  /* delete with versions */
  expect_rc("delete_wrong_version_is_badversion", ZBADVERSION, zoo_delete(zh, "/ct/gs", 1));
  expect_rc("delete_matching_version", ZOK, zoo_delete(zh, "/ct/gs", 2));
  expect_rc("delete_again_is_nonode", ZNONODE, zoo_delete(zh, "/ct/gs", -1));
  expect_rc("delete_nonempty_is_notempty", ZNOTEMPTY, zoo_delete(zh, "/ct/seq", -1));

  /* children */
  expect_rc("kids_parent", ZOK, zoo_create(zh, "/ct/kids", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  const char *names[] = {"b", "a", "c"};
  for (int i = 0; i < 3; i++) {
    char p[64];
    snprintf(p, sizeof p, "/ct/kids/%s", names[i]);
    zoo_create(zh, p, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  }
  struct String_vector kids;
  rc = zoo_get_children(zh, "/ct/kids", 0, &kids);
  expect_rc("get_children", ZOK, rc);
  if (rc == ZOK) {
    zt_sort_strings(&kids);
    int good = kids.count == 3 && !strcmp(kids.data[0], "a") && !strcmp(kids.data[1], "b") &&
               !strcmp(kids.data[2], "c");
    expect_true("get_children_names", good, "[a b c]");
    deallocate_String_vector(&kids);
  }
  rc = zoo_get_children2(zh, "/ct/kids", 0, &kids, &st);
  expect_rc("get_children2", ZOK, rc);
  if (rc == ZOK) {
    expect_int("get_children2_count", 3, kids.count);
    expect_int("get_children2_stat_numChildren", 3, st.numChildren);
    expect_int("get_children2_stat_cversion", 3, st.cversion);
    deallocate_String_vector(&kids);
  }
  rc = zoo_get_children(zh, "/ct/kids/a", 0, &kids);
  expect_rc("get_children_leaf", ZOK, rc);
  if (rc == ZOK) {
    expect_int("get_children_leaf_empty", 0, kids.count);
    deallocate_String_vector(&kids);
  }
  expect_rc("get_children_missing_is_nonode", ZNONODE, zoo_get_children(zh, "/ct/nope", 0, &kids));
}

static void test_acl(const char *hostport, zhandle_t *zh) {
  char alice[128];
  zt_digest_id("alice", "secret", alice, sizeof alice);
  expect_rc("add_auth_digest", ZOK, zt_add_auth(zh, "digest", "alice:secret"));

  struct ACL digest_all = {ZOO_PERM_ALL, {"digest", alice}};
  struct ACL_vector digest_acl = {1, &digest_all};
  expect_rc("create_with_digest_acl", ZOK,
            zoo_create(zh, "/ct/acl", "secret", 6, &digest_acl, 0, NULL, 0));
  char buf[BUF_BYTES];
  int len = sizeof buf;
  struct Stat st;
  expect_rc("owner_can_read", ZOK, zoo_get(zh, "/ct/acl", 0, buf, &len, &st));
  expect_rc("owner_can_create_child", ZOK,
            zoo_create(zh, "/ct/acl/kid", NULL, -1, &digest_acl, 0, NULL, 0));

  struct ACL_vector acl;
  int rc = zoo_get_acl(zh, "/ct/acl", &acl, &st);
  expect_rc("get_acl_digest", ZOK, rc);
  if (rc == ZOK) {
    expect_int("get_acl_digest_count", 1, acl.count);
    if (acl.count == 1) {
      expect_int("get_acl_digest_perms", ZOO_PERM_ALL, acl.data[0].perms);
      expect_str("get_acl_digest_scheme", "digest", acl.data[0].id.scheme);
      expect_str("get_acl_digest_id", alice, acl.data[0].id.id);
    }
    deallocate_ACL_vector(&acl);
  }

  /* a stranger: no auth at all */
  zt_ctx *sctx = zt_ctx_new("stranger");
  zhandle_t *stranger = open_or_die(hostport, sctx);
  len = sizeof buf;
  expect_rc("stranger_get_is_noauth", ZNOAUTH, zoo_get(stranger, "/ct/acl", 0, buf, &len, &st));
  expect_rc("stranger_set_is_noauth", ZNOAUTH, zoo_set(stranger, "/ct/acl", "x", 1, -1));
  expect_rc("stranger_exists_ignores_acl", ZOK, zoo_exists(stranger, "/ct/acl", 0, &st));
  expect_rc("stranger_get_acl_is_noauth", ZNOAUTH, zoo_get_acl(stranger, "/ct/acl", &acl, &st));
  expect_rc("stranger_get_children_is_noauth", ZNOAUTH,
            zoo_get_children(stranger, "/ct/acl", 0, &(struct String_vector){0}));
  expect_rc("stranger_create_child_is_noauth", ZNOAUTH,
            zoo_create(stranger, "/ct/acl/x", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("stranger_delete_child_is_noauth", ZNOAUTH, zoo_delete(stranger, "/ct/acl/kid", -1));
  expect_rc("stranger_set_acl_is_noauth", ZNOAUTH,
            zoo_set_acl(stranger, "/ct/acl", -1, &ZOO_OPEN_ACL_UNSAFE));
  expect_rc("stranger_create_with_auth_scheme_is_invalidacl", ZINVALIDACL,
            zoo_create(stranger, "/ct/x", NULL, -1, &ZOO_CREATOR_ALL_ACL, 0, NULL, 0));
  struct ACL_vector empty_acl = {0, NULL};
  expect_rc("create_with_empty_acl_is_invalidacl", ZINVALIDACL,
            zoo_create(stranger, "/ct/x", NULL, -1, &empty_acl, 0, NULL, 0));
  /* the wrong password just gives a different identity */
  expect_rc("add_auth_wrong_password_accepted", ZOK, zt_add_auth(stranger, "digest", "alice:wrong"));
  len = sizeof buf;
  expect_rc("wrong_password_get_is_noauth", ZNOAUTH,
            zoo_get(stranger, "/ct/acl", 0, buf, &len, &st));
  /* the right one, added later on the same session, opens the node */
  expect_rc("add_auth_second_identity", ZOK, zt_add_auth(stranger, "digest", "alice:secret"));
  len = sizeof buf;
  expect_rc("second_identity_get", ZOK, zoo_get(stranger, "/ct/acl", 0, buf, &len, &st));
  zookeeper_close(stranger);

  /* auth scheme: replaced by the creator's ids */
  expect_rc("create_with_auth_scheme", ZOK,
            zoo_create(zh, "/ct/authacl", NULL, -1, &ZOO_CREATOR_ALL_ACL, 0, NULL, 0));
  rc = zoo_get_acl(zh, "/ct/authacl", &acl, &st);
  expect_rc("get_acl_auth_scheme", ZOK, rc);
  if (rc == ZOK) {
    expect_int("auth_scheme_acl_count", 1, acl.count);
    if (acl.count == 1) {
      expect_str("auth_scheme_becomes_digest", "digest", acl.data[0].id.scheme);
      expect_str("auth_scheme_becomes_creator_id", alice, acl.data[0].id.id);
      expect_int("auth_scheme_perms", ZOO_PERM_ALL, acl.data[0].perms);
    }
    deallocate_ACL_vector(&acl);
  }

  /* world read-only, setACL with versions */
  expect_rc("create_read_only", ZOK,
            zoo_create(zh, "/ct/ro", "r", 1, &ZOO_READ_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("read_only_set_is_noauth", ZNOAUTH, zoo_set(zh, "/ct/ro", "w", 1, -1));
  len = sizeof buf;
  expect_rc("read_only_get", ZOK, zoo_get(zh, "/ct/ro", 0, buf, &len, &st));
  rc = zoo_get_acl(zh, "/ct/ro", &acl, &st);
  expect_rc("get_acl_world", ZOK, rc);
  if (rc == ZOK) {
    int good = acl.count == 1 && acl.data[0].perms == ZOO_PERM_READ &&
               !strcmp(acl.data[0].id.scheme, "world") && !strcmp(acl.data[0].id.id, "anyone");
    expect_true("get_acl_world_is_read_anyone", good, "[1 world:anyone]");
    expect_int("get_acl_world_aversion", 0, st.aversion);
    deallocate_ACL_vector(&acl);
  }
  expect_rc("set_acl_without_admin_is_noauth", ZNOAUTH,
            zoo_set_acl(zh, "/ct/ro", -1, &ZOO_OPEN_ACL_UNSAFE));
  expect_rc("create_open", ZOK, zoo_create(zh, "/ct/open", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0));
  expect_rc("set_acl_wrong_version_is_badversion", ZBADVERSION,
            zoo_set_acl(zh, "/ct/open", 3, &ZOO_READ_ACL_UNSAFE));
  expect_rc("set_acl_matching_version", ZOK, zoo_set_acl(zh, "/ct/open", 0, &ZOO_READ_ACL_UNSAFE));
  rc = zoo_get_acl(zh, "/ct/open", &acl, &st);
  if (rc == ZOK) {
    expect_int("set_acl_bumps_aversion", 1, st.aversion);
    expect_int("set_acl_keeps_version", 0, st.version);
    expect_int("set_acl_applied", ZOO_PERM_READ, acl.count == 1 ? acl.data[0].perms : -1);
    deallocate_ACL_vector(&acl);
  } else {
    expect_rc("get_acl_after_set_acl", ZOK, rc);
  }
  expect_rc("set_acl_missing_is_nonode", ZNONODE,
            zoo_set_acl(zh, "/ct/nope", -1, &ZOO_OPEN_ACL_UNSAFE));
  expect_rc("set_acl_empty_is_invalidacl", ZINVALIDACL, zoo_set_acl(zh, "/ct/open", -1, &empty_acl));
  expect_rc("get_acl_missing_is_nonode", ZNONODE, zoo_get_acl(zh, "/ct/nope", &acl, &st));

  /* an unknown scheme fails the session's authentication */
  zt_ctx *bctx = zt_ctx_new("badscheme");
  zhandle_t *bad = open_or_die(hostport, bctx);
  expect_rc("add_auth_unknown_scheme_is_authfailed", ZAUTHFAILED,
            zt_add_auth(bad, "no-such-scheme", "whatever"));
  expect_int("unknown_scheme_state_auth_failed", ZOO_AUTH_FAILED_STATE,
             zt_wait_for_state(bctx, ZOO_AUTH_FAILED_STATE, ZT_WAIT_S));
  zookeeper_close(bad);
}

static void test_sync(zhandle_t *zh) {
  char path[ZT_PATH_BYTES];
  expect_rc("sync", ZOK, zt_sync(zh, "/ct", path, sizeof path));
  expect_str("sync_returns_path", "/ct", path);
}

static void test_multi(zhandle_t *zh) {
  zoo_op_t ops[5];
  zoo_op_result_t res[5];
  char p0[128], p3[128];
  struct Stat st;
  zoo_create_op_init(&ops[0], "/ct/m1", "one", 3, &ZOO_OPEN_ACL_UNSAFE, 0, p0, sizeof p0);
  zoo_set_op_init(&ops[1], "/ct/m1", "uno", 3, 0, &st);
  zoo_check_op_init(&ops[2], "/ct/m1", 1);
  zoo_create_op_init(&ops[3], "/ct/m2", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p3, sizeof p3);
  zoo_delete_op_init(&ops[4], "/ct/m2", 0);
  memset(res, 0, sizeof res);
  int rc = zoo_multi(zh, 5, ops, res);
  expect_rc("multi_success", ZOK, rc);
  for (int i = 0; i < 5; i++) {
    char name[64];
    snprintf(name, sizeof name, "multi_success_result_%d", i);
    expect_rc(name, ZOK, res[i].err);
  }
  expect_str("multi_success_create_path", "/ct/m1", p0);
  expect_int("multi_success_set_stat_version", 1, st.version);
  char buf[BUF_BYTES];
  int len = sizeof buf;
  rc = zoo_get(zh, "/ct/m1", 0, buf, &len, &st);
  if (rc == ZOK && len == 3) buf[3] = 0;
  expect_str("multi_success_applied", "uno", rc == ZOK && len == 3 ? buf : "(missing)");
  expect_rc("multi_success_deleted_m2", ZNONODE, zoo_exists(zh, "/ct/m2", 0, &st));

  /* failing multi: earlier ops 0, the failing op its code, later ops -2; nothing applied */
  zoo_create_op_init(&ops[0], "/ct/m3", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p0, sizeof p0);
  zoo_set_op_init(&ops[1], "/ct/m1", "dos", 3, 1, NULL);
  zoo_set_op_init(&ops[2], "/ct/m1", "tres", 4, 99, NULL);
  zoo_create_op_init(&ops[3], "/ct/m4", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p3, sizeof p3);
  zoo_delete_op_init(&ops[4], "/ct/m1", -1);
  memset(res, 0, sizeof res);
  rc = zoo_multi(zh, 5, ops, res);
  expect_rc("multi_fail_returns_first_error", ZBADVERSION, rc);
  expect_rc("multi_fail_result_0_ok", ZOK, res[0].err);
  expect_rc("multi_fail_result_1_ok", ZOK, res[1].err);
  expect_rc("multi_fail_result_2_badversion", ZBADVERSION, res[2].err);
  expect_rc("multi_fail_result_3_runtimeinconsistency", ZRUNTIMEINCONSISTENCY, res[3].err);
  expect_rc("multi_fail_result_4_runtimeinconsistency", ZRUNTIMEINCONSISTENCY, res[4].err);
  expect_rc("multi_fail_not_applied_create", ZNONODE, zoo_exists(zh, "/ct/m3", 0, &st));
  rc = zoo_exists(zh, "/ct/m1", 0, &st);
  expect_int("multi_fail_not_applied_set", 1, rc == ZOK ? st.version : -1);

  /* failing check and a failing first op */
  zoo_check_op_init(&ops[0], "/ct/nope", -1);
  zoo_create_op_init(&ops[1], "/ct/m5", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p0, sizeof p0);
  memset(res, 0, sizeof res);
  rc = zoo_multi(zh, 2, ops, res);
  expect_rc("multi_check_missing_is_nonode", ZNONODE, rc);
  expect_rc("multi_check_missing_result_0", ZNONODE, res[0].err);
  expect_rc("multi_check_missing_result_1", ZRUNTIMEINCONSISTENCY, res[1].err);
  zoo_check_op_init(&ops[0], "/ct/m1", 0);
  memset(res, 0, sizeof res);
  rc = zoo_multi(zh, 1, ops, res);
  expect_rc("multi_check_wrong_version_is_badversion", ZBADVERSION, rc);

  /* ops inside one multi see the earlier ops' effects */
  zoo_create_op_init(&ops[0], "/ct/m6", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p0, sizeof p0);
  zoo_create_op_init(&ops[1], "/ct/m6/kid", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, p3, sizeof p3);
  zoo_create_op_init(&ops[2], "/ct/m6", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  memset(res, 0, sizeof res);
  rc = zoo_multi(zh, 3, ops, res);
  expect_rc("multi_sees_own_creates_then_nodeexists", ZNODEEXISTS, rc);
  expect_rc("multi_own_create_result_0", ZOK, res[0].err);
  expect_rc("multi_own_create_result_1", ZOK, res[1].err);
  expect_rc("multi_own_create_result_2", ZNODEEXISTS, res[2].err);
  expect_rc("multi_own_create_rolled_back", ZNONODE, zoo_exists(zh, "/ct/m6", 0, &st));

  /* empty multi */
  rc = zoo_multi(zh, 0, ops, res);
  expect_rc("multi_empty", ZOK, rc);
}

static void test_watches(const char *hostport, zhandle_t *zh) {
  static zt_ctx w_exists, w_data, w_child, w_del, w_other, w_removed, w_gc;
  zt_ctx_init(&w_exists, "exists");
  zt_ctx_init(&w_data, "data");
  zt_ctx_init(&w_child, "child");
  zt_ctx_init(&w_del, "delete");
  zt_ctx_init(&w_other, "other");
  zt_ctx_init(&w_removed, "removed");
  zt_ctx_init(&w_gc, "getchildren-of-deleted");
  struct Stat st;
  char buf[BUF_BYTES];
  int len;

  /* exist watch on a missing node: NONODE, but the watch is set */
  expect_rc("wexists_missing_is_nonode", ZNONODE, zoo_wexists(zh, "/ct/w", zt_watcher, &w_exists, &st));
  zoo_create(zh, "/ct/w", "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  expect_event("exists_watch_fires_created", "exists", ZOO_CREATED_EVENT, "/ct/w");

  /* data watch: fires once */
  len = sizeof buf;
  expect_rc("wget", ZOK, zoo_wget(zh, "/ct/w", zt_watcher, &w_data, buf, &len, &st));
  zoo_set(zh, "/ct/w", "1", 1, -1);
  expect_event("data_watch_fires_changed", "data", ZOO_CHANGED_EVENT, "/ct/w");
  zoo_set(zh, "/ct/w", "2", 1, -1);
  expect_no_events("data_watch_is_one_shot", zh);

  /* exist watch on an existing node fires on change */
  expect_rc("wexists_existing", ZOK, zoo_wexists(zh, "/ct/w", zt_watcher, &w_exists, &st));
  zoo_set(zh, "/ct/w", "3", 1, -1);
  expect_event("exists_watch_fires_changed", "exists", ZOO_CHANGED_EVENT, "/ct/w");

  /* child watch */
  struct String_vector kids;
  expect_rc("wget_children", ZOK, zoo_wget_children(zh, "/ct/w", zt_watcher, &w_child, &kids));
  deallocate_String_vector(&kids);
  zoo_create(zh, "/ct/w/a", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  expect_event("child_watch_fires_on_create", "child", ZOO_CHILD_EVENT, "/ct/w");
  zoo_create(zh, "/ct/w/b", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  expect_no_events("child_watch_is_one_shot", zh);
  expect_rc("wget_children2", ZOK,
            zoo_wget_children2(zh, "/ct/w", zt_watcher, &w_child, &kids, &st));
  deallocate_String_vector(&kids);
  zoo_delete(zh, "/ct/w/b", -1);
  expect_event("child_watch_fires_on_delete", "child", ZOO_CHILD_EVENT, "/ct/w");
  /* a child's data change does not fire the parent's child watch */
  expect_rc("wget_children_again", ZOK, zoo_wget_children(zh, "/ct/w", zt_watcher, &w_child, &kids));
  deallocate_String_vector(&kids);
  zoo_set(zh, "/ct/w/a", "x", 1, -1);
  expect_no_events("child_watch_ignores_child_data", zh);

  /* delete fires data watch (NodeDeleted) and child watch on the node, child watch on parent */
  len = sizeof buf;
  expect_rc("wget_before_delete", ZOK, zoo_wget(zh, "/ct/w/a", zt_watcher, &w_del, buf, &len, &st));
  expect_rc("wget_children_before_delete", ZOK,
            zoo_wget_children(zh, "/ct/w/a", zt_watcher, &w_gc, &kids));
  deallocate_String_vector(&kids);
  zoo_delete(zh, "/ct/w/a", -1);
  zt_event got[8];
  int n = fence(zh, got, 8);
  int saw_del = 0, saw_gc = 0, saw_parent = 0;
  for (int i = 0; i < n; i++) {
    if (!strcmp(got[i].tag, "delete") && got[i].type == ZOO_DELETED_EVENT &&
        !strcmp(got[i].path, "/ct/w/a"))
      saw_del++;
    if (!strcmp(got[i].tag, "getchildren-of-deleted") && got[i].type == ZOO_DELETED_EVENT &&
        !strcmp(got[i].path, "/ct/w/a"))
      saw_gc++;
    if (!strcmp(got[i].tag, "child") && got[i].type == ZOO_CHILD_EVENT &&
        !strcmp(got[i].path, "/ct/w"))
      saw_parent++;
  }
  expect_int("delete_fires_data_watch_deleted", 1, saw_del);
  expect_int("delete_fires_child_watch_on_node_deleted", 1, saw_gc);
  expect_int("delete_fires_parent_child_watch", 1, saw_parent);
  expect_int("delete_fires_nothing_else", 3, n);

  /* another session's write fires our watch */
  zt_ctx *octx = zt_ctx_new("other-session");
  zhandle_t *other = open_or_die(hostport, octx);
  len = sizeof buf;
  expect_rc("wget_for_other_session", ZOK, zoo_wget(zh, "/ct/w", zt_watcher, &w_other, buf, &len, &st));
  expect_rc("other_session_set", ZOK, zoo_set(other, "/ct/w", "o", 1, -1));
  expect_event("other_session_write_fires_watch", "other", ZOO_CHANGED_EVENT, "/ct/w");
  zookeeper_close(other);

  /* removeWatches */
  len = sizeof buf;
  expect_rc("wget_to_remove", ZOK, zoo_wget(zh, "/ct/w", zt_watcher, &w_removed, buf, &len, &st));
  expect_rc("remove_watches", ZOK,
            zoo_remove_watches(zh, "/ct/w", ZWATCHTYPE_DATA, zt_watcher, &w_removed, 0));
  /* (the 3.8.0 C client delivers no NotWatching event to the removed watcher) */
  zoo_set(zh, "/ct/w", "r", 1, -1);
  expect_no_events("removed_watch_does_not_fire", zh);
  expect_rc("remove_missing_watch_is_nowatcher", ZNOWATCHER,
            zoo_remove_watches(zh, "/ct/w", ZWATCHTYPE_DATA, zt_watcher, &w_removed, 0));

  printf("note persistent_watches: skipped, the 3.8.0 C client has no addWatch API\n");
  printf("note getEphemerals/getAllChildrenNumber/whoAmI: skipped, not in the 3.8.0 C client\n");
}

/* Child mode: hold a session with an ephemeral until killed. */
static int hold_session(const char *hostport, const char *path) {
  zt_ctx ctx;
  zt_ctx_init(&ctx, "holder");
  int state;
  zhandle_t *zh = zt_open(hostport, NULL, &ctx, SESSION_TIMEOUT_MS, &state);
  if (!zh || state != ZOO_CONNECTED_STATE) return 1;
  if (zoo_create(zh, path, "held", 4, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0) != ZOK) return 1;
  const clientid_t *id = zoo_client_id(zh);
  printf("%llx ", (unsigned long long)id->client_id);
  for (int i = 0; i < 16; i++) printf("%02x", (unsigned char)id->passwd[i]);
  printf("\n");
  fflush(stdout);
  for (;;) pause(); /* killed with SIGKILL: no closeSession is ever sent */
}

static void test_sessions(const char *hostport, const char *self, zhandle_t *zh) {
  /* 1. a session whose process died is re-attached with its id and password */
  int pipefd[2];
  if (pipe(pipefd) != 0) {
    fail("reattach_spawn", "pipe failed");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    execl(self, self, "--hold-session", hostport, "/ct/held", (char *)NULL);
    _exit(127);
  }
  close(pipefd[1]);
  FILE *in = fdopen(pipefd[0], "r");
  unsigned long long sid = 0;
  char pw_hex[64] = {0};
  int parsed = fscanf(in, "%llx %40s", &sid, pw_hex);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  fclose(in);
  if (parsed != 2 || strlen(pw_hex) != 32) {
    fail("reattach_spawn", "child printed no session id");
    return;
  }
  ok("reattach_child_held_session_and_was_killed");
  clientid_t cid;
  memset(&cid, 0, sizeof cid);
  cid.client_id = (int64_t)sid;
  for (int i = 0; i < 16; i++) {
    unsigned v;
    sscanf(pw_hex + 2 * i, "%2x", &v);
    cid.passwd[i] = (char)v;
  }
  struct Stat st;
  int rc = zoo_exists(zh, "/ct/held", 0, &st);
  expect_rc("ephemeral_survives_client_crash", ZOK, rc);
  expect_int("ephemeral_owner_is_crashed_session", (long long)sid, st.ephemeralOwner);

  zt_ctx *rctx = zt_ctx_new("reattached");
  int state;
  zhandle_t *re = zt_open(hostport, &cid, rctx, SESSION_TIMEOUT_MS, &state);
  expect_int("reattach_connected", ZOO_CONNECTED_STATE, state);
  if (re && state == ZOO_CONNECTED_STATE) {
    expect_int("reattach_same_session_id", (long long)sid, zoo_client_id(re)->client_id);
    rc = zoo_exists(re, "/ct/held", 0, &st);
    expect_rc("reattached_sees_ephemeral", ZOK, rc);
    expect_int("reattached_owns_ephemeral", (long long)sid, st.ephemeralOwner);
    expect_rc("reattached_can_write", ZOK, zoo_set(re, "/ct/held", "again", 5, -1));
  }
  if (re) zookeeper_close(re);
  expect_rc("close_removes_ephemeral", ZNONODE, zoo_exists(zh, "/ct/held", 0, &st));

  /* 2. a closed session cannot be re-attached */
  zt_ctx *cctx = zt_ctx_new("closed-session");
  zhandle_t *dead = zt_open(hostport, &cid, cctx, SESSION_TIMEOUT_MS, &state);
  expect_int("reattach_closed_session_is_expired", ZOO_EXPIRED_SESSION_STATE, state);
  if (dead) zookeeper_close(dead);

  /* 3. a live session with the wrong password is refused as expired */
  zt_ctx *vctx = zt_ctx_new("victim");
  zhandle_t *victim = open_or_die(hostport, vctx);
  expect_rc("victim_ephemeral", ZOK,
            zoo_create(victim, "/ct/victim", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0));
  clientid_t forged = *zoo_client_id(victim);
  for (int i = 0; i < 16; i++) forged.passwd[i] ^= 0x5a;
  zt_ctx *fctx = zt_ctx_new("forged");
  zhandle_t *thief = zt_open(hostport, &forged, fctx, SESSION_TIMEOUT_MS, &state);
  expect_int("wrong_password_is_expired", ZOO_EXPIRED_SESSION_STATE, state);
  if (thief) zookeeper_close(thief);
  /* the real owner keeps its session (it may have to reconnect) */
  int vstate = zt_wait_for_state(vctx, ZOO_CONNECTED_STATE, ZT_WAIT_S);
  expect_int("victim_still_connected", ZOO_CONNECTED_STATE, vstate);
  rc = ZCONNECTIONLOSS;
  for (int tries = 0; tries < 20 && rc == ZCONNECTIONLOSS; tries++) {
    rc = zoo_exists(victim, "/ct/victim", 0, &st);
    if (rc == ZCONNECTIONLOSS) zt_wait_for_state(vctx, ZOO_CONNECTED_STATE, ZT_WAIT_S);
  }
  expect_rc("victim_ephemeral_survives", ZOK, rc);
  zookeeper_close(victim);
  expect_rc("victim_close_removes_ephemeral", ZNONODE, zoo_exists(zh, "/ct/victim", 0, &st));
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "--hold-session") == 0) {
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    return hold_session(argv[2], argv[3]);
  }
  if (argc < 2) {
    fprintf(stderr, "usage: %s host:port [--ttl]\n", argv[0]);
    return 2;
  }
  const char *hostport = argv[1];
  int ttl_enabled = argc >= 3 && strcmp(argv[2], "--ttl") == 0;
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  signal(SIGPIPE, SIG_IGN);

  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    fprintf(stderr, "cannot find my own executable\n");
    return 2;
  }
  self[n] = 0;

  zt_ctx *mctx = zt_ctx_new("main");
  zhandle_t *zh = open_or_die(hostport, mctx);
  test_connect(zh);
  test_builtin_nodes(zh);
  test_create_modes(zh, ttl_enabled);
  test_get_set_delete(zh);
  test_acl(hostport, zh);
  test_sync(zh);
  test_multi(zh);
  test_watches(hostport, zh);
  test_sessions(hostport, self, zh);

  /* the main session's ephemerals go when it closes */
  zookeeper_close(zh);
  zt_ctx *lctx = zt_ctx_new("last");
  zhandle_t *last = open_or_die(hostport, lctx);
  struct Stat st;
  expect_rc("main_close_removes_ephemeral", ZNONODE, zoo_exists(last, "/ct/eph", 0, &st));
  expect_rc("persistent_outlives_session", ZOK, zoo_exists(last, "/ct", 0, &st));
  zookeeper_close(last);

  printf("# %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
