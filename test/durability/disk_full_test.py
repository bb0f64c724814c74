#!/usr/bin/python3
"""Full disk: zkd's dataLogDir on a 2 MiB tmpfs that the test fills up.

  - while the log cannot grow, a write gets an error at once (the write caught in the failed
    batch: its connection is closed, CONNECTIONLOSS; later writes: NOTREADONLY), never a hang;
  - reads keep working on the same session;
  - zkd logs one line when writes stop;
  - after the filler file is removed, writes resume (one log line) and every acknowledged
    write is there, also after a restart; refused writes are not.

Needs root for mount; otherwise exits 77 (ctest: skipped) saying why.

    disk_full_test.py --zkd build/zkd
"""

import argparse
import errno
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_process  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import ConnectionLoss, NotReadOnlyCallError  # noqa: E402
from kazoo.handlers.threading import KazooTimeoutError  # noqa: E402

SKIP = 77
FILL_CHUNK = 64 * 1024
WRITES_UNTIL_FULL_MAX = 5000
RESUME_WAIT_S = 60.0
# How long a refused write may take to be answered before it counts as a hang.
REPLY_WAIT_S = 30.0
PAYLOAD = b"x" * 1024


def mount_tmpfs(path):
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", path],
                       capture_output=True, text=True)
    return r.returncode == 0, (r.stderr or r.stdout).strip()


def fill(path):
    """Writes a file until the filesystem is full; returns its path."""
    filler = os.path.join(path, "filler")
    with open(filler, "wb") as f:
        chunk = b"\1" * FILL_CHUNK
        try:
            while True:
                f.write(chunk)
                f.flush()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    # Also take what a smaller write could still squeeze in.
    try:
        with open(filler, "ab") as f:
            while True:
                f.write(b"\1" * 512)
                f.flush()
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
    return filler


def wait_connected(zk, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if zk.connected:
            try:
                zk.exists("/")
                return
            except (ConnectionLoss, KazooTimeoutError):
                pass
        time.sleep(0.05)
    raise AssertionError("kazoo did not reconnect in %.0fs" % timeout_s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: mounting a tmpfs needs root (euid %d)" % os.geteuid(), flush=True)
        return SKIP
    work = zkd_process.WorkDir()
    mnt = work.path("tmpfs")
    ok, why = mount_tmpfs(mnt)
    if not ok:
        work.cleanup()
        print("SKIP: mount -t tmpfs not permitted here: %s" % why, flush=True)
        return SKIP
    z = zkd_process.Zkd(args.zkd, work.path("data"), data_log_dir=mnt,
                        cfg={"preAllocSize": 64, "snapCount": 1000000})

    def umount():
        subprocess.run(["umount", "-l", mnt], capture_output=True)

    with zkd_process.Run(z, work, cleanups=[umount]) as run:
        z.start()
        zk = run.client(KazooClient(hosts=z.hostport, timeout=30))
        zk.start(timeout=30)
        zk.create("/df", b"")
        acked = []
        for i in range(20):
            acked.append(zk.create("/df/n-", PAYLOAD, sequence=True))
        filler = fill(mnt)
        print("tmpfs full (filler %d bytes); %d creates acknowledged before"
              % (os.path.getsize(filler), len(acked)), flush=True)

        # Writes go on until the log needs its next preallocation step, then fail fast.
        first_error = None
        for i in range(WRITES_UNTIL_FULL_MAX):
            try:
                acked.append(zk.create("/df/n-", PAYLOAD, sequence=True))
            except (ConnectionLoss, NotReadOnlyCallError) as e:
                first_error = e
                break
        assert first_error is not None, "%d writes on a full disk all succeeded" % (
            WRITES_UNTIL_FULL_MAX)
        print("write %d after the disk filled up failed: %s" % (i, type(first_error).__name__),
              flush=True)
        wait_connected(zk)
        refused = 0
        for i in range(5):
            # The event awaited is zkd's answer; no answer within the generous wait is a hang.
            reply = zk.create_async("/df/n-", PAYLOAD, sequence=True)
            if not reply.wait(REPLY_WAIT_S):
                raise AssertionError(
                    "write %d on the full disk got no answer in %.0fs: zkd hangs writes instead "
                    "of refusing them" % (i, REPLY_WAIT_S))
            try:
                reply.get()
                raise AssertionError("a write succeeded while the disk is full")
            except NotReadOnlyCallError:
                refused += 1
        try:
            zk.set("/df", b"no")
            raise AssertionError("setData succeeded while the disk is full")
        except NotReadOnlyCallError:
            pass
        print("ok %d later writes answered with NOTREADONLY" % refused, flush=True)

        children = zk.get_children("/df")
        data, _ = zk.get(acked[0])
        assert data == PAYLOAD and len(children) == len(acked), (len(children), len(acked))
        print("ok reads served while writes are stopped (%d children)" % len(children),
              flush=True)
        stopped = [l for l in z.log_text().splitlines() if "writes stopped" in l]
        assert len(stopped) == 1, "want one 'writes stopped' line, got %r" % stopped
        print("zkd said: %s" % stopped[0].split("] ", 1)[-1], flush=True)

        os.unlink(filler)
        deadline = time.monotonic() + RESUME_WAIT_S
        while True:
            try:
                acked.append(zk.create("/df/n-", PAYLOAD, sequence=True))
                break
            except NotReadOnlyCallError:
                if time.monotonic() > deadline:
                    raise AssertionError("writes still refused %.0fs after the filler file was "
                                         "removed" % RESUME_WAIT_S)
                time.sleep(0.2)
        for _ in range(20):
            acked.append(zk.create("/df/n-", PAYLOAD, sequence=True))
        resumed = [l for l in z.log_text().splitlines() if "accepting writes" in l]
        assert len(resumed) == 1, resumed
        print("ok writes resumed: %s" % resumed[0].split("] ", 1)[-1], flush=True)

        zk.stop()
        zk.close()
        assert z.stop() == 0
        z.start()
        zk = run.client(KazooClient(hosts=z.hostport, timeout=30))
        zk.start(timeout=30)
        present = set("/df/" + c for c in zk.get_children("/df"))
        lost = [p for p in acked if p not in present]
        assert not lost, "acknowledged creates lost after restart: %s" % lost[:5]
        assert len(present) == len(acked), "unacknowledged creates appeared: %d vs %d" % (
            len(present), len(acked))
        print("ok after restart: all %d acknowledged creates, nothing else" % len(acked),
              flush=True)
        print("ok disk_full_test", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
