#!/usr/bin/python3
"""Snapshots taken while writes continue are complete, exact and recoverable (issue 18 §2).

A 3-member zkd ensemble with a small snapCount, so that every member writes several snapshots
while a C client keeps 64 sequential creates in flight. Then:
  - every snapshot file a member wrote meanwhile is read here, by this file's own reader of the
    format: its seal and checksum hold, it is exact at the zxid in its name (end zxid = zxid),
    and /snap's children in it are n-0000000000 .. n-<k-1> with /snap's stored cversion and
    pzxid matching them: the state at one moment, not a walk that saw later creates (a member
    now writes its snapshot from a fork()ed copy of its tree);
  - the whole ensemble is killed with SIGKILL and started again: each member says it recovered
    from one of those snapshots, and the tree holds every acknowledged create, contiguous.

    ensemble_snapshot_test.py --zkd build/zkd --writer build/test/durability/create_writer
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ensemble"))
import zkd_ensemble  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

PARENT = "/snap"
INFLIGHT = 64
WRITE_S = 2          # the writer's run; each member rolls every 1,000-2,000 txns
SNAP_COUNT = 2000
SNAPSHOT_WRITTEN = re.compile(r"snapshot at zxid 0x([0-9a-f]+) written")
RECOVERED = re.compile(r"recovered zxid 0x[0-9a-f]+: snapshot (\S+) ")


class Reader:
    """Big-endian jute fields over bytes."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise AssertionError("truncated at offset %d" % self.at)
        b = self.data[self.at:self.at + n]
        self.at += n
        return b

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def long(self):
        return struct.unpack(">q", self.take(8))[0]

    def buffer(self):
        n = self.int()
        return None if n < 0 else self.take(n)


def read_snapshot(path):
    """(nodes {path: (cversion, pzxid, czxid)}, zxid from the name, end zxid)."""
    with open(path, "rb") as f:
        data = f.read()
    body, seal = data[:-13], data[-13:]
    if seal[8:] != b"\x00\x00\x00\x01/":
        raise AssertionError("%s: no seal at the end" % path)
    if struct.unpack(">q", seal[:8])[0] != zlib.adler32(body):
        raise AssertionError("%s: bad checksum" % path)
    r = Reader(body)
    if r.int() != 0x5A4B534E or r.int() != 2:
        raise AssertionError("%s: bad header" % path)
    r.long()  # dbid
    for _ in range(r.int()):  # sessions
        r.long(), r.int()
    for _ in range(r.int()):  # ACL cache
        r.long()
        for _ in range(r.int()):
            r.int(), r.buffer(), r.buffer()
    nodes = {}
    while True:
        p = r.buffer()
        if p == b"/":
            break
        r.buffer(), r.long()  # data, aclRef
        czxid, _mzxid, _ctime, _mtime = r.long(), r.long(), r.long(), r.long()
        _version, cversion, _aversion = r.int(), r.int(), r.int()
        _owner, pzxid = r.long(), r.long()
        nodes[p.decode() or "/"] = (cversion, pzxid, czxid)
    end_zxid = r.long()
    if r.at != len(body):
        raise AssertionError("%s: bytes after the trailer" % path)
    return nodes, int(path.rsplit(".", 1)[1], 16), end_zxid


def check_exact(path):
    """The snapshot is one moment of /snap: returns how many children it holds."""
    nodes, zxid, end_zxid = read_snapshot(path)
    if end_zxid != zxid:
        raise AssertionError("%s: fuzzy (end zxid %x after %x), not one moment"
                             % (path, end_zxid, zxid))
    prefix = PARENT + "/"
    kids = {p[len(prefix):]: v for p, v in nodes.items() if p.startswith(prefix)}
    if PARENT not in nodes:
        return 0
    cversion, pzxid, _ = nodes[PARENT]
    expected = {"n-%010d" % i for i in range(len(kids))}
    if set(kids) != expected or cversion != len(kids):
        raise AssertionError("%s: %d children of %s but its cversion says %d created (or they "
                             "are not contiguous): the walk saw creates after the zxid"
                             % (path, len(kids), PARENT, cversion))
    if kids and pzxid != max(c for _, _, c in kids.values()):
        raise AssertionError("%s: %s pzxid %x is not its last child's czxid" % (path, PARENT,
                                                                               pzxid))
    if any(c > zxid for _, _, c in kids.values()):
        raise AssertionError("%s: holds a create after its zxid" % path)
    return len(kids)


