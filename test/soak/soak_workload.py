"""A soak's writers and readers: real ZooKeeper clients (kazoo), one session each.

Writer w creates /soak/w<w>/n<k> (data: k) for k = 1, 2, ... and, once k is acknowledged,
deletes n<k - WINDOW>, so the tree stays bounded however long the run (a growing tree would
look like a leak). Every acknowledged create is checked once:
  - by its delete: the first delete attempt of an acknowledged node must find it (NoNode
    means the acknowledged create was lost); a delete whose outcome is unknown (connection
    lost) leaves that create unconfirmed, counted apart;
  - or, for the last WINDOW creates, at the end, on every member (final_check).
Readers list a writer's directory and read one of its nodes: the data must be the node's
number (a node read that is not what was written is a problem; NoNode is a race with a delete).

Outcomes, as in a chaos history: ok (acknowledged), fail (a definite error: nothing happened),
info (unknown: the connection was lost or the session expired with the request in flight).

With plant_loss, a separate client deletes the node of every PLANT_EVERY-th acknowledged create
right after its acknowledgement: a planted loss the checks must report.
"""

import logging
import random
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import (ConnectionLoss, KazooException, NoNodeError,
                              OperationTimeoutError, SessionExpiredError)
from kazoo.retry import KazooRetry

ROOT = "/soak"
WINDOW = 50
PLANT_EVERY = 100
UNKNOWN = (ConnectionLoss, SessionExpiredError, OperationTimeoutError)

logging.getLogger("kazoo").setLevel(logging.CRITICAL)  # reconnects are the point of a soak


def connect(hosts, session_timeout_s=10.0):
    client = KazooClient(hosts=hosts, timeout=session_timeout_s,
                         connection_retry=KazooRetry(max_tries=-1, max_delay=1.0))
    client.start(timeout=60)
    return client


def node_path(w, k):
    return f"{ROOT}/w{w}/n{k:010d}"


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {"ok": 0, "fail": 0, "info": 0}
        self.confirmed = 0      # acknowledged creates found by their delete
        self.unconfirmed = 0    # ... whose delete had an unknown outcome
        self.lost = []          # acknowledged creates a delete did not find
        self.bad_reads = []     # reads that returned something never written there

    def op(self, outcome):
        with self.lock:
            self.ops[outcome] += 1


class Writer(threading.Thread):
    def __init__(self, w, hosts, counts, stop, ops_per_s, planter=None):
        super().__init__(daemon=True, name=f"writer{w}")
        self.w, self.hosts, self.counts, self.stop_event = w, hosts, counts, stop
        self.period_s = 1.0 / ops_per_s
        self.planter = planter
        self.acked = {}  # k -> True for acknowledged creates not yet checked
        self.created_unknown = set()
        self.client = None
        self.error = None

    def run(self):
        try:
            self.client = connect(self.hosts)
            k = 0
            next_t = time.monotonic()
            while not self.stop_event.is_set():
                k += 1
                self.create(k)
                self.delete(k - WINDOW)
                next_t += self.period_s
                time.sleep(max(0.0, next_t - time.monotonic()))
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            self.error = f"writer {self.w}: {type(e).__name__}: {e}"

    def create(self, k):
        path = node_path(self.w, k)
        try:
            self.client.create(path, str(k).encode())
        except UNKNOWN:
            self.counts.op("info")
            self.created_unknown.add(k)
            return
        except Exception:  # noqa: BLE001 - a definite error from the server
            self.counts.op("fail")
            return
        self.counts.op("ok")
        self.acked[k] = True
        if self.planter is not None and k % PLANT_EVERY == 0:
            self.planter.delete(path)  # the planted loss

    def delete(self, k):
        if k < 1:
            return
        was_acked = self.acked.pop(k, False)
        if not was_acked and k not in self.created_unknown:
            return  # never created
        self.created_unknown.discard(k)
        try:
            self.client.delete(node_path(self.w, k))
        except NoNodeError:
            self.counts.op("fail")
            if was_acked:
                with self.counts.lock:
                    self.counts.lost.append(node_path(self.w, k))
            return
        except UNKNOWN + (KazooException,):  # anything but NoNode: not "it is not there"
            self.counts.op("info")
            if was_acked:
                with self.counts.lock:
                    self.counts.unconfirmed += 1
            return
        self.counts.op("ok")
        if was_acked:
            with self.counts.lock:
                self.counts.confirmed += 1


class Reader(threading.Thread):
    def __init__(self, r, hosts, writers, counts, stop, ops_per_s):
        super().__init__(daemon=True, name=f"reader{r}")
        self.hosts, self.writers, self.counts, self.stop_event = hosts, writers, counts, stop
        self.period_s = 1.0 / ops_per_s
        self.random = random.Random(r)
        self.client = None
        self.error = None

    def run(self):
        try:
            self.client = connect(self.hosts)
            next_t = time.monotonic()
            while not self.stop_event.is_set():
                self.read()
                next_t += self.period_s
                time.sleep(max(0.0, next_t - time.monotonic()))
        except Exception as e:  # noqa: BLE001
            self.error = f"reader: {type(e).__name__}: {e}"

    def read(self):
        w = self.random.randrange(self.writers)
        try:
            children = self.client.get_children(f"{ROOT}/w{w}")
            self.counts.op("ok")
            if not children:
                return
            name = self.random.choice(children)
            data, _ = self.client.get(f"{ROOT}/w{w}/{name}")
        except NoNodeError:
            self.counts.op("fail")
            return
        except UNKNOWN:
            self.counts.op("info")
            return
        self.counts.op("ok")
        if data != str(int(name[1:])).encode():
            with self.counts.lock:
                self.counts.bad_reads.append(f"{ROOT}/w{w}/{name}: {data!r}")


def subtree(client, writers):
    """{path: (data, version)} of the whole workload tree, as one member serves it."""
    tree = {}
    client.sync(ROOT)
    for w in range(writers):
        d = f"{ROOT}/w{w}"
        for name in client.get_children(d):
            data, stat = client.get(f"{d}/{name}")
            tree[f"{d}/{name}"] = (data, stat.version)
    return tree


def final_check(member_ports, writer_threads, writers):
    """Every acknowledged create still unchecked present on every member; the members' trees.

    Returns (checked, missing: [(member, path)], trees: {member: {path: (data, version)}}).
    """
    expected = [node_path(t.w, k) for t in writer_threads for k in sorted(t.acked)]
    missing, trees = [], {}
    for member, port in member_ports.items():
        client = connect(f"127.0.0.1:{port}")
        try:
            trees[member] = subtree(client, writers)
        finally:
            client.stop()
            client.close()
        missing += [(member, p) for p in expected if p not in trees[member]]
    return len(expected), missing, trees
