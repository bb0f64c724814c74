#!/usr/bin/python3
"""The ensemble's four-letter words side by side with Apache ZooKeeper 3.8's, live.

One zkd and one Apache ensemble of the same shape (2 voters + 1 observer, same tickTime and
limits) on 127.0.0.1. For the leader, the follower and the observer of each:
  - srvr and stat have the same lines (by label; values may differ) and the same Mode;
  - mntr's gauges (the lines up to zk_proposal_count, where the roles differ) are the same keys
    in the same order, with the same zk_server_state, zk_peer_state, zk_quorum_size and, on the
    leader, the same learner counts; an observer names its leader in zk_observer_master_id;
  - conf has the same keys, and its membership, like /zookeeper/config, is the layout's
    server.N=host:quorumPort:electionPort:participant|observer lines and version=0;
    /zookeeper/config's Stat is the same (version -1, as ZooKeeper writes it at start-up), its
    mtime the wall-clock time it was written.
Then the follower voter of each is killed: the leader and the observer of both engines must
answer srvr / stat / mntr / conf / ruok / isro with the same text.

    four_letter_apache_test.py --zkd build/zkd
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import four_letter_check  # noqa: E402
import zkd_ensemble  # noqa: E402
from zkd_ensemble import NOT_SERVING  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

EQUAL_VALUES = ("zk_server_state", "zk_peer_state", "zk_quorum_size", "zk_learners",
                "zk_synced_followers", "zk_synced_non_voting_followers", "zk_synced_observers",
                "zk_pending_syncs")


def labels(text):
    """The label of each line ("Mode", "Zxid", ...), client lines of stat left out."""
    return [line.split(":", 1)[0] for line in text.splitlines() if not line.startswith(" /")]


def gauges(text):
    out = []
    for line in text.splitlines():
        key, _, value = line.partition("\t")
        out.append((key, value))
        if key == "zk_proposal_count":
            break
    return out


def conf_keys(text):
    head = text.split("membership: \n", 1)[0]
    return [line.split("=", 1)[0] for line in head.splitlines()]


def roles(ens):
    leader = ens.leader()
    follower = [s for s in ens.followers()][0]
    observer = [s for s, m in ens.members.items() if m.observer][0]
    return {"leader": leader, "follower": follower, "observer": observer}


def compare_role(role, z, zs, a, as_, problems):
    zw = {w: z.word(zs, w) or "" for w in ("srvr", "stat", "mntr", "conf")}
    aw = {w: a.word(as_, w) or "" for w in ("srvr", "stat", "mntr", "conf")}
    for w in ("srvr", "stat"):
        if labels(zw[w]) != labels(aw[w]):
            problems.append("%s %s lines: zkd %s, apache %s" % (role, w, labels(zw[w]),
                                                               labels(aw[w])))
        if "\nMode: %s\n" % role not in zw[w] or "\nMode: %s\n" % role not in aw[w]:
            problems.append("%s %s: Mode differs" % (role, w))
    zg, ag = gauges(zw["mntr"]), gauges(aw["mntr"])
    if [k for k, _ in zg] != [k for k, _ in ag]:
        problems.append("%s mntr gauges: zkd %s\napache %s" % (role, [k for k, _ in zg],
                                                               [k for k, _ in ag]))
    zd, ad = dict(zg), dict(ag)
    for k in EQUAL_VALUES:
        if zd.get(k) != ad.get(k):
            problems.append("%s mntr %s: zkd %r, apache %r" % (role, k, zd.get(k), ad.get(k)))
    if role == "observer":
        if zd.get("zk_observer_master_id") != str(z.leader()):
            problems.append("zkd observer_master_id %r" % zd.get("zk_observer_master_id"))
        if ad.get("zk_observer_master_id") != str(a.leader()):
            problems.append("apache observer_master_id %r" % ad.get("zk_observer_master_id"))
    if conf_keys(zw["conf"]) != conf_keys(aw["conf"]):
        problems.append("%s conf keys: zkd %s, apache %s" % (role, conf_keys(zw["conf"]),
                                                             conf_keys(aw["conf"])))
    for name, ens, text in (("zkd", z, zw["conf"]), ("apache", a, aw["conf"])):
        if not text.endswith("membership: \n" + four_letter_check.membership(ens)):
            problems.append("%s %s conf membership: %r" % (name, role, text))


def config_znode(ens, sid):
    """(text, Stat) of /zookeeper/config on one member."""
    zk = KazooClient(hosts=ens.hostport(sid), timeout=10)
    zk.start(timeout=60)
    try:
        data, stat = zk.get("/zookeeper/config")
        return data.decode(), stat
    finally:
        zk.stop()
        zk.close()


# Stat fields of /zookeeper/config that must be equal on both engines; the times must be the
# wall-clock time the member wrote the node (not 0), which differs from run to run.
CONFIG_STAT_EQUAL = ("czxid", "mzxid", "pzxid", "version", "cversion", "aversion",
                     "ephemeralOwner", "dataLength", "numChildren")


def config_stat_problems(name, sid, stat, reference, started_ms):
    out = []
    for field in CONFIG_STAT_EQUAL:
        if getattr(stat, field) != getattr(reference, field):
            out.append("%s member %d /zookeeper/config %s %r, apache %r" % (
                name, sid, field, getattr(stat, field), getattr(reference, field)))
    if not started_ms - 60000 <= stat.mtime <= time.time() * 1000 + 60000:
        out.append("%s member %d /zookeeper/config mtime %d is not the time it was written"
                   % (name, sid, stat.mtime))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    shape = dict(voters=2, observers=1)
    z = zkd_ensemble.Ensemble(args.zkd, name="4lw-zkd", **shape)
    a = zkd_ensemble.Ensemble(None, name="4lw-apache", engine="apache", **shape)
    started_ms = time.time() * 1000
    try:
        a.start_all()
        z.start_all()
        zr, ar = roles(z), roles(a)
        problems = []
        for role in ("leader", "follower", "observer"):
            compare_role(role, z, zr[role], a, ar[role], problems)
        reference = None
        for name, ens in (("apache", a), ("zkd", z)):
            for sid in ens.members:
                got, stat = config_znode(ens, sid)
                if got != four_letter_check.membership(ens):
                    problems.append("%s member %d /zookeeper/config %r" % (name, sid, got))
                reference = reference or stat
                problems += config_stat_problems(name, sid, stat, reference, started_ms)
        if problems:
            z.fail("serving ensembles differ:\n" + "\n".join(problems))
        print("serving: srvr / stat / mntr gauges / conf / /zookeeper/config agree for leader, "
              "follower and observer", flush=True)

        z.kill9(zr["follower"])
        a.kill9(ar["follower"])
        for ens, r in ((z, zr), (a, ar)):
            rest = [r["leader"], r["observer"]]
            ens.wait_until(lambda: all(ens.srvr(s) == NOT_SERVING for s in rest),
                           "%s stops serving" % ens.engine)
        for word in ("srvr", "stat", "mntr", "conf", "ruok", "isro"):
            for role in ("leader", "observer"):
                zt, at = z.word(zr[role], word), a.word(ar[role], word)
                if zt != at:
                    problems.append("not serving, %s %s: zkd %r, apache %r" % (role, word, zt,
                                                                               at))
        if problems:
            z.fail("\n".join(problems))
        print("quorum lost: the same texts on both engines", flush=True)
    except AssertionError as e:
        z.failed = a.failed = True
        print("FAIL: %s" % e, flush=True)
        return 1
    finally:
        z.cleanup()
        a.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
