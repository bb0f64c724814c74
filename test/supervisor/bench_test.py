#!/usr/bin/python3
"""Tests for `pseudo-cluster bench`: real servers on 127.0.0.1, the real C client.

Each test runs a short bench with --json and checks the structure of what it reports — every
figure present, counts that add up to the requests made, percentiles in order, one entry per
failover and start-up round, servers' pids and RSS — and that nothing it started outlives it.
Nothing here asserts on how fast anything is.

    bench_test.py --binary build/pseudo-cluster [unittest args, e.g. BenchTest.test_zkd_all]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402  (Cluster, pid_alive)
from supervisor_test import Cluster, pid_alive  # noqa: E402

BINARY = None
OPS = ["create", "get", "exists", "set", "multi", "delete"]
PERCENTILES = ["p50_us", "p90_us", "p99_us", "p999_us", "max_us"]
# Small enough to stay well under a minute, big enough that every code path runs.
SHORT = ["--requests", "60", "--warmup-requests", "5", "--duration", "0.6", "--warmup", "0.2",
         "--inflight", "8", "--tick-time", "200"]


class BenchChecks(unittest.TestCase):
    """Helpers shared by the test classes below; no tests of its own."""

    def setUp(self):
        # The bench's private state root goes under TMPDIR: a fresh one shows what it leaves.
        self.tmp = tempfile.mkdtemp(prefix="pc-bench-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.addCleanup(self.kill_leftovers)
        self.env = dict(os.environ, TMPDIR=self.tmp,
                        PSEUDO_CLUSTER_HOME=os.path.join(self.tmp, "home"))

    def bench(self, *args, check=True, timeout=240):
        proc = subprocess.Popen([BINARY, "bench", *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM lets the bench bring its clusters down; SIGKILL would orphan them.
            proc.terminate()
            out, err = proc.communicate(timeout=90)
            self.fail(f"bench {' '.join(args)} took over {timeout}s\n{err[-3000:]}")
        proc = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        if check and proc.returncode != 0:
            self.fail(f"bench {' '.join(args)} exited {proc.returncode}\n"
                      f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}")
        return proc

    def leftover_pids(self):
        """The processes still running from this test's directory (not the test itself)."""
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            seen = ""
            for part in ("cmdline", "environ"):  # supervisors carry TMPDIR in their environment
                try:
                    with open(f"/proc/{pid}/{part}", "rb") as f:
                        seen += f.read().decode(errors="replace")
                except OSError:
                    pass
            if self.tmp in seen and int(pid) != os.getpid():
                pids.append(int(pid))
        return pids

    def kill_leftovers(self):
        """Whatever still runs from this test's directory after a failure: kill it, so a failing
        test does not leave servers behind (check_nothing_left is what reports them)."""
        for pid in self.leftover_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def assert_summary(self, summary, count, where):
        self.assertEqual(summary["count"], count, where)
        values = [summary[p] for p in PERCENTILES]
        self.assertGreater(values[0], 0, where)
        self.assertEqual(values, sorted(values), f"{where}: percentiles out of order")
        self.assertLessEqual(summary["mean_us"], summary["max_us"], where)

    def check_latency(self, latency, requests):
        self.assertEqual(sorted(latency["ops"]), sorted(OPS))
        for op in OPS:
            r = latency["ops"][op]
            self.assertEqual(r["requests"], requests, op)
            self.assertEqual(r["errors"], 0, f"{op} failed on a healthy cluster")
            self.assert_summary(r["latency"], requests - r["errors"], op)

    def check_throughput(self, throughput):
        self.assertEqual(sorted(throughput), ["mix", "read", "write"])
        for kind, t in throughput.items():
            self.assertEqual(t["requests"], t["ok"] + t["errors"], kind)
            self.assertGreater(t["ok"], 0, kind)
            # Errors are reported, not hidden: they must add up, and a healthy cluster has
            # none (a pipelined mix once came back out of order: the C client's "run time
            # inconsistency", counted here as an error).
            self.assertEqual(sum(t["error_codes"].values()), t["errors"], kind)
            self.assertEqual(t["errors"], 0, f"{kind}: {t['error_codes']}")
            self.assertEqual(t["connections"], len(t["hosts"]), kind)
            self.assertAlmostEqual(t["ops_per_s"], t["ok"] / t["duration_s"], delta=0.01)
            self.assert_summary(t["latency"], t["ok"], kind)
        mix = throughput["mix"]
        self.assertEqual(mix["reads"] + mix["writes"], mix["requests"])
        self.assertGreater(mix["reads"], mix["writes"])  # 90 % reads by default

    def check_failover(self, failover, rounds):
        self.assertEqual(failover["round_count"], rounds)
        self.assertEqual(len(failover["rounds"]), rounds)
        self.assertEqual(failover["recovered"], rounds)
        for i, r in enumerate(failover["rounds"], 1):
            self.assertEqual(r["round"], i)
            self.assertTrue(r["recovered"], r)
            self.assertNotEqual(r["killed"], 0, r)
            self.assertNotIn(r["new_leader"], (0, r["killed"]), r)
            self.assertGreater(r["window_ms"], 0, r)
            self.assertGreater(r["writes_ok"], 0, r)
            self.assertGreaterEqual(r["ready_again_ms"], r["window_ms"], r)
        w = failover["window_ms"]
        self.assertLessEqual(w["best"], w["median"])
        self.assertLessEqual(w["median"], w["worst"])

    def check_startup(self, startup, rounds):
        self.assertEqual(startup["round_count"], rounds)
        self.assertEqual(len(startup["rounds"]), rounds)
        for r in startup["rounds"]:
            for key in ("ready_ms", "first_write_ms", "up_returned_ms"):
                self.assertGreater(r[key], 0, r)

    def check_memory(self, memory, nodes):
        self.assertEqual(len(memory["nodes"]), nodes)
        for n in memory["nodes"]:
            self.assertGreater(n["pid"], 0)
            self.assertGreater(n["rss_kb"], 0)
            self.assertGreaterEqual(n["rss_peak_kb"], n["rss_kb"])
        self.assertEqual(memory["rss_kb_max"], max(n["rss_kb"] for n in memory["nodes"]))

    def bench_on(self, cluster, *args, timeout=120):
        """`bench` against a running cluster of supervisor_test's Cluster, in its state root."""
        return subprocess.run([BINARY, "bench", *args, "--dir",
                               os.path.join(cluster.home, "default")],
                              env=dict(self.env, PSEUDO_CLUSTER_HOME=cluster.home),
                              capture_output=True, text=True, timeout=timeout)

    def check_links(self, doc, mode):
        """The run says which peer links it measured, once for the run and per engine."""
        self.assertEqual(doc["links"], mode)
        for name, e in doc["engines"].items():
            self.assertEqual(e["cluster"]["links"], mode, name)

    def check_nothing_left(self, doc):
        pids = [n["pid"] for e in doc["engines"].values() for n in e["memory"]["nodes"]]
        left = [p for p in pids if pid_alive(p)]
        self.assertEqual(left, [], "servers outlived the bench")
        self.assertEqual([d for d in os.listdir(self.tmp) if d.startswith("pc-bench-")], [],
                         "the bench left its state directory behind")


