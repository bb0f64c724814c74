#!/usr/bin/python3
"""The supervisor's CPU while the `ui` page is open on a busy cluster (issue 17's figure).

Brings up a 3-member zkd cluster (direct links), has its supervisor serve the page, opens the
page in headless Chromium, and runs `pseudo-cluster bench throughput` against the cluster; the
supervisor's CPU time (utime + stime from /proc/PID/stat) is read before and after each bench
run. The same bench runs once without the page first, for comparison. Prints one line per run:
ops/s the bench reported, supervisor CPU % of one core.

    bench/ui_cpu.py --binary build/pseudo-cluster [--engine zkd] [--duration 10]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test",
                                "supervisor"))
import supervisor_test  # noqa: E402  (pick_bases)
import ui_test  # noqa: E402  (browser)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", default="zkd")
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="pc-ui-cpu-")
    env = dict(os.environ, PSEUDO_CLUSTER_HOME=home)

    def pc(*a, **kw):
        return subprocess.run([args.binary, *a], env=env, capture_output=True, text=True,
                              check=True, **kw)

    bases = supervisor_test.pick_bases(3)
    pc("up", "3", "--engine", args.engine, "-d", "--name", "busy",
       "--base-ports", ",".join(map(str, bases)))
    driver = None
    profile = tempfile.mkdtemp(prefix="pc-ui-cpu-chromium-")
    try:
        import json
        status = json.loads(pc("status", "--json").stdout)
        sup = status["cluster"]["supervisor_pid"]

        def run(label):
            before, t0 = cpu_seconds(sup), time.monotonic()
            out = pc("bench", "throughput", "--cluster", "busy", "--duration",
                     str(args.duration), "--warmup", "1").stdout
            used, wall = cpu_seconds(sup) - before, time.monotonic() - t0
            # The throughput table's rows: "  write  3 x 64  13103 ..." -> write 13103 ops/s.
            rates = re.findall(r"^\s+(write|read|mix)\s+\d+ x \d+\s+(\d+)", out, re.M)
            print(f"{label:<22} supervisor CPU {100 * used / wall:5.2f} % of one core over "
                  f"{wall:5.1f} s; bench ops/s: " + ", ".join(f"{k} {v}" for k, v in rates))
            return out

        out = run("page closed")
        url = pc("ui").stdout.split()[1]
        driver = ui_test.browser(profile)
        driver.get(url)
        time.sleep(3)
        out = run("page open (Chromium)")
        print("\n".join(line for line in out.splitlines() if line.startswith(("machine", "=="))))
    finally:
        if driver:
            driver.quit()
        subprocess.run([args.binary, "down", "--name", "busy"], env=env, capture_output=True)
        shutil.rmtree(home, True)
        shutil.rmtree(profile, True)


if __name__ == "__main__":
    main()
