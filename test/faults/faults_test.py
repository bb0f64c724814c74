#!/usr/bin/python3
"""Network faults between members: clusters brought up with `pseudo-cluster up --faults`.

Every peer link of such a cluster (quorum and election port) passes through the supervisor, and
`partition`, `isolate`, `cut`, `delay`, `slow` and `heal` change what those links carry. Each
test brings up real servers on 127.0.0.1 (zkd or Apache ZooKeeper 3.8) in a fresh
$PSEUDO_CLUSTER_HOME with free base ports, writes through real clients (the Debian C client via
create_writer, kazoo), applies faults, and checks what ZooKeeper promises:
  - the side of a partition that holds a quorum elects a leader in a higher epoch and takes
    writes; the side without one stops serving;
  - after `heal` every member converges on the same zxid and the same children, and every
    create a client saw acknowledged is on every member;
  - a member in read-only mode serves reads to a read-only client and refuses its writes;
  - a fault command with bad input, or on a cluster without --faults, exits 2 with one line
    and changes no link;
  - a supervisor killed with SIGKILL while a partition is in force takes its servers with it,
    and `up` with the same flags brings back every member, healthy links and all the data.
Waits poll with a deadline only to turn "never happened" into a failure that prints the
cluster's status, links, events and logs; nothing asserts on timing.

    faults_test.py --binary build/pseudo-cluster --writer build/test/durability/create_writer \
        [--engine zkd|apache] [unittest args, e.g. FaultsTest.test_bad_input_changes_nothing]
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "supervisor"))
sys.path.insert(0, os.path.join(HERE, "..", "ensemble"))
import supervisor_test  # noqa: E402
import tree_check  # noqa: E402
from supervisor_test import four_letter, pick_bases, pid_alive  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import (ConnectionLoss, NotReadOnlyCallError,  # noqa: E402
                              SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError  # noqa: E402
from kazoo.protocol.states import KeeperState  # noqa: E402

WRITER = None
ENGINE = "zkd"
WAIT_S = 90.0
WRITER_EXIT_S = 90
PARENT = "/faults"
INFLIGHT = 16
# Fault fields of a link; the counters (bytes, messages, ...) move on their own.
FAULT_FIELDS = ("state", "delay_ms", "jitter_ms", "bandwidth_bps")
# Leader election and syncLimit in a few seconds rather than tens.
TIMING = ("--tick-time", "200", "--sync-limit", "5", "--init-limit", "10")


def srvr_mode(text):
    """'leader', 'follower', 'read-only', ..., 'not serving', or None if nothing answered."""
    if not text:
        return None
    if "not currently serving" in text:
        return "not serving"
    m = re.search(r"^Mode: (\S+)$", text, re.M)
    return m.group(1) if m else None


def srvr_zxid(text):
    m = re.search(r"^Zxid: 0x([0-9a-fA-F]+)$", text or "", re.M)
    return int(m.group(1), 16) if m else None


class FaultCluster(supervisor_test.Cluster):
    """A supervisor_test.Cluster brought up with --faults, plus the fault commands and srvr."""

    def __init__(self, test, voters, flags):
        super().__init__(test, engine=ENGINE, voters=voters)
        self.flags = list(flags)

    def up(self, *extra):
        """Brings the cluster up on free base ports with self.flags."""
        for _ in range(5):
            self.bases = pick_bases(self.voters)
            proc = self._up()
            if proc.returncode == 0:
                return proc
            if "in use" not in proc.stderr:
                break  # not a port race: a real failure
        self.dump()
        self.test.fail(f"up failed:\n{proc.stdout}\n{proc.stderr}")

    def up_again(self):
        """`up` with exactly the flags and base ports of the first one, on the same directory."""
        proc = self._up()
        if proc.returncode != 0:
            self.dump()
            self.test.fail(f"up again failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def _up(self):
        proc = self.pc("up", str(self.voters), "--engine", self.engine, "-d",
                       "--base-ports", ",".join(map(str, self.bases)), "--timeout", "120",
                       *TIMING, *self.flags, check=False, timeout=180)
        if proc.returncode == 0:
            self.supervisor_pid = self.status()["cluster"]["supervisor_pid"]
        return proc

    def wait_for(self, what, predicate, timeout=WAIT_S):
        return super().wait_for(what, predicate, timeout=timeout)

    # ---- members ----
    def ids(self):
        return list(range(1, self.voters + 1))

    def hostport(self, sid):
        return f"127.0.0.1:{self.bases[0] - 1 + sid}"

    def srvr(self, sid):
        return four_letter(self.bases[0] - 1 + sid)

    def modes(self, sids=None):
        return {sid: srvr_mode(self.srvr(sid)) for sid in (sids or self.ids())}

    def serving_leader(self, sids=None):
        """The one member of `sids` that leads while all the others follow, or None."""
        modes = self.modes(sids)
        leaders = [sid for sid, m in modes.items() if m == "leader"]
        if len(leaders) == 1 and all(m in ("leader", "follower") for m in modes.values()):
            return leaders[0]
        return None

    def wait_serving(self, sids=None, what="every member serving"):
        return self.wait_for(f"{what} (srvr: one leader, the rest following)",
                             lambda: self.serving_leader(sids))

    def wait_same_zxid(self, sids=None):
        sids = sids or self.ids()

        def same():
            zxids = {sid: srvr_zxid(self.srvr(sid)) for sid in sids}
            if None not in zxids.values() and len(set(zxids.values())) == 1:
                return zxids[sids[0]]
            return None
        return self.wait_for(f"members {sids} to report the same zxid", same)

    # ---- fault commands ----
    def fault(self, *args):
        """Runs a fault command that must succeed; returns its one line."""
        proc = self.pc(*args)
        lines = [l for l in proc.stdout.splitlines() if l.strip()]
        self.test.assertEqual(len(lines), 1, f"{args}: expected one line, got:\n{proc.stdout}")
        return lines[0]

    def links(self):
        return json.loads(self.pc("links", "--json").stdout)

    def link_map(self, links=None):
        links = links or self.links()
        return {(l["from"], l["to"]): l for l in links["links"]}

    def fault_state(self):
        return {k: {f: l[f] for f in FAULT_FIELDS} for k, l in self.link_map().items()}

    def assert_all_links_healthy(self, links=None):
        links = links or self.links()
        self.test.assertEqual(links["mode"], "proxied", links)
        pairs = {(a, b) for a in self.ids() for b in self.ids() if a != b}
        got = self.link_map(links)
        self.test.assertEqual(set(got), pairs, links)
        for key, l in got.items():
            self.test.assertEqual((l["state"], l["delay_ms"], l["jitter_ms"], l["bandwidth_bps"]),
                                  ("ok", 0, 0, 0), f"link {key} not healthy: {l}")

    def dump(self):
        for args in (["status"], ["links"]):
            proc = subprocess.run([supervisor_test.BINARY, *args], env=self.env,
                                  capture_output=True, text=True, timeout=30)
            sys.stderr.write(f"--- {' '.join(args)} ---\n" + proc.stdout + proc.stderr)
        for sid in self.ids() if self.bases else []:
            sys.stderr.write(f"--- srvr node{sid} ---\n{self.srvr(sid)}\n")
        super().dump()


class Writer:
    """create_writer through one member: sequential creates under PARENT, every ack printed.

    seconds=0 writes until the first failure (the member dropped its clients); stdout is
    buffered by the writer until it exits, so acks are read after wait()."""

    def __init__(self, cluster, sid, seconds, tag):
        self.cluster = cluster
        self.sid = sid
        fd, self.out_path = tempfile.mkstemp(prefix=f"writer-{tag}-", suffix=".out",
                                             dir=cluster.home)
        os.close(fd)
        self.err_path = self.out_path[:-4] + ".err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([WRITER, cluster.hostport(sid), PARENT, str(INFLIGHT),
                                          str(seconds), "--print-acks"], stdout=out, stderr=err)
        cluster.test.addCleanup(self.kill)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def wait(self):
        """Waits for the writer to exit; returns (acked paths, summary line)."""
        try:
            self.proc.wait(timeout=WRITER_EXIT_S)
        except subprocess.TimeoutExpired:
            self.cluster.dump()
            self.cluster.test.fail(f"the writer through node{self.sid} did not exit within "
                                   f"{WRITER_EXIT_S}s")
        with open(self.err_path) as f:
            err = f.read().strip().splitlines()
        with open(self.out_path) as f:
            acks = [l.split(" ", 1)[1] for l in f.read().splitlines() if l.startswith("ack ")]
        return acks, err[-1] if err else "?"


def kazoo(cluster, sid, read_only=False):
    zk = KazooClient(hosts=cluster.hostport(sid), timeout=15, read_only=read_only)
    try:
        zk.start(timeout=60)
    except KazooTimeoutError:
        zk.stop()
        cluster.dump()
        cluster.test.fail(f"{'a read-only' if read_only else 'a'} kazoo session through "
                          f"node{sid} did not start (srvr: {srvr_mode(cluster.srvr(sid))})")
    cluster.test.addCleanup(lambda: (zk.stop(), zk.close()))
    return zk


def create_through(cluster, sid, count, value=b""):
    """`count` sequential creates through member sid, each acknowledged before returning. Named
    n-<seq> as create_writer names its creates, which tree_check expects."""
    zk = kazoo(cluster, sid)
    try:
        zk.ensure_path(PARENT)
        return [zk.create(f"{PARENT}/n-", value, sequence=True) for _ in range(count)]
    finally:
        zk.stop()
        zk.close()


def check_tree(cluster, acked, what):
    """Every member lists the same children of PARENT with the same czxids, and has every
    acknowledged create (tree_check, the ensemble tests' check)."""
    views = tree_check.read_views(cluster, PARENT, cluster.ids())
    try:
        return tree_check.check_views(views, acked, what)
    except AssertionError as e:
        cluster.dump()
        cluster.test.fail(str(e))


class FaultsTest(unittest.TestCase):
    def cluster(self, voters=3, flags=("--faults",)):
        c = FaultCluster(self, voters, flags)
        self.addCleanup(self._close, c)
        return c

    def _close(self, c):
        left = c.close()
        self.assertEqual(left, [], "processes outlived `down`")

    def wait_writes(self, c, leader, count):
        """Waits until the leader's zxid has moved by `count` from now (writers are running)."""
        start = srvr_zxid(c.srvr(leader))

        def moved():
            z = srvr_zxid(c.srvr(leader))
            return z is not None and start is not None and z - start >= count
        c.wait_for(f"{count} writes through node{leader}", moved)

    def test_partition_leader_into_minority_then_heal(self):
        """5 voters, the leader and one follower cut off from the other three."""
        c = self.cluster(voters=5)
        c.up()
        leader = c.wait_serving()
        writers = [Writer(c, sid, 0, f"before-{sid}") for sid in c.ids()]
        self.wait_writes(c, leader, 300)
        old_epoch = srvr_zxid(c.srvr(leader)) >> 32
        minority = [leader, next(s for s in c.ids() if s != leader)]
        majority = [s for s in c.ids() if s not in minority]

        line = c.fault("partition", ",".join(map(str, minority)), ",".join(map(str, majority)))
        self.assertIn("holds a quorum", line)
        self.assertIn("cannot serve writes", line)
        links = c.link_map()
        for a in c.ids():
            for b in c.ids():
                if a != b:
                    across = (a in minority) != (b in minority)
                    self.assertEqual(links[(a, b)]["state"], "blackhole" if across else "ok",
                                     f"link {a}->{b} after partition {minority} | {majority}")

        c.wait_for(f"the minority {minority} to stop serving",
                   lambda: all(m == "not serving" for m in c.modes(minority).values()))
        new_leader = c.wait_serving(majority, f"the majority {majority} to elect a leader")
        acked = set()
        for w in writers:
            acks, summary = w.wait()  # every member dropped its clients when it lost its leader
            print(f"node{w.sid} writer before the partition: {summary}", flush=True)
            acked.update(acks)
        self.assertTrue(acked, "no create was acknowledged before the partition")

        during = [Writer(c, sid, 3, f"during-{sid}") for sid in majority]
        for w in during:
            acks, summary = w.wait()
            self.assertEqual(w.proc.returncode, 0, f"node{w.sid} (majority): {summary}")
            self.assertTrue(acks, f"node{w.sid} (majority) acknowledged nothing: {summary}")
            acked.update(acks)
        self.assertGreater(srvr_zxid(c.srvr(new_leader)) >> 32, old_epoch,
                           f"node{new_leader} leads the majority in no newer epoch")
        self.assertEqual(c.modes(minority), {sid: "not serving" for sid in minority},
                         "the minority served while the majority took writes")
        kinds = [e["kind"] for e in c.events()]
        self.assertIn("fault", kinds)

        c.fault("heal")
        c.assert_all_links_healthy()
        c.wait_serving(what="all five members serving after heal")
        zxid = c.wait_same_zxid()
        count = check_tree(c, acked, "after heal")
        print(f"ok: {len(acked)} acknowledged creates, {count} children on every member, "
              f"zxid 0x{zxid:x}", flush=True)
        self.assertIn("heal", [e["kind"] for e in c.events()])

    def test_isolate_cut_delay_slow_three_voters(self):
        """3 voters through isolate leader, a one-way cut, a cut between followers, a delayed
        link and throttled links, each healed before the next; writes commit throughout."""
        c = self.cluster()
        c.up()
        leader = c.wait_serving()
        acked = set(create_through(c, leader, 20))
        links = c.links()
        c.assert_all_links_healthy(links)
        self.assertEqual(c.status()["links"]["mode"], "proxied")
        for f in c.ids():
            if f != leader:  # the quorum traffic passes through the proxies, both ways
                self.assertGreater(c.link_map(links)[(leader, f)]["bytes"], 0, links)
                self.assertGreater(c.link_map(links)[(f, leader)]["bytes"], 0, links)

        # isolate leader: the two followers elect one of themselves and take writes.
        line = c.fault("isolate", "leader")
        self.assertIn("holds a quorum", line)
        self.assertIn("cannot serve writes", line)
        others = [s for s in c.ids() if s != leader]
        self.assertTrue(all(c.link_map()[(leader, s)]["state"] == "blackhole" and
                            c.link_map()[(s, leader)]["state"] == "blackhole" for s in others))
        c.wait_for(f"the isolated leader node{leader} to stop serving",
                   lambda: c.modes([leader])[leader] == "not serving")
        new_leader = c.wait_serving(others, f"{others} to elect a leader")
        follower = next(s for s in others if s != new_leader)
        acked.update(create_through(c, follower, 20))
        c.fault("heal")
        c.assert_all_links_healthy()
        self.assertEqual(c.wait_serving(what="the old leader to rejoin"), new_leader)
        c.wait_same_zxid()
        leader = new_leader

        # cut --one-way leader -> follower: that follower hears nothing from its leader and
        # stops; the leader and the other follower keep a quorum.
        cut, other = [s for s in c.ids() if s != leader]
        c.fault("cut", str(leader), str(cut), "--one-way")
        links = c.link_map()
        self.assertEqual(links[(leader, cut)]["state"], "blackhole")
        self.assertEqual(links[(cut, leader)]["state"], "ok")
        c.wait_for(f"node{cut}, deaf to its leader, to stop serving",
                   lambda: c.modes([cut])[cut] == "not serving")
        acked.update(create_through(c, other, 20))
        self.assertEqual(c.modes([leader, other]), {leader: "leader", other: "follower"})
        c.fault("heal", str(leader), str(cut))
        c.assert_all_links_healthy()
        self.assertEqual(c.wait_serving(what=f"node{cut} to follow again"), leader)
        c.wait_same_zxid()

        # cut between the two followers: Zab runs between leader and followers only, so
        # nothing changes for clients.
        f1, f2 = [s for s in c.ids() if s != leader]
        c.fault("cut", str(f1), str(f2))
        links = c.link_map()
        self.assertEqual((links[(f1, f2)]["state"], links[(f2, f1)]["state"]),
                         ("blackhole", "blackhole"))
        acked.update(create_through(c, f1, 10))
        acked.update(create_through(c, f2, 10))
        self.assertEqual(c.serving_leader(), leader)
        c.fault("heal", str(f2), str(f1))
        c.assert_all_links_healthy()

        # delay: 200 ms ± 50 each way between one follower and its leader, inside syncLimit.
        slow, other = [s for s in c.ids() if s != leader]
        c.fault("delay", str(slow), str(leader), "200ms", "--jitter", "50ms")
        links = c.link_map()
        for a, b in c.link_map():
            expect = (200, 50) if {a, b} == {slow, leader} else (0, 0)
            self.assertEqual((links[(a, b)]["delay_ms"], links[(a, b)]["jitter_ms"]), expect,
                             f"link {a}->{b}: {links[(a, b)]}")
        acked.update(create_through(c, other, 20))
        acked.update(create_through(c, slow, 5))  # each one crosses the delayed link 4 times
        self.assertEqual(c.modes(), {leader: "leader", slow: "follower", other: "follower"},
                         f"node{slow} stopped following on a 200 ms link")
        c.fault("heal")
        c.assert_all_links_healthy()

        # slow: every link throttled; the ensemble still serves through every member.
        for sid in c.ids():
            c.fault("slow", str(sid), "all", "--bandwidth", "1MB/s")
        for key, l in c.link_map().items():
            self.assertIn(l["bandwidth_bps"], (1000 * 1000, 1024 * 1024), f"link {key}: {l}")
            # Bytes still pass: not cut ("slow" names a delayed or throttled link that does).
            self.assertNotIn(l["state"], ("blackhole", "reset"), f"link {key}: {l}")
        for sid in c.ids():
            acked.update(create_through(c, sid, 10, value=b"x" * 4096))
        self.assertEqual(c.serving_leader(), leader)
        c.fault("heal")
        c.assert_all_links_healthy()

        c.wait_serving()
        c.wait_same_zxid()
        self.assertEqual(check_tree(c, acked, "after isolate, cut, delay, slow"), len(acked))
        kinds = [e["kind"] for e in c.events()]
        self.assertGreaterEqual(kinds.count("fault"), 5, kinds)
        self.assertGreaterEqual(kinds.count("heal"), 5, kinds)

    def test_read_only_client_on_isolated_member(self):
        c = self.cluster(flags=("--faults", "--read-only-mode"))
        c.up()
        leader = c.wait_serving()
        create_through(c, leader, 1)
        lone = next(s for s in c.ids() if s != leader)
        c.fault("isolate", str(lone))
        c.wait_for(f"node{lone}, isolated, to serve read-only (isro)",
                   lambda: four_letter(c.bases[0] - 1 + lone, "isro").strip() == "ro")

        zk = kazoo(c, lone, read_only=True)
        self.assertEqual(zk.client_state, KeeperState.CONNECTED_RO)
        self.assertEqual(len(zk.get_children(PARENT)), 1)
        with self.assertRaises(NotReadOnlyCallError):
            zk.create(f"{PARENT}/n-", sequence=True)
        others = [s for s in c.ids() if s != lone]
        c.wait_serving(others, f"{others} to keep serving without node{lone}")
        during = create_through(c, leader, 1)[0]
        self.assertIsNone(zk.exists(during), "an isolated member saw a write made after")

        c.fault("heal")
        c.wait_serving(what=f"node{lone} to rejoin")

        def writes_again():
            try:
                return zk.create(f"{PARENT}/n-", sequence=True)
            except (NotReadOnlyCallError, ConnectionLoss, SessionExpiredError):
                return None
        c.wait_for("the read-only client to write again after heal", writes_again)
        self.assertEqual(zk.client_state, KeeperState.CONNECTED)
        self.assertIsNotNone(zk.exists(during))
        self.assertEqual(four_letter(c.bases[0] - 1 + lone, "isro").strip(), "rw")

    def assert_refused(self, c, args, before, why):
        proc = c.pc(*args, check=False)
        self.assertEqual(proc.returncode, 2, f"{args} ({why}): exit {proc.returncode}\n"
                         f"{proc.stdout}{proc.stderr}")
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"{args} ({why}): stderr not one line:\n{proc.stderr}")
        if before is not None:
            self.assertEqual(c.fault_state(), before, f"{args} ({why}) changed the links")
        return lines[0]

    def test_bad_input_changes_nothing(self):
        c = self.cluster()
        # Not running yet.
        self.assert_refused(c, ["partition", "1", "2,3"], None, "no cluster is running")
        self.assert_refused(c, ["heal"], None, "no cluster is running")
        c.up()
        c.wait_serving()
        c.fault("delay", "1", "2", "50ms")  # something in force that must stay as it is
        before = c.fault_state()
        self.assertEqual(before[(1, 2)]["delay_ms"], 50)
        cases = [
            (["partition", "1,2", "3,9"], "unknown member"),
            (["isolate", "4"], "unknown member"),
            (["isolate", "leaders"], "unknown role"),
            (["cut", "1", "7"], "unknown member"),
            (["cut", "2", "2"], "a member with itself"),
            (["delay", "0", "2", "50ms"], "unknown member"),
            (["slow", "1", "5", "--bandwidth", "1MB/s"], "unknown member"),
            (["heal", "1", "8"], "unknown member"),
            (["partition", "1,2", "1,2"], "a group listed twice"),
            (["partition", "1,2", "2,3"], "a member in two groups"),
            (["delay", "1", "3", "fast"], "a delay that does not parse"),
            (["delay", "1", "3", "-5ms"], "a negative delay"),
            (["delay", "1", "3", "50ms", "--jitter", "soon"], "a jitter that does not parse"),
            (["slow", "1", "all", "--bandwidth", "lots"], "a bandwidth that does not parse"),
        ]
        faults_before = [e["kind"] for e in c.events()].count("fault")
        for args, why in cases:
            self.assert_refused(c, args, before, why)
        self.assertEqual([e["kind"] for e in c.events()].count("fault"), faults_before,
                         "a refused command was recorded as a fault")
        c.fault("heal")
        c.assert_all_links_healthy()

        # A cluster without --faults: links are direct; every fault command says how to get them.
        d = self.cluster(flags=())
        d.up()
        d.wait_serving()
        self.assertEqual(d.links()["mode"], "direct")
        self.assertEqual(d.status()["links"]["mode"], "direct")
        for args in (["partition", "1", "2,3"], ["isolate", "leader"], ["cut", "1", "2"],
                     ["cut", "1", "2", "--one-way"], ["delay", "1", "all", "50ms"],
                     ["delay", "1", "2", "50ms", "--jitter", "10ms"],
                     ["slow", "1", "all", "--bandwidth", "1MB/s"], ["heal"], ["heal", "1", "2"]):
            line = self.assert_refused(d, args, None, "direct links")
            self.assertIn("--faults", line)
        d.wait_serving()

    def test_kill9_supervisor_during_partition_then_up_again(self):
        c = self.cluster()
        c.up()
        leader = c.wait_serving()
        writers = [Writer(c, sid, 0, f"before-{sid}") for sid in c.ids()]
        self.wait_writes(c, leader, 300)
        line = c.fault("partition", str(leader))  # the others form their own group
        self.assertIn("holds a quorum", line)
        others = [s for s in c.ids() if s != leader]
        new_leader = c.wait_serving(others, f"{others} to elect a leader")
        acked = set()
        for w in writers:
            acked.update(w.wait()[0])
        acks, summary = Writer(c, new_leader, 2, "during").wait()
        self.assertTrue(acks, f"the majority acknowledged nothing: {summary}")
        acked.update(acks)

        pids = [n["pid"] for n in c.status()["nodes"]]
        self.assertTrue(all(pids))
        os.kill(c.supervisor_pid, signal.SIGKILL)
        c.wait_for("every server to die with its supervisor",
                   lambda: not any(pid_alive(p) for p in pids), timeout=60)

        c.up_again()
        c.assert_all_links_healthy()
        c.wait_serving(what="every member back after up again")
        c.wait_same_zxid()
        count = check_tree(c, acked, "after kill -9 of the supervisor and up again")
        print(f"ok: {len(acked)} acknowledged creates, {count} children on every member",
              flush=True)


def main():
    global WRITER, ENGINE
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--writer", required=True)
    parser.add_argument("--engine", choices=("zkd", "apache"), default="zkd")
    args, rest = parser.parse_known_args()
    supervisor_test.BINARY = os.path.abspath(args.binary)
    WRITER = os.path.abspath(args.writer)
    ENGINE = args.engine
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
