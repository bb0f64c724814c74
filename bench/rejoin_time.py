#!/usr/bin/python3
"""How long a follower that missed writes takes to rejoin a big tree, and how it was synced.

    /usr/bin/python3 bench/rejoin_time.py --binary build/pseudo-cluster [--engines zkd,apache]
        [--znodes 1000000] [--missed 1000] [--rounds 1] [--fault stop|pause] [--json]

For each engine in turn (never two at once): `pseudo-cluster up 3 -d` in a temp
$PSEUDO_CLUSTER_HOME on free base ports; one raw-socket session creates --znodes znodes of 100
bytes (1,000 per parent, 1,000 requests in flight) through the leader; a follower is stopped
(`pseudo-cluster stop`, SIGTERM), --missed more znodes are created, and the follower is started
again (`pseudo-cluster start`); or, with --fault pause, paused (SIGSTOP) until the leader has
dropped it and resumed after the writes: the same process rejoins, with no recovery. Measured:
  total_ms  from `start` (`resume`) until the follower answers a new session with the last znode created
            (process start and its own recovery of the tree from disk included);
  sync_ms   from its election's end (the FOLLOWING line of its log) to serving (zkd: its
            "serving" line; Apache: "Learner received UPTODATE"), timestamps of its own log;
  how       how the leader brought it up: DIFF, TRUNC or SNAP (zkd: the leader's "synced sid N
            by ..." line; Apache: the follower's "Getting a diff / snapshot / Truncating" line).
For the closing notes, not a test: nothing is asserted.
"""

import argparse
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from children_cost import Conn  # noqa: E402  (a raw-socket session)
sys.path.insert(0, os.path.join(HERE, "..", "test", "supervisor"))
from supervisor_test import pick_bases  # noqa: E402  (the tests' free port ranges)

OP_CREATE = 1
OP_GET_DATA = 4
OPEN_ACL = struct.pack(">iii5si6s", 1, 31, 5, b"world", 6, b"anyone")
PIPELINE = 1000
PER_PARENT = 1000
VALUE = b"v" * 100


def create(conn, path, data=b""):
    p = path.encode()
    conn.request(OP_CREATE, struct.pack(">i", len(p)) + p + struct.pack(">i", len(data)) + data +
                 OPEN_ACL + struct.pack(">i", 0))


def get_data(conn, path):
    p = path.encode()
    conn.request(OP_GET_DATA, struct.pack(">i", len(p)) + p + b"\0")


NODE_EXISTS = -110


def create_all(conn, paths, data):
    """Creates every path, PIPELINE requests in flight; every reply must be OK. A batch cut off
    by a closed connection is sent again on a new session (NODEEXISTS then counts as done);
    returns the session in use."""
    i = 0
    retried = False
    while i < len(paths):
        batch = paths[i:i + PIPELINE]
        try:
            for path in batch:
                create(conn, path, data)
            for path in batch:
                conn.recv_frame()
                err = conn.reply_err()
                if err != 0 and not (retried and err == NODE_EXISTS):
                    raise ValueError("create %s failed: error %d" % (path, err))
        except (OSError, RuntimeError) as e:
            print("  session lost (%s): again on a new one" % e, flush=True)
            conn.sock.close()
            hostport = conn.hostport
            conn = Conn(hostport)
            conn.hostport = hostport
            conn.sock.settimeout(120)
            retried = True
            continue
        i += PIPELINE
    return conn


def znode_paths(first, count):
    return ["/rj/p%04d/n%04d" % divmod(i, PER_PARENT) for i in range(first, first + count)]


class Cluster:
    def __init__(self, binary, engine):
        self.binary = binary
        self.engine = engine
        self.home = tempfile.mkdtemp(prefix="pc-rejoin-")
        self.env = dict(os.environ, PSEUDO_CLUSTER_HOME=self.home)
        self.bases = None

    def pc(self, *args, timeout=600):
        proc = subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError("pseudo-cluster %s: %s%s" % (" ".join(args), proc.stdout,
                                                            proc.stderr))
        return proc

    def up(self):
        self.bases = pick_bases(3)
        # Apache's stock JVM (Java's default heap, as zkServer.sh): the tuned small heap does
        # not hold a million znodes.
        jvm = ["--apache-jvm", "stock"] if self.engine == "apache" else []
        self.pc("up", "3", "--engine", self.engine, "-d", "--base-ports",
                ",".join(map(str, self.bases)), "--timeout", "180", *jvm)

    def status(self):
        return json.loads(self.pc("status", "--json").stdout)

    def roles(self):
        return {n["id"]: n["role"] for n in self.status()["nodes"]}

    def hostport(self, sid):
        return "127.0.0.1:%d" % (self.bases[0] + sid - 1)

    def log_path(self, sid):
        found = sorted(glob.glob(os.path.join(self.home, "**", "node%d" % sid, "logs", "*"),
                                 recursive=True))
        return found[0] if found else None

    def log_text(self, sid):
        path = self.log_path(sid)
        if not path:
            return ""
        with open(path, errors="replace") as f:
            return f.read()

    def down(self):
        try:
            self.pc("down", timeout=120)
        finally:
            shutil.rmtree(self.home, ignore_errors=True)


def serves(hostport, path):
    """True if a new session on hostport sees `path`."""
    try:
        conn = Conn(hostport)
    except (OSError, RuntimeError, struct.error):
        return False
    try:
        conn.sock.settimeout(5)
        get_data(conn, path)
        conn.recv_frame()
        return conn.reply_err() == 0
    except (OSError, RuntimeError, struct.error):
        return False
    finally:
        conn.sock.close()


STAMP = re.compile(r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.,]\d{3})")


