"""`pseudo-cluster export --format compose | k8s`: parse what is written and check it.

Each case describes a cluster in a small ini file (export --config), exports it and reads the YAML
back with PyYAML: every member is there with its id, the ports and the tick/init/sync limits are
the cluster's, observers are marked as such, and the quorum settings (ZOO_SERVERS, the
PodDisruptionBudget) fit the voters. Where `docker compose` exists, `docker compose config` must
accept the compose file; where it does not, that part is skipped and says so. No process but the
binary runs: a few seconds.

    python3 export_test.py --binary build/pseudo-cluster
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

BINARY = None

# (voters, observers, tick_time, init_limit, sync_limit, client base)
SHAPES = [(3, 0, 2000, 10, 5, 2181), (5, 0, 500, 7, 3, 12181), (3, 1, 1000, 12, 6, 4000)]


def servers_of(line):
    """ZOO_SERVERS "server.1=h:2888:3888;2181 ..." -> {id: (host, role)}."""
    servers = {}
    for entry in line.split():
        m = re.fullmatch(r"server\.(\d+)=([\w.-]+):2888:3888(:observer)?;2181", entry)
        assert m, f"bad ZOO_SERVERS entry {entry!r} in {line!r}"
        servers[int(m.group(1))] = (m.group(2), "observer" if m.group(3) else "participant")
    return servers


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pc-export-")
        self.env = dict(os.environ, PSEUDO_CLUSTER_HOME=os.path.join(self.tmp, "home"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pc(self, *args):
        return subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True,
                              timeout=60, cwd=self.tmp)

    def export(self, fmt, shape):
        voters, observers, tick, init, sync, client = shape
        name = f"v{voters}o{observers}"
        ini = os.path.join(self.tmp, f"{name}.ini")
        with open(ini, "w") as f:
            f.write(f"[cluster]\nname = {name}\nsize = {voters}\nobservers = {observers}\n"
                    f"tick_time = {tick}\ninit_limit = {init}\nsync_limit = {sync}\n"
                    f"base_ports = {client},{client + 700},{client + 1400}\n")
        out = os.path.join(self.tmp, f"{name}-{fmt}")
        proc = self.pc("export", "--format", fmt, "--config", ini, "--out", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out

    def check_environment(self, env, shape, id_):
        voters, observers, tick, init, sync, _ = shape
        self.assertEqual(env["ZOO_TICK_TIME"], str(tick))
        self.assertEqual(env["ZOO_INIT_LIMIT"], str(init))
        self.assertEqual(env["ZOO_SYNC_LIMIT"], str(sync))
        servers = servers_of(env["ZOO_SERVERS"])
        self.assertEqual(sorted(servers), list(range(1, voters + observers + 1)))
        roles = [servers[i][1] for i in sorted(servers)]
        self.assertEqual(roles, ["participant"] * voters + ["observer"] * observers)
        return servers

    def test_compose_has_every_member_with_its_id_port_and_limits(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                voters, observers, _, _, _, client = shape
                path = os.path.join(self.export("compose", shape), "compose.yaml")
                with open(path) as f:
                    doc = yaml.safe_load(f)
                services = doc["services"]
                nodes = voters + observers
                self.assertEqual(sorted(services), sorted(f"zoo{i}" for i in range(1, nodes + 1)))
                for i in range(1, nodes + 1):
                    s = services[f"zoo{i}"]
                    self.assertTrue(s["image"].startswith("zookeeper:3.8"), s["image"])
                    self.assertEqual(s["hostname"], f"zoo{i}")
                    env = s["environment"]
                    self.assertEqual(env["ZOO_MY_ID"], str(i))
                    servers = self.check_environment(env, shape, i)
                    # Every member names every other by its service name.
                    self.assertEqual(servers[i][0], f"zoo{i}")
                    self.assertEqual({h for h, _ in servers.values()},
                                     set(services))
                    self.assertEqual(s["ports"], [f"{client + i - 1}:2181"])
                    self.assertEqual(sorted(v.split(":")[1] for v in s["volumes"]),
                                     ["/data", "/datalog"])
                    for v in s["volumes"]:
                        self.assertIn(v.split(":")[0], doc["volumes"])
                self.docker_compose_config(path)

    def docker_compose_config(self, path):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True) \
            if shutil.which("docker") else None
        if probe is None or probe.returncode != 0:
            print("docker compose is not installed here: `docker compose config` not run",
                  file=sys.stderr)
            return
        proc = subprocess.run(["docker", "compose", "-f", path, "config", "--quiet"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_k8s_statefulsets_services_and_budget_fit_the_ensemble(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                voters, observers = shape[0], shape[1]
                path = os.path.join(self.export("k8s", shape), "zookeeper.yaml")
                with open(path) as f:
                    docs = [d for d in yaml.safe_load_all(f) if d]
                by_kind = {}
                for d in docs:
                    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
                self.assertEqual(sorted(by_kind),
                                 ["PodDisruptionBudget", "Service", "StatefulSet"])
                headless = by_kind["Service"]["zk-hs"]["spec"]
                self.assertEqual(headless["clusterIP"], "None")
                self.assertEqual(sorted(p["port"] for p in headless["ports"]), [2888, 3888])
                self.assertEqual([p["port"] for p in by_kind["Service"]["zk-cs"]["spec"]["ports"]],
                                 [2181])
                sets = by_kind["StatefulSet"]
                self.assertEqual(sorted(sets), ["zk"] + (["zk-observer"] if observers else []))
                self.assertEqual(sets["zk"]["spec"]["replicas"], voters)
                if observers:
                    self.assertEqual(sets["zk-observer"]["spec"]["replicas"], observers)
                # Which member each pod is: its hostname's ordinal plus the set's first id,
                # exactly as the start command computes it.
                pods = {}
                for name, first in (("zk", 1), ("zk-observer", voters + 1)):
                    if name not in sets:
                        continue
                    spec = sets[name]["spec"]
                    self.assertEqual(spec["serviceName"], "zk-hs")
                    pod = spec["template"]["spec"]["containers"][0]
                    env = {e["name"]: e["value"] for e in pod["env"]}
                    servers = self.check_environment(env, shape, None)
                    m = re.search(r"ZOO_MY_ID=\$\(\(\$\{HOSTNAME##\*-\} \+ (\d+)\)\)",
                                  pod["command"][-1])
                    self.assertTrue(m, pod["command"])
                    self.assertEqual(int(m.group(1)), first)
                    for ordinal in range(spec["replicas"]):
                        pods[first + ordinal] = f"{name}-{ordinal}.zk-hs"
                    mounts = sorted(v["mountPath"] for v in pod["volumeMounts"])
                    self.assertEqual(mounts, ["/data", "/datalog"])
                self.assertEqual(pods, {i: servers[i][0] for i in servers})
                budget = by_kind["PodDisruptionBudget"]["zk-pdb"]["spec"]
                self.assertEqual(budget["maxUnavailable"], voters - (voters // 2 + 1))
                self.assertEqual(budget["selector"]["matchLabels"]["role"], "participant")

    def test_bad_input_is_one_line_and_exit_2(self):
        for args, what in ((["--format", "helm"], "--format"),
                           (["--format", "compose", "--hosts", "a,b,c"], "--hosts"),
                           (["--format", "ssh"], "--hosts"),
                           (["--format", "k8s", "--config", "/nonexistent.ini"], "nonexistent")):
            with self.subTest(args=args):
                proc = self.pc("export", *args, "--out", os.path.join(self.tmp, "x"))
                self.assertEqual(proc.returncode, 2, proc.stderr)
                lines = proc.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, proc.stderr)
                self.assertIn(what, lines[0])
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "x")))


def main():
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