class BenchTest(BenchChecks):
    def test_zkd_all_workloads(self):
        proc = self.bench("all", "--json", "--rounds", "2", "--startup-rounds", "1", *SHORT)
        doc = json.loads(proc.stdout)
        self.assertEqual(list(doc["engines"]), ["zkd"])
        zkd = doc["engines"]["zkd"]
        self.assertEqual(zkd["cluster"]["voters"], 3)
        self.assertEqual(zkd["cluster"]["force_sync"], "yes")
        self.check_latency(zkd["latency"], 60)
        self.check_throughput(zkd["throughput"])
        self.check_failover(zkd["failover"], 2)
        self.check_startup(zkd["startup"], 1)
        self.check_memory(zkd["memory"], 3)
        self.check_links(doc, "direct")  # the default
        self.assertGreater(doc["machine"]["nproc"], 0)
        self.check_nothing_left(doc)

    def test_proxied_links_are_measured_and_stated(self):
        out = os.path.join(self.tmp, "proxied.json")
        proc = self.bench("all", "--links", "proxied", "--json-file", out, "--rounds", "1",
                          "--startup-rounds", "1", *SHORT)
        self.assertIn("links: proxied", proc.stdout)
        with open(out) as f:
            doc = json.load(f)
        self.check_links(doc, "proxied")
        zkd = doc["engines"]["zkd"]
        self.check_latency(zkd["latency"], 60)
        self.check_throughput(zkd["throughput"])
        self.check_failover(zkd["failover"], 1)
        self.check_startup(zkd["startup"], 1)
        self.check_nothing_left(doc)

    def test_table_and_plot(self):
        png = os.path.join(self.tmp, "out.png")
        proc = self.bench("failover", "--rounds", "1", "--plot", png, *SHORT)
        self.assertIn("links: direct", proc.stdout)
        self.assertIn("failover: leader killed", proc.stdout)
        self.assertIn("window median", proc.stdout)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_against_a_running_cluster_leaves_it_running(self):
        c = Cluster(self, engine="zkd")
        self.addCleanup(c.close)
        c.up()
        before = {n["id"]: n["pid"] for n in c.status()["nodes"]}
        proc = self.bench_on(c, "latency", "--json", "--target", "followers",
                             "--requests", "30", "--warmup-requests", "0")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.check_latency(doc["engines"]["zkd"]["latency"], 30)
        self.check_links(doc, "direct")  # read from the cluster's status
        follower_ports = [n["client_port"] for n in c.status()["nodes"]
                          if n["role"] == "follower"]
        host = doc["engines"]["zkd"]["latency"]["host"]
        self.assertIn(int(host.rsplit(":", 1)[1]), follower_ports)
        after = {n["id"]: n["pid"] for n in c.status()["nodes"]}
        self.assertEqual(before, after, "the bench restarted or stopped servers it did not own")
        self.assertTrue(c.status()["cluster"]["ready"])
        # Asked to measure proxied links on a direct cluster, it refuses in one line.
        proc = self.bench_on(c, "latency", "--links", "proxied", timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn("runs with direct links", proc.stderr)

    def test_against_a_running_proxied_cluster_reads_its_links(self):
        c = Cluster(self, engine="zkd")
        self.addCleanup(c.close)
        c.up("--faults")
        self.assertEqual(c.status()["links"]["mode"], "proxied")
        proc = self.bench_on(c, "latency", "--json", "--requests", "30",
                             "--warmup-requests", "0")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.check_latency(doc["engines"]["zkd"]["latency"], 30)
        self.check_links(doc, "proxied")

    def test_bad_arguments_get_one_line(self):
        for args, expect in [(["nonsense"], "unknown workload 'nonsense'"),
                             (["--compare", "--cluster", "x"], "--compare brings up its own"),
                             (["--target", "everyone"], "--target 'everyone'"),
                             (["--plot", "out.svg"], "give a FILE.png"),
                             (["--links", "sideways"], "--links")]:
            proc = self.bench(*args, check=False, timeout=30)
            self.assertNotEqual(proc.returncode, 0, args)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertIn(expect, proc.stderr)
        proc = self.bench("latency", "--cluster", "nothing-here", check=False, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no cluster is running", proc.stderr)


class BenchSweepTest(BenchChecks):
    def test_sweep_client_side_reuses_one_cluster_per_engine(self):
        # value-size is client-side: each engine's cluster comes up once for both points.
        plots = os.path.join(self.tmp, "plots")
        proc = self.bench("sweep", "--vary", "value-size=10,1k", "--compare", "--json",
                          "--plot", plots, *SHORT, timeout=400)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["sweep"]["workload"], "latency")
        self.assertEqual(doc["sweep"]["vary"], [{"name": "value-size", "values": [10, 1024]}])
        seen = sorted((p["engine"], p["params"]["value-size"]) for p in doc["points"])
        self.assertEqual(seen, [("apache", 10), ("apache", 1024), ("zkd", 10), ("zkd", 1024)])
        for p in doc["points"]:
            f = p["figures"]
            self.assertEqual(sorted(f), ["get p50 us", "get p99 us", "set p50 us", "set p99 us"])
            self.assertTrue(0 < f["set p50 us"] <= f["set p99 us"], p)
        self.assertEqual(proc.stderr.count("bringing up one"), 2, proc.stderr)
        self.assertEqual(sorted(n for n in os.listdir(plots) if n.endswith(".png")),
                         ["get-p50-us.png", "get-p99-us.png", "set-p50-us.png",
                          "set-p99-us.png"])
        self.check_sweep_left_nothing()

    def test_sweep_server_side_two_parameters_table(self):
        # nodes is server-side: a fresh cluster per point; the table has a row per combination.
        proc = self.bench("sweep", "--vary", "nodes=1,3", "--vary", "inflight=1,4",
                          "--workload", "mix", *SHORT, timeout=400)
        lines = proc.stdout.strip().splitlines()
        self.assertIn("4 point(s), a fresh cluster per point", lines[0])
        self.assertEqual(lines[1].split()[:3], ["nodes", "inflight", "engine"])
        self.assertIn("mix ops/s", lines[1])
        rows = [line.split()[:3] for line in lines[2:]]
        self.assertEqual(rows, [["1", "1", "zkd"], ["1", "4", "zkd"], ["3", "1", "zkd"],
                                ["3", "4", "zkd"]])
        self.assertIn("point 4/4", proc.stderr)
        self.check_sweep_left_nothing()

    def check_sweep_left_nothing(self):
        self.assertEqual([p for p in self.leftover_pids() if pid_alive(p)], [],
                         "processes outlived the sweep")
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("pc-")], [],
                         "the sweep left its state directories")

    def test_sweep_bad_arguments_get_one_line(self):
        for args, expect in [(["--vary", "colour=1,2"], "--vary 'colour=1,2'"),
                             (["--vary", "value-size=1,2x"], "'2x' is not a value"),
                             (["--vary", "nodes=3", "--vary", "nodes=5"], "given twice"),
                             (["--vary", "nodes=3", "--workload", "failover"], "--workload"),
                             (["--vary", "nodes=3", "--cluster", "x"], "leave out --cluster")]:
            proc = self.bench("sweep", *args, check=False, timeout=30)
            self.assertEqual(proc.returncode, 2, (args, proc.stderr))
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertIn(expect, proc.stderr)


