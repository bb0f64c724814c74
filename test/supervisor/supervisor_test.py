#!/usr/bin/python3
"""Integration tests for the pseudo-cluster supervisor: real servers on 127.0.0.1.

Each test brings up its own cluster in a fresh $PSEUDO_CLUSTER_HOME with base ports picked
free at test start (retried if another test grabs one first), a small tickTime so elections
are quick, and tears it down at the end, checking that no server process is left behind.
Waits poll with generous timeouts; nothing asserts on timing.

    supervisor_test.py --binary build/pseudo-cluster [unittest args, e.g. ApacheTest.test_kill_leader]
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = None
WAIT_S = 60.0
TICK_MS = 200


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_bases(nodes):
    """Three port ranges of `nodes` consecutive free ports each.

    Client bases come from [10000, 16000) in steps of 10, quorum = client + 6000, election =
    client + 12000, so ranges of two tests never overlap even before a leader binds its quorum
    port; and all of it stays below the kernel's ephemeral range (32768+), where an outgoing
    connection could take a port that is not bound yet.
    """
    assert nodes <= 10
    for _ in range(200):
        base = random.randrange(10000, 16000, 10)
        bases = (base, base + 6000, base + 12000)
        if all(port_free(b + i) for b in bases for i in range(nodes)):
            return bases
    raise RuntimeError("no free port ranges found")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1].split()[0] != "Z"
    except OSError:
        return False


def four_letter(port, word="srvr", timeout=3.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(word.encode())
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


class Cluster:
    def __init__(self, test, engine="apache", voters=3, extra_env=None):
        self.test = test
        self.engine = engine
        self.voters = voters
        self.home = tempfile.mkdtemp(prefix="pc-sup-test-")
        self.env = dict(os.environ, PSEUDO_CLUSTER_HOME=self.home)
        self.env.update(extra_env or {})
        self.seen_pids = set()
        self.supervisor_pid = None
        self.bases = None

    def pc(self, *args, check=True, timeout=120):
        proc = subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            self.dump()
            self.test.fail(f"pseudo-cluster {' '.join(args)} exited {proc.returncode}\n"
                           f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def up(self, *extra):
        for _ in range(5):
            self.bases = pick_bases(self.voters)
            proc = self.pc("up", str(self.voters), "--engine", self.engine, "-d",
                           "--base-ports", ",".join(map(str, self.bases)),
                           "--tick-time", str(TICK_MS), "--timeout", "90", *extra, check=False)
            if proc.returncode == 0:
                self.supervisor_pid = self.status()["cluster"]["supervisor_pid"]
                return proc
            if "is in use" not in proc.stderr:
                break  # not a port race: a real failure
        self.dump()
        self.test.fail(f"up failed:\n{proc.stdout}\n{proc.stderr}")

    def status(self):
        data = json.loads(self.pc("status", "--json").stdout)
        for node in data["nodes"]:
            if node["pid"]:
                self.seen_pids.add(node["pid"])
        return data

    def events(self):
        # One compact JSON object per line (JSON Lines).
        return [json.loads(line) for line in self.pc("events", "--json").stdout.splitlines()]

    def wait_for(self, what, predicate, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(0.2)
        self.dump()
        self.test.fail(f"timed out after {timeout}s waiting for {what}")

    def roles(self):
        return {n["id"]: n["role"] for n in self.status()["nodes"]}

    def dump(self):
        proc = subprocess.run([BINARY, "events"], env=self.env, capture_output=True, text=True,
                              timeout=30)
        sys.stderr.write("--- events ---\n" + proc.stdout + proc.stderr)
        cluster = os.path.join(self.home, "default")
        logs = [os.path.join(cluster, "supervisor.log")]
        for i in range(1, 10):
            logs.append(os.path.join(cluster, f"node{i}", "logs", "server.log"))
        for log in logs:
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    lines = [l for l in f.readlines() if "INFO" not in l or "supervisor" in log]
                sys.stderr.write(f"--- {log} (tail) ---\n" + "".join(lines[-25:]))

    def close(self):
        """Brings the cluster down and checks that nothing it started is still running."""
        subprocess.run([BINARY, "down"], env=self.env, capture_output=True, timeout=60)
        pids = set(self.seen_pids)
        if self.supervisor_pid:
            pids.add(self.supervisor_pid)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.2)
        left = [p for p in pids if pid_alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        shutil.rmtree(self.home, ignore_errors=True)
        return left


class ClusterTest(unittest.TestCase):
    engine = "apache"

    def cluster(self, **kwargs):
        c = Cluster(self, engine=kwargs.pop("engine", self.engine), **kwargs)
        self.addCleanup(self._close, c)
        return c

    def _close(self, c):
        left = c.close()
        self.assertEqual(left, [], "processes outlived `down`")


class ApacheTest(ClusterTest):
    def test_up_kill_leader_then_restart_it(self):
        c = self.cluster()
        c.up()
        status = c.status()
        roles = sorted(n["role"] for n in status["nodes"])
        self.assertEqual(roles, ["follower", "follower", "leader"])
        self.assertTrue(status["cluster"]["ready"])
        epochs = {n["epoch"] for n in status["nodes"]}
        self.assertEqual(len(epochs), 1, status)
        old_leader = status["cluster"]["leader"]
        old_epoch = status["cluster"]["epoch"]

        # A second `up` of the same cluster refuses and harms nothing.
        again = c.pc("up", "3", "--engine", self.engine, "-d", check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already running", again.stderr)

        out = c.pc("kill", "leader").stdout
        self.assertIn(f"node{old_leader}: sent SIGKILL", out)

        def new_leader_event():
            events = c.events()
            exits = [i for i, e in enumerate(events)
                     if e["kind"] == "exit" and e["node"] == old_leader]
            if not exits:
                return None
            for e in events[exits[-1]:]:
                if e["kind"] == "leader" and e["data"]["leader"] != old_leader:
                    return e
            return None

        elected = c.wait_for("a new leader after the kill", new_leader_event)
        self.assertGreater(elected["data"]["epoch"], old_epoch)
        self.assertIn("election_ms", elected["data"])
        exit_event = [e for e in c.events() if e["kind"] == "exit"][-1]
        self.assertEqual(exit_event["data"]["signal"], "SIGKILL")
        c.pc("wait", "ready", "--timeout", "60")

        c.pc("restart", str(old_leader))
        c.wait_for(f"node{old_leader} to follow",
                   lambda: c.roles()[old_leader] == "follower" and c.status()["cluster"]["ready"])
        text = c.pc("events").stdout
        self.assertIn("killed by SIGKILL", text)
        self.assertIn("without a leader", text)

    def test_kill_followers_stops_serving_until_they_start(self):
        c = self.cluster()
        c.up()
        leader = c.status()["cluster"]["leader"]
        leader_port = c.bases[0] - 1 + leader
        self.assertIn("Mode: leader", four_letter(leader_port))

        proc = c.pc("kill", "followers")
        self.assertIn("warning: this leaves 1 of 3 voters running", proc.stdout)
        c.wait_for("the leader to stop serving",
                   lambda: "not currently serving" in four_letter(leader_port))
        c.wait_for("no leader in status", lambda: c.status()["cluster"]["leader"] == 0)
        kinds = [e["kind"] for e in c.events()]
        self.assertIn("quorum_lost", kinds)
        self.assertIn("no_leader", kinds)

        c.pc("start", "followers")
        c.pc("wait", "ready", "--timeout", "60")
        status = c.status()
        self.assertTrue(all(n["process"] == "running" for n in status["nodes"]))
        self.assertIn("quorum_regained", [e["kind"] for e in c.events()])
        new_leader = status["cluster"]["leader"]
        self.assertRegex(four_letter(c.bases[0] - 1 + new_leader), "Mode: (leader|standalone)")

    def test_pause_leader_then_resume_it(self):
        c = self.cluster()
        c.up()
        status = c.status()
        old_leader, old_epoch = status["cluster"]["leader"], status["cluster"]["epoch"]
        out = c.pc("pause", "leader").stdout
        self.assertIn("syncLimit x tickTime", out)
        c.wait_for("a leader other than the paused one", lambda: any(
            n["role"] == "leader" and n["id"] != old_leader and n["epoch"] > old_epoch
            for n in c.status()["nodes"]))
        c.pc("resume", str(old_leader))
        c.wait_for(f"node{old_leader} to rejoin as follower",
                   lambda: c.roles()[old_leader] == "follower" and c.status()["cluster"]["ready"])

    def test_zkcli_writes_on_one_member_and_reads_on_another(self):
        c = self.cluster()
        c.up()
        zkcli = "/usr/share/zookeeper/bin/zkCli.sh"
        env = dict(os.environ, ZOO_LOG_DIR=c.home)

        def cli(node, *cmd):
            port = c.bases[0] - 1 + node
            proc = subprocess.run([zkcli, "-server", f"127.0.0.1:{port}", *cmd], env=env,
                                  capture_output=True, text=True, timeout=60)
            return proc.stdout + proc.stderr

        self.assertIn("[zookeeper]", cli(1, "ls", "/"))
        self.assertIn("Created /test", cli(1, "create", "/test", "hello"))
        # Followers serve reads locally; a fresh session sees the committed write.
        lines = cli(2, "get", "/test").splitlines()
        self.assertIn("hello", lines)

    def test_kill9_of_the_supervisor_leaves_no_server(self):
        c = self.cluster()
        c.up()
        pids = [n["pid"] for n in c.status()["nodes"]]
        self.assertTrue(all(pids))
        os.kill(c.supervisor_pid, signal.SIGKILL)
        c.wait_for("every server to die with its supervisor",
                   lambda: not any(pid_alive(p) for p in pids), timeout=30)
        # The next `up` notices the leftovers and starts again on the same data.
        proc = c.up()
        self.assertIn("leftovers", proc.stderr)


class ZkdEnsembleTest(ApacheTest):
    """The same scenarios on real zkd ensembles (the default engine)."""
    engine = "zkd"


FAKE_ZKD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_zkd.py")


class ZkdContractTest(ClusterTest):
    """The zkd engine against fake_zkd.py, which speaks only the event contract."""
    engine = "zkd"

    def fake_cluster(self, voters=3, **env):
        return self.cluster(voters=voters, extra_env={"PSEUDO_CLUSTER_ZKD": FAKE_ZKD, **env})

    def test_events_drive_roles_and_readiness(self):
        c = self.fake_cluster()
        c.up("--observers", "1")
        status = c.status()
        self.assertEqual([n["role"] for n in status["nodes"]],
                         ["follower", "follower", "leader", "observer"])
        self.assertEqual({n["epoch"] for n in status["nodes"]}, {1})
        self.assertEqual(status["cluster"]["leader"], 3)
        leader_events = [e for e in c.events() if e["kind"] == "leader"]
        self.assertEqual(leader_events[0]["data"]["epoch"], 1)
        with open(os.path.join(c.home, "default", "supervisor.log")) as f:
            self.assertIn("bad event line", f.read())

    def test_a_zkd_without_events_is_polled_with_srvr(self):
        c = self.fake_cluster(FAKE_ZKD_NO_EVENTS="1")
        c.up()
        self.assertEqual(c.roles(), {1: "follower", 2: "follower", 3: "leader"})

    def test_election_facts_lost_by_a_member_are_counted_on_the_timeline(self):
        c = self.fake_cluster(FAKE_ZKD_VOTES_DROPPED="5")
        c.up()
        c.wait_for("the drop notice", lambda: "5 election facts dropped (5 lost on members' "
                   "event pipes)" in c.pc("events").stdout)
        votes = c.pc("events", "--votes").stdout
        self.assertIn("5 vote facts dropped", votes)
        self.assertIn("decides LEADING (300 ms): node3 wins round 1 as the only candidate; "
                      "votes from 1, 2, 3 (3 of 3)", votes)

    def test_standalone(self):
        c = self.fake_cluster(voters=1)
        c.up()
        self.assertEqual(c.roles(), {1: "standalone"})

    def test_a_refusing_server_surfaces_its_error_line(self):
        c = self.fake_cluster(FAKE_ZKD_REFUSE_ENSEMBLE="1")
        bases = pick_bases(3)
        proc = c.pc("up", "3", "-d", "--base-ports", ",".join(map(str, bases)), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("exited with status 2", proc.stderr)
        self.assertIn("zkd: ensembles are not supported yet", proc.stderr)
        c.wait_for("the supervisor to go away", lambda: not os.path.exists(
            os.path.join(c.home, "default", "supervisor.sock")))

    def test_foreground_up_streams_and_ctrl_c_brings_it_down(self):
        c = self.fake_cluster()
        for _ in range(5):
            bases = pick_bases(3)
            proc = subprocess.Popen([BINARY, "up", "3", "--base-ports", ",".join(map(str, bases)),
                                     "--timeout", "60"],
                                    env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, start_new_session=True)
            try:
                # `up` prints the table, then streams; it gives up by itself after --timeout.
                seen = []
                for line in proc.stdout:
                    seen.append(line)
                    if "ready: node" in line:  # the streamed timeline got as far as readiness
                        break
                if "ready: node" not in "".join(seen):
                    _, err = proc.communicate(timeout=60)
                    if "is in use" in err:
                        continue  # another test took a port after we picked it
                    self.fail(f"foreground up did not get ready:\n{''.join(seen)}\n{err}")
                self.assertIn("streaming the timeline", "".join(seen))
                status = c.status()
                pids = [n["pid"] for n in status["nodes"]] + [status["cluster"]["supervisor_pid"]]
                c.supervisor_pid = pids[-1]
                os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
                out, err = proc.communicate(timeout=60)
                out = "".join(seen) + out
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                proc.stdout.close()
                proc.stderr.close()
            self.assertEqual(proc.returncode, 0, err)
            self.assertIn("leads epoch 1", out)
            self.assertIn("is down", out)
            c.wait_for("every process to exit", lambda: not any(pid_alive(p) for p in pids))
            return
        self.fail("no free ports after 5 attempts")


class CommandLineTest(ClusterTest):
    def test_taken_port_fails_before_forking(self):
        c = self.cluster()
        holder = None
        for _ in range(20):  # another test may take a range between the check and our bind
            bases = pick_bases(3)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("127.0.0.1", bases[0] + 1))
                holder = sock
                break
            except OSError:
                sock.close()
        self.assertIsNotNone(holder, "no free port to hold")
        with holder:
            holder.listen(1)
            proc = c.pc("up", "3", "--engine", "apache", "-d",
                        "--base-ports", ",".join(map(str, bases)), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(f"port {bases[0] + 1} (node2 client port) is in use by pid {os.getpid()}",
                      proc.stderr)
        # Nothing was forked or laid out.
        self.assertFalse(os.path.exists(os.path.join(c.home, "default", "node1")))
        self.assertFalse(os.path.exists(os.path.join(c.home, "default", "supervisor.sock")))

    def test_bad_ini_names_file_and_line(self):
        c = self.cluster()
        ini = os.path.join(c.home, "bad.ini")
        with open(ini, "w") as f:
            f.write("[cluster]\nsize = 3\ntick_time = fast\n")
        proc = c.pc("up", "--config", ini, "-d", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(f"{ini}:3: bad value 'fast' for tick_time", proc.stderr)

    def test_commands_against_a_stopped_cluster_fail(self):
        c = self.cluster()
        for args in (["status"], ["kill", "leader"], ["events"], ["down"]):
            proc = c.pc(*args, check=False)
            self.assertNotEqual(proc.returncode, 0, args)
            self.assertIn("no cluster is running", proc.stderr)

    def test_missing_zookeeper_home_is_one_clear_line(self):
        c = self.cluster()
        proc = c.pc("up", "3", "--engine", "apache", "--zookeeper-home", c.home, "-d",
                    check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn("no zookeeper-3.*.jar in", proc.stderr)


def main():
    """`SCRIPT --binary build/pseudo-cluster [unittest args]`: the tests of the script run as
    __main__ (this one, or another test file that imports this module and calls main())."""
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    unittest.main(module="__main__", argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
