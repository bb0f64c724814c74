#!/usr/bin/python3
"""`make soak MINUTES=30 [ENGINE=zkd|apache]`: hours of churn, then nothing lost, nothing grown.

Brings up a 5-member cluster (free ports, a private $PSEUDO_CLUSTER_HOME), runs writers and
readers (kazoo sessions; soak_workload.py) while the nemesis (soak_nemesis.py) kills, restarts
and pauses members every few seconds, and samples every process's RSS and open fds
(soak_sampler.py). At the end it heals everything and judges:
  - lost:      zero acknowledged creates lost (each one found by its delete, or present on
               every member at the end);
  - converged: every member at the same last zxid (`srvr`) with the same workload tree;
  - flat:      every process that lived through the last two thirds (the supervisor and the
               members the nemesis never killed) has flat RSS (live heap for a JVM) and fds.
Prints a report and exits 0 when all hold, 1 when one does not, 2 on bad arguments.
With --expect leak|loss (the planted bugs: --plant-leak, --plant-loss) it exits 0 only when
the run fails that check.

    soak.py --binary build/pseudo-cluster [--engine zkd] [--minutes 30] [--seed 1]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "supervisor"))
from supervisor_test import four_letter, pick_bases  # noqa: E402
import soak_report  # noqa: E402
import soak_sampler  # noqa: E402
import soak_workload  # noqa: E402
from soak_nemesis import Nemesis  # noqa: E402

MEMBERS = 5


def bad_args(message):
    print(f"soak: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True, help="build/pseudo-cluster")
    p.add_argument("--engine", default="zkd", help="zkd or apache")
    p.add_argument("--minutes", type=float, default=30.0, help="how long the churn lasts")
    p.add_argument("--seed", type=int, default=1, help="the nemesis schedule")
    p.add_argument("--interval", type=float, default=4.0, help="seconds between faults")
    p.add_argument("--rate", type=float, default=200.0, help="ops/s, all clients together")
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--readers", type=int, default=4)
    p.add_argument("--plant-leak", type=int, default=0, metavar="BYTES",
                   help="zkd leaks BYTES per txn (ZKD_TEST_LEAK_BYTES_PER_TXN)")
    p.add_argument("--plant-loss", action="store_true",
                   help="delete every %dth acknowledged create behind the writer's back"
                        % soak_workload.PLANT_EVERY)
    p.add_argument("--expect", default="pass", help="pass, leak or loss")
    a = p.parse_args()
    if a.engine not in ("zkd", "apache"):
        bad_args(f"--engine {a.engine}: zkd or apache")
    if not a.minutes > 0:
        bad_args(f"--minutes {a.minutes}: a positive number, e.g. 30 or 0.5")
    if not 0.5 <= a.interval <= 600:
        bad_args(f"--interval {a.interval}: seconds between faults, 0.5 to 600")
    if not a.rate > 0 or a.writers < 1 or a.readers < 0:
        bad_args("--rate must be positive, --writers at least 1, --readers 0 or more")
    if a.expect not in ("pass", "leak", "loss"):
        bad_args(f"--expect {a.expect}: pass, leak or loss")
    if not os.access(a.binary, os.X_OK):
        bad_args(f"--binary {a.binary}: not an executable (build it: make build)")
    a.binary = os.path.abspath(a.binary)
    return a


class Cluster:
    def __init__(self, binary, engine, extra_env):
        self.binary, self.engine = binary, engine
        self.home = tempfile.mkdtemp(prefix="pc-soak-")
        self.env = dict(os.environ, PSEUDO_CLUSTER_HOME=self.home, **extra_env)
        self.bases = None

    def pc(self, *args, timeout=180):
        try:
            return subprocess.run([self.binary, *args], env=self.env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, 124, "", f"timed out after {timeout}s")

    def up(self):
        for _ in range(5):
            self.bases = pick_bases(MEMBERS)
            proc = self.pc("up", str(MEMBERS), "--engine", self.engine, "-d", "--base-ports",
                           ",".join(map(str, self.bases)), "--tick-time", "1000",
                           "--timeout", "180", timeout=300)
            if proc.returncode == 0 or "is in use" not in proc.stderr:
                return proc
        return proc

    def status(self):
        proc = self.pc("status", "--json", timeout=30)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def processes(self):
        s = self.status()
        if not s:
            return {}
        procs = {"supervisor": (s["cluster"]["supervisor_pid"], 0)}
        procs.update({f"node{n['id']}": (n["pid"], n.get("connections", 0))
                      for n in s["nodes"] if n["pid"]})
        return procs

    def ports(self):
        return {f"node{i}": self.bases[0] + i - 1 for i in range(1, MEMBERS + 1)}

    def hosts(self):
        return ",".join(f"127.0.0.1:{p}" for p in self.ports().values())


def last_zxids(cluster):
    zxids = {}
    for member, port in cluster.ports().items():
        for line in four_letter(port).splitlines():
            if line.startswith("Zxid:"):
                zxids[member] = line.split(":", 1)[1].strip()
    return zxids


def wait_converged(cluster, timeout_s=120):
    """The members' last zxids once they agree (twice in a row), or the last ones seen."""
    deadline, previous, zxids = time.monotonic() + timeout_s, None, {}
    while time.monotonic() < deadline:
        zxids = last_zxids(cluster)
        if len(zxids) == MEMBERS and len(set(zxids.values())) == 1 and zxids == previous:
            return zxids
        previous = zxids
        time.sleep(1)
    return zxids


