#!/usr/bin/python3
"""`pseudo-cluster add` / `remove` on a real Apache ZooKeeper ensemble started with `up --reconfig`.

One cluster, one story, under a writer (kazoo) that records every create ZooKeeper acknowledged:
grow 3 -> 5, shrink 5 -> 3 removing the leader first, add an observer, promote it and demote it
again, demote the leader (it hands over) and a follower, and see ZooKeeper refuse to demote the
last voter. After each step every acknowledged create is on every remaining member (read from that
member alone, after a sync).
The bad-input cases that need no cluster come first and cost nothing.

    reconfig_test.py --binary build/pseudo-cluster [unittest args]
"""

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402
from supervisor_test import ClusterTest  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import KazooException  # noqa: E402

logging.getLogger("kazoo").setLevel(logging.CRITICAL)


class Writer:
    """Creates /grow/n-<i> one after another; `acked` holds the paths ZooKeeper acknowledged."""

    def __init__(self, hosts):
        self.client = KazooClient(hosts=hosts, timeout=10)
        self.client.start(timeout=30)
        self.client.ensure_path("/grow")
        self.acked = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        i = 0
        while not self.stop.is_set():
            path = f"/grow/n-{i:06d}"
            i += 1
            try:
                self.client.create(path, b"x")
            except KazooException:
                time.sleep(0.1)  # not acknowledged: may or may not be there
                continue
            with self.lock:
                self.acked.append(path)
            time.sleep(0.02)

    def snapshot(self):
        with self.lock:
            return list(self.acked)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)
        self.client.stop()
        self.client.close()


def children_on(port):
    """/grow's children as member `port` alone holds them, after a sync with the leader."""
    client = KazooClient(hosts=f"127.0.0.1:{port}", timeout=10, read_only=True)
    client.start(timeout=30)
    try:
        client.sync("/grow")
        return set(client.get_children("/grow"))
    finally:
        client.stop()
        client.close()


class ReconfigCommandLineTest(unittest.TestCase):
    """Refusals that need no running cluster: one line, exit code 2."""

    def run_pc(self, *args):
        home = tempfile.mkdtemp(prefix="pc-reconfig-cli-")
        env = dict(os.environ, PSEUDO_CLUSTER_HOME=home)
        return subprocess.run([supervisor_test.BINARY, *args], env=env, capture_output=True,
                              text=True, timeout=60)

    def test_refusals_are_one_line_with_exit_code_2(self):
        for args, words in [
            (["up", "3", "--reconfig", "--engine", "apache", "--faults", "-d"], "--faults"),
            (["add"], "no cluster is running"),
            (["remove", "leader"], "no cluster is running"),
            (["demote", "leader"], "no cluster is running"),
        ]:
            proc = self.run_pc(*args)
            self.assertEqual(proc.returncode, 2, (args, proc.stdout, proc.stderr))
            self.assertIn(words, proc.stderr, args)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, (args, proc.stderr))