class BenchScaleTest(BenchChecks):
    def test_scale_reports_memory_snapshot_and_recovery_on_both_engines(self):
        proc = self.bench("scale", "--compare", "--znodes", "3000", "--json", "--tick-time", "200",
                          timeout=400)
        doc = json.loads(proc.stdout)
        self.assertEqual(sorted(doc["engines"]), ["apache", "zkd"])
        for name, e in doc["engines"].items():
            s = e["scale"]
            self.assertEqual((s["znodes"], s["value_bytes"], s["errors"]), (3000, 100, 0), name)
            self.assertGreater(s["creates_per_s"], 0, name)
            self.assertEqual(len(s["members"]), 3, name)
            for m in s["members"]:
                self.assertGreater(m["rss_after_kb"], 0, name)
            self.assertGreater(s["recovery_ms"], 0, name)
            self.assertNotIn("recovery_error", s, name)
            self.assertNotIn("latency", e)  # scale runs alone
        self.assertEqual(self.leftover_pids(), [], "servers outlived the bench")
        bad = self.bench("scale", "--cluster", "x", check=False, timeout=30)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("bench scale restarts every member", bad.stderr)


class BenchScaleSwarmTest(BenchChecks):
    def test_sessions_through_a_leader_kill_and_watches_fired_on_both_engines(self):
        # tickTime 500: sessions may live 10 s (20 ticks), ample for 200 to re-attach.
        proc = self.bench("scale", "--compare", "--sessions", "200", "--watches", "20000",
                          "--json", "--tick-time", "500", timeout=400)
        doc = json.loads(proc.stdout)
        self.assertEqual(sorted(doc["engines"]), ["apache", "zkd"])
        for name, e in doc["engines"].items():
            s = e["scale_sessions"]
            self.assertEqual(s["sessions"], 200, name)
            self.assertTrue(s["all_reattached"], (name, s))
            self.assertEqual(s["live"], 200, (name, s))
            self.assertEqual(s["after_kill"]["expired"], 0, (name, s))
            # The leader's share of the sessions lost their connection at least.
            self.assertGreaterEqual(s["after_kill"]["drops"], 60, (name, s))
            self.assertGreater(s["reattach_ms"], 0, name)
            self.assertEqual(len(s["members"]), 3, name)
            for m in s["members"]:
                self.assertGreaterEqual(m["open_file_limit"], 1024, (name, m))
            w = e["scale_watches"]
            self.assertEqual((w["watches"], w["sessions"], w["znodes"]), (20000, 100, 200), name)
            self.assertEqual(w["notifications"], 20000, (name, w))
            self.assertTrue(w["all_fired"], (name, w))
            self.assertEqual((w["exists_errors"], w["set_errors"]), (0, 0), (name, w))
            for m in w["members"]:
                self.assertGreater(m["rss_after_kb"], 0, (name, m))
            self.assertNotIn("scale", e)  # the znodes part is left out
        self.assertEqual(self.leftover_pids(), [], "servers outlived the bench")
        bad = self.bench("latency", "--sessions", "10", check=False, timeout=30)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("add the word scale", bad.stderr)