def sample_loop(cluster, sampler, stop, t0, period_s, heap_every):
    i = 0
    while not stop.is_set():
        sampler.take(round(time.monotonic() - t0, 2), cluster.processes(),
                     with_heap=(cluster.engine == "apache" and i % heap_every == 0))
        i += 1
        stop.wait(period_s)


def run(a, cluster):
    print(f"soak: {a.engine}, {MEMBERS} members, {a.minutes:g} min, seed {a.seed}, a fault every "
          f"{a.interval:g}s, {a.writers} writers + {a.readers} readers at {a.rate:g} ops/s "
          f"(state in {cluster.home})", file=sys.stderr, flush=True)
    proc = cluster.up()
    if proc.returncode != 0:
        print(f"soak: up failed:\n{proc.stdout}{proc.stderr}", file=sys.stderr)
        return 1
    setup = soak_workload.connect(cluster.hosts())
    setup.ensure_path(soak_workload.ROOT)
    for w in range(a.writers):
        setup.ensure_path(f"{soak_workload.ROOT}/w{w}")
    planter = setup if a.plant_loss else None

    total_s = a.minutes * 60
    period_s = min(15.0, max(1.0, total_s / 120))
    heap_every = max(1, round(10 / period_s))  # a JVM's live heap every ~10 s (a full GC)
    stop, sampling_stop = threading.Event(), threading.Event()
    counts, sampler = soak_workload.Counts(), soak_sampler.Sampler()
    per_client = a.rate / 2
    writers = [soak_workload.Writer(w, cluster.hosts(), counts, stop, per_client / a.writers,
                                    planter) for w in range(a.writers)]
    readers = [soak_workload.Reader(r, cluster.hosts(), a.writers, counts, stop,
                                    per_client / max(1, a.readers)) for r in range(a.readers)]
    nemesis = Nemesis(cluster.pc, MEMBERS, a.interval, a.seed, stop)
    t0 = time.monotonic()
    sampling = threading.Thread(target=sample_loop, daemon=True,
                                args=(cluster, sampler, sampling_stop, t0, period_s, heap_every))
    sampling.start()
    for t in writers + readers + [nemesis]:
        t.start()
    while time.monotonic() - t0 < total_s:
        time.sleep(min(10.0, max(0.1, total_s - (time.monotonic() - t0))))
        print(f"soak: {time.monotonic() - t0:7.1f}s  ops {counts.ops}  faults "
              f"{len(nemesis.log)}", file=sys.stderr, flush=True)
    sampling_stop.set()
    sampling.join()
    end_s = time.monotonic() - t0
    stop.set()
    nemesis.join(timeout=300)
    # Heal: everything resumed and started, then the clients finish their last op.
    for what in ("resume", "start"):
        cluster.pc(what, "all")
    for t in writers + readers:
        t.join(timeout=300)
    for t in writers + readers:
        if t.client:
            t.client.stop()
            t.client.close()
    setup.stop()
    setup.close()
    zxids = wait_converged(cluster)
    checked, missing, trees = soak_workload.final_check(cluster.ports(), writers, a.writers)
    result = soak_report.Result(
        counts=counts, writers=writers, readers=readers, nemesis=nemesis, zxids=zxids,
        final_checked=checked, missing=missing, trees=trees,
        verdicts=soak_sampler.judge(sampler.samples, end_s / 3, end_s, sampler.jvm),
        samples=len({s["t"] for s in sampler.samples}), period_s=period_s, end_s=end_s)
    print(soak_report.render(result, a))
    return soak_report.exit_code(result, a.expect)


def main():
    a = parse_args()
    extra_env = {"ZKD_TEST_LEAK_BYTES_PER_TXN": str(a.plant_leak)} if a.plant_leak else {}
    cluster = Cluster(a.binary, a.engine, extra_env)
    code = 1
    try:
        code = run(a, cluster)
    finally:
        cluster.pc("down", timeout=120)
        if code == 0:
            shutil.rmtree(cluster.home, ignore_errors=True)
        else:
            print(f"soak: logs kept in {cluster.home}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
