"""Memory and file-descriptor samples of a soak's processes, and the rule that judges them flat.

Every sample reads, for the supervisor and each member's current process, VmRSS from
/proc/PID/status and the number of entries of /proc/PID/fd, and for a member the client
connections it has (`srvr`'s Connections, from the supervisor's status): the clients move from
member to member at every kill and pause, and each brings its socket, so what is judged is fds
minus client connections. For a JVM (the Apache engine) it
also takes the live heap: a full GC (`jcmd PID GC.run`), then the used bytes `jcmd PID
GC.heap_info` reports — see JVM below for why.

A process is one pid: a member killed and started again by the nemesis is a new process. Only
processes that lived through the whole window are judged; the others are listed.

The rule ("flat"). The window is the last two thirds of the run. Its samples are split into
quarters; growth = median of the last quarter − median of the first quarter. Medians, so one
sample taken in a burst (a snapshot being written, a reconnect storm) does not decide. A
process is flat when growth <= the tolerance:
  RSS (zkd, supervisor):   RSS_TOLERANCE_KIB = 3 MiB. The first quarter's median sits about
      1/8 of the run after the window starts and the last one's 1/8 before the end, so 3/4 of
      the window (half the run) separates them: in a 2-minute run at ~150 txns/s that is ~9000
      txns, and a leak of 1 KiB per txn grows 9 MiB, three times the tolerance. What legitimately
      grows in that time is bounded: the znodes (the writers delete behind a window) and zkd's
      DIFF history (10000 txns), which fills early.
  fds (minus client connections): FD_TOLERANCE = 6. What is left moves with the peer links
      being redialled and the log files rolled; medians of quarters smooth that, and a leak of
      one fd per reconnect (several per fault, one fault every few seconds) passes 6 within a
      minute.
  JVM: its RSS follows the heap-sizing policy (the committed heap grows towards -Xmx as the
      JIT and the allocation rate settle), not what the program keeps, so for a JVM the RSS is
      reported but not judged; the live heap after a full GC is judged instead, with
      HEAP_TOLERANCE_KIB = 8 MiB (a leak of 1 KiB per txn again passes it several times over).
"""

import os
import re
import statistics
import subprocess

RSS_TOLERANCE_KIB = 3 * 1024
FD_TOLERANCE = 6
HEAP_TOLERANCE_KIB = 8 * 1024


def read_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def count_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def is_jvm(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return os.path.basename(f.read().split(b"\0")[0]) == b"java"
    except OSError:
        return False


def is_stopped(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[-1].split()[0] in ("T", "t")
    except OSError:
        return True


def jvm_live_heap_kib(pid):
    """Heap used after a full GC, in KiB; None when the JVM did not answer (paused, gone)."""
    if is_stopped(pid):
        return None  # a paused JVM cannot answer; jcmd would wait for it
    try:
        jcmd = os.path.join(os.path.dirname(os.readlink(f"/proc/{pid}/exe")), "jcmd")
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=20, check=True)
        out = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True,
                             timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # One "used NNNK" per generation (and metaspace, which is not heap: left out).
    used = [int(m.group(1)) for line in out.splitlines() if "Metaspace" not in line
            and "class space" not in line for m in [re.search(r"used (\d+)K", line)] if m]
    return sum(used) if used else None


class Sampler:
    def __init__(self):
        self.samples = []  # dicts: t, name, pid, rss_kib, fds, heap_kib (None but for JVMs)
        self.jvm = {}

    def take(self, t, processes, with_heap=False):
        """processes: {name: (pid, client connections)}; a pid that cannot be read (gone)
        gives no sample."""
        for name, (pid, clients) in processes.items():
            if not pid:
                continue
            rss, fds = read_rss_kib(pid), count_fds(pid)
            if rss is None or fds is None:
                continue
            if pid not in self.jvm:
                self.jvm[pid] = is_jvm(pid)
            heap = jvm_live_heap_kib(pid) if with_heap and self.jvm[pid] else None
            self.samples.append({"t": t, "name": name, "pid": pid, "rss_kib": rss, "fds": fds,
                                 "clients": max(0, clients), "heap_kib": heap})


def growth(values):
    """Median of the last quarter minus median of the first quarter (None: too few values)."""
    if len(values) < 4:
        return None
    q = max(1, len(values) // 4)
    return statistics.median(values[-q:]) - statistics.median(values[:q])


def judge(samples, window_start, end, jvm):
    """One verdict per process, in name order: survivors of the window judged, others listed."""
    by_process = {}
    for s in samples:
        by_process.setdefault((s["name"], s["pid"]), []).append(s)
    times = sorted({s["t"] for s in samples if s["t"] >= window_start})
    first_t, last_t = (times[0], times[-1]) if times else (None, None)
    verdicts = []
    for (name, pid), ss in sorted(by_process.items(), key=lambda kv: (kv[0][0], kv[1][0]["t"])):
        v = {"name": name, "pid": pid, "jvm": jvm.get(pid, False), "judged": False,
             "rss_kib": [ss[0]["rss_kib"], ss[-1]["rss_kib"], max(s["rss_kib"] for s in ss)],
             "fds": [ss[0]["fds"], ss[-1]["fds"], max(s["fds"] for s in ss)],
             "from_s": ss[0]["t"], "to_s": ss[-1]["t"], "problems": []}
        window = [s for s in ss if s["t"] >= window_start]
        lived = (window and window[0]["t"] == first_t and window[-1]["t"] == last_t
                 and ss[0]["t"] < window_start)
        if lived:
            v["judged"] = True
            checks = [("fds", [s["fds"] - s["clients"] for s in window], FD_TOLERANCE, "")]
            if v["jvm"]:
                heap = [s["heap_kib"] for s in window if s["heap_kib"] is not None]
                checks.append(("live heap", heap, HEAP_TOLERANCE_KIB, " KiB"))
                v["heap_kib"] = [heap[0], heap[-1], max(heap)] if heap else None
            else:
                checks.append(("RSS", [s["rss_kib"] for s in window], RSS_TOLERANCE_KIB, " KiB"))
            v["growth"] = {}
            for what, values, tolerance, unit in checks:
                g = growth(values)
                v["growth"][what] = g
                if g is None:
                    v["problems"].append(f"{what}: too few samples ({len(values)}) to judge")
                elif g > tolerance:
                    v["problems"].append(f"{what} grew {g:g}{unit} over the last two thirds "
                                         f"(tolerance {tolerance}{unit})")
        verdicts.append(v)
    return verdicts
