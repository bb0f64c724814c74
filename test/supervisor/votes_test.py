#!/usr/bin/python3
"""`events --votes` on real ensembles: the election's notifications, votes and decisions.

One 3-member cluster per engine: kill the leader, and the vote timeline must show the surviving
members' notifications of the new round and a decision of the new leader (the one `status`
shows) with its explanation; `--follow` streams them as they happen; plain `events` keeps its
summary (one line per won election, no notifications). Nothing here asserts on timings.

    votes_test.py --binary build/pseudo-cluster [unittest args, e.g. VotesTest.test_zkd]
"""

import json
import os
import select
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402
from supervisor_test import ClusterTest  # noqa: E402

WAIT_S = 60.0


def vote_facts(c):
    """`events --votes --json`: one JSON object per line."""
    out = c.pc("events", "--votes", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


class Follower:
    """`events --votes --follow --json` running in the background, read without blocking."""

    def __init__(self, c):
        self.proc = subprocess.Popen([supervisor_test.BINARY, "events", "--votes", "--follow",
                                      "--json"], env=c.env, stdout=subprocess.PIPE, text=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = ""
        self.facts = []

    def read(self):
        while select.select([self.proc.stdout], [], [], 0)[0]:
            chunk = self.proc.stdout.read()
            if not chunk:
                break
            self.buffer += chunk
        *lines, self.buffer = self.buffer.split("\n")
        self.facts += [json.loads(line) for line in lines if line.strip()]
        return self.facts

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class VotesTest(ClusterTest):
    def check_kill_leader(self, engine):
        c = self.cluster(engine=engine)
        c.up()
        status = c.status()
        old = status["cluster"]["leader"]
        survivors = sorted({1, 2, 3} - {old})
        first = [f for f in vote_facts(c) if f["kind"] == "decision"]
        self.assertTrue(first, "no decision of the first election")
        first_round = max(f["data"]["round"] for f in first)

        follower = Follower(c)
        self.addCleanup(follower.close)
        time.sleep(0.5)  # let it subscribe before the kill
        c.pc("kill", "leader")
        c.wait_for("a new leader", lambda: c.status()["cluster"]["leader"] not in (0, old))
        c.pc("wait", "ready", "--timeout", "60")
        new = c.status()["cluster"]["leader"]

        def won(facts):
            return [f for f in facts if f["kind"] == "decision" and f["node"] == new
                    and f["data"]["state"] == "LEADING" and f["data"]["round"] > first_round]

        # Apache's facts come from its logs, read on the supervisor's poll timer: wait for them.
        decision = c.wait_for("the new leader's decision", lambda: won(vote_facts(c)))[-1]
        rnd = decision["data"]["round"]
        self.assertEqual(decision["data"]["leader"], new)
        explanation = decision["data"]["explanation"]
        self.assertTrue(explanation.startswith(f"node{new} wins round {rnd}"), explanation)
        self.assertRegex(explanation, r"votes from \d(, \d)* \(\d of 3\)$")
        self.assertNotIn(old, decision["data"]["supporters"])  # it was dead
        self.assertIn(new, decision["data"]["supporters"])

        facts = vote_facts(c)
        notifications = [f for f in facts if f["kind"] == "notification"
                         and f["data"]["round"] == rnd and f["node"] in survivors
                         and f["data"]["from"] in survivors]
        self.assertTrue(notifications, "no notification of the new round between survivors")
        self.assertEqual({f["node"] for f in notifications}, set(survivors))
        votes = [f for f in facts if f["kind"] == "vote" and f["data"]["round"] == rnd]
        self.assertIn(new, [f["data"]["leader"] for f in votes])
        follower_decisions = [f for f in facts if f["kind"] == "decision" and f["node"] != new
                              and f["data"]["round"] == rnd]
        self.assertTrue(all(f["data"]["leader"] == new for f in follower_decisions),
                        follower_decisions)
        times = [f["t_ms"] for f in facts if f["kind"] != "votes_dropped"]
        self.assertTrue(all(t >= 0 for t in times))

        # --follow streamed the same decision as it happened.
        c.wait_for("the decision on the followed stream", lambda: won(follower.read()))

        # The text view: a header for the round, the decision with its explanation.
        text = c.pc("events", "--votes").stdout
        self.assertIn(f"--- round {rnd} ---", text)
        self.assertIn("decides LEADING", text)
        self.assertIn(explanation, text)
        self.assertIn(f"<- node{survivors[0]}", text)

        # Plain `events`: the summary, with one line per won election and no notification.
        summary = c.pc("events").stdout
        self.assertIn(explanation, summary)
        self.assertNotIn(" <- node", summary)
        self.assertNotIn("votes node", summary)
        self.assertIn("without a leader", summary)

    def test_zkd(self):
        self.check_kill_leader("zkd")

    def test_apache(self):
        self.check_kill_leader("apache")


if __name__ == "__main__":
    supervisor_test.main()
