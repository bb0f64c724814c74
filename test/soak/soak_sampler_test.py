#!/usr/bin/python3
"""The soak's flatness rule on made-up samples (no processes): noise and a warm-up pass, a
leak of 1 KiB per txn at the soak's rate and a leak of fds do not, a process restarted in the
window is listed but not judged, and a JVM is judged on its live heap, not its RSS."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from soak_sampler import judge  # noqa: E402

END_S = 120
TXNS_PER_S = 150  # about what the 2-minute soak writes


def samples(name, pid, rss, fds=lambda t: 40, heap=lambda t: None, start=0, end=END_S,
            clients=lambda t: 0):
    return [{"t": t, "name": name, "pid": pid, "rss_kib": rss(t), "fds": fds(t),
             "clients": clients(t), "heap_kib": heap(t)} for t in range(start, end + 1)]


def verdict(ss, jvm=None):
    return judge(ss, END_S / 3, END_S, jvm or {})


class FlatRuleTest(unittest.TestCase):
    def test_warm_up_and_noise_are_flat(self):
        # Grows 8 MiB in the first third, then +-1 MiB of noise and a spike.
        rss = lambda t: 20000 + min(t, 40) * 200 + (1024 if t % 7 == 0 else 0) + \
            (30000 if t == 90 else 0)
        [v] = verdict(samples("node1", 11, rss, fds=lambda t: 40 + t % 5))
        self.assertTrue(v["judged"])
        self.assertEqual(v["problems"], [])

    def test_a_leak_of_1_kib_per_txn_is_not_flat(self):
        [v] = verdict(samples("node1", 11, lambda t: 20000 + t * TXNS_PER_S))
        self.assertTrue(v["judged"])
        self.assertIn("RSS grew", v["problems"][0])

    def test_a_leak_of_one_fd_every_few_seconds_is_not_flat(self):
        [v] = verdict(samples("supervisor", 10, lambda t: 9000, fds=lambda t: 20 + t // 5))
        self.assertIn("fds grew", v["problems"][0])

    def test_clients_moving_in_are_not_a_leak(self):
        arrived = lambda t: min(9, t // 10)  # clients come over from killed members
        [v] = verdict(samples("node1", 11, lambda t: 9000, fds=lambda t: 30 + arrived(t),
                              clients=arrived))
        self.assertEqual(v["problems"], [])

    def test_a_process_restarted_in_the_window_is_not_judged(self):
        leaky = lambda t: 20000 + t * 1000
        ss = samples("node2", 21, leaky, end=60) + samples("node2", 22, leaky, start=61)
        for v in verdict(ss):
            self.assertFalse(v["judged"])
            self.assertEqual(v["problems"], [])

    def test_a_jvm_is_judged_on_its_live_heap(self):
        growing_rss = lambda t: 100000 + t * 1000  # the heap being sized up: not judged
        [ok] = verdict(samples("node1", 11, growing_rss, heap=lambda t: 6000), {11: True})
        self.assertEqual(ok["problems"], [])
        [leak] = verdict(samples("node1", 11, growing_rss, heap=lambda t: 6000 + t * 150),
                         {11: True})
        self.assertIn("live heap grew", leak["problems"][0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
