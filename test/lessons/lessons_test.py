#!/usr/bin/python3
"""`pseudo-cluster lesson` on real processes.

    lessons_test.py --binary build/pseudo-cluster --lesson vote-order --engine zkd [--planted-bug]
    lessons_test.py --binary build/pseudo-cluster --command-line
    lessons_test.py --binary build/pseudo-cluster --interrupt

A lesson run must pass every check (exit 0, no ✘) — or, with --planted-bug, show ✘ and exit 1 —
and leave no cluster and no server process behind. Each run has its own $PSEUDO_CLUSTER_HOME;
the lesson picks free ports itself. Nothing here asserts on timings.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

LESSONS = ["quorum-math", "startup-order", "vote-order", "leader-failover", "quorum-loss",
           "brain-split", "observers", "four-letter-words", "clients-failover"]


def run(binary, args, home, env_extra=None, timeout=360):
    env = dict(os.environ, PSEUDO_CLUSTER_HOME=home, LANG="C.UTF-8")
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env.update(env_extra or {})
    return subprocess.run([binary, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def processes_using(home):
    """Pids of processes whose command line mentions the state home (servers, supervisors)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().split(") ")[-1].split()[0]
        except OSError:
            continue
        if home in cmdline and state != "Z":
            pids.append(int(entry))
    return pids


def fail(message, proc=None):
    if proc is not None:
        message += f"\n--- exit {proc.returncode}\n--- stdout:\n{proc.stdout}\n--- stderr:\n{proc.stderr}"
    print("FAIL: " + message)
    sys.exit(1)


def test_lesson(binary, lesson, engine, planted):
    home = tempfile.mkdtemp(prefix="pc-lesson-test-")
    try:
        args = ["lesson", lesson, "--yes", "--engine", engine]
        if planted:
            args.append("--planted-bug")
        proc = run(binary, args, home)
        print(proc.stdout)
        print(proc.stderr, file=sys.stderr)
        if planted:
            if proc.returncode != 1 or "✘" not in proc.stdout:
                fail("the planted-bug run must show ✘ and exit 1", proc)
            if "✘ predicted node2 is the leader" not in proc.stdout:
                fail("the planted bug must break the vote-order prediction itself", proc)
        else:
            if proc.returncode != 0 or "✘" in proc.stdout or "✔" not in proc.stdout:
                fail(f"lesson {lesson} on {engine} must pass every check", proc)
        # The commands are printed as a learner types them, and the cluster is gone at the end.
        if "$ pseudo-cluster up " not in proc.stdout or "$ pseudo-cluster down --clean" not in proc.stdout:
            fail("the lesson must print the commands it runs", proc)
        leftovers = [d for d in os.listdir(home) if d.startswith("lesson-")]
        if leftovers:
            fail(f"the lesson left its cluster directory behind: {leftovers}", proc)
        pids = processes_using(home)
        if pids:
            fail(f"processes left running: {pids}", proc)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_interrupt(binary):
    """Ctrl-C in the middle of a lesson: the cluster is taken down, exit 130."""
    home = tempfile.mkdtemp(prefix="pc-lesson-test-")
    try:
        env = dict(os.environ, PSEUDO_CLUSTER_HOME=home, LANG="C.UTF-8")
        proc = subprocess.Popen([binary, "lesson", "leader-failover", "--yes"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("[2/"):  # the cluster is up, the writer about to start
                proc.send_signal(signal.SIGINT)
                break
        rest, _ = proc.communicate(timeout=120)
        out = "".join(seen) + rest
        print(out)
        if proc.returncode != 130:
            fail(f"an interrupted lesson must exit 130, not {proc.returncode}:\n{out}")
        if "$ pseudo-cluster down --clean" not in out:
            fail(f"an interrupted lesson must take its cluster down:\n{out}")
        leftovers = [d for d in os.listdir(home) if d.startswith("lesson-")]
        pids = processes_using(home)
        if leftovers or pids:
            fail(f"left behind after Ctrl-C: {leftovers} {pids}\n{out}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_command_line(binary):
    home = tempfile.mkdtemp(prefix="pc-lesson-test-")
    try:
        proc = run(binary, ["lesson"], home)
        listed = [l.split()[0] for l in proc.stdout.splitlines() if l.startswith("  ")]
        if proc.returncode != 0 or listed != LESSONS:
            fail(f"`lesson` must list the 9 lessons in order, listed {listed}", proc)

        proc = run(binary, ["lesson", "no-such-lesson"], home)
        if proc.returncode != 2 or "no-such-lesson" not in proc.stderr or "vote-order" not in proc.stderr:
            fail("an unknown lesson must exit 2 and show the list", proc)
        proc = run(binary, ["lesson", "show", "no-such-lesson"], home)
        if proc.returncode != 2:
            fail("`lesson show` of an unknown lesson must exit 2", proc)
        proc = run(binary, ["lesson", "vote-order", "--engine", "oracle"], home)
        if proc.returncode != 2:
            fail("a bad --engine must exit 2", proc)
        proc = run(binary, ["lesson", "vote-order", "--base-ports", "12000"], home)
        if proc.returncode != 2 or "--base-ports" not in proc.stderr:
            fail("a bad --base-ports must exit 2 and name the option", proc)
        proc = run(binary, ["lesson", "a", "b", "c"], home)
        if proc.returncode != 2:
            fail("too many words must exit 2", proc)

        # show prints steps and predictions and runs nothing.
        proc = run(binary, ["lesson", "show", "vote-order"], home)
        if proc.returncode != 0 or "[5/5]" not in proc.stdout or "myid" not in proc.stdout:
            fail("`lesson show vote-order` must print its five steps", proc)
        if os.listdir(home):
            fail(f"`lesson show` must not lay out anything, found {os.listdir(home)}", proc)

        chinese = re.compile(r"[\u4e00-\u9fff]")
        proc = run(binary, ["lesson", "show", "quorum-math", "--lang", "zh"], home)
        if proc.returncode != 0 or "过半" not in proc.stdout:
            fail("--lang zh must print Chinese", proc)
        proc = run(binary, ["lesson"], home, {"LANG": "zh_CN.UTF-8"})
        if not chinese.search(proc.stdout):
            fail("LANG=zh_CN.UTF-8 must pick Chinese", proc)
        proc = run(binary, ["lesson"], home, {"LANG": "zh_CN.UTF-8", "LC_ALL": "C"})
        if chinese.search(proc.stdout) or "Lessons" not in proc.stdout:
            fail("LC_ALL=C must win over LANG", proc)
        proc = run(binary, ["lesson", "show", "quorum-math", "--lang", "en"], home,
                   {"LANG": "zh_CN.UTF-8"})
        if chinese.search(proc.stdout):
            fail("--lang en must win over LANG", proc)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--lesson")
    parser.add_argument("--engine", default="zkd")
    parser.add_argument("--planted-bug", action="store_true")
    parser.add_argument("--command-line", action="store_true")
    parser.add_argument("--interrupt", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if args.command_line:
        test_command_line(binary)
    elif args.interrupt:
        test_interrupt(binary)
    else:
        test_lesson(binary, args.lesson, args.engine, args.planted_bug)
    print("PASS")


if __name__ == "__main__":
    main()
