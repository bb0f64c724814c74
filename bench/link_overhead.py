#!/usr/bin/python3
"""What proxied peer links (`up --faults`) cost with no fault set, measured by `pseudo-cluster
bench` against the same cluster with direct links, for both engines.

    /usr/bin/python3 bench/link_overhead.py --binary build/pseudo-cluster \\
        [--rounds 3] [--engines zkd,apache] [--requests 2000] [--duration 5] [--keep-json DIR]

Per round and engine it runs four benches, each on a fresh 3-voter cluster the bench brings up
itself (all other settings the bench's defaults): `bench latency --links direct` and
`--links proxied`, then `bench throughput --links proxied` and `--links direct` — and the next
round the other way round (direct first, then proxied first), so that other load on this shared
machine drifting over time weighs on both modes alike. The figures are the issue's:
  - set p50: the latency workload's set (one session on the leader, one request at a time);
  - write throughput: the throughput workload's pipelined write (3 sessions x 64 in flight).
Prints every round as it goes, then one row per engine: medians over the rounds, direct /
proxied / delta, and whether the targets hold (set p50 +<= 60 us, write throughput -<= 10 %).
For closing notes, not a test: nothing is asserted, and the exit code is 0 unless a bench failed.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

SET_P50_TARGET_US = 60.0
WRITE_DROP_TARGET_PCT = 10.0
BENCH_TIMEOUT_S = 900


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_bench(args, workload, engine, links, json_path):
    """The bench's JSON document for one run; raises RuntimeError when the bench failed."""
    cmd = [args.binary, "bench", workload, "--engine", engine, "--links", links,
           "--json-file", json_path, "--requests", str(args.requests),
           "--duration", str(args.duration)]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=BENCH_TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd[1:]), proc.returncode,
                                                   proc.stderr.strip()[-2000:]))
    with open(json_path) as f:
        doc = json.load(f)
    if doc.get("links") != links:
        raise RuntimeError("asked for %s links, the bench measured %r" % (links, doc.get("links")))
    return doc["engines"][engine]


def one_round(args, engine, round_no, json_dir):
    """{"latency": {mode: set p50 us}, "throughput": {mode: write ops/s}} for one round."""
    first, second = ("direct", "proxied") if round_no % 2 else ("proxied", "direct")
    figures = {"latency": {}, "throughput": {}}
    for workload, modes in (("latency", (first, second)), ("throughput", (second, first))):
        for links in modes:
            path = os.path.join(json_dir, "%s-%s-%s-%d.json" % (engine, workload, links, round_no))
            started = time.monotonic()
            e = run_bench(args, workload, engine, links, path)
            if workload == "latency":
                value = e["latency"]["ops"]["set"]["latency"]["p50_us"]
                text = "set p50 %8.1f us" % value
            else:
                value = e["throughput"]["write"]["ops_per_s"]
                text = "write %9.0f ops/s" % value
            figures[workload][links] = value
            print("  round %d %-6s %-10s %-7s %s  (%.0f s, load %s)" % (
                round_no, engine, workload, links, text, time.monotonic() - started,
                load_average()), flush=True)
    return figures


def spread(values):
    return "%.0f-%.0f" % (min(values), max(values)) if values else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="build/pseudo-cluster")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--engines", default="zkd,apache")
    ap.add_argument("--requests", type=int, default=2000, help="latency: requests per op")
    ap.add_argument("--duration", type=float, default=5, help="throughput: seconds per kind")
    ap.add_argument("--keep-json", default=None, help="keep every bench's JSON document here")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    engines = args.engines.split(",")
    json_dir = args.keep_json or tempfile.mkdtemp(prefix="pc-link-overhead-")
    os.makedirs(json_dir, exist_ok=True)

    print("link overhead: `pseudo-cluster bench` --links direct vs proxied, %d rounds, engines %s;"
          " %s, %d cpus; load average %s at start" % (args.rounds, ",".join(engines),
                                                      platform.platform(), os.cpu_count(),
                                                      load_average()), flush=True)
    rounds = {e: [] for e in engines}
    failed = False
    for r in range(1, args.rounds + 1):
        for engine in engines:
            try:
                rounds[engine].append(one_round(args, engine, r, json_dir))
            except (RuntimeError, subprocess.TimeoutExpired, KeyError) as err:
                print("  round %d %s: %s" % (r, engine, err), flush=True)
                failed = True
    print("load average %s at end" % load_average())
    print()
    print("medians over the rounds (per-round spread in brackets)")
    print("%-7s %-34s %-34s %s" % ("engine", "set p50 us: direct / proxied / delta",
                                   "write ops/s: direct / proxied / delta", "targets"))
    for engine in engines:
        done = rounds[engine]
        lat = {m: [r["latency"][m] for r in done if m in r["latency"]] for m in ("direct", "proxied")}
        thr = {m: [r["throughput"][m] for r in done if m in r["throughput"]]
               for m in ("direct", "proxied")}
        if not all(lat.values()) or not all(thr.values()):
            print("%-7s no complete round" % engine)
            continue
        ld, lp = statistics.median(lat["direct"]), statistics.median(lat["proxied"])
        td, tp = statistics.median(thr["direct"]), statistics.median(thr["proxied"])
        delta_us = lp - ld
        delta_pct = (tp / td - 1) * 100
        verdict = "set p50 %s, write %s" % (
            "met" if delta_us <= SET_P50_TARGET_US else "MISSED",
            "met" if -delta_pct <= WRITE_DROP_TARGET_PCT else "MISSED")
        print("%-7s %-34s %-34s %s" % (
            engine, "%.1f / %.1f / %+.1f" % (ld, lp, delta_us),
            "%.0f / %.0f / %+.1f %%" % (td, tp, delta_pct), verdict))
        print("%-7s %-34s %-34s" % (
            "", "[%s / %s]" % (spread(lat["direct"]), spread(lat["proxied"])),
            "[%s / %s]" % (spread(thr["direct"]), spread(thr["proxied"]))))
        paired = [r["latency"]["proxied"] - r["latency"]["direct"] for r in done]
        paired_pct = [(r["throughput"]["proxied"] / r["throughput"]["direct"] - 1) * 100
                      for r in done]
        print("%-7s %-34s %-34s" % (
            "", "round deltas " + " ".join("%+.0f" % d for d in paired),
            "round deltas " + " ".join("%+.1f%%" % d for d in paired_pct)))
    print("targets: set p50 +<= %.0f us, pipelined write throughput -<= %.0f %%" % (
        SET_P50_TARGET_US, WRITE_DROP_TARGET_PCT))
    if args.keep_json:
        print("bench JSON documents in %s" % json_dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
