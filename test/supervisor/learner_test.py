#!/usr/bin/python3
"""What a learner following the tutorials does, on real servers (issue 14 §3).

Uses the Cluster helper of supervisor_test.py (own $PSEUDO_CLUSTER_HOME, free base ports, no
process left behind). Each case runs on zkd and on Apache ZooKeeper: the subclasses at the end.

    learner_test.py --binary build/pseudo-cluster [unittest args, e.g. ZkdLearnerTest]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test as st  # noqa: E402


class LearnerTest(st.ClusterTest):
    engine = "zkd"

    def leader(self, c):
        return c.status()["cluster"]["leader"]

    def srvr_zxid(self, c, i):
        text = st.four_letter(c.bases[0] - 1 + i)
        found = re.search(r"(?m)^Zxid: (0x[0-9a-f]+)$", text)
        self.assertIsNotNone(found, text)
        return found.group(1)

    def log(self, c, i):
        with open(os.path.join(c.home, "default", f"node{i}", "logs", "server.log")) as f:
            return f.read()

    def test_one_by_one_three_node2_leads(self):
        # The tutorials' order: 1, then 2 (1 and 2 are the first quorum, 2 has the higher myid),
        # then 3, which joins and follows.
        c = self.cluster()
        c.up("--one-by-one", "--gap", "200ms")
        status = c.status()
        self.assertTrue(status["cluster"]["ready"], status)
        self.assertEqual(c.roles(), {1: "follower", 2: "leader", 3: "follower"})
        starts = [e["node"] for e in c.events() if e["kind"] == "start"]
        self.assertEqual(starts, [1, 2, 3])

    def test_events_json_is_one_object_per_line_also_when_following(self):
        c = self.cluster()
        c.up()
        lines = c.pc("events", "--json").stdout.splitlines()
        self.assertGreater(len(lines), 3)
        self.assertTrue(all(isinstance(json.loads(l), dict) for l in lines), lines)
        follow = subprocess.Popen([st.BINARY, "events", "--json", "--follow"], env=c.env,
                                  stdout=subprocess.PIPE, text=True)
        try:
            seen = [json.loads(follow.stdout.readline()) for _ in lines]
        finally:
            follow.kill()
            follow.wait()
            follow.stdout.close()
        self.assertEqual([e["kind"] for e in seen], [json.loads(l)["kind"] for l in lines])

    def test_no_start_then_by_hand_the_first_two_decide(self):
        c = self.cluster()
        proc = c.up("--no-start")
        self.assertIn("start them one at a time", proc.stdout)
        status = c.status()
        self.assertEqual([n["role"] for n in status["nodes"]], ["stopped"] * 3)
        self.assertEqual([n["pid"] for n in status["nodes"]], [0, 0, 0])
        self.assertFalse(status["cluster"]["ready"])
        self.assertIn("node3 is up", c.pc("start", "3").stdout)
        c.pc("start", "1")
        self.assertIn("leader node3", c.pc("wait", "leader", "--timeout", "60").stdout)
        c.pc("start", "2")
        c.pc("wait", "ready", "--timeout", "60")
        self.assertEqual(c.roles(), {1: "follower", 2: "follower", 3: "leader"})
        # srvr's Zxid as ZooKeeper shows it: the leader at its new epoch (counter 0); node1,
        # synced before the leader had its quorum, at the leader's old zxid; node2, synced
        # after, at the epoch. `status` shows the same.
        want = {1: "0x0", 2: "0x100000000", 3: "0x100000000"}
        self.assertEqual({i: self.srvr_zxid(c, i) for i in want}, want)
        c.wait_for("status to show srvr's zxids",
                   lambda: {n["id"]: n["zxid"] for n in c.status()["nodes"]} == want)
        c.pc("kill", "leader")
        c.pc("wait", "ready", "--timeout", "60")
        leader = self.leader(c)
        self.assertEqual(self.srvr_zxid(c, leader), "0x200000000")

    def test_start_reports_a_member_that_dies_with_its_reason(self):
        c = self.cluster()
        c.up()
        node = lambda i: os.path.join(c.home, "default", f"node{i}")
        c.pc("stop", "3")
        with open(os.path.join(node(3), "data", "myid"), "w") as f:
            f.write("2\n")  # a learner's slip: two members with myid 2
        proc = c.pc("start", "3", check=False)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("node3 exited right after it started", proc.stdout)
        self.assertIn("duplicate myid 2", proc.stdout)
        self.assertNotIn("is up", proc.stdout)

        c.pc("stop", "2")
        myid = os.path.join(node(2), "data", "myid")
        os.remove(myid)
        proc = c.pc("start", "2", check=False)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn(f"echo 2 > {myid}", proc.stdout)
        exits = [e["text"] for e in c.events() if e["kind"] == "exit"]
        self.assertIn(f"echo 2 > {myid}", exits[-1])
        self.assertNotIn("Exiting JVM", " ".join(exits))

        # Mended, both come back, and `start` says so with exit code 0.
        with open(myid, "w") as f:
            f.write("2\n")
        with open(os.path.join(node(3), "data", "myid"), "w") as f:
            f.write("3\n")
        proc = c.pc("start", "2")
        self.assertIn("node2 is up", proc.stdout)
        self.assertIn("node3 is up", c.pc("restart", "3").stdout)

    def test_up_again_keeps_hand_edits_of_zoo_cfg(self):
        c = self.cluster()
        c.up()
        c.pc("down")
        cfg = os.path.join(c.home, "default", "node1", "zoo.cfg")
        with open(cfg) as f:
            text = f.read()
        # As the tutorials do: a whitelist, autopurge; and a port, which pseudo-cluster owns.
        text = re.sub(r"(?m)^4lw.commands.whitelist=.*$", "4lw.commands.whitelist=srvr, ruok", text)
        text = re.sub(r"(?m)^clientPort=.*$", "clientPort=2999", text)
        with open(cfg, "w") as f:
            f.write(text + "autopurge.purgeInterval=1\n")
        proc = c.up()
        self.assertIn("node1/zoo.cfg: kept your line '4lw.commands.whitelist=srvr, ruok'",
                      proc.stderr)
        self.assertIn("node1/zoo.cfg: kept your line 'autopurge.purgeInterval=1'", proc.stderr)
        self.assertIn(f"node1/zoo.cfg: replaced 'clientPort=2999' by 'clientPort={c.bases[0]}'",
                      proc.stderr)
        with open(cfg) as f:
            self.assertIn("autopurge.purgeInterval=1\n", f.read())
        # The member runs with the edit: its whitelist refuses `conf`, the others' do not.
        self.assertIn("imok", st.four_letter(c.bases[0], "ruok"))
        self.assertIn("not in the whitelist", st.four_letter(c.bases[0], "conf"))
        self.assertNotIn("not in the whitelist", st.four_letter(c.bases[0] + 1, "conf"))
        log = self.log(c, 1)
        self.assertIn("autopurge.purgeInterval set to 1", log)
        self.assertIn("Purge task started.", log)

    def test_what_the_tutorials_look_at(self):
        c = self.cluster()
        c.up()
        leader = self.leader(c)
        # The log lines they grep for, in ZooKeeper's words.
        for i in (1, 2, 3):
            log = self.log(c, i)
            role = "LEADING" if i == leader else "FOLLOWING"
            self.assertRegex(log, role + r" - LEADER ELECTION TOOK - \d+ MS")
            for line in ("autopurge.snapRetainCount set to 3", "autopurge.purgeInterval set to 0",
                         "Purge task is not scheduled."):
                self.assertIn(line, log)
        # `zkServer.sh status` as `status --verbose` prints it, run as printed.
        out = c.pc("status", "--verbose").stdout
        line = [l for l in out.splitlines() if l.startswith(f"  node{leader}: ")][0]
        command = line.split(": ", 1)[1].split()
        self.assertEqual(command[-1], os.path.join(c.home, "default", f"node{leader}", "zoo.cfg"))
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, ZOO_LOG_DIR=c.home))
        self.assertIn("Mode: leader", proc.stdout, proc.stdout + proc.stderr)

    rounds = 3

    def test_kill_leader_then_wait_leader_names_a_running_member(self):
        c = self.cluster()
        c.up()
        for _ in range(self.rounds):
            old = self.leader(c)
            self.assertIn(f"node{old} exited", c.pc("kill", "leader").stdout)
            out = c.pc("wait", "leader", "--timeout", "60").stdout
            new = int(re.search(r"leader node(\d+)", out).group(1))
            self.assertNotEqual(new, old, out)
            node = c.status()["nodes"][new - 1]
            self.assertEqual(node["process"], "running")
            self.assertTrue(st.pid_alive(node["pid"]))
            c.pc("start", str(old))
            c.pc("wait", "ready", "--timeout", "60")

    def test_killing_a_paused_member_regains_no_quorum_on_the_way(self):
        c = self.cluster()
        c.up()
        c.pc("pause", "1")
        c.pc("stop", "2")
        c.pc("kill", "1")
        events = c.events()
        sent = max(i for i, e in enumerate(events) if e["kind"] == "signal" and e["node"] == 1)
        died = max(i for i, e in enumerate(events) if e["kind"] == "exit" and e["node"] == 1)
        self.assertLess(sent, died)
        between = [e["kind"] for e in events[sent:died]]
        self.assertNotIn("quorum_regained", between, events[sent:died + 1])
        self.assertNotIn("ready", between, events[sent:died + 1])
        self.assertFalse(c.status()["cluster"]["ready"])


class ZkdLearnerTest(LearnerTest):
    engine = "zkd"
    rounds = 10  # a tight loop is cheap on zkd

    def test_one_by_one_five_node3_leads(self):
        c = self.cluster(voters=5)
        c.up("--one-by-one", "--gap", "100ms")
        self.assertEqual(self.leader(c), 3)


class ApacheLearnerTest(LearnerTest):
    engine = "apache"
    rounds = 2


del LearnerTest  # only the engine subclasses run


class LearnerCommandLineTest(st.ClusterTest):
    def test_bad_start_order_flags_are_refused_with_exit_2(self):
        c = self.cluster()
        for args, says in ((["--one-by-one", "--gap", "soon"], "--gap 'soon'"),
                           (["--gap", "1s"], "use it with --one-by-one"),
                           (["--no-start", "--one-by-one"], "excludes")):
            proc = c.pc("up", "3", "-d", *args, check=False)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(says, proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(c.home, "default")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    st.BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
