#!/usr/bin/python3
"""Leader failover under writes: kill -9 of the leader while a C client creates sequential nodes.

Each round: the ensemble serves; create_writer (the stock C client, 16 async PERSISTENT_SEQUENTIAL
creates in flight, every acknowledged path printed) writes through one member — the leader, a
follower, or the whole connect string, by turns — until the leader's zxid has moved by a few
hundred; then the leader (and, on a 5-member ensemble, every other round a follower too) gets
SIGKILL. The writer fails with CONNECTIONLOSS (every member leaves its role and drops its clients)
and exits. The rest must elect exactly one new leader; the killed members restart on their data
and must rejoin as followers. Then, on every member:
  - every create any writer saw acknowledged is present;
  - the children are n-0000000000 .. n-<count-1> without a gap, cversion and numChildren equal
    the count, sequence order is czxid order;
  - all members list the same children with the same czxids.

    failover_test.py --zkd build/zkd --writer build/test/durability/create_writer \
        [--voters 3] [--rounds 3] [--seed N]
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tree_check  # noqa: E402
import zkd_ensemble  # noqa: E402

PARENT = "/failover"
INFLIGHT = 16
WRITER_EXIT_S = 60


def leader_zxid(ens, sid):
    text = ens.srvr(sid) or ""
    m = re.search(r"^Zxid: 0x([0-9a-f]+)$", text, re.M)
    return int(m.group(1), 16) if m else None


def run_round(ens, args, rng, r, acked, workdir):
    leader = ens.wait_serving()
    followers = ens.followers()
    kind = ("leader", "follower", "all")[r % 3]
    target = {"leader": [leader], "follower": [rng.choice(followers)],
              "all": ens.running()}[kind]
    connect = ens.connect_string(target)
    out_path = os.path.join(workdir, "writer.%d.out" % r)
    err_path = os.path.join(workdir, "writer.%d.err" % r)
    start_zxid = leader_zxid(ens, leader)
    writes = rng.randrange(150, 600)
    print("round %d: leader %d, writer through %s (%s), kill after ~%d writes"
          % (r, leader, kind, connect, writes), flush=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        writer = subprocess.Popen([args.writer, connect, PARENT, str(INFLIGHT), "0",
                                   "--print-acks"], stdout=out, stderr=err)

    def progressed():
        if writer.poll() is not None:
            ens.fail("round %d: the writer exited before the kill: %s"
                     % (r, open(err_path).read().strip()))
        z = leader_zxid(ens, leader)
        if z is None or start_zxid is None:
            return False
        # The leader's first zxid of its epoch may be later than what srvr showed at start.
        base = start_zxid if z >> 32 == start_zxid >> 32 else (z >> 32) << 32
        return z - base >= writes

    try:
        ens.wait_until(progressed, "round %d: %d writes through the leader" % (r, writes))
        victims = [leader]
        if len(ens.members) >= 5 and r % 2 == 1:
            victims.append(rng.choice(followers))
        for sid in victims:
            if args.fault == "pause":
                ens.pause(sid)
            else:
                ens.kill9(sid)
        writer.wait(timeout=WRITER_EXIT_S)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    summary = open(err_path).read().strip().splitlines()
    got = [line.split(" ", 1)[1] for line in open(out_path).read().splitlines()
           if line.startswith("ack ")]
    print("round %d: %s %s; writer: %s; %d acks" % (r, {"pause": "paused"}.get(args.fault,
                                                                           "killed"), victims,
                                                      summary[-1] if summary else "?", len(got)),
          flush=True)
    if not got:
        ens.fail("round %d: no create was acknowledged before the kill" % r)
    acked.update(got)

    new_leader = ens.wait_serving()
    if new_leader in victims:
        ens.fail("round %d: a killed member %d leads" % (r, new_leader))
    print("round %d: member %d leads the remaining %s" % (r, new_leader, ens.running()),
          flush=True)
    for sid in victims:
        if args.fault == "pause":
            ens.resume(sid)
        else:
            ens.start(sid)
    ens.wait_until(lambda: ens.is_serving(list(ens.members)),
                   "round %d: the restarted %s rejoin as followers" % (r, victims))
    if ens.leader() != new_leader:
        ens.fail("round %d: leadership moved from %d to %d when %s rejoined"
                 % (r, new_leader, ens.leader(), victims))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--voters", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--fault", choices=("kill", "pause"), default="kill",
                    help="kill: SIGKILL the leader, then start it again; pause: SIGSTOP it "
                         "until the others elect a new leader, then SIGCONT")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print("seed %d (rerun with --seed %d)" % (seed, seed), flush=True)
    rng = random.Random(seed)

    ens = zkd_ensemble.Ensemble(args.zkd, voters=args.voters, name="failover%d" % args.voters)
    workdir = tempfile.mkdtemp(prefix="writer-", dir=ens.root)
    acked = set()

    def body():
        ens.start_all()
        for r in range(args.rounds):
            run_round(ens, args, rng, r, acked, workdir)
        views = tree_check.read_views(ens, PARENT, list(ens.members))
        count = tree_check.check_views(views, acked, "after %d rounds" % args.rounds)
        print("ok: %d rounds, %d acknowledged creates, %d children identical on members %s"
              % (args.rounds, len(acked), count, sorted(views)), flush=True)
    return zkd_ensemble.run_checked([ens], body)


if __name__ == "__main__":
    sys.exit(main())
