#!/usr/bin/python3
"""Storage faults in a zkd ensemble (issue 16 §1): one member's dataDir on a tiny tmpfs.

A member that cannot record an epoch file or a snapshot does not go on in that epoch: it leaves
the quorum, says why in one log line and one timeline event, probes its dataDir, and rejoins
through a normal election once a write succeeds. Two cases, each on a `pseudo-cluster up 3`
(zkd engine only: Apache ZooKeeper's own storage handling is not ours to change):

  epoch  node3's dataDir is full when a new epoch begins (the leader is killed, then restarted):
         node3 cannot record acceptedEpoch; node1 and node2 serve on in the new epoch.
  snap   node3 is stopped, the others move on and restart (so the new leader's history no longer
         reaches node3's: it needs a SNAP), node3's dataDir is filled but for a few blocks and
         node3 started: it records the epochs but not the leader's snapshot, and keeps its old
         log files (ZOOKEEPER-3642).

In both: writes succeed through the other two meanwhile, node3 logs "cannot record ..." and the
timeline shows its storage_failed event, it rejoins once the filler file is removed, and every
acknowledged create is on every member at the end (each read directly, after a sync).

Needs root for mount; otherwise exits 77 (ctest: skipped) saying why.

    ensemble_storage_test.py --zkd build/zkd --pseudo-cluster build/pseudo-cluster [--case epoch|snap]
"""

import argparse
import errno
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

SKIP = 77
WAIT_S = 90.0  # a deadline for "never happened", not a timing assertion
TICK_MS = 200
X = 3  # the member whose dataDir is on the tmpfs
TMPFS_SIZE = "1m"
SNAP_LEFT_BYTES = 16 * 1024  # free space left for node3's epoch files in the snap case
BIG_NODES = 48
BIG_DATA = b"s" * (8 * 1024)  # 48 x 8 KiB: a snapshot far larger than what is left


class Failure(AssertionError):
    pass


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_bases(nodes):
    """As supervisor_test.pick_bases: client bases in [10000, 16000), quorum +6000, election
    +12000, so parallel tests never overlap."""
    for _ in range(200):
        base = random.randrange(10000, 16000, 10)
        bases = (base, base + 6000, base + 12000)
        if all(port_free(b + i) for b in bases for i in range(nodes)):
            return bases
    raise RuntimeError("no free port ranges found")


def fill(path, leave_bytes=0):
    """Writes a filler file until the filesystem is full, then gives back `leave_bytes`."""
    filler = os.path.join(path, "filler")
    with open(filler, "ab", buffering=0) as f:
        for chunk in (b"\1" * 65536, b"\1" * 512):
            try:
                while True:
                    f.write(chunk)
                    f.flush()
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    if leave_bytes:
        size = os.path.getsize(filler)
        os.truncate(filler, max(0, size - leave_bytes))
    return filler


