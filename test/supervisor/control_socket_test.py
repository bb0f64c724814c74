#!/usr/bin/python3
"""The control socket's cap on a subscriber that stops reading (issue 16 §4).

A client subscribes with `events -f` on the supervisor's socket and never reads. A fake zkd
(fake_zkd.py, FAKE_ZKD_FLOOD) then writes a flood of state changes, each one a timeline event
the supervisor streams to its subscribers: without a cap, everything the stalled client does
not read piles up in the supervisor (tens of MiB here). With it, the supervisor drops that
subscriber once 1 MiB waits, says so in one log line and one timeline event, ends the stream
with a last error line, keeps answering `status`, and its RSS grows by far less than the flood.
Nothing here asserts on timings.

    control_socket_test.py --binary build/pseudo-cluster
"""

import json
import os
import signal
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402
from supervisor_test import FAKE_ZKD, ClusterTest  # noqa: E402

FLOOD_EVENTS = 200000  # each event is ~200 bytes of JSON to the subscriber: ~40 MB in all
RSS_GROWTH_MAX_KIB = 24 * 1024  # the timeline's own ring (10000 events) and logging fit in this
NOTE = "subscriber stopped reading"
WAIT_S = 180.0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class LogWatch:
    """Reads a growing log file from where it last stopped, so a big log is read once."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.matches = 0

    def count(self, text):
        if os.path.exists(self.path):
            with open(self.path, errors="replace") as f:
                f.seek(self.offset)
                chunk = f.read()
            # Only whole lines: the rest is read again next time.
            end = chunk.rfind("\n") + 1
            self.matches += chunk[:end].count(text)
            self.offset += len(chunk[:end].encode(errors="replace"))
        return self.matches


class ControlSocketTest(ClusterTest):
    engine = "zkd"

    def test_a_subscriber_that_stops_reading_is_dropped_and_memory_stays_bounded(self):
        c = self.cluster(extra_env={"PSEUDO_CLUSTER_ZKD": FAKE_ZKD,
                                    "FAKE_ZKD_FLOOD": str(FLOOD_EVENTS)})
        c.up()
        cluster_dir = os.path.join(c.home, "default")
        stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(stalled.close)
        stalled.connect(os.path.join(cluster_dir, "supervisor.sock"))
        stalled.sendall(b'{"cmd":"events","follow":true}\n')
        # The subscription is in place once the replay of the timeline starts to arrive.
        stalled.settimeout(WAIT_S)
        self.assertTrue(stalled.recv(1))
        rss_before = rss_kib(c.supervisor_pid)
        node1 = next(n for n in c.status()["nodes"] if n["id"] == 1)
        os.kill(node1["pid"], signal.SIGUSR1)

        done = os.path.join(cluster_dir, "node1", "data", "flood-done")
        c.wait_for("the end of the flood", lambda: os.path.exists(done), WAIT_S)
        status = c.status()  # still answering
        self.assertEqual(len(status["nodes"]), 3)
        growth = rss_kib(c.supervisor_pid) - rss_before
        sys.stderr.write(f"supervisor RSS before {rss_before} KiB, growth {growth} KiB after "
                         f"{FLOOD_EVENTS} events\n")
        self.assertLess(growth, RSS_GROWTH_MAX_KIB)

        log = LogWatch(os.path.join(cluster_dir, "supervisor.log"))
        c.wait_for("the drop note in the supervisor log", lambda: log.count(NOTE), WAIT_S)
        # The stalled client reads at last (within the supervisor's grace of 60 s after the
        # drop): what was queued, then the last line, then the end of the stream.
        data = b""
        while True:
            chunk = stalled.recv(1 << 16)
            if not chunk:
                break
            data += chunk
        last = json.loads(data.splitlines()[-1])
        self.assertFalse(last["ok"])
        self.assertIn("dropped", last["error"])
        self.assertEqual(log.count(NOTE), 1, "one log line for the one dropped subscriber")


if __name__ == "__main__":
    supervisor_test.main()
