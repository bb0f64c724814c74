#!/usr/bin/python3
"""Read-only mode (readonlymode.enabled=true) on a real 3-member ensemble, with kazoo.

1. kazoo's own TestReadOnlyMode.test_read_only (kazoo/tests/test_connection.py), run unchanged:
   its harness's `self.cluster` is our ensemble. Members 2 and 3 stop; the read_only client
   goes CONNECTED_RO on member 1, reads, and its create fails with NotReadOnlyCallError; then
   2 and 3 start again. Afterwards the same client must find the read-write ensemble and write.
2. Then what kazoo's test leaves out, recorded for a comparison with Apache: members 2 and 3
   stop again; isro / srvr / stat of member 1 in read-only mode; a ConnectRequest without the
   readOnly flag (refused); each write op from a read-only client (create, create2,
   createContainer, createTTL, delete, setData, setACL, sync, multi, a multi of checks,
   reconfig) and some reads; then 2 and 3 start and member 1 answers isro "rw" again.

    read_only_test.py --zkd build/zkd              # zkd, checked against Apache's answers
    read_only_test.py --engine apache              # Apache ZooKeeper 3.8 alone
    read_only_test.py --zkd build/zkd --compare    # both engines, their answers compared

Apache reads the switch only as the system property -Dreadonlymode.enabled=true; zkd reads it
from zoo.cfg. Apache 3.8 creates no session in read-only mode unless localSessionsEnabled=true
(a global session can be neither created nor renewed there, ZOOKEEPER-3863), so its members get
that key too; zkd accepts and ignores it, its read-only sessions being local anyway.
"""

import argparse
import os
import re
import sys
import threading
import time
import types
import unittest
import unittest.mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_ensemble  # noqa: E402


def provide_test_modules():
    """kazoo's test module imports pytest and mock; Debian's python3-kazoo needs neither to run
    one test. Stand-ins for the two names test_read_only uses, if they are not installed."""
    try:
        import pytest  # noqa: F401
    except ImportError:
        class Raises:
            def __init__(self, expected):
                self.expected = expected

            def __enter__(self):
                return self

            def __exit__(self, kind, value, tb):
                if kind is None:
                    raise AssertionError("did not raise %s" % self.expected.__name__)
                return issubclass(kind, self.expected)

        def skip(reason):
            raise unittest.SkipTest(reason)

        sys.modules["pytest"] = types.SimpleNamespace(raises=Raises, skip=skip)
    try:
        import mock  # noqa: F401
    except ImportError:
        sys.modules["mock"] = unittest.mock


provide_test_modules()
from kazoo.client import KazooClient  # noqa: E402
from kazoo.protocol.serialization import Create, long_struct  # noqa: E402
from kazoo.protocol.states import KeeperState  # noqa: E402
from kazoo.security import OPEN_ACL_UNSAFE  # noqa: E402
from kazoo.tests.test_connection import TestReadOnlyMode  # noqa: E402

WAIT_S = 60.0  # a deadline for "never happened", not a timing assertion


class KazooServer:
    """One member as kazoo's harness sees a server (kazoo.testing.common.ManagedZooKeeper)."""

    def __init__(self, ens, sid):
        self.ens, self.sid = ens, sid

    @property
    def address(self):
        return self.ens.hostport(self.sid)

    @property
    def running(self):
        return self.ens.members[self.sid].running()

    def run(self):
        if not self.running:
            self.ens.start(self.sid)

    def stop(self):
        self.ens.stop(self.sid)


class KazooCluster:
    """The ensemble as kazoo's harness sees its cluster (kazoo.testing.common.ZookeeperCluster)."""

    def __init__(self, ens):
        self.ens = ens
        self.servers = [KazooServer(ens, sid) for sid in sorted(ens.members)]

    def __getitem__(self, k):
        return self.servers[k]

    def __iter__(self):
        return iter(self.servers)

    def start(self):
        for s in self.servers:
            s.run()
        self.ens.wait_serving()


def kazoo_case(cluster):
    """kazoo's TestReadOnlyMode on `cluster`; its test method runs as kazoo wrote it."""

    class ReadOnlyModeOnEnsemble(TestReadOnlyMode):
        @property
        def cluster(self):
            return cluster

        def test_read_only(self):
            TestReadOnlyMode.test_read_only(self)
            self.writes_again()

        def writes_again(self):
            # Members 2 and 3 run again: the client leaves the read-only member for a
            # read-write server (kazoo looks for one with isro) and can write.
            deadline = time.monotonic() + WAIT_S
            while self.client.client_state != KeeperState.CONNECTED:
                assert time.monotonic() < deadline, (
                    "client never found a read-write server: %s" % self.client.client_state)
                time.sleep(0.1)
            self.client.retry(self.client.create, "/written_after_quorum")
            assert self.client.exists("/written_after_quorum") is not None

    return ReadOnlyModeOnEnsemble("test_read_only")


