#!/usr/bin/python3
"""Injected faults on copies of a real zkd data directory.

zkd (snapCount=200: a log roll and a fuzzy snapshot every 101 to 200 txns) takes 1000 creates and a
few setData; the session closes and zkd stops. Then, each on a fresh copy of those directories:
  truncated_tail   the newest log file cut in the middle of its last entry: zkd starts, logs one
                   line saying how many bytes were dropped, and has everything but that txn;
  flipped_byte     one byte flipped inside an entry that recovery must replay, with entries
                   after it: zkd refuses to start and names the file and the entry's offset;
  missing_log      a log file in the middle removed (and the snapshots that would let recovery
                   skip it): zkd refuses to start and names the missing file;
  empty_snapshot   the newest snapshot emptied: zkd starts from the previous snapshot and the
                   log, with the whole tree.

    fault_test.py --zkd build/zkd
"""

import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_process  # noqa: E402
from zkd_process import log_entries, zxid_files  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

NODES = 1000
CFG = {"snapCount": 200, "preAllocSize": 64}


def connect(hostport):
    zk = KazooClient(hosts=hostport, timeout=15)
    zk.start(timeout=30)
    return zk


def srvr_zxid(z):
    m = re.search(r"Zxid: (0x[0-9a-f]+)", z.four_letter_word("srvr"))
    return int(m.group(1), 16)


def tree_of(hostport):
    zk = connect(hostport)
    try:
        out = {}
        for name in zk.get_children("/f"):
            data, _ = zk.get("/f/" + name)
            out[name] = data
        return out
    finally:
        zk.stop()
        zk.close()


def make_real_data(binary, work):
    data, log = work.path("orig", "data"), work.path("orig", "log")
    z = zkd_process.Zkd(binary, data, data_log_dir=log, cfg=CFG)
    try:
        z.start()
        zk = connect(z.hostport)
        zk.create("/f", b"")
        for batch in range(0, NODES, 100):
            results = [zk.create_async("/f/n%04d" % i, b"v%d" % i)
                       for i in range(batch, batch + 100)]
            for r in results:
                r.get(timeout=30)
        for i in range(0, NODES, 97):
            zk.set("/f/n%04d" % i, b"changed")
        zk.stop()
        zk.close()
        expected = tree_of(z.hostport)
        zxid = srvr_zxid(z)
        assert z.stop() == 0
    finally:
        z.cleanup()
    logs = zxid_files(os.path.join(log, "version-2"), "log")
    snaps = zxid_files(os.path.join(data, "version-2"), "snapshot")
    print("real data: %d nodes, last zxid 0x%x, %d log files, %d snapshots"
          % (len(expected), zxid, len(logs), len(snaps)), flush=True)
    assert len(logs) >= 4 and len(snaps) >= 3, "expected several log files and snapshots"
    return data, log, expected, zxid


class Copy:
    def __init__(self, work, name, data, log):
        self.data = os.path.join(work.root, name, "data")
        self.log = os.path.join(work.root, name, "log")
        shutil.copytree(data, self.data)
        shutil.copytree(log, self.log)
        self.logs = zxid_files(os.path.join(self.log, "version-2"), "log")
        self.snaps = zxid_files(os.path.join(self.data, "version-2"), "snapshot")