def stamp_of(line):
    m = STAMP.search(line)
    if not m:
        return None
    return datetime.strptime(m.group(1).replace("T", " ").replace(",", "."),
                             "%Y-%m-%d %H:%M:%S.%f")


def last_line(text, pattern, after=0):
    found = None
    for line in text[after:].splitlines():
        if re.search(pattern, line):
            found = line
    return found


def sync_facts(cluster, follower, leader, log_from):
    """(how, sync_ms, detail) from the logs written since the restart."""
    f_text = cluster.log_text(follower)[log_from:]
    if cluster.engine == "zkd":
        line = last_line(cluster.log_text(leader), r"synced sid %d by" % follower)
        how = re.search(r"by (\w+)", line).group(1) if line else "?"
        if not line:  # a zkd from before the sync lines: a SNAP says so on the follower
            snap = re.search(r"state replaced by the leader's snapshot", f_text)
            how = "SNAP" if snap else "DIFF (no SNAP in the follower's log)"
        if line and re.search(r"\(\d+ from the log\)", line):
            how += " (from the log)"
        start = last_line(f_text, r"FOLLOWING - LEADER ELECTION TOOK")
        end = last_line(f_text, r"FOLLOWING in epoch .* serving")
    else:
        line = last_line(f_text, r"Getting a diff|Getting a snapshot|Truncating log")
        how = ("DIFF" if line and "diff" in line else "SNAP" if line and "snapshot" in line
               else "TRUNC" if line else "?")
        # The leader says when it read the learner's missing txns from its on-disk log.
        if how == "DIFF" and last_line(cluster.log_text(leader),
                                       r"Use txnlog and committedLog for peer sid: %d$" % follower):
            how = "DIFF (from the log)"
        start = last_line(f_text, r"FOLLOWING - LEADER ELECTION TOOK")
        end = last_line(f_text, r"Learner received UPTODATE")
    sync_ms = None
    if start and end and stamp_of(start) and stamp_of(end):
        sync_ms = (stamp_of(end) - stamp_of(start)).total_seconds() * 1000
    return how, sync_ms, (line or "").strip()


STOP = {"stop": "stop", "pause": "pause"}
START = {"stop": "start", "pause": "resume"}
PAUSE_S = 12.0  # past syncLimit (5 ticks of 2 s): the leader has dropped the follower


def run_engine(binary, engine, znodes, missed, rounds, fault):
    cluster = Cluster(binary, engine)
    out = []
    try:
        cluster.up()
        roles = cluster.roles()
        leader = next(i for i, r in roles.items() if r == "leader")
        conn = Conn(cluster.hostport(leader))
        conn.hostport = cluster.hostport(leader)
        conn.sock.settimeout(120)
        parents = (znodes + missed * rounds) // PER_PARENT + 1
        conn = create_all(conn, ["/rj"] + ["/rj/p%04d" % i for i in range(parents)], b"")
        t0 = time.monotonic()
        conn = create_all(conn, znode_paths(0, znodes), VALUE)
        create_s = time.monotonic() - t0
        print("%s: %d znodes created in %.1f s" % (engine, znodes, create_s), flush=True)
        done = znodes
        for r in range(rounds):
            follower = next(i for i, ro in cluster.roles().items() if ro == "follower")
            cluster.pc(STOP[fault], str(follower))
            if fault == "pause":
                # Long enough for the leader to drop it (syncLimit): it must rejoin.
                time.sleep(PAUSE_S)
            conn = create_all(conn, znode_paths(done, missed), VALUE)
            done += missed
            last = znode_paths(done - 1, 1)[0]
            log_from = len(cluster.log_text(follower))
            t0 = time.monotonic()
            cluster.pc(START[fault], str(follower))
            while not serves(cluster.hostport(follower), last):
                if time.monotonic() - t0 > 600:
                    raise RuntimeError("node%d never served %s" % (follower, last))
                time.sleep(0.005)
            total_ms = (time.monotonic() - t0) * 1000
            how, sync_ms, detail = sync_facts(cluster, follower, leader, log_from)
            row = {"engine": engine, "fault": fault, "znodes": znodes, "missed": missed,
                   "follower": follower,
                   "total_ms": round(total_ms), "sync_ms": sync_ms, "how": how,
                   "detail": detail, "create_s": round(create_s, 1)}
            out.append(row)
            print("%s: node%d (%s) rejoined after missing %d writes of %d znodes: %s; %.0f ms "
                  "from %s to serving the last write; sync (FOLLOWING -> serving) %s ms\n  %s" %
                  (engine, follower, STOP[fault], missed, done, how, total_ms, START[fault],
                   "%.0f" % sync_ms if sync_ms is not None else "?", detail), flush=True)
        conn.sock.close()
    except Exception:
        kept = tempfile.mkdtemp(prefix="pc-rejoin-failed-")
        for path in glob.glob(os.path.join(cluster.home, "**", "*.log"), recursive=True):
            shutil.copy(path, os.path.join(kept, os.path.relpath(path, cluster.home)
                                           .replace("/", "_")))
        print("the members' logs are kept in %s" % kept, flush=True)
        raise
    finally:
        cluster.down()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--engines", default="zkd")
    ap.add_argument("--znodes", type=int, default=1000000)
    ap.add_argument("--missed", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--fault", choices=["stop", "pause"], default="stop",
                    help="stop + start the follower (it recovers its tree from disk first), or "
                    "pause + resume it (SIGSTOP past syncLimit: the same process rejoins)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    for engine in args.engines.split(","):
        rows += run_engine(os.path.abspath(args.binary), engine, args.znodes, args.missed,
                           args.rounds, args.fault)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