def run_kazoo_test(ens):
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(
        kazoo_case(KazooCluster(ens)))
    if not result.wasSuccessful() or result.skipped:
        ens.fail("kazoo's TestReadOnlyMode.test_read_only failed on %s" % ens.engine)
    print("%s: kazoo's TestReadOnlyMode.test_read_only passed, then the client wrote again"
          % ens.engine, flush=True)


# ---- what kazoo's test leaves out ----

class CreateContainer(Create):
    """createContainer (19): Debian's kazoo has no container nodes; the record is Create's."""
    type = 19


class CreateTtl(Create):
    """createTTL (21): Create's record and a long TTL in ms (Debian's kazoo has no TTL nodes)."""
    type = 21

    def serialize(self):
        return Create.serialize(self) + long_struct.pack(60000)


def raw_call(zk, request):
    result = zk.handler.async_result()
    zk._call(request, result)
    return result.get(timeout=WAIT_S)

def write_ops(zk):
    """Each write a client can send, as (name, call)."""
    def multi_create():
        t = zk.transaction()
        t.create("/ro_multi")
        return t.commit()

    def multi_check():
        t = zk.transaction()
        t.check("/ro_probe", 0)
        return t.commit()

    return [
        ("create", lambda: zk.create("/ro_create")),
        ("create2", lambda: zk.create("/ro_create2", include_data=True)),
        ("createContainer",
         lambda: raw_call(zk, CreateContainer("/ro_container", b"", OPEN_ACL_UNSAFE, 4))),
        ("createTTL", lambda: raw_call(zk, CreateTtl("/ro_ttl", b"", OPEN_ACL_UNSAFE, 5))),
        ("delete", lambda: zk.delete("/ro_probe")),
        ("setData", lambda: zk.set("/ro_probe", b"changed")),
        ("setACL", lambda: zk.set_acls("/ro_probe", OPEN_ACL_UNSAFE)),
        ("sync", lambda: zk.sync("/ro_probe")),
        ("multi", multi_create),
        ("multi of checks", multi_check),
        ("reconfig", lambda: zk.reconfig(joining=None, leaving="3", new_members=None)),
    ]


def outcome(call):
    try:
        return "ok %r" % (call(),)
    except Exception as e:  # the exception class is the answer being compared
        return type(e).__name__


def read_only_answers(ens):
    """Member 1 cut off again: its four-letter words and its answers to a read-only client."""
    seen = {}
    setup = KazooClient(hosts=ens.hostport(1), timeout=15)
    setup.start(timeout=WAIT_S)
    setup.ensure_path("/ro_probe/child")
    setup.set("/ro_probe", b"seen")
    setup.stop()
    setup.close()
    ens.stop(2)
    ens.stop(3)
    ens.wait_until(lambda: ens.word(1, "isro") == "ro", "member 1 serves read-only")
    for word in ("isro", "srvr", "stat", "mntr", "conf"):
        seen[word] = ens.word(1, word)
    seen["session without readOnly"] = ens.session_answer(1)
    zk = KazooClient(hosts=ens.hostport(1), read_only=True, timeout=15)
    zk.start(timeout=WAIT_S)
    try:
        seen["client state"] = zk.client_state
        seen["getData"] = outcome(lambda: zk.get("/ro_probe")[0])
        seen["exists missing"] = outcome(lambda: zk.exists("/nothing_here"))
        seen["getChildren"] = outcome(lambda: zk.get_children("/ro_probe"))
        seen["getACL"] = outcome(lambda: zk.get_acls("/ro_probe")[0])
        for name, call in write_ops(zk):
            seen[name] = outcome(call)
        seen["getData after writes"] = outcome(lambda: zk.get("/ro_probe")[0])
    finally:
        zk.stop()
        zk.close()
    ens.start(2)
    ens.start(3)
    ens.wait_serving()
    seen["isro after"] = ens.word(1, "isro")
    return seen


