#!/usr/bin/env python3
"""One `pseudo-cluster chaos` run, end to end (issue 15): the run brings up its own cluster
(free ports, a private state directory under /tmp), runs the register workload under the
nemesis, heals, reads, takes the cluster down and prints the verdict last. This checks the exit
code, the last line, and that the output directory holds what the run promises. Never timings.

  chaos_run_test.py --binary B --engine zkd --expect valid   [chaos options...]
  chaos_run_test.py --binary B --engine zkd --expect invalid --unsafe-early-ack [chaos options...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

EXIT = {"valid": 0, "invalid": 1}
LAST = {"valid": "verdict: valid", "invalid": "verdict: INVALID"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--expect", choices=sorted(EXIT), required=True)
    parser.add_argument("--unsafe-early-ack", action="store_true")
    args, chaos_args = parser.parse_known_args()

    env = dict(os.environ)
    env.pop("ZKD_TEST_UNSAFE_EARLY_ACK", None)
    if args.unsafe_early_ack:
        env["ZKD_TEST_UNSAFE_EARLY_ACK"] = "1"
    with tempfile.TemporaryDirectory(prefix="chaos-test-") as tmp:
        env["PSEUDO_CLUSTER_HOME"] = tmp
        out = os.path.join(tmp, "run")
        cmd = [args.binary, "chaos", "--engine", args.engine, "--out", out] + chaos_args
        print("$", " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, timeout=600)
        print(proc.stdout, flush=True)
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        problems = []
        if proc.returncode != EXIT[args.expect]:
            problems.append(f"exit code {proc.returncode}, expected {EXIT[args.expect]}")
        if not last.startswith(LAST[args.expect]):
            problems.append(f"last line {last!r}, expected it to start with {LAST[args.expect]!r}")
        for name in ("history.jsonl", "nemesis.jsonl", "timeline.txt", "verdict.json"):
            if not os.path.isfile(os.path.join(out, name)):
                problems.append(f"{name} is missing from the output directory")
        if os.path.isfile(os.path.join(out, "verdict.json")):
            with open(os.path.join(out, "verdict.json")) as f:
                verdict = json.load(f)
            if verdict.get("verdict") != args.expect:
                problems.append(f"verdict.json verdict {verdict.get('verdict')!r}")
        with open(os.path.join(out, "nemesis.jsonl")) as f:
            faults = [json.loads(line) for line in f if line.strip()]
        if not any(f.get("type") == "start" and not f.get("error") for f in faults):
            problems.append("the nemesis started no fault")
        if problems:
            for name in ("nemesis.jsonl", "timeline.txt"):
                path = os.path.join(out, name)
                if os.path.isfile(path):
                    print(f"--- {name}\n" + open(path).read())
            print("FAILED: " + "; ".join(problems))
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
