#!/usr/bin/python3
"""getChildren cost per child at 10k and 100k children, zkd vs Apache ZooKeeper 3.8.

    /usr/bin/python3 bench/children_cost.py --zkd build/zkd [--kinds zkd,apache]
        [--sizes 10000,100000] [--reps 200] [--rounds 1]

For each server kind in turn (never two at once) a standalone server is started through
test/integration/zkserver.py (forceSync=no: the creates only set the stage). One session
creates /wide and then PERSISTENT_SEQUENTIAL children /wide/n-0000000000… (pipelined, 1,000
requests in flight) until /wide has the first size, times getChildren(/wide) (one request in
flight, after a warm-up of a tenth as many; --reps at the largest size and proportionally more
at smaller ones), then grows /wide to the next size and times again. Prints the median and p90
round trip, the server's CPU time per call (all its threads, from /proc/<pid>/task/*/schedstat,
which a busy machine disturbs far less than the wall-clock round trip: a long reply is
preempted more often), both per child, the ratios largest / smallest size, and the server's RSS
growth per child created (Apache's figure is its JVM's RSS, heap included).

The client is a raw socket speaking ZooKeeper's wire format: it reads the reply frame into a
preallocated buffer and does not decode the names, so the time is the server's work plus the
copy through the socket, not a client library's parsing (kazoo takes far longer to decode 100k
strings than a server takes to write them). For closing notes, not a test: nothing is asserted.
"""

import argparse
import os
import socket
import statistics
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "integration"))
import zkserver  # noqa: E402

OP_CREATE = 1
OP_GET_CHILDREN = 8
SEQUENTIAL = 2
OPEN_ACL = struct.pack(">iii5si6s", 1, 31, 5, b"world", 6, b"anyone")
PIPELINE = 1000
SESSION_TIMEOUT_MS = 30000


class Conn:
    """One session over a raw socket; requests carry increasing xids."""

    def __init__(self, hostport):
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray(1 << 16)
        self.xid = 0
        req = struct.pack(">iqiqi16s?", 0, 0, SESSION_TIMEOUT_MS, 0, 16, bytes(16), False)
        self._send(req)
        self.recv_frame()

    def _send(self, body):
        self.sock.sendall(struct.pack(">i", len(body)) + body)

    def _recv_into(self, view):
        got = 0
        while got < len(view):
            n = self.sock.recv_into(view[got:])
            if n == 0:
                raise RuntimeError("server closed the connection")
            got += n

    def recv_frame(self):
        """Reads one reply frame into self.buf; returns its length."""
        head = memoryview(self.buf)[:4]
        self._recv_into(head)
        (length,) = struct.unpack(">i", head)
        if length > len(self.buf):
            self.buf = bytearray(length * 2)
        self._recv_into(memoryview(self.buf)[:length])
        return length

    def request(self, op, body):
        self.xid += 1
        self._send(struct.pack(">ii", self.xid, op) + body)

    def reply_err(self):
        return struct.unpack_from(">iqi", self.buf, 0)[2]

    def create(self, path, flags=0):
        p = path.encode()
        self.request(OP_CREATE, struct.pack(">i", len(p)) + p + struct.pack(">i", -1) +
                     OPEN_ACL + struct.pack(">i", flags))

    def get_children(self, path):
        p = path.encode()
        self.request(OP_GET_CHILDREN, struct.pack(">i", len(p)) + p + b"\0")


def grow(conn, parent, count):
    """Creates `count` sequential children of `parent`, PIPELINE requests in flight."""
    done = 0
    while done < count:
        batch = min(PIPELINE, count - done)
        for _ in range(batch):
            conn.create(parent + "/n-", SEQUENTIAL)
        for _ in range(batch):
            conn.recv_frame()
            if conn.reply_err() != 0:
                raise RuntimeError("create failed: error %d" % conn.reply_err())
        done += batch


def server_cpu_ns(pid):
    """CPU time of every thread of the server so far, in ns (/proc/<pid>/task/*/schedstat)."""
    total = 0
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            with open(os.path.join(task_dir, tid, "schedstat")) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # the thread ended meanwhile
    return total


def time_get_children(conn, path, reps, pid):
    """Round trips of getChildren(path) in µs, one in flight; the server's CPU µs per call;
    the reply's byte size."""
    samples = []
    size = 0
    for _ in range(max(1, reps // 10)):
        conn.get_children(path)
        conn.recv_frame()
    cpu0 = server_cpu_ns(pid)
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        conn.get_children(path)
        size = conn.recv_frame()
        samples.append((time.perf_counter_ns() - t0) / 1000.0)
        if conn.reply_err() != 0:
            raise RuntimeError("getChildren failed: error %d" % conn.reply_err())
    return samples, (server_cpu_ns(pid) - cpu0) / 1000.0 / reps, size


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_kind(kind, args, sizes):
    srv = zkserver.Server(kind, zkd_binary=args.zkd, extra_cfg={"forceSync": "no"}, quiet=True)
    rows = []
    with srv:
        conn = Conn(srv.hostport)
        conn.create("/wide")
        conn.recv_frame()
        have = 0
        rss0 = rss_kib(srv.proc.pid)
        for n in sizes:
            grow(conn, "/wide", n - have)
            have = n
            rss = rss_kib(srv.proc.pid)
            # As many children listed at every size: small sizes get more repetitions.
            reps = args.reps * sizes[-1] // n
            samples, cpu, size = time_get_children(conn, "/wide", reps, srv.proc.pid)
            samples.sort()
            med = statistics.median(samples)
            p90 = samples[int(len(samples) * 0.9)]
            rows.append((n, med, p90, cpu, size, (rss - rss0) * 1024.0 / n))
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zkd", default=os.path.join(HERE, "..", "build", "zkd"))
    ap.add_argument("--kinds", default="zkd,apache")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--reps", type=int, default=100,
                    help="repetitions at the largest size (a size k times smaller gets k times more)")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        sizes = sorted(int(s) for s in args.sizes.split(","))
    except ValueError:
        ap.error("--sizes: want increasing counts like 10000,100000, got %r" % args.sizes)
    kinds = [k for k in args.kinds.split(",") if k]
    if any(k not in ("zkd", "apache") for k in kinds):
        ap.error("--kinds: want zkd and/or apache, got %r" % args.kinds)
    if "zkd" in kinds and not os.path.exists(args.zkd):
        ap.error("--zkd: %s does not exist (build it: ninja -C build zkd)" % args.zkd)
    print("load average %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    for r in range(args.rounds):
        for kind in kinds:
            rows = one_kind(kind, args, sizes)
            for n, med, p90, cpu, size, rss_per in rows:
                print("round %d %-6s children %7d  getChildren p50 %8.1f us (%.4f us/child)  "
                      "p90 %8.1f us  server CPU %8.1f us (%.4f us/child)  reply %d B  "
                      "RSS +%.0f B/child"
                      % (r + 1, kind, n, med, med / n, p90, cpu, cpu / n, size, rss_per))
            lo, hi = rows[0], rows[-1]
            print("round %d %-6s per child at %d vs %d children: p50 %.2fx, server CPU %.2fx"
                  % (r + 1, kind, hi[0], lo[0], (hi[1] / hi[0]) / (lo[1] / lo[0]),
                     (hi[3] / hi[0]) / (lo[3] / lo[0])))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