class BenchCompareTest(BenchChecks):
    def test_compare_reports_both_engines_with_targets(self):
        proc = self.bench("--compare", "--json", "--rounds", "1", "--startup-rounds", "1",
                          *SHORT, timeout=400)
        doc = json.loads(proc.stdout)
        self.assertEqual(sorted(doc["engines"]), ["apache", "zkd"])
        for name, e in doc["engines"].items():
            self.check_latency(e["latency"], 60)
            self.check_throughput(e["throughput"])
            self.check_failover(e["failover"], 1)
            self.check_startup(e["startup"], 1)
            self.check_memory(e["memory"], 3)
        self.check_links(doc, "direct")  # both engines alike
        rows = {r["figure"]: r for r in doc["comparison"]}
        targeted = [r for r in doc["comparison"] if r["target"]]
        self.assertEqual(len(targeted), 7, [r["figure"] for r in targeted])
        for r in doc["comparison"]:
            num, den = ((r["apache"], r["zkd"]) if r["better"] == "lower"
                        else (r["zkd"], r["apache"]))
            self.assertAlmostEqual(r["advantage"], num / den, places=6)
            if r["target"]:
                self.assertEqual(r["target"]["met"], r["advantage"] >= r["target"]["factor"])
        get = rows["read latency p50 (get, one client)"]
        self.assertEqual(get["zkd"], doc["engines"]["zkd"]["latency"]["ops"]["get"]["latency"]
                         ["p50_us"])
        self.check_nothing_left(doc)


def main():
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    supervisor_test.BINARY = BINARY
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
