#!/usr/bin/python3
"""Apache ZooKeeper and zkd side by side under bench/latency_probe (C client, sync ops).

    /usr/bin/python3 bench/latency_probe.py --probe build/bench/latency_probe --zkd build/zkd
        [--iterations 2000] [--warmup 200] [--data-bytes 100] [--kinds apache,zkd]

Starts each server in turn through test/integration/zkserver.py (same zoo.cfg for both:
tickTime 2000, forceSync left at its default), runs the probe against it alone, stops it,
then prints p50 / p99 / max per op for both and the zkd/apache ratio. The servers never run
at the same time. A server that does not come up is reported and left out of the table.
This is for closing notes, not a test: nothing here is asserted.
"""

import argparse
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "integration"))
import zkserver  # noqa: E402

PROBE_TIMEOUT_S = 900
COLUMNS = ("p50_us", "p99_us", "max_us")


def run_probe(kind, args):
    """{op: {column: float}} for one server kind, or a string saying why not."""
    srv = zkserver.Server(kind, zkd_binary=args.zkd, quiet=True)
    try:
        srv.start()
    except (zkserver.ServerError, OSError) as e:
        return "%s did not start: %s" % (kind, e)
    try:
        cmd = [args.probe, srv.hostport, "--iterations", str(args.iterations),
               "--warmup", str(args.warmup), "--data-bytes", str(args.data_bytes)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
        sys.stderr.write(proc.stdout)
        if proc.returncode != 0:
            return "probe against %s failed (status %d): %s" % (kind, proc.returncode,
                                                               proc.stderr.strip())
    except subprocess.TimeoutExpired:
        return "probe against %s did not finish within %ds" % (kind, PROBE_TIMEOUT_S)
    finally:
        srv.stop()
    rows = {}
    header = None
    for line in proc.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split()
        if fields[0] == "op":
            header = fields
            continue
        if header:
            rows[fields[0]] = {h: float(v) for h, v in zip(header[1:], fields[1:])}
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--probe", required=True, help="the latency_probe binary")
    ap.add_argument("--zkd", help="the zkd binary (needed for kind zkd)")
    ap.add_argument("--kinds", default="apache,zkd")
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--data-bytes", type=int, default=100)
    args = ap.parse_args(argv[1:])
    kinds = [k for k in args.kinds.split(",") if k]
    if "zkd" in kinds and not args.zkd:
        ap.error("--zkd is needed to probe zkd (or use --kinds apache)")

    results, problems = {}, []
    for kind in kinds:
        r = run_probe(kind, args)
        if isinstance(r, str):
            problems.append(r)
        else:
            results[kind] = r

    print("latency_probe: one C-client connection, sync API, %d iterations per op after "
          "%d warm-up, %d-byte data" % (args.iterations, args.warmup, args.data_bytes))
    print("host: %s, %d CPUs, load average %s" % (
        platform.node(), os.cpu_count() or 0,
        " ".join("%.2f" % x for x in os.getloadavg())))
    shown = [k for k in kinds if k in results]
    both = "apache" in results and "zkd" in results
    head = ["op"]
    for k in shown:
        head += ["%s %s" % (k, c) for c in COLUMNS]
    if both:
        head += ["zkd/apache %s" % c.split("_")[0] for c in COLUMNS]
    widths = [max(8, len(h)) for h in head]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    ops = []
    for k in shown:
        ops += [o for o in results[k] if o not in ops]
    for op in ops:
        cells = [op]
        for k in shown:
            row = results[k].get(op, {})
            cells += ["%.1f" % row[c] if c in row else "-" for c in COLUMNS]
        if both:
            a, z = results["apache"].get(op, {}), results["zkd"].get(op, {})
            for c in COLUMNS:
                cells.append("%.2f" % (z[c] / a[c]) if a.get(c) and c in z else "-")
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    for p in problems:
        print("note: %s" % p)
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
