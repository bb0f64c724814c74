#!/usr/bin/python3
"""`pseudo-cluster chaos check DIR`: the verdict on a recorded history.jsonl, offline.

Hand-written histories in a temp directory: a valid one exits 0 with `verdict: valid`, a lost
write exits 1 with `verdict: INVALID (...)` naming the ops, a search bound too small exits 3
with `verdict: unknown (...)`, bad input exits 2 with one line naming the file, line and field.
No servers, no ports.

    chaos_check_test.py --binary build/pseudo-cluster [unittest args]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = None


def line(**record):
    return json.dumps(record)


def op(process, kind, t0, t1, result="ok", invoke=None, done=None):
    """An invoke line and its completion line; times in ms."""
    lines = [line(type="invoke", process=process, session="s%d" % process, op=kind,
                  time=int(t0 * 1e6), **(invoke or {}))]
    if t1 is not None:
        lines.append(line(type=result, process=process, time=int(t1 * 1e6), **(done or {})))
    return lines


LOST_WRITE = (op(1, "write", 0, 10, invoke={"value": 1}, done={"version": 1})
              + op(2, "write", 20, 30, invoke={"value": 5}, done={"version": 2})
              + op(3, "read", 100, 110, invoke={"final": True}, done={"value": 1, "version": 1}))


class ChaosCheckTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pc-chaos-check-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def check(self, lines, *args):
        with open(os.path.join(self.dir, "history.jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        return subprocess.run([BINARY, "chaos", "check", self.dir, *args],
                              capture_output=True, text=True, timeout=60)

    def test_valid_history_exits_0(self):
        lines = ([line(type="setup", workload="register", initial=0, initial_version=0)]
                 + op(1, "write", 0, 10, invoke={"value": 5}, done={"version": 1})
                 + op(2, "cas", 5, 15, invoke={"value": [5, 6]}, done={"version": 2})
                 + op(1, "read", 20, 30, done={"value": 6, "version": 2})
                 + [line(type="member", member=m, last_zxid="0x100000003", digest="ab",
                         time=int(1e9)) for m in (1, 2, 3)])
        r = self.check(lines)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1], "verdict: valid")
        self.assertIn("convergence", r.stdout)

    def test_lost_write_exits_1_naming_the_ops(self):
        r = self.check(LOST_WRITE)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        last = r.stdout.splitlines()[-1]
        self.assertTrue(last.startswith("verdict: INVALID (register-linearizable: "), last)
        self.assertIn("ok write 5 by process 2 [line 3]", last)
        self.assertIn("ok read (final) = 1 by process 3 [line 5]", last)

    def test_json_is_verdict_json(self):
        r = self.check(LOST_WRITE, "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        verdict = json.loads(r.stdout)
        self.assertEqual(verdict["verdict"], "invalid")
        self.assertEqual(verdict["exit_code"], 1)
        problem = verdict["checks"][0]["problems"][0]
        self.assertEqual(problem["kind"], "not-linearizable")
        # the final read that cannot see the state, then the write acknowledged before it began
        self.assertEqual([o["line"] for o in problem["ops"]][:2], [5, 3])

    def test_search_bound_exits_3(self):
        lines = []
        for i in range(10):
            lines += op(i, "write", i, 100 + i, invoke={"value": i + 1})
        lines += op(20, "cas", 150, 160, invoke={"value": [1, 50]})
        lines += op(21, "read", 200, 210, invoke={"final": True}, done={"value": 1})
        r = self.check(lines, "--max-states", "20")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertTrue(r.stdout.splitlines()[-1].startswith("verdict: unknown (register-"),
                        r.stdout)

    def test_bad_input_exits_2_with_one_line(self):
        r = self.check([line(type="invoke", process=1, op="write", time=5)])
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.strip(), "pseudo-cluster chaos check: %s: line 1: field "
                         "'value': missing" % os.path.join(self.dir, "history.jsonl"))
        r = subprocess.run([BINARY, "chaos", "check", os.path.join(self.dir, "nothing")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("cannot read it", r.stderr)


def main():
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
