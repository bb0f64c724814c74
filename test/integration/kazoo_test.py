#!/usr/bin/python3
"""Kazoo (a pure-Python client with its own protocol code) and its recipes against a server.

    /usr/bin/python3 kazoo_test.py host:port

Prints `ok <name>` or `FAIL <name>: expected X got Y` per check; exits 1 if any failed.
Waits are bounded (WAIT_S) only so a hang becomes a readable failure; nothing is timed.
"""

import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NoNodeError, NodeExistsError,
                              NotEmptyError, RolledBackError, NoAuthError)
from kazoo.protocol.states import EventType, KazooState
from kazoo.security import make_digest_acl

WAIT_S = 20.0

failures = 0
checks = 0


def ok(name):
    global checks
    checks += 1
    print("ok %s" % name, flush=True)


def fail(name, msg):
    global checks, failures
    checks += 1
    failures += 1
    print("FAIL %s: %s" % (name, msg), flush=True)


def expect(name, want, got):
    if want == got:
        ok(name)
    else:
        fail(name, "expected %r got %r" % (want, got))


def expect_raises(name, exc_type, fn, *args, **kw):
    try:
        got = fn(*args, **kw)
    except exc_type:
        ok(name)
        return
    except Exception as e:  # noqa: BLE001 - report whatever it was
        fail(name, "expected %s got %s: %s" % (exc_type.__name__, type(e).__name__, e))
        return
    fail(name, "expected %s got a result %r" % (exc_type.__name__, got))


def new_client(hostport):
    c = KazooClient(hosts=hostport, timeout=WAIT_S)
    c.start(timeout=WAIT_S)
    return c


class Recorder:
    """Collects callback values from kazoo's event thread; the test waits for them."""

    def __init__(self):
        self.cv = threading.Condition()
        self.items = []

    def add(self, item):
        with self.cv:
            self.items.append(item)
            self.cv.notify_all()

    def wait_for(self, pred):
        with self.cv:
            self.cv.wait_for(lambda: pred(self.items), timeout=WAIT_S)
            return list(self.items)


def test_basics(a):
    expect("connected", KazooState.CONNECTED, a.state)
    expect("four_letter_ruok", "imok", a.command(b"ruok"))
    srvr = a.command(b"srvr")
    expect("four_letter_srvr_has_mode", True, "Mode: " in srvr)
    expect("root_children", ["zookeeper"], a.get_children("/"))
    a.ensure_path("/kz/deep/path")
    expect("ensure_path", True, a.exists("/kz/deep/path") is not None)
    path = a.create("/kz/node", b"hello")
    expect("create_returns_path", "/kz/node", path)
    data, stat = a.get("/kz/node")
    expect("get_data", b"hello", data)
    expect("get_version", 0, stat.version)
    stat = a.set("/kz/node", b"world", version=0)
    expect("set_version_bumps", 1, stat.version)
    expect_raises("set_stale_version", BadVersionError, a.set, "/kz/node", b"x", version=0)
    expect_raises("create_existing", NodeExistsError, a.create, "/kz/node")
    expect_raises("get_missing", NoNodeError, a.get, "/kz/missing")
    expect_raises("delete_nonempty", NotEmptyError, a.delete, "/kz/deep")
    expect("exists_missing_is_none", None, a.exists("/kz/missing"))
    path, stat = a.create("/kz/withstat", b"abc", include_data=True)
    expect("create2_stat", (0, 3), (stat.version, stat.dataLength))
    a.delete("/kz/deep", recursive=True)
    expect("recursive_delete", None, a.exists("/kz/deep"))
    children, stat = a.get_children("/kz", include_data=True)
    expect("get_children2", (sorted(children), stat.numChildren),
           (["node", "withstat"], 2))
    a.sync("/kz")
    ok("sync")


def test_sequential(a):
    a.create("/kz/seq")
    names = [a.create("/kz/seq/n-", b"", sequence=True) for _ in range(3)]
    expect("sequential_names", ["/kz/seq/n-%010d" % i for i in range(3)], names)
    a.delete(names[0])
    nxt = a.create("/kz/seq/n-", sequence=True)
    expect("sequential_counter_not_reused_after_delete", "/kz/seq/n-%010d" % 3, nxt)
    eph = a.create("/kz/seq/e-", ephemeral=True, sequence=True)
    expect("ephemeral_sequential_name", "/kz/seq/e-%010d" % 4, eph)


