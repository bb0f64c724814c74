// `export --format k8s`: the ensemble in the shape of the Kubernetes tutorial "Running ZooKeeper,
// A Distributed System Coordinator": a headless Service for the members' own traffic (quorum and
// election), a client Service, a StatefulSet whose pod ordinal gives the member id, and a
// PodDisruptionBudget. It runs the official zookeeper image (the tutorial's image is 3.4, too
// old for the `server.N=...;clientPort` lines), whose entrypoint is given ZOO_MY_ID computed
// from the pod's hostname (zk-2 is node 3). Observers get a StatefulSet of their own so that
// `replicas` of zk stays the number of voters and scaling one never turns into the other.
#include <sstream>

#include "supervisor/export.h"

namespace pc {

namespace {

constexpr const char* kApp = "zk";
constexpr const char* kHeadless = "zk-hs";

// The pods of `set` number their ids from `first_id` on; the entrypoint writes myid from it.
std::string StartCommand(int first_id) {
  return "export ZOO_MY_ID=$((${HOSTNAME##*-} + " + std::to_string(first_id) +
         ")) && exec /docker-entrypoint.sh zkServer.sh start-foreground";
}

void RenderServices(std::ostringstream& out) {
  out << "apiVersion: v1\n"
      << "kind: Service\n"
      << "metadata:\n"
      << "  name: " << kHeadless << "\n"
      << "  labels:\n"
      << "    app: " << kApp << "\n"
      << "spec:\n"
      << "  clusterIP: None\n"
      << "  # Members find each other by name while they start, before their probes pass.\n"
      << "  publishNotReadyAddresses: true\n"
      << "  selector:\n"
      << "    app: " << kApp << "\n"
      << "  ports:\n"
      << "    - name: server\n"
      << "      port: 2888\n"
      << "    - name: leader-election\n"
      << "      port: 3888\n"
      << "---\n"
      << "apiVersion: v1\n"
      << "kind: Service\n"
      << "metadata:\n"
      << "  name: zk-cs\n"
      << "  labels:\n"
      << "    app: " << kApp << "\n"
      << "spec:\n"
      << "  selector:\n"
      << "    app: " << kApp << "\n"
      << "  ports:\n"
      << "    - name: client\n"
      << "      port: 2181\n";
}

void RenderBudget(const ClusterSpec& spec, std::ostringstream& out) {
  const int quorum = spec.voters / 2 + 1;
  out << "apiVersion: policy/v1\n"
      << "kind: PodDisruptionBudget\n"
      << "metadata:\n"
      << "  name: zk-pdb\n"
      << "spec:\n"
      << "  # " << spec.voters << " voters, a quorum of " << quorum
      << ": evictions may take down no more than the rest.\n"
      << "  selector:\n"
      << "    matchLabels:\n"
      << "      app: " << kApp << "\n"
      << "      role: participant\n"
      << "  maxUnavailable: " << spec.voters - quorum << "\n";
}

void RenderStatefulSet(const ClusterSpec& spec, const std::string& name, const std::string& role,
                       int replicas, int first_id, const std::string& servers,
                       std::ostringstream& out) {
  out << "apiVersion: apps/v1\n"
      << "kind: StatefulSet\n"
      << "metadata:\n"
      << "  name: " << name << "\n"
      << "spec:\n"
      << "  selector:\n"
      << "    matchLabels:\n"
      << "      app: " << kApp << "\n"
      << "      role: " << role << "\n"
      << "  serviceName: " << kHeadless << "\n"
      << "  replicas: " << replicas << "\n"
      << "  updateStrategy:\n"
      << "    type: RollingUpdate\n"
      << "  podManagementPolicy: OrderedReady\n"
      << "  template:\n"
      << "    metadata:\n"
      << "      labels:\n"
      << "        app: " << kApp << "\n"
      << "        role: " << role << "\n"
      << "    spec:\n"
      << "      affinity:\n"
      << "        podAntiAffinity:\n"
      << "          # One member per machine, as on real hosts.\n"
      << "          requiredDuringSchedulingIgnoredDuringExecution:\n"
      << "            - labelSelector:\n"
      << "                matchLabels:\n"
      << "                  app: " << kApp << "\n"
      << "              topologyKey: kubernetes.io/hostname\n"
      << "      containers:\n"
      << "        - name: zookeeper\n"
      << "          image: " << kZooKeeperImage << "\n"
      << "          command: [\"bash\", \"-c\", " << YamlQuote(StartCommand(first_id)) << "]\n"
      << "          ports:\n"
      << "            - name: client\n"
      << "              containerPort: 2181\n"
      << "            - name: server\n"
      << "              containerPort: 2888\n"
      << "            - name: leader-election\n"
      << "              containerPort: 3888\n"
      << "          env:\n"
      << "            - name: ZOO_SERVERS\n"
      << "              value: " << YamlQuote(servers) << "\n";
  // A member listens on every address of its pod: its own name resolves only once its Service
  // record is published.
  for (const auto& [key, value] : ImageEnvironment(spec, "quorumListenOnAllIPs=true")) {
    out << "            - name: " << key << "\n"
        << "              value: " << YamlQuote(value) << "\n";
  }
  out << "          readinessProbe:\n"
      << "            exec:\n"
      << "              command: [\"sh\", \"-c\", \"echo ruok | nc -w 2 127.0.0.1 2181 | grep "
         "imok\"]\n"
      << "            initialDelaySeconds: 10\n"
      << "            timeoutSeconds: 5\n"
      << "          livenessProbe:\n"
      << "            exec:\n"
      << "              command: [\"sh\", \"-c\", \"echo ruok | nc -w 2 127.0.0.1 2181 | grep "
         "imok\"]\n"
      << "            initialDelaySeconds: 10\n"
      << "            timeoutSeconds: 5\n"
      << "          volumeMounts:\n"
      << "            - name: data\n"
      << "              mountPath: /data\n"
      << "            - name: datalog\n"
      << "              mountPath: /datalog\n"
      << "  volumeClaimTemplates:\n";
  for (const char* volume : {"data", "datalog"}) {
    out << "    - metadata:\n"
        << "        name: " << volume << "\n"
        << "      spec:\n"
        << "        accessModes: [\"ReadWriteOnce\"]\n"
        << "        resources:\n"
        << "          requests:\n"
        << "            storage: 10Gi\n";
  }
}

}  // namespace

ExportFiles RenderKubernetes(const ClusterSpec& spec) {
  auto host = [&spec](int id) {
    return (spec.is_observer(id) ? "zk-observer-" + std::to_string(id - spec.voters - 1)
                                 : "zk-" + std::to_string(id - 1)) +
           "." + kHeadless;
  };
  const std::string servers = ZooServersLine(spec, host);
  std::ostringstream out;
  out << "# The ensemble " << EnsembleSummary(spec)
      << " for Kubernetes, exported by pseudo-cluster.\n"
      << "# Pod zk-N is node N+1"
      << (spec.observers ? ", zk-observer-N node " + std::to_string(spec.voters + 1) + "+N"
                         : std::string())
      << ".\n"
      << "#   kubectl apply -f zookeeper.yaml\n"
      << "#   kubectl exec zk-0 -- bash -c 'echo srvr | nc 127.0.0.1 2181'\n";
  RenderServices(out);
  out << "---\n";
  RenderBudget(spec, out);
  out << "---\n";
  RenderStatefulSet(spec, "zk", "participant", spec.voters, 1, servers, out);
  if (spec.observers > 0) {
    out << "---\n";
    RenderStatefulSet(spec, "zk-observer", "observer", spec.observers, spec.voters + 1, servers,
                      out);
  }
  ExportFiles result;
  result.files["zookeeper.yaml"] = out.str();
  return result;
}

}  // namespace pc
