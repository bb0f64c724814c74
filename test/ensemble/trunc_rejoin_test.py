#!/usr/bin/python3
"""An old leader with a proposal nobody else logged rejoins by TRUNC, with real zkd processes.

3 voters. A few writes through the leader (committed). Both followers are paused (SIGSTOP):
the leader logs one more create that no follower reads, and cannot commit it. Then everyone is
killed (SIGKILL; the followers still paused, so the proposal stays unread in their sockets).
The two followers restart and elect a new leader in a higher epoch, without that create; the
old leader restarts (its recovery applies its whole log, the create included) and rejoins
before any new write. Must hold:
  - the new leader's log says it synced the old leader by TRUNC (to its last committed zxid),
    and the old leader's log says it cut its history and rebuilt its state;
  - the create is on no member; every member has every acknowledged write; a write after the
    rejoin reaches all three;
  - every member ends with the same tree digest (every znode's path, data and stat, read after
    a sync through each member's own session).

    trunc_rejoin_test.py --zkd build/zkd
"""

import argparse
import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_ensemble  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

PARENT = "/trunc"
LOST = PARENT + "/never-committed"


def client(ens, sid):
    zk = KazooClient(hosts=ens.hostport(sid), timeout=10)
    zk.start(timeout=30)
    return zk


def tree_digest(ens, sid):
    """sha256 over every znode (path, data, czxid, mzxid, pzxid, versions) in sorted order."""
    zk = client(ens, sid)
    try:
        zk.sync("/")
        h = hashlib.sha256()
        todo = ["/"]
        count = 0
        while todo:
            path = todo.pop()
            data, st = zk.get(path)
            h.update(("%s|%r|%d|%d|%d|%d|%d|%d\n" % (
                path, data, st.czxid, st.mzxid, st.pzxid, st.version, st.cversion,
                st.aversion)).encode())
            count += 1
            for child in sorted(zk.get_children(path), reverse=True):
                todo.append(path.rstrip("/") + "/" + child)
        return h.hexdigest(), count
    finally:
        zk.stop()
        zk.close()


def wait_logged(ens, sid, pattern, what):
    ens.wait_until(lambda: re.search(pattern, ens.log_text(sid)), what)
    return re.search(pattern, ens.log_text(sid)).group(0)


def body(ens):
    ens.start_all()
    old = ens.leader()
    followers = [sid for sid in ens.members if sid != old]
    acked = []
    # One session for all of it, so that the last committed txn before the lost one is a
    # create that every member must show (not a session's open or close).
    lone = client(ens, old)
    lone.ensure_path(PARENT)
    for i in range(5):
        acked.append(lone.create(PARENT + "/n-", b"committed %d" % i, sequence=True))
    print("leader %d; %d writes acknowledged" % (old, len(acked)), flush=True)

    # One create that only the leader logs: the followers are paused, so it cannot commit.
    for sid in followers:
        ens.pause(sid)
    pending = lone.create_async(LOST, b"only on the old leader")
    time.sleep(1.0)  # the leader logs and syncs it at once (group commit); not asserted on
    for sid in ens.members:
        ens.kill9(sid)
    lone.stop()
    lone.close()
    if pending.successful():
        ens.fail("the create was acknowledged with both followers paused")

    for sid in followers:
        ens.start(sid)
    ens.wait_serving(followers)
    new = ens.leader()
    print("new leader %d without the old leader" % new, flush=True)
    ens.start(old)
    ens.wait_serving()

    synced = wait_logged(ens, new, r"synced sid %d by \w+[^\n]*" % old,
                         "the new leader logs how it synced %d" % old)
    print("new leader: %s" % synced, flush=True)
    if "by TRUNC" not in synced:
        ens.fail("the old leader was not synced by TRUNC: %s" % synced)
    cut = wait_logged(ens, old, r"TRUNC: the leader cut our history[^\n]*",
                      "the old leader logs its TRUNC")
    print("old leader: %s" % cut, flush=True)

    zk = client(ens, new)
    acked.append(zk.create(PARENT + "/n-", b"after the rejoin", sequence=True))
    zk.stop()
    zk.close()

    digests = {}
    for sid in ens.members:
        zk = client(ens, sid)
        try:
            zk.sync(PARENT)
            if zk.exists(LOST):
                ens.fail("member %d has %s, which was never committed" % (sid, LOST))
            for path in acked:
                if not zk.exists(path):
                    ens.fail("member %d lost the acknowledged %s" % (sid, path))
        finally:
            zk.stop()
            zk.close()
        digests[sid] = tree_digest(ens, sid)
    print("tree digests: %s" % {sid: "%s (%d znodes)" % (d[:12], n)
                                for sid, (d, n) in digests.items()}, flush=True)
    if len({d for d, _ in digests.values()}) != 1:
        ens.fail("the members' trees differ: %s" % digests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    ens = zkd_ensemble.Ensemble(args.zkd, voters=3, name="trunc")
    return zkd_ensemble.run_checked([ens], lambda: body(ens))


if __name__ == "__main__":
    sys.exit(main())