def check_tree(hostport, acked):
    zk = KazooClient(hosts=hostport, timeout=15)
    zk.start(timeout=30)
    try:
        zk.sync(PARENT)  # a follower answers after it has what the leader committed
        children, _ = zk.get_children(PARENT, include_data=True)
    finally:
        zk.stop()
        zk.close()
    present = set(children)
    missing = [p for p in acked if p.rsplit("/", 1)[1] not in present]
    if missing:
        raise AssertionError("%d acknowledged creates lost, first %s" % (len(missing),
                                                                         missing[:3]))
    if present != {"n-%010d" % i for i in range(len(children))}:
        raise AssertionError("children of %s are not contiguous" % PARENT)
    return len(children)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    ap.add_argument("--writer", required=True)
    args = ap.parse_args()
    ens = zkd_ensemble.Ensemble(args.zkd, voters=3, extra_cfg={"snapCount": SNAP_COUNT},
                                name="snapshot")

    def body():
        ens.start_all()
        writer = subprocess.run([args.writer, ens.hostport(ens.leader()), PARENT, str(INFLIGHT),
                                 str(WRITE_S), "--print-acks"],
                                capture_output=True, timeout=WRITE_S + 60)
        acked = [line.split(" ", 1)[1] for line in writer.stdout.decode().splitlines()
                 if line.startswith("ack ")]
        print("writer: %s" % writer.stderr.decode().strip().splitlines()[-1:], flush=True)
        if not acked:
            raise AssertionError("no create was acknowledged")
        ens.wait_until(lambda: all(SNAPSHOT_WRITTEN.search(ens.log_text(s)) for s in ens.members),
                       what="every member logs a snapshot written")
        # Killed before the files are read: a snapshot still being written is cut short (its
        # temp file is never read) and each data directory is final.
        for sid in ens.members:
            ens.kill9(sid)
        written = {}  # member -> zxids of the snapshot files it has (a child may have
        # renamed its file just before the kill, too late for the server to log it)
        for sid, m in ens.members.items():
            if not SNAPSHOT_WRITTEN.search(ens.log_text(sid)):
                raise AssertionError("member %d logged no snapshot written" % sid)
            vdir = os.path.join(m.data_dir, "version-2")
            zxids = sorted(int(n.split(".")[1], 16) for n in os.listdir(vdir)
                           if re.fullmatch(r"snapshot\.[0-9a-f]+", n))
            written[sid] = zxids
            sizes = [check_exact(os.path.join(vdir, "snapshot.%x" % z)) for z in zxids]
            print("member %d: %d snapshots written while the writer ran, /snap children in "
                  "each: %s" % (sid, len(zxids), sizes), flush=True)
            if not any(sizes):
                raise AssertionError("member %d: no snapshot holds any of the creates" % sid)
        ens.start_all()
        for sid in ens.members:
            found = RECOVERED.search(ens.log_text(sid))
            if not found:
                raise AssertionError("member %d does not say it recovered from a snapshot" % sid)
            used = int(found.group(1).rsplit(".", 1)[1], 16)
            if used not in written[sid]:
                raise AssertionError("member %d recovered from %s, not one it wrote during the "
                                     "writes" % (sid, found.group(1)))
            if "skipping snapshot" in ens.log_text(sid):
                raise AssertionError("member %d skipped a snapshot at recovery" % sid)
        counts = [check_tree(ens.hostport(sid), acked) for sid in ens.members]
        print("after kill -9 of all: every member recovered from its last snapshot; children on "
              "each member: %s, all %d acknowledged creates present" % (counts, len(acked)),
              flush=True)

    rc = zkd_ensemble.run_checked([ens], body)
    if rc == 0:
        print("ok ensemble_snapshot_test", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
