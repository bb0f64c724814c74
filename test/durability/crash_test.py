#!/usr/bin/python3
"""Crash test: kill -9 zkd while a C client creates sequential nodes as fast as it can.

Each round: start zkd on the same dataDir, check the tree, run create_writer (64 async creates
in flight, printing every acknowledged path), SIGKILL zkd at a random moment, collect what the
writer saw acknowledged. After the last round, and at the start of every round:
  - every create ever acknowledged is present;
  - the children of the parent are exactly n-0000000000 .. n-<count-1> (sequence numbers come
    from the parent's cversion, so a lost or half-applied create would leave a gap or a
    mismatch) and the parent's cversion and numChildren equal that count.
snapCount is small so that log rolls and fuzzy snapshots happen while the writer runs and the
kills land in the middle of them too.

    crash_test.py --zkd build/zkd --writer build/test/durability/create_writer [--rounds 6]
"""

import argparse
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_process  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import NoNodeError  # noqa: E402

PARENT = "/crash"
INFLIGHT = 64
WRITER_EXIT_S = 60


def check_tree(hostport, acked, round_no):
    zk = KazooClient(hosts=hostport, timeout=15)
    zk.start(timeout=30)
    try:
        try:
            children, stat = zk.get_children(PARENT, include_data=True)
        except NoNodeError:
            children, stat = [], None
    finally:
        zk.stop()
        zk.close()
    present = set(children)
    missing = sorted(p for p in acked if p.rsplit("/", 1)[1] not in present)
    if missing:
        raise AssertionError("round %d: %d acknowledged creates lost, first %s"
                             % (round_no, len(missing), missing[:5]))
    expected = {"n-%010d" % i for i in range(len(children))}
    if present != expected:
        extra = sorted(present - expected)[:5]
        raise AssertionError("round %d: children are not contiguous from n-0000000000: "
                             "%d children, unexpected %s" % (round_no, len(children), extra))
    if stat is not None and (stat.cversion != len(children) or
                             stat.numChildren != len(children)):
        raise AssertionError("round %d: %s has %d children but cversion %d numChildren %d"
                             % (round_no, PARENT, len(children), stat.cversion,
                                stat.numChildren))
    return len(children)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print("seed %d (rerun with --seed %d)" % (seed, seed), flush=True)
    rng = random.Random(seed)

    work = zkd_process.WorkDir()
    z = zkd_process.Zkd(args.zkd, work.path("data"), data_log_dir=work.path("datalog"),
                        cfg={"snapCount": 3000, "preAllocSize": 256})
    acked = set()
    try:
        for r in range(args.rounds):
            z.start()
            count = check_tree(z.hostport, acked, r)
            writer = subprocess.Popen([args.writer, z.hostport, PARENT, str(INFLIGHT), "0",
                                       "--print-acks"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.3, 2.5))
            z.kill9()
            try:
                out, err = writer.communicate(timeout=WRITER_EXIT_S)
            except subprocess.TimeoutExpired:
                writer.kill()
                out, err = writer.communicate()
                raise AssertionError("round %d: the writer did not notice the kill" % r)
            acks = [line.split(" ", 1)[1] for line in out.decode().splitlines()
                    if line.startswith("ack ")]
            acked.update(acks)
            torn = [line for line in z.log_text().splitlines() if "bytes dropped" in line]
            print("round %d: %d nodes at start, %d creates acknowledged before kill -9; writer: %s"
                  % (r, count, len(acks), err.decode().strip().splitlines()[-1:]), flush=True)
            for line in torn:
                print("  recovery said: %s" % line.split("] ", 1)[-1], flush=True)
        z.start()
        count = check_tree(z.hostport, acked, args.rounds)
        print("final: %d nodes, all %d acknowledged creates present, contiguous"
              % (count, len(acked)), flush=True)
        if not acked:
            raise AssertionError("no create was ever acknowledged")
        rc = z.stop()
        if rc != 0:
            raise AssertionError("zkd exited with %s on SIGTERM" % rc)
        print("ok crash_test", flush=True)
        return 0
    except Exception:
        sys.stderr.write("----- last zkd log -----\n%s\n" % z.log_text())
        raise
    finally:
        z.cleanup()
        work.cleanup()


if __name__ == "__main__":
    sys.exit(main())
