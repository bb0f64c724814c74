#!/usr/bin/python3
"""A follower older than the leader's in-memory history rejoins by a DIFF from the leader's
on-disk txn log (ZooKeeper's "use txnlog and committedLog"), with real zkd processes.

3 voters with commitLogCount=50 (the in-memory history), snapCount=100 (a log roll and a
snapshot every 51..100 txns) and preAllocSize=16 (KB). First some 8 KB znodes, so the newest
snapshot is large (about 0.5 MB: the size limit, 0.33 of it, is well above the small log files
to read), then small writes one at a time until the log has rolled past them. A follower is killed
(SIGKILL), the others take WRITES (> commitLogCount) small creates, the follower starts again.
Must hold:
  - the leader's log says it synced that follower by DIFF with some txns "from the log", and
    says how long the read took;
  - the follower has every acknowledged write (read through its own session after a sync),
    and the same tree digest as the leader.

    log_diff_rejoin_test.py --zkd build/zkd
"""

import argparse
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_ensemble  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

PARENT = "/logdiff"
BIG = 60          # 8 KB znodes: the snapshot's bulk
FILLER = 120      # small writes after them: past snapCount, so the log rolls past the big ones
WRITES = 300      # missed by the follower: more than commitLogCount
CFG = {"commitLogCount": 50, "snapCount": 100, "preAllocSize": 16}


def client(ens, sid):
    zk = KazooClient(hosts=ens.hostport(sid), timeout=10)
    zk.start(timeout=30)
    return zk


def tree_digest(zk):
    """sha256 over every znode under PARENT (path, data, czxid, mzxid, versions), sorted."""
    zk.sync(PARENT)
    h = hashlib.sha256()
    for child in sorted(zk.get_children(PARENT)):
        data, st = zk.get(PARENT + "/" + child)
        h.update(("%s|%d|%d|%d|%d|%s\n" % (child, st.czxid, st.mzxid, st.version, len(data),
                                            hashlib.sha256(data).hexdigest())).encode())
    return h.hexdigest()


def creates(zk, n, data):
    """n sequential creates, pipelined; the paths acknowledged."""
    pending = [zk.create_async(PARENT + "/n-", data, sequence=True) for _ in range(n)]
    return [p.get(timeout=30) for p in pending]


def body(ens):
    ens.start_all()
    leader = ens.leader()
    follower = [sid for sid in ens.members if sid != leader][0]
    zk = client(ens, leader)
    acked = []
    try:
        zk.ensure_path(PARENT)
        acked += creates(zk, BIG, b"b" * 8192)
        # One at a time: the log rolls (after 51..100 entries) only between syncs, and must
        # roll past the big entries, or the file holding the follower's zxid carries them and
        # is over the limit (ZooKeeper counts whole files) - a SNAP, as ZooKeeper would.
        acked += [zk.create(PARENT + "/n-", b"filler", sequence=True) for _ in range(FILLER)]
        print("leader %d; %d writes before the follower %d stops" % (leader, len(acked),
                                                                      follower), flush=True)
        ens.kill9(follower)
        acked += creates(zk, WRITES, b"missed")
        print("%d writes while it was down" % WRITES, flush=True)
    finally:
        zk.stop()
        zk.close()

    ens.start(follower)
    ens.wait_serving()
    pattern = r"synced sid %d by \w+[^\n]*" % follower
    ens.wait_until(lambda: re.search(pattern, ens.log_text(leader)),
                   "the leader logs how it synced %d" % follower)
    synced = re.findall(pattern, ens.log_text(leader))[-1]
    print("leader: %s" % synced, flush=True)
    if not re.search(r"by DIFF of \d+ txns .*\(\d+ from the log\)", synced):
        ens.fail("the follower was not synced by a DIFF from the log: %s" % synced)
    read = re.findall(r"read \d+ txns from \S+ to \S+ from the txn log[^\n]*",
                      ens.log_text(leader))
    if not read:
        ens.fail("the leader did not log its read of the txn log")
    print("leader: %s" % read[-1], flush=True)

    digests = {}
    for sid in (leader, follower):
        zk = client(ens, sid)
        try:
            zk.sync(PARENT)
            missing = [p for p in acked if not zk.exists(p)]
            if missing:
                ens.fail("member %d lacks %d acknowledged writes, e.g. %s" % (
                    sid, len(missing), missing[:3]))
            digests[sid] = tree_digest(zk)
        finally:
            zk.stop()
            zk.close()
    print("digests: %s" % {sid: d[:12] for sid, d in digests.items()}, flush=True)
    if digests[leader] != digests[follower]:
        ens.fail("the follower's tree differs from the leader's")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    ens = zkd_ensemble.Ensemble(args.zkd, voters=3, name="logdiff", extra_cfg=CFG)
    return zkd_ensemble.run_checked([ens], lambda: body(ens))


if __name__ == "__main__":
    sys.exit(main())