def truncated_tail(binary, work, orig, expected, zxid):
    c = Copy(work, "truncated_tail", *orig)
    newest = c.logs[-1][1]
    off, length, last_zxid = log_entries(newest)[-1]
    assert last_zxid == zxid
    cut = off + 12 + length // 2
    os.truncate(newest, cut)
    z = zkd_process.Zkd(binary, c.data, data_log_dir=c.log, cfg=CFG)
    try:
        z.start()
        lines = [l for l in z.log_text().splitlines() if "bytes dropped" in l]
        assert len(lines) == 1, "want one torn-tail line, got %r" % lines
        m = re.search(r"(\d+) bytes dropped", lines[0])
        assert m and 0 < int(m.group(1)) <= cut - off, lines[0]
        assert os.path.basename(newest) in lines[0] and ("offset %d" % off) in lines[0], lines[0]
        got = srvr_zxid(z)
        assert got == zxid - 1, "zxid 0x%x after truncation, want 0x%x" % (got, zxid - 1)
        # The last txn was the closeSession: every node is still there.
        assert tree_of(z.hostport) == expected
        assert z.stop() == 0
    finally:
        z.cleanup()
    print("ok truncated_tail: %s" % lines[0].split("] ", 1)[-1], flush=True)


def refuses(binary, c, *needles):
    z = zkd_process.Zkd(binary, c.data, data_log_dir=c.log, cfg=CFG)
    try:
        rc, text = z.run_to_exit()
    finally:
        z.cleanup()
    assert rc is not None and rc != 0, "zkd did not refuse to start (status %s):\n%s" % (rc,
                                                                                         text)
    assert "serving standalone" not in text, text
    for n in needles:
        assert n in text, "%r not in zkd's output:\n%s" % (n, text)
    return [l for l in text.splitlines() if needles[0] in l][0]


def flipped_byte(binary, work, orig):
    c = Copy(work, "flipped_byte", *orig)
    newest_snap = c.snaps[-1][0]
    # An entry recovery must replay (after the newest snapshot's zxid), with entries after it.
    candidates = []
    for _, path in c.logs:
        for off, length, zx in log_entries(path):
            if zx > newest_snap + 1:
                candidates.append((path, off, length, zx))
    assert len(candidates) >= 3, "not enough entries after the newest snapshot"
    path, off, length, zx = candidates[len(candidates) // 2]
    with open(path, "r+b") as f:
        f.seek(off + 12 + length // 2)
        b = f.read(1)
        f.seek(off + 12 + length // 2)
        f.write(bytes([b[0] ^ 0x5A]))
    line = refuses(binary, c, path, "at offset %d" % off)
    print("ok flipped_byte: %s" % line.strip(), flush=True)


def missing_log(binary, work, orig):
    c = Copy(work, "missing_log", *orig)
    victim_zxid, victim = c.logs[len(c.logs) // 2]
    os.unlink(victim)
    # Snapshots at or after the missing file's start would let recovery skip it legitimately.
    for zx, path in c.snaps:
        if zx >= victim_zxid - 1:
            os.unlink(path)
    line = refuses(binary, c, os.path.basename(victim))
    print("ok missing_log: %s" % line.strip(), flush=True)


def empty_snapshot(binary, work, orig, expected, zxid):
    c = Copy(work, "empty_snapshot", *orig)
    newest = c.snaps[-1][1]
    open(newest, "w").close()
    z = zkd_process.Zkd(binary, c.data, data_log_dir=c.log, cfg=CFG)
    try:
        z.start()
        text = z.log_text()
        assert "skipping snapshot" in text and os.path.basename(newest) in text, text
        assert ("snapshot " + c.snaps[-2][1]) in text, "did not use the previous snapshot"
        assert srvr_zxid(z) == zxid
        assert tree_of(z.hostport) == expected
        assert z.stop() == 0
    finally:
        z.cleanup()
    print("ok empty_snapshot: fell back to %s" % os.path.basename(c.snaps[-2][1]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    work = zkd_process.WorkDir()
    try:
        data, log, expected, zxid = make_real_data(args.zkd, work)
        orig = (data, log)
        truncated_tail(args.zkd, work, orig, expected, zxid)
        flipped_byte(args.zkd, work, orig)
        missing_log(args.zkd, work, orig)
        empty_snapshot(args.zkd, work, orig, expected, zxid)
        print("ok fault_test", flush=True)
        return 0
    finally:
        work.cleanup()


if __name__ == "__main__":
    sys.exit(main())
