"""Installing pseudo-cluster as C++ tools install (issue 19 §4).

`make install PREFIX=<tmp>` puts pseudo-cluster and zkd side by side in <tmp>/bin, with the man
pages; the installed pseudo-cluster, run from another directory with nothing of the source tree
on its PATH, brings up 3 zkd members (free ports, a temporary PSEUDO_CLUSTER_HOME), reports
their status and takes them down. `make deb` builds a package listing both binaries in /usr/bin,
with the shared libraries' packages as Depends and zookeeper as Recommends.

    python3 install_test.py --source . --build build
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "supervisor"))
from supervisor_test import TICK_MS, pick_bases  # noqa: E402

SOURCE = None
BUILD = None


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pc-install-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def make(self, *args, timeout=240):
        # JOBS=1: the two programs are built already; this must not crowd a parallel ctest.
        proc = subprocess.run(["make", "-C", SOURCE, f"BUILD={BUILD}", "JOBS=1", *args],
                              capture_output=True, text=True, timeout=timeout)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc

    def test_installed_tool_runs_a_cluster_from_another_directory(self):
        prefix = os.path.join(self.tmp, "prefix")
        self.make("install", f"PREFIX={prefix}")
        for path in ("bin/pseudo-cluster", "bin/zkd", "share/man/man1/pseudo-cluster.1",
                     "share/man/man1/zkd.1"):
            self.assertTrue(os.path.isfile(os.path.join(prefix, path)), path)
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.mkdir(elsewhere)
        env = {k: v for k, v in os.environ.items() if k != "PSEUDO_CLUSTER_ZKD"}
        env.update(PSEUDO_CLUSTER_HOME=os.path.join(self.tmp, "home"), PATH="/usr/bin:/bin")
        binary = os.path.join(prefix, "bin", "pseudo-cluster")

        def pc(*args, timeout=120):
            return subprocess.run([binary, *args], cwd=elsewhere, env=env, capture_output=True,
                                  text=True, timeout=timeout)

        for _ in range(5):
            bases = pick_bases(3)
            up = pc("up", "3", "-d", "--base-ports", ",".join(map(str, bases)), "--tick-time",
                    str(TICK_MS), "--timeout", "90")
            if up.returncode == 0 or "in use" not in up.stderr:
                break
        try:
            self.assertEqual(up.returncode, 0, up.stdout + up.stderr)
            status = pc("status", "--json")
            self.assertEqual(status.returncode, 0, status.stderr)
            nodes = json.loads(status.stdout)["nodes"]
            self.assertEqual(len(nodes), 3)
            self.assertEqual([n.get("role") for n in nodes].count("leader"), 1, status.stdout)
            # The members are the installed zkd, not one from a build tree.
            for n in nodes:
                exe = os.readlink(f"/proc/{n['pid']}/exe")
                self.assertEqual(exe, os.path.join(prefix, "bin", "zkd"))
        finally:
            down = pc("down")
        self.assertEqual(down.returncode, 0, down.stderr)

    def test_man_pages_are_the_help_texts_and_every_option_is_described(self):
        proc = subprocess.run([os.path.join(SOURCE, "scripts", "man-pages.py"), "--check",
                               os.path.join(BUILD, "pseudo-cluster"), os.path.join(BUILD, "zkd")],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_make_deb_lists_both_binaries(self):
        for old in os.listdir(BUILD):
            if old.startswith("pseudo-cluster_") and old.endswith(".deb"):
                os.remove(os.path.join(BUILD, old))
        proc = self.make("deb", timeout=280)
        debs = [f for f in os.listdir(BUILD) if f.startswith("pseudo-cluster_") and
                f.endswith(".deb")]
        self.assertEqual(len(debs), 1, proc.stdout)
        deb = os.path.join(BUILD, debs[0])
        listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
        for path in ("./usr/bin/pseudo-cluster", "./usr/bin/zkd",
                     "./usr/share/man/man1/pseudo-cluster.1"):
            self.assertIn(path, listing)
        fields = subprocess.run(["dpkg-deb", "-f", deb, "Depends", "Recommends"],
                                capture_output=True, text=True).stdout
        self.assertIn("libuv1", fields)
        self.assertIn("Recommends: zookeeper", fields)


def main():
    global SOURCE, BUILD
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--build", required=True)
    args, rest = parser.parse_known_args()
    SOURCE, BUILD = os.path.abspath(args.source), os.path.abspath(args.build)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