def test_ephemeral_goes_with_client(hostport, a):
    b = new_client(hostport)
    b.create("/kz/eph", b"mine", ephemeral=True)
    stat = a.exists("/kz/eph")
    expect("ephemeral_owner_is_b", b.client_id[0], stat.ephemeralOwner if stat else None)
    rec = Recorder()
    a.exists("/kz/eph", watch=lambda ev: rec.add((ev.type, ev.path)))
    b.stop()
    b.close()
    got = rec.wait_for(lambda items: len(items) >= 1)
    expect("ephemeral_deleted_event", [(EventType.DELETED, "/kz/eph")], got)
    expect("ephemeral_gone_after_stop", None, a.exists("/kz/eph"))


def test_data_and_children_watch(a):
    a.create("/kz/dw", b"v0")
    rec = Recorder()

    @a.DataWatch("/kz/dw")
    def _data(data, stat):
        rec.add((data, stat.version if stat else None))

    rec.wait_for(lambda items: len(items) >= 1)
    a.set("/kz/dw", b"v1")
    rec.wait_for(lambda items: (b"v1", 1) in items)
    a.delete("/kz/dw")
    got = rec.wait_for(lambda items: (None, None) in items)
    expect("datawatch_sequence", [(b"v0", 0), (b"v1", 1), (None, None)], got)

    a.create("/kz/cw")
    crec = Recorder()

    @a.ChildrenWatch("/kz/cw")
    def _children(children):
        crec.add(sorted(children))

    crec.wait_for(lambda items: len(items) >= 1)
    a.create("/kz/cw/x")
    crec.wait_for(lambda items: ["x"] in items)
    a.create("/kz/cw/y")
    crec.wait_for(lambda items: ["x", "y"] in items)
    a.delete("/kz/cw/x")
    got = crec.wait_for(lambda items: ["y"] in items)
    expect("childrenwatch_sequence", [[], ["x"], ["x", "y"], ["y"]], got)

    # raw one-shot watches
    wrec = Recorder()
    a.create("/kz/raw", b"0")
    a.get("/kz/raw", watch=lambda ev: wrec.add(("data", ev.type, ev.path)))
    a.get_children("/kz", watch=lambda ev: wrec.add(("child", ev.type, ev.path)))
    a.exists("/kz/raw-missing", watch=lambda ev: wrec.add(("exists", ev.type, ev.path)))
    a.set("/kz/raw", b"1")
    a.create("/kz/raw-missing")
    got = wrec.wait_for(lambda items: len(items) >= 3)
    expect("raw_watch_events", sorted([("data", EventType.CHANGED, "/kz/raw"),
                                       ("child", EventType.CHILD, "/kz"),
                                       ("exists", EventType.CREATED, "/kz/raw-missing")]),
           sorted(got))


def test_transactions(a):
    a.create("/kz/tx")
    t = a.transaction()
    t.create("/kz/tx/a", b"1")
    t.set_data("/kz/tx/a", b"2")
    t.check("/kz/tx/a", 1)
    t.create("/kz/tx/b")
    t.delete("/kz/tx/b")
    results = t.commit()
    expect("txn_success_results_len", 5, len(results))
    expect("txn_success_create_path", "/kz/tx/a", results[0])
    expect("txn_success_set_version", 1, getattr(results[1], "version", results[1]))
    expect("txn_success_check_delete", [True, "/kz/tx/b", True], results[2:])
    expect("txn_success_applied", b"2", a.get("/kz/tx/a")[0])

    t = a.transaction()
    t.create("/kz/tx/c")
    t.check("/kz/tx/a", 99)
    t.delete("/kz/tx/a")
    results = t.commit()
    kinds = [type(r).__name__ for r in results]
    expect("txn_failure_results", ["RolledBackError", "BadVersionError", "RuntimeInconsistency"],
           kinds)
    expect("txn_failure_not_applied", None, a.exists("/kz/tx/c"))
    expect("txn_failure_kept_a", True, a.exists("/kz/tx/a") is not None)


def test_acl(hostport, a):
    acl = make_digest_acl("kz", "pw", all=True)
    b = KazooClient(hosts=hostport, timeout=WAIT_S, auth_data=[("digest", "kz:pw")])
    b.start(timeout=WAIT_S)
    b.create("/kz/secret", b"s", acl=[acl])
    expect_raises("acl_noauth_get", NoAuthError, a.get, "/kz/secret")
    expect("acl_owner_get", b"s", b.get("/kz/secret")[0])
    acls, _ = b.get_acls("/kz/secret")
    expect("acl_roundtrip", [(acl.perms, acl.id.scheme, acl.id.id)],
           [(x.perms, x.id.scheme, x.id.id) for x in acls])
    a.add_auth("digest", "kz:pw")
    expect("acl_add_auth_later_get", b"s", a.get("/kz/secret")[0])
    b.stop()
    b.close()