# Apache 3.8's answers that zkd must give (values in srvr / stat masked, see masked()).
EXPECTED = {
    "isro": "ro",
    "session without readOnly": "refused",
    "client state": KeeperState.CONNECTED_RO,
    "getData": "ok b'seen'",
    "exists missing": "ok None",
    "getChildren": "ok ['child']",
    "getACL": "ok [ACL(perms=31, acl_list=['ALL'], id=Id(scheme='world', id='anyone'))]",
    "getData after writes": "ok b'seen'",
    "isro after": "rw",
    "srvr": "Zookeeper version: V\nREAD-ONLY mode; serving only read-only clients\n"
            "Latency min/avg/max: N/N.N/N\nReceived: N\nSent: N\nConnections: N\n"
            "Outstanding: N\nZxid: 0xN\nMode: read-only\nNode count: N\n",
    "stat": "Zookeeper version: V\nREAD-ONLY mode; serving only read-only clients\nClients:\n"
            " /N.N.N.N:N[N](queued=N,recved=N,sent=N)\n\n"
            "Latency min/avg/max: N/N.N/N\nReceived: N\nSent: N\nConnections: N\n"
            "Outstanding: N\nZxid: 0xN\nMode: read-only\nNode count: N\n",
}
for _name in ("create", "create2", "createContainer", "createTTL", "delete", "setData",
              "setACL", "sync", "multi", "multi of checks", "reconfig"):
    EXPECTED[_name] = "NotReadOnlyCallError"
COMPARED_EXACTLY = [k for k in EXPECTED if k not in ("srvr", "stat")]


def masked(text):
    """A four-letter-word text with its values masked: the version, then every number."""
    if text is None:
        return None
    text = re.sub(r"Zookeeper version: [^\n]*", "Zookeeper version: V", text)
    return re.sub(r"\d+", "N", text)


def problems_against(seen, reference, name):
    out = []
    for key in COMPARED_EXACTLY:
        if seen.get(key) != reference.get(key):
            out.append("%s: %s %r, expected %r" % (key, name, seen.get(key), reference.get(key)))
    for key in ("srvr", "stat"):
        if masked(seen.get(key)) != masked(reference.get(key)):
            out.append("%s: %s %r, expected (values masked) %r" % (
                key, name, seen.get(key), reference.get(key)))
    return out


def keys(text, sep):
    """The keys of mntr (Apache's per-namespace summaries left out: zkd has none) or conf."""
    out = [line.split(sep, 1)[0] for line in (text or "").splitlines()]
    return [k for k in out if not k.endswith("_per_namespace")]


def mntr_conf_differences(zkd, apache):
    """mntr and conf of a read-only member must have the same keys; conf in the same order.
    (Apache's mntr order is its gauge hash map's, which zkd follows for the other roles only.)"""
    out = []
    for word, sep in (("mntr", "\t"), ("conf", "=")):
        zk, ap = keys(zkd.get(word), sep), keys(apache.get(word), sep)
        if word == "mntr":
            zk, ap = sorted(zk), sorted(ap)
        if zk != ap:
            first = next((i for i, (a, b) in enumerate(zip(zk, ap)) if a != b), min(len(zk),
                                                                                 len(ap)))
            out.append("%s keys differ from line %d: zkd %s..., apache %s...; only zkd %s, "
                       "only apache %s" % (word, first, zk[first:first + 3], ap[first:first + 3],
                                           [k for k in zk if k not in ap],
                                           [k for k in ap if k not in zk]))
    return out


def run_engine(engine, zkd):
    ens = zkd_ensemble.Ensemble(
        zkd, voters=3, tick_time=2000, init_limit=4, sync_limit=2, name="ro-" + engine,
        engine=engine,
        extra_cfg={"readonlymode.enabled": "true", "localSessionsEnabled": "true"},
        java_props=["-Dreadonlymode.enabled=true"] if engine == "apache" else ())
    seen = {}

    def body():
        ens.start_all()
        run_kazoo_test(ens)
        seen.update(read_only_answers(ens))

    status = zkd_ensemble.run_checked([ens], body)
    if status != 0:
        sys.exit(status)
    for key in ("isro", "srvr", "stat"):
        print("%s %s in read-only mode: %r" % (engine, key, seen[key]), flush=True)
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd")
    ap.add_argument("--engine", choices=("zkd", "apache"), default="zkd")
    ap.add_argument("--compare", action="store_true", help="run both engines and compare")
    args = ap.parse_args()
    if (args.compare or args.engine == "zkd") and not args.zkd:
        ap.error("--zkd is required")
    engines = ["apache", "zkd"] if args.compare else [args.engine]
    seen = {engine: run_engine(engine, args.zkd) for engine in engines}
    problems = []
    for engine in engines:
        problems += problems_against(seen[engine], EXPECTED, engine)
    if args.compare:
        problems += problems_against(seen["zkd"], seen["apache"], "zkd vs apache")
        problems += mntr_conf_differences(seen["zkd"], seen["apache"])
    if problems:
        print("FAIL:\n" + "\n".join(problems), flush=True)
        return 1
    print("read-only answers as expected on %s" % " and ".join(engines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
