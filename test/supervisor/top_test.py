#!/usr/bin/python3
"""`pseudo-cluster top` on real ensembles, one per engine.

The full-screen view runs in a real terminal (tmux, 80 columns): the test selects the leader
with the arrow keys, presses `k`, and reads the new leader from the screen. The plain views:
`top --once` prints one frame (three members, one leader, the quorum line), and `top` with
stdout not a terminal prints a frame every --interval. Bad arguments exit 2. Nothing here
asserts on timings.

    top_test.py --binary build/pseudo-cluster [unittest args, e.g. TopTest.test_zkd]
"""

import os
import re
import shlex
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402
from supervisor_test import ClusterTest  # noqa: E402

ROW = re.compile(r"^([ >])(\d+)\s+(\S+)")  # gutter (selection mark), id, role


def member_rows(screen):
    """{id: (role, selected)} from the member rows of a frame."""
    rows = {}
    for line in screen.splitlines():
        m = ROW.match(line)
        if m:
            rows[int(m.group(2))] = (m.group(3), m.group(1) == ">")
    return rows


def leaders(screen):
    return [i for i, (role, _) in member_rows(screen).items() if role == "leader"]


class Tmux:
    """One tmux server of its own (-L), one 80x24 window running `top`."""

    def __init__(self, c, name):
        self.socket = f"pc-top-{os.getpid()}-{name}"
        self.command = " ".join(shlex.quote(a) for a in [
            "env", f"PSEUDO_CLUSTER_HOME={c.home}", supervisor_test.BINARY, "top",
            "--interval", "300ms"])

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              check=check)

    def start(self):
        # TERM for the server's own terminal; inside, tmux sets its own (screen).
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "top", "-x", "80", "-y", "24",
                  self.command)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "top").stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "top", *keys)

    def alive(self):
        return self.tmux("has-session", "-t", "top", check=False).returncode == 0

    def close(self):
        self.tmux("kill-server", check=False)


class TopTest(ClusterTest):
    def check_top(self, engine):
        c = self.cluster(engine=engine)
        c.up()
        old = c.status()["cluster"]["leader"]

        # --once: one frame, as text.
        once = c.pc("top", "--once").stdout
        rows = member_rows(once)
        self.assertEqual(sorted(rows), [1, 2, 3], once)
        self.assertEqual(leaders(once), [old], once)
        self.assertIn("quorum: 2 of 3 voters; 3 running", once)
        self.assertIn(f"({engine})", once.splitlines()[0])
        self.assertIn("OPS/S", once)

        # stdout not a terminal: a frame every --interval until interrupted.
        proc = subprocess.Popen([supervisor_test.BINARY, "top", "--interval", "200ms"],
                                env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        time.sleep(1.5)  # several intervals; the count asserted is only "more than one"
        proc.terminate()
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        self.assertGreaterEqual(out.count("quorum: "), 2, out)

        # Bad arguments: exit 2, one line naming the option.
        bad = c.pc("top", "--interval", "soon", check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--interval 'soon'", bad.stderr)

        # The full screen in a real terminal, 80 columns wide.
        t = Tmux(c, engine)
        self.addCleanup(t.close)
        t.start()
        screen = c.wait_for("top's first frame",
                            lambda: (lambda s: s if len(member_rows(s)) == 3 else None)(t.screen()))
        for line in screen.splitlines():
            self.assertLessEqual(len(line), 80, line)
        for _ in range(old - 1):
            t.keys("Down")
        c.wait_for("the leader selected",
                   lambda: member_rows(t.screen()).get(old, ("", False))[1])
        t.keys("k")
        def new_leader_screen():
            s = t.screen()
            return s if [i for i in leaders(s) if i != old] else None

        screen = c.wait_for("a new leader on the screen", new_leader_screen)
        self.assertIn(f"kill {old}: ", screen)
        new = [i for i in leaders(screen) if i != old][0]
        self.assertEqual(member_rows(screen)[old][0], "stopped", screen)
        c.wait_for("status to agree", lambda: c.status()["cluster"]["leader"] == new)
        t.keys("q")
        c.wait_for("top to quit on q", lambda: not t.alive())

    def test_zkd(self):
        self.check_top("zkd")

    def test_apache(self):
        self.check_top("apache")


if __name__ == "__main__":
    supervisor_test.main()