def test_lock(hostport):
    a = new_client(hostport)
    b = new_client(hostport)
    la = a.Lock("/kz/lock", "A")
    lb = b.Lock("/kz/lock", "B")
    expect("lock_a_acquires", True, la.acquire(timeout=WAIT_S))
    expect("lock_b_cannot_while_held", False, lb.acquire(blocking=False))
    got = {}
    b_has_it = threading.Event()

    def contend():
        got["b"] = lb.acquire(timeout=WAIT_S)
        b_has_it.set()

    t = threading.Thread(target=contend)
    t.start()
    # wait until B is queued behind A, as the server sees it
    for _ in range(200):
        if len(la.contenders()) == 2:
            break
        threading.Event().wait(0.05)
    expect("lock_contenders_in_order", ["A", "B"], la.contenders())
    expect("lock_b_still_waiting", False, b_has_it.is_set())
    la.release()
    t.join(WAIT_S)
    expect("lock_b_acquires_after_release", True, got.get("b"))
    lb.release()
    expect("lock_nodes_cleaned", [], a.get_children("/kz/lock"))
    a.stop()
    b.stop()


def test_election(hostport):
    clients = [new_client(hostport) for _ in range(2)]
    elections = [c.Election("/kz/election", "cand-%d" % i) for i, c in enumerate(clients)]
    lock = threading.Lock()
    leaders = []
    release = [threading.Event(), threading.Event()]
    became = threading.Condition()

    def lead(i):
        with became:
            with lock:
                leaders.append(i)
            became.notify_all()
        release[i].wait(WAIT_S)

    threads = []
    for i, e in enumerate(elections):
        t = threading.Thread(target=e.run, args=(lead, i))
        t.start()
        threads.append(t)
        if i == 0:  # the first candidate registers first and must win
            with became:
                became.wait_for(lambda: len(leaders) == 1, timeout=WAIT_S)
    for _ in range(200):
        if len(elections[0].contenders()) == 2:
            break
        threading.Event().wait(0.05)
    expect("election_contenders", ["cand-0", "cand-1"], elections[0].contenders())
    expect("election_first_leader", [0], list(leaders))
    release[0].set()
    with became:
        became.wait_for(lambda: len(leaders) == 2, timeout=WAIT_S)
    expect("election_second_leader_after_first_quits", [0, 1], list(leaders))
    release[1].set()
    for t in threads:
        t.join(WAIT_S)
    for c in clients:
        c.stop()


def test_queues(hostport, a):
    q = a.Queue("/kz/queue")
    for item in (b"one", b"two", b"three"):
        q.put(item)
    expect("queue_len", 3, len(q))
    expect("queue_fifo", [b"one", b"two", b"three"], [q.get(), q.get(), q.get()])
    expect("queue_empty_get", None, q.get())
    q.put(b"low", priority=200)
    q.put(b"high", priority=10)
    expect("queue_priority", [b"high", b"low"], [q.get(), q.get()])

    b = new_client(hostport)
    qa = a.LockingQueue("/kz/lqueue")
    qb = b.LockingQueue("/kz/lqueue")
    qa.put(b"first")
    qa.put(b"second")
    expect("lockingqueue_get", b"first", qa.get(WAIT_S))
    expect("lockingqueue_consume", True, qa.consume())
    expect("lockingqueue_get_next", b"second", qa.get(WAIT_S))
    expect("lockingqueue_release", True, qa.release())
    expect("lockingqueue_other_client_gets_released", b"second", qb.get(WAIT_S))
    expect("lockingqueue_other_consumes", True, qb.consume())
    expect("lockingqueue_empty", 0, len(qa))
    b.stop()


def test_counter(hostport, a):
    c = a.Counter("/kz/counter")
    c += 5
    c -= 2
    expect("counter_value", 3, c.value)
    clients = [new_client(hostport) for _ in range(2)]
    increments = 25

    def bump(client):
        cc = client.Counter("/kz/counter")
        for _ in range(increments):
            cc += 1

    threads = [threading.Thread(target=bump, args=(cl,)) for cl in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S * 3)
    expect("counter_concurrent_increments", 3 + 2 * increments, a.Counter("/kz/counter").value)
    for cl in clients:
        cl.stop()


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: kazoo_test.py host:port\n")
        return 2
    hostport = argv[1]
    a = new_client(hostport)
    try:
        test_basics(a)
        test_sequential(a)
        test_ephemeral_goes_with_client(hostport, a)
        test_data_and_children_watch(a)
        test_transactions(a)
        test_acl(hostport, a)
        test_lock(hostport)
        test_election(hostport)
        test_queues(hostport, a)
        test_counter(hostport, a)
    except Exception as e:  # noqa: BLE001 - an unexpected error is a failure, not a crash
        import traceback
        traceback.print_exc()
        fail("unexpected_exception", "%s: %s" % (type(e).__name__, e))
    finally:
        a.stop()
        a.close()
    print("# %d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
