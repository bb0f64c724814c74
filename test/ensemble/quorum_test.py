#!/usr/bin/python3
"""Quorum loss and observers with real zkd processes, checked through srvr and real clients.

--case observer   2 voters + 1 observer. srvr says "Mode: observer" on the observer and every
                  member's four-letter words match its role (four_letter_check); writes go
                  through the observer. Twice — first the follower voter, then the leading
                  one: SIGKILL it → the remaining voter and the observer both answer srvr with
                  "This ZooKeeper instance is not currently serving requests", refuse a new
                  session (the connection closes without a ConnectResponse) and still answer
                  ruok; restart it → service resumes, the observer observes again and writes
                  through it work. The observer's Mode is never "leader" at any poll.
--case followers  3 voters. SIGKILL both followers → the leader stops serving (same srvr text,
                  sessions refused); start one → the two serve again and a write through each
                  works; start the other → all three have every write.

    quorum_test.py --zkd build/zkd --case observer|followers
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import four_letter_check  # noqa: E402
import zkd_ensemble  # noqa: E402
from zkd_ensemble import NOT_SERVING  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

PARENT = "/quorum"


class Test:
    def __init__(self, ens):
        self.ens = ens
        self.written = {}  # path -> data, every write acknowledged so far

    def client(self, sid):
        zk = KazooClient(hosts=self.ens.hostport(sid), timeout=10)
        zk.start(timeout=30)
        return zk

    def write_through(self, sid, tag):
        zk = self.client(sid)
        try:
            zk.ensure_path(PARENT)
            path = zk.create(PARENT + "/%s-" % tag, tag.encode(), sequence=True)
            self.written[path] = tag.encode()
        finally:
            zk.stop()
            zk.close()

    def check_data(self, what):
        for sid in self.ens.running():
            zk = self.client(sid)
            try:
                zk.sync(PARENT)
                for path, data in self.written.items():
                    got = zk.get(path)[0] if zk.exists(path) else None
                    if got != data:
                        self.ens.fail("%s: member %d has %r at %s, expected %r"
                                      % (what, sid, got, path, data))
            finally:
                zk.stop()
                zk.close()

    def check_roles(self, what):
        last = []

        def fine():
            last[:] = four_letter_check.problems(self.ens)
            return not last
        try:
            self.ens.wait_until(fine, "%s: four-letter words match the roles" % what)
        except AssertionError:
            sys.stderr.write("\n".join(last) + "\n")
            raise
        bad = four_letter_check.config_znode_problems(self.ens, self.client)
        if bad:
            self.ens.fail("%s: %s" % (what, "; ".join(bad)))

    def wait_not_serving(self, sids, what, never_leader=()):
        def check():
            for sid in never_leader:
                if self.ens.mode(sid) == "leader":
                    self.ens.fail("%s: observer %d says Mode: leader" % (what, sid))
            return all(self.ens.srvr(sid) == NOT_SERVING for sid in sids)
        self.ens.wait_until(check, "%s: %s answer srvr with the not-serving line" % (what, sids))
        for sid in sids:
            for word in ("stat", "mntr", "conf"):
                text = self.ens.word(sid, word)
                if text != NOT_SERVING:
                    self.ens.fail("%s: member %d answers %s with %r" % (what, sid, word, text))
            if self.ens.word(sid, "ruok") != "imok":
                self.ens.fail("%s: member %d does not answer ruok" % (what, sid))
            answer = self.ens.session_answer(sid)
            if answer != "refused":
                self.ens.fail("%s: member %d: a new session was %s" % (what, sid, answer))
        print("%s: %s not serving, sessions refused" % (what, sids), flush=True)


def case_observer(t):
    ens = t.ens
    observer = 3
    ens.start_all()
    t.check_roles("start")
    if ens.mode(observer) != "observer":
        ens.fail("member %d answers Mode %s" % (observer, ens.mode(observer)))
    t.write_through(observer, "start")
    t.check_data("start")
    for r, victim_role in enumerate(("follower", "leader")):
        leader = ens.leader()
        victim = leader if victim_role == "leader" else [s for s in (1, 2) if s != leader][0]
        ens.kill9(victim)
        what = "round %d (killed %s %d)" % (r, victim_role, victim)
        print("%s" % what, flush=True)
        rest = [s for s in ens.running()]
        t.wait_not_serving(rest, what, never_leader=[observer])
        ens.start(victim)

        def back():
            if ens.mode(observer) == "leader":
                ens.fail("%s: observer %d says Mode: leader" % (what, observer))
            return ens.is_serving(list(ens.members))
        ens.wait_until(back, "%s: service resumes after the restart" % what)
        print("%s: serving again, leader %d" % (what, ens.leader()), flush=True)
        t.check_roles(what)
        t.write_through(observer, "round%d" % r)
        t.check_data(what)


def case_followers(t):
    ens = t.ens
    ens.start_all()
    t.check_roles("start")
    leader = ens.leader()
    t.write_through(leader, "start")
    followers = ens.followers()
    for sid in followers:
        ens.kill9(sid)
    t.wait_not_serving([leader], "killed followers %s" % followers)
    ens.start(followers[0])
    ens.wait_serving()
    print("started %d: member %d leads" % (followers[0], ens.leader()), flush=True)
    for sid in ens.running():
        t.write_through(sid, "two%d" % sid)
    t.check_data("two members")
    ens.start(followers[1])
    ens.wait_until(lambda: ens.is_serving(list(ens.members)), "all three serve")
    t.check_roles("all three again")
    t.write_through(followers[1], "three")
    t.check_data("all three again")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    ap.add_argument("--case", required=True, choices=("observer", "followers"))
    args = ap.parse_args()
    if args.case == "observer":
        ens = zkd_ensemble.Ensemble(args.zkd, voters=2, observers=1, name="observer")
    else:
        ens = zkd_ensemble.Ensemble(args.zkd, voters=3, name="followers")
    t = Test(ens)

    def body():
        (case_observer if args.case == "observer" else case_followers)(t)
        print("ok: %d writes on every member" % len(t.written), flush=True)
    return zkd_ensemble.run_checked([ens], body)


if __name__ == "__main__":
    sys.exit(main())
