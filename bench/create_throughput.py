#!/usr/bin/python3
"""Pipelined create throughput, Apache ZooKeeper 3.8 vs zkd, in one run.

    /usr/bin/python3 bench/create_throughput.py --zkd build/zkd \\
        [--writer build/test/durability/create_writer] [--inflight 256] [--seconds 10] \\
        [--rounds 2] [--kinds apache,zkd] [--connections 1]

Each server is started in turn through test/integration/zkserver.py with the same zoo.cfg
(forceSync=yes, snapCount left at its default, the data directory on the same filesystem as
the system temp dir), then the Debian C client (libzookeeper_mt) in create_writer keeps
--inflight asynchronous zoo_acreate calls (PERSISTENT_SEQUENTIAL, 16 bytes) outstanding for
--seconds, after a short warm-up run. Servers alternate round by round and never run at the
same time. Prints the best and the median round per server, zkd/apache for both, and the CPU
time per acknowledged create of the server (all threads) and of the client process: on a small
machine the client library's own CPU caps the rate both servers can show, and the CPU per create
says how much of the machine each side needed for it.
For closing notes, not a test: nothing is asserted.
"""

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "integration"))
import zkserver  # noqa: E402

WARMUP_S = 2
WRITER_SLACK_S = 120


def cpu_seconds(pid):
    """User + system CPU of a process and all its threads so far (/proc/<pid>/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_writer(args, hostport, parent, seconds):
    cmd = [args.writer, hostport, parent, str(args.inflight), str(seconds),
           "--connections", str(args.connections)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + WRITER_SLACK_S)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    m = re.search(r"acked (\d+) failed (\d+) .* elapsed_s ([\d.]+) creates_per_s (\d+)", summary)
    if proc.returncode != 0 or not m:
        raise RuntimeError("writer failed (status %d): %s" % (proc.returncode, proc.stderr))
    if int(m.group(2)) != 0:
        raise RuntimeError("writer saw failed creates: %s" % summary)
    return int(m.group(1)), float(m.group(3)), float(m.group(4)), client_cpu


def one_round(kind, args, round_no):
    srv = zkserver.Server(kind, zkd_binary=args.zkd, quiet=True,
                          extra_cfg={"forceSync": "yes"})
    srv.start()
    try:
        run_writer(args, srv.hostport, "/warmup", WARMUP_S)
        cpu_before = cpu_seconds(srv.proc.pid)
        acked, elapsed, rate, client_cpu = run_writer(args, srv.hostport, "/bench",
                                                      args.seconds)
        cpu_us = (cpu_seconds(srv.proc.pid) - cpu_before) * 1e6 / max(acked, 1)
        client_us = client_cpu * 1e6 / max(acked, 1)
        print("  round %d %-6s %8d creates in %6.2f s = %9.0f creates/s, CPU per create: "
              "server %6.1f us, client %5.1f us" % (round_no, kind, acked, elapsed, rate, cpu_us,
                                                   client_us), flush=True)
        return rate, cpu_us
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zkd", required=True)
    ap.add_argument("--writer", default=None)
    ap.add_argument("--inflight", type=int, default=256)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--connections", type=int, default=1,
                    help="writer sessions, each with --inflight creates outstanding")
    ap.add_argument("--kinds", default="apache,zkd")
    args = ap.parse_args()
    if args.writer is None:
        args.writer = os.path.join(os.path.dirname(os.path.abspath(args.zkd)), "test",
                                   "durability", "create_writer")
    kinds = args.kinds.split(",")
    print("create throughput: C client, %d session(s) x %d async creates in flight, %.0f s per "
          "round, forceSync=yes, data in %s; %s, %d cpus" % (
              args.connections, args.inflight, args.seconds, os.environ.get("TMPDIR", "/tmp"),
              platform.platform(), os.cpu_count()), flush=True)
    rates = {kind: [] for kind in kinds}
    cpu = {kind: [] for kind in kinds}
    for r in range(args.rounds):
        for kind in kinds:
            try:
                rate, cpu_us = one_round(kind, args, r)
                rates[kind].append(rate)
                cpu[kind].append(cpu_us)
            except (zkserver.ServerError, RuntimeError, subprocess.TimeoutExpired) as e:
                print("  round %d %s: %s" % (r, kind, e), flush=True)
    print()
    print("%-8s %12s %12s %22s" % ("server", "best/s", "median/s", "server CPU us/create"))
    for kind in kinds:
        if rates[kind]:
            print("%-8s %12.0f %12.0f %22.1f" % (kind, max(rates[kind]),
                                                  statistics.median(rates[kind]),
                                                  statistics.median(cpu[kind])))
        else:
            print("%-8s %12s %12s %22s" % (kind, "n/a", "n/a", "n/a"))
    if rates.get("apache") and rates.get("zkd"):
        print("throughput zkd/apache: best %.2fx, median %.2fx" % (
            max(rates["zkd"]) / max(rates["apache"]),
            statistics.median(rates["zkd"]) / statistics.median(rates["apache"])))
        print("server CPU per create apache/zkd (medians): %.2fx" % (
            statistics.median(cpu["apache"]) / statistics.median(cpu["zkd"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