class ReconfigTest(ClusterTest):
    engine = "apache"

    def check_every_member_has(self, c, acked, what):
        """Every acknowledged create is on every member, and ZooKeeper's own configuration
        (/zookeeper/config) names exactly the members `status` shows, with their roles. A
        learner of the old leader may still be on its way to the new one (LOOKING) when the
        command returns: the roles are compared until they agree or the wait ends."""
        status, config, servers = None, "", {}

        def roles_agree():
            nonlocal status, config, servers
            status = c.status()
            ports = ",".join(f"127.0.0.1:{n['client_port']}" for n in status["nodes"])
            client = KazooClient(hosts=ports, timeout=10)
            client.start(timeout=30)
            config = client.get("/zookeeper/config")[0].decode()
            client.stop()
            client.close()
            servers = {}
            for line in config.splitlines():
                if line.startswith("server."):
                    sid, rest = line[len("server."):].split("=", 1)
                    servers[int(sid)] = rest.split(";")[0].rsplit(":", 1)[1]
            return servers == self.roles_in(status)

        deadline = time.monotonic() + 30
        while not roles_agree() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(servers, self.roles_in(status),
                         f"{what}: {config}; status roles "
                         f"{ {n['id']: n['role'] for n in status['nodes']} }")
        for n in status["nodes"]:
            held = c.wait_for(f"node{n['id']} to answer after {what}",
                              lambda: self.try_children(n["client_port"]))
            missing = [p for p in acked if p.rsplit("/", 1)[1] not in held]
            self.assertEqual(missing, [], f"node{n['id']} lost acknowledged creates after {what}")

    @staticmethod
    def roles_in(status):
        return {n["id"]: "observer" if n["role"] == "observer" else "participant"
                for n in status["nodes"]}

    @staticmethod
    def try_children(port):
        try:
            return children_on(port)
        except Exception:  # a member still syncing: try again
            return None

    def test_grow_shrink_and_observe_under_a_writer(self):
        c = self.cluster(voters=3)
        c.up("--reconfig")
        cluster_dir = os.path.join(c.home, "default")
        self.assertEqual(os.stat(os.path.join(cluster_dir, "super.password")).st_mode & 0o777,
                         0o600)
        with open(os.path.join(cluster_dir, "node1", "zoo.cfg")) as f:
            cfg = f.read()
        self.assertIn("reconfigEnabled=true", cfg)
        self.assertIn("DigestAuthenticationProvider.superDigest=super:", cfg)

        hosts = ",".join(f"127.0.0.1:{c.bases[0] + i}" for i in range(3))
        writer = Writer(hosts)
        self.addCleanup(writer.close)
        c.wait_for("the writer's first creates", lambda: len(writer.snapshot()) >= 5)

        # Grow 3 -> 5. Each joiner syncs as a (non-voting) follower before the reconfig that adds
        # it: node5 too, although its zoo.cfg.dynamic.0 is older than the config in force since
        # node4 joined (it adopts that config, which leaves it out: ZooKeeper keeps such a
        # server a participant, QuorumPeer.updateLearnerType).
        out = c.pc("add", timeout=180).stdout
        self.assertIn("node4 is follower; reconfig: adding", out)
        self.assertIn("node4 follows as a member: 4 voters, quorum 3", out)
        out = c.pc("add", timeout=180).stdout
        self.assertIn("node5 is follower; reconfig: adding", out)
        self.assertIn("node5 follows as a member: 5 voters, quorum 3", out)
        status = c.status()
        self.assertEqual(sorted(n["id"] for n in status["nodes"]), [1, 2, 3, 4, 5])
        self.assertEqual((status["cluster"]["voters"], status["cluster"]["quorum_size"]), (5, 3))
        self.check_every_member_has(c, writer.snapshot(), "growing to 5")

        # Shrink 5 -> 3, the leader first.
        leader = status["cluster"]["leader"]
        out = c.pc("remove", "leader", timeout=180).stdout
        self.assertIn(f"node{leader} removed and stopped: 4 voters, quorum 3", out)
        status = c.status()
        self.assertNotIn(leader, [n["id"] for n in status["nodes"]])
        self.assertNotIn(status["cluster"]["leader"], (0, leader))
        follower = next(n["id"] for n in status["nodes"] if n["role"] == "follower")
        out = c.pc("remove", str(follower), timeout=180).stdout
        self.assertIn(f"node{follower} removed and stopped: 3 voters, quorum 2", out)
        self.assertEqual(len(c.status()["nodes"]), 3)
        before = len(writer.snapshot())
        c.wait_for("the writer's creates on the shrunk ensemble",
                   lambda: len(writer.snapshot()) >= before + 5)
        self.check_every_member_has(c, writer.snapshot(), "shrinking to 3")

        # A removed member is gone for the member commands too.
        proc = c.pc("remove", str(leader), check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("was removed", proc.stderr)

        # An observer. Its file lists it as an observer, but the config it adopts from the votes
        # leaves it out, so until the reconfig it is a non-voting follower, as in ZooKeeper.
        out = c.pc("add", "--observer", timeout=180).stdout
        self.assertIn("node6 is follower; reconfig: adding", out)
        self.assertIn("node6 observes as a member: 3 voters + 1 observer, quorum 2", out)
        roles = c.roles()
        self.assertEqual(roles[6], "observer")
        self.check_every_member_has(c, writer.snapshot(), "adding an observer")

        # ... promoted to a participant.
        out = c.pc("promote", "observer", timeout=180).stdout
        self.assertIn("node6 follows as a member: 4 voters, quorum 3", out)
        self.assertEqual(c.roles()[6], "follower")
        self.check_every_member_has(c, writer.snapshot(), "promoting the observer")

        # ... demoted back to an observer; then the leader is: it hands over to a designated
        # leader (no election) and observes it.
        out = c.pc("demote", "6", timeout=180).stdout
        self.assertIn("node6 observes as a member: 3 voters + 1 observer, quorum 2", out)
        demoted = c.status()["cluster"]["leader"]
        out = c.pc("demote", "leader", timeout=180).stdout
        self.assertIn(f"node{demoted} observes as a member: 2 voters + 2 observers, quorum 2", out)
        self.assertNotIn(c.status()["cluster"]["leader"], (0, demoted))
        self.assertEqual(c.roles()[demoted], "observer")
        self.check_every_member_has(c, writer.snapshot(), "demoting the leader")
        # Down to one voter (`up --reconfig` sets standaloneEnabled=false, so ZooKeeper allows
        # it); demoting that last one would leave no quorum at all, and ZooKeeper refuses it.
        last = next(n for n in c.status()["nodes"] if n["role"] == "follower")["id"]
        out = c.pc("demote", str(last), timeout=180).stdout
        self.assertIn(f"node{last} observes as a member: 1 voter + 3 observers, quorum 1", out)
        proc = c.pc("demote", "leader", check=False, timeout=180)
        print("demoting the last voter:", proc.stderr.strip(), flush=True)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("ZooKeeper refused the reconfig", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertEqual(c.status()["cluster"]["voters"], 1)

        # The timeline tells each step with the quorum it leaves.
        reconfigs = [e for e in c.events() if e["kind"] == "reconfig"]
        self.assertEqual([(e["data"]["change"], e["data"]["node"], e["data"]["quorum_size"])
                          for e in reconfigs],
                         [("add", 4, 3), ("add", 5, 3), ("remove", leader, 3),
                          ("remove", follower, 2), ("add", 6, 2), ("promote", 6, 3),
                          ("demote", 6, 2), ("demote", demoted, 2), ("demote", last, 1)])
        with open(os.path.join(cluster_dir, "cluster.json")) as f:
            shape = json.load(f)["reshaped"]
        want = {"4": "participant", "5": "participant", str(leader): "removed",
                str(follower): "removed", "6": "observer"}
        want[str(demoted)] = want[str(last)] = "observer"
        self.assertEqual(shape, want)


class ReconfigZkdTest(ReconfigTest):
    engine = "zkd"


if __name__ == "__main__":
    supervisor_test.main()
