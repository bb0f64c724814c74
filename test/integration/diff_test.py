#!/usr/bin/python3
"""Differential test: the same scripted operations against Apache ZooKeeper and another
server; every canonical output line must match.

    diff_test.py --runner build/.../diff_runner --kind zkd --zkd build/zkd
    diff_test.py --runner build/.../diff_runner --kind apache      # Apache vs Apache

Fails (exit 1) on any differing line. It also fails when the reference output lacks one of
the result codes the script exists to cover (so the script cannot silently lose coverage), and
it checks once per run that its own comparison does notice a changed line.
"""

import argparse
import difflib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkserver  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER_TIMEOUT_S = 90

# Result codes the script must produce against the reference (Apache).
MUST_COVER = ["OK", "NONODE", "NODEEXISTS", "BADVERSION", "NOTEMPTY", "NOCHILDRENFOREPHEMERALS",
              "BADARGUMENTS", "NOAUTH", "INVALIDACL", "RUNTIMEINCONSISTENCY", "UNIMPLEMENTED"]
MIN_OPERATIONS = 300


def run_runner(runner, script, hostport):
    p = subprocess.run([runner, hostport, script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=RUNNER_TIMEOUT_S, text=True)
    return p.returncode, p.stdout, p.stderr


def differing(ref_lines, other_lines):
    return [d for d in difflib.unified_diff(ref_lines, other_lines, "apache", "other",
                                            lineterm="", n=2)]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runner", required=True, help="path of the diff_runner binary")
    ap.add_argument("--script", default=os.path.join(HERE, "diff_script.txt"))
    ap.add_argument("--kind", choices=("apache", "zkd"), default="apache",
                    help="the server compared with Apache")
    ap.add_argument("--zkd", help="path of the zkd binary (kind zkd)")
    ap.add_argument("--keep", metavar="DIR", help="write both outputs into DIR")
    args = ap.parse_args(argv)

    ref = zkserver.Server("apache")
    other = zkserver.Server(args.kind, zkd_binary=args.zkd)
    # Started one after the other from this thread: zkserver ties each server's life to the
    # thread that spawned it (PR_SET_PDEATHSIG), so no helper threads here.
    errors = []
    for srv in (ref, other):
        try:
            srv.start()
        except Exception as e:  # noqa: BLE001
            errors.append((srv, e))
    try:
        if errors:
            for srv, e in errors:
                print("could not start the %s server: %s" % (srv.kind, e))
            return 2
        outs = {}
        for name, srv in (("apache", ref), ("other", other)):
            rc, out, err = run_runner(args.runner, args.script, srv.hostport)
            outs[name] = out
            if rc != 0:
                print("diff_runner against %s (%s) exited with %d\n%s" % (name, srv.kind, rc, err))
                srv.print_log(sys.stdout)
                return 1
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for name, out in outs.items():
                with open(os.path.join(args.keep, name + ".txt"), "w") as f:
                    f.write(out)

        ref_lines = outs["apache"].splitlines()
        other_lines = outs["other"].splitlines()
        status = 0

        ops = [l for l in ref_lines if l[:3].isdigit()]
        if len(ops) < MIN_OPERATIONS:
            print("FAIL coverage: only %d operations in the reference output" % len(ops))
            status = 1
        for code in MUST_COVER:
            if not any((" -> %s" % code) in l or ("[%s" % code) in l or (" %s" % code) in l.split(" -> ", 1)[-1]
                       for l in ops):
                print("FAIL coverage: the reference output never shows %s" % code)
                status = 1

        # The comparison must be able to fail: change one line and expect a difference.
        probe = list(ref_lines)
        probe[len(probe) // 2] += " (perturbed)"
        if not differing(ref_lines, probe):
            print("FAIL self-check: a perturbed line went unnoticed")
            status = 1

        diff = differing(ref_lines, other_lines)
        if diff:
            changed = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
            print("FAIL %d line(s) differ between apache and %s:" % (changed, args.kind))
            for d in diff:
                print(d)
            status = 1
        else:
            print("ok %d operations, %d lines identical (apache vs %s)"
                  % (len(ops), len(ref_lines), args.kind))
        return status
    finally:
        ref.stop()
        other.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