class Cluster:
    def __init__(self, binary):
        self.binary = binary
        self.home = tempfile.mkdtemp(prefix="pc-storage-test-")
        self.env = dict(os.environ, PSEUDO_CLUSTER_HOME=self.home)
        self.dir = os.path.join(self.home, "default")
        self.bases = None
        self.mounted = None
        self.acked = set()
        self.serial = 0

    def pc(self, *args, check=True):
        proc = subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True,
                              timeout=180)
        if check and proc.returncode != 0:
            raise Failure("pseudo-cluster %s exited %d\n%s%s" % (" ".join(args), proc.returncode,
                                                                  proc.stdout, proc.stderr))
        return proc

    def node_dir(self, i, *parts):
        return os.path.join(self.dir, "node%d" % i, *parts)

    def port(self, i):
        return self.bases[0] - 1 + i

    def up_no_start(self):
        for _ in range(5):
            self.bases = pick_bases(3)
            proc = self.pc("up", "3", "--engine", "zkd", "-d", "--no-start", "--base-ports",
                           ",".join(map(str, self.bases)), "--tick-time", str(TICK_MS),
                           check=False)
            if proc.returncode == 0:
                return
            if "is in use" not in proc.stderr:
                break
        raise Failure("up --no-start failed:\n%s%s" % (proc.stdout, proc.stderr))

    def mount_tmpfs(self, i):
        """node i's dataDir on a tmpfs, with its myid (the member is not running)."""
        data = self.node_dir(i, "data")
        saved = tempfile.mkdtemp(prefix="pc-storage-saved-")
        shutil.copytree(data, saved, dirs_exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", data],
                           capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(saved, ignore_errors=True)
            return (r.stderr or r.stdout).strip() or "mount exited %d" % r.returncode
        self.mounted = data
        shutil.copytree(saved, data, dirs_exist_ok=True)
        shutil.rmtree(saved, ignore_errors=True)
        return None

    def status(self):
        return json.loads(self.pc("status", "--json").stdout)

    def roles(self):
        return {n["id"]: n["role"] for n in self.status()["nodes"]}

    def events(self):
        return [json.loads(line) for line in self.pc("events", "--json").stdout.splitlines()]

    def wait_for(self, what, predicate, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = predicate()
            if got:
                return got
            time.sleep(0.2)
        raise Failure("timed out after %.0fs waiting for %s" % (timeout, what))

    def storage_events(self, kind):
        return [e for e in self.events() if e["kind"] == kind and e["node"] == X]

    def server_log(self, i):
        try:
            with open(self.node_dir(i, "logs", "server.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ---- clients ----
    def client(self, members):
        hosts = ",".join("127.0.0.1:%d" % self.port(i) for i in members)
        zk = KazooClient(hosts=hosts, timeout=10.0)
        zk.start(timeout=30)
        return zk

    def create_some(self, members, count, data=b"", prefix="n"):
        """`count` creates through `members`, retried on a new name after an error; returns once
        all are acknowledged. Only acknowledged ones are remembered."""
        zk = self.client(members)
        try:
            zk.ensure_path("/st")
            done = 0
            deadline = time.monotonic() + WAIT_S
            while done < count:
                if time.monotonic() > deadline:
                    raise Failure("only %d of %d creates acknowledged through %s" %
                                  (done, count, members))
                self.serial += 1
                path = "/st/%s%05d" % (prefix, self.serial)
                try:
                    zk.create(path, data)
                except (KazooException, KazooTimeoutError):
                    time.sleep(0.2)
                    continue
                self.acked.add(path.rsplit("/", 1)[1])
                done += 1
        finally:
            zk.stop()
            zk.close()

    def print_timeline(self):
        """node3's part of the supervisor's timeline, for the transcript."""
        for line in self.pc("events").stdout.splitlines():
            if "node3" in line:
                print("  " + line)

    def check_every_member(self):
        for i in (1, 2, 3):
            zk = self.client([i])
            try:
                zk.sync("/st")
                have = set(zk.get_children("/st"))
            finally:
                zk.stop()
                zk.close()
            missing = self.acked - have
            if missing:
                raise Failure("node%d lacks %d acknowledged creates, e.g. %s" %
                              (i, len(missing), sorted(missing)[:5]))
            print("node%d has all %d acknowledged creates" % (i, len(self.acked)))

    def serving(self, members):
        """True when every member in `members` is leader or follower (status)."""
        roles = self.roles()
        return all(roles.get(i) in ("leader", "follower") for i in members)

    def cleanup(self, failed):
        subprocess.run([self.binary, "down"], env=self.env, capture_output=True, timeout=90)
        if self.mounted:
            r = subprocess.run(["umount", self.mounted], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", self.mounted], capture_output=True)
        if failed:
            print("kept for inspection: %s" % self.home)
        else:
            shutil.rmtree(self.home, ignore_errors=True)


def start_with_tmpfs(c):
    """node1 and node2 first (node2 leads: the higher sid), then node3 on its tmpfs, following."""
    c.up_no_start()
    why = c.mount_tmpfs(X)
    if why:
        print("SKIP: cannot mount a tmpfs on %s: %s" % (c.node_dir(X, "data"), why))
        return False
    c.pc("start", "1")
    c.pc("start", "2")
    c.wait_for("node2 to lead node1", lambda: c.roles().get(2) == "leader" and
               c.roles().get(1) == "follower")
    c.pc("start", str(X))
    c.pc("wait", "ready", "--timeout", "90")
    return True


def assert_said_why(c, what):
    failed = c.wait_for("node3's storage_failed event", lambda: c.storage_events("storage_failed"))
    text = failed[0]["text"]
    print("timeline: node3 %s" % text)
    if what not in text or "No space left on device" not in text:
        raise Failure("storage_failed event does not say what and why: %r" % text)
    if "left the quorum" not in text:
        raise Failure("storage_failed event does not say what node3 does next: %r" % text)
    lines = [l for l in c.server_log(X).splitlines() if "cannot record" in l]
    if len(lines) != 1:
        raise Failure("expected one 'cannot record' line in node3's log, got %d: %s" %
                      (len(lines), lines))
    print("node3 log: %s" % lines[0].strip())
    if "No space left on device" not in lines[0] or "probe" not in lines[0]:
        raise Failure("node3's log line does not say why and what next: %s" % lines[0])


def rejoin(c, filler):
    os.unlink(filler)
    c.wait_for("node3's storage_recovered event",
               lambda: c.storage_events("storage_recovered"))
    c.wait_for("node3 to follow again", lambda: c.roles().get(X) == "follower")


def case_epoch(c):
    if not start_with_tmpfs(c):
        return SKIP
    c.create_some([1, 2, 3], 20)
    filler = fill(c.node_dir(X, "data"))
    c.pc("kill", "2")  # the leader: node3 must record a new epoch to go on
    c.wait_for("node3 out of the quorum", lambda: c.storage_events("storage_failed"))
    c.pc("start", "2")
    c.wait_for("node1 and node2 serving without node3", lambda: c.serving([1, 2]))
    c.create_some([1, 2], 20)
    assert_said_why(c, "acceptedEpoch")
    if c.serving([X]):
        raise Failure("node3 serves in an epoch it could not record: %s" % c.roles())
    rejoin(c, filler)
    c.create_some([1, 2, 3], 20)
    c.check_every_member()
    c.print_timeline()
    return 0


def case_snap(c):
    if not start_with_tmpfs(c):
        return SKIP
    c.create_some([1, 2, 3], 20)
    c.pc("stop", str(X))
    c.create_some([1, 2], BIG_NODES, data=BIG_DATA, prefix="big")
    # Restarted with a history of one txn (zookeeper.commitLogCount; a restarted member keeps
    # the last ones its recovery replayed), the others keep none that reaches node3's last
    # zxid, and with no DIFF from their on-disk logs (snapshotSizeFactor < 0): node3 needs a
    # SNAP.
    for i in (1, 2):
        with open(c.node_dir(i, "zoo.cfg"), "a") as f:
            f.write("commitLogCount=1\nsnapshotSizeFactor=-1\n")
        c.pc("restart", str(i))
        c.wait_for("node1 and node2 serving", lambda: c.serving([1, 2]))
    old_logs = sorted(os.listdir(c.node_dir(X, "datalog", "version-2")))
    if not any(name.startswith("log.") for name in old_logs):
        raise Failure("node3 has no log files to keep: %s" % old_logs)
    filler = fill(c.node_dir(X, "data"), SNAP_LEFT_BYTES)
    c.pc("start", str(X))
    c.wait_for("node3 out of the quorum", lambda: c.storage_events("storage_failed"))
    assert_said_why(c, "snapshot")
    kept = sorted(os.listdir(c.node_dir(X, "datalog", "version-2")))
    lost = [name for name in old_logs if name.startswith("log.") and name not in kept]
    if lost:
        raise Failure("node3 dropped its log files after a SNAP it could not save: %s" % lost)
    c.create_some([1, 2], 20)
    if c.serving([X]):
        raise Failure("node3 serves without its snapshot on disk: %s" % c.roles())
    rejoin(c, filler)
    c.create_some([1, 2, 3], 20)
    c.check_every_member()
    c.print_timeline()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True, help="unused: pseudo-cluster runs its own zkd")
    ap.add_argument("--pseudo-cluster", required=True)
    ap.add_argument("--case", choices=["epoch", "snap"], required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: mounting a tmpfs needs root")
        return SKIP
    c = Cluster(os.path.abspath(args.pseudo_cluster))
    failed = True
    try:
        rc = {"epoch": case_epoch, "snap": case_snap}[args.case](c)
        failed = False
        if rc == 0:
            print("PASS: %s" % args.case)
        return rc
    except Failure as e:
        print("FAIL: %s" % e)
        print(c.pc("events", check=False).stdout)
        for i in (1, 2, 3):
            lines = [l for l in c.server_log(i).splitlines() if "INFO" not in l]
            print("--- node%d server.log (not INFO, tail) ---\n%s" % (i, "\n".join(lines[-20:])))
        return 1
    finally:
        c.cleanup(failed)


if __name__ == "__main__":
    sys.exit(main())
