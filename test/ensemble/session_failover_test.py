#!/usr/bin/python3
"""A kazoo session held through a follower survives kill -9 of the leader.

A 3-member ensemble. kazoo connects to one follower only and creates an ephemeral node. Then, up
to two rounds (while that member is not the leader itself): SIGKILL the leader. The follower
leaves its role and drops its clients; once a new leader serves, kazoo must be CONNECTED again
to the same member with the same session id — never LOST — its ephemeral still there (with its
session as owner) on every member, and the session must still write: it creates a second
ephemeral, which every member sees too. The killed member restarts and rejoins, and sees both.
Finally the session closes and both ephemerals disappear from every member.

    session_failover_test.py --zkd build/zkd
"""

import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_ensemble  # noqa: E402

from kazoo.client import KazooClient, KazooState  # noqa: E402

PARENT = "/session-failover"
ROUNDS = 2


def owner_on(ens, sid, path):
    """The ephemeralOwner of path as member sid sees it after a sync, or None if absent."""
    zk = KazooClient(hosts=ens.hostport(sid), timeout=10)
    zk.start(timeout=30)
    try:
        zk.sync(path)
        st = zk.exists(path)
        return st.ephemeralOwner if st else None
    finally:
        zk.stop()
        zk.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    # A long session timeout: the test is about the session surviving, not about its timer.
    ens = zkd_ensemble.Ensemble(args.zkd, voters=3, name="session",
                                extra_cfg={"maxSessionTimeout": 30000})
    kz = None
    states = []
    lock = threading.Lock()
    try:
        leader = ens.start_all().leader()
        home = ens.followers()[0]
        print("leader %d; kazoo connects to follower %d only" % (leader, home), flush=True)
        kz = KazooClient(hosts=ens.hostport(home), timeout=20)

        def listener(state):
            with lock:
                states.append(state)
        kz.add_listener(listener)
        kz.start(timeout=30)
        session = kz.client_id[0]
        kz.ensure_path(PARENT)
        ephemerals = [kz.create(PARENT + "/e-", b"x", ephemeral=True, sequence=True)]
        print("session 0x%x holds %s" % (session, ephemerals), flush=True)

        for r in range(ROUNDS):
            leader = ens.leader()
            if leader == home:
                print("round %d: member %d now leads itself; stopping here" % (r, home))
                break
            with lock:
                seen = len(states)
            ens.kill9(leader)
            print("round %d: killed leader %d" % (r, leader), flush=True)
            new_leader = ens.wait_serving()
            ens.wait_until(lambda: kz.state == KazooState.CONNECTED and kz.connected,
                           "round %d: kazoo connected again" % r)
            with lock:
                after = states[seen:]
            print("round %d: member %d leads; kazoo states since the kill: %s"
                  % (r, new_leader, [str(s) for s in after]), flush=True)
            if KazooState.LOST in after:
                ens.fail("round %d: the session was lost" % r)
            if kz.client_id[0] != session:
                ens.fail("round %d: session 0x%x became 0x%x" % (r, session, kz.client_id[0]))
            # The session writes again, through the same follower.
            ephemerals.append(kz.create(PARENT + "/e-", b"x", ephemeral=True, sequence=True))
            for sid in ens.running():
                for path in ephemerals:
                    owner = owner_on(ens, sid, path)
                    if owner != session:
                        ens.fail("round %d: member %d: %s has owner %s, expected 0x%x"
                                 % (r, sid, path, owner, session))
            ens.start(leader)
            ens.wait_until(lambda: ens.is_serving(list(ens.members)),
                           "round %d: member %d rejoins" % (r, leader))
            for path in ephemerals:
                if owner_on(ens, leader, path) != session:
                    ens.fail("round %d: restarted member %d lacks %s" % (r, leader, path))
            if kz.state != KazooState.CONNECTED or kz.client_id[0] != session:
                ens.fail("round %d: session not connected after the rejoin" % r)

        kz.stop()
        kz.close()
        kz = None
        for sid in ens.members:
            for path in ephemerals:
                if owner_on(ens, sid, path) is not None:
                    ens.fail("member %d still has %s after the session closed" % (sid, path))
        print("ok: session 0x%x kept across the failovers; %d ephemerals on every member, "
              "gone after close" % (session, len(ephemerals)), flush=True)
    except AssertionError as e:
        ens.failed = True
        print("FAIL: %s" % e, flush=True)
        return 1
    finally:
        if kz is not None:
            kz.stop()
            kz.close()
        ens.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
