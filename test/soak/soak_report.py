"""A soak's report: the ops, the loss and convergence checks, the memory and fd table, the
verdict; and the exit code (see soak.py)."""

import dataclasses
import hashlib

from soak_sampler import FD_TOLERANCE, HEAP_TOLERANCE_KIB, RSS_TOLERANCE_KIB


@dataclasses.dataclass
class Result:
    counts: object
    writers: list
    readers: list
    nemesis: object
    zxids: dict
    final_checked: int
    missing: list
    trees: dict
    verdicts: list
    samples: int
    period_s: float
    end_s: float


def tree_digest(tree):
    h = hashlib.sha256()
    for path in sorted(tree):
        data, version = tree[path]
        h.update(f"{path}\0{version}\0".encode() + data + b"\0")
    return h.hexdigest()[:16]


def problems(r):
    """{check: [what is wrong]} for the checks lost, converged, flat, clients."""
    out = {"lost": [], "converged": [], "flat": [], "clients": []}
    out["lost"] += [f"acknowledged, then not found by its delete: {p}" for p in r.counts.lost]
    out["lost"] += [f"acknowledged, missing on {m} at the end: {p}" for m, p in r.missing]
    out["lost"] += [f"read something never written: {b}" for b in r.counts.bad_reads]
    if len(r.zxids) < len(r.trees) or len(set(r.zxids.values())) != 1:
        out["converged"].append(f"last zxids differ or missing: {r.zxids}")
    digests = {m: tree_digest(t) for m, t in r.trees.items()}
    if len(set(digests.values())) != 1:
        out["converged"].append(f"workload trees differ: {digests}")
    for v in r.verdicts:
        out["flat"] += [f"{v['name']} (pid {v['pid']}): {p}" for p in v["problems"]]
    if not any(v["judged"] and v["name"] != "supervisor" for v in r.verdicts):
        out["flat"].append("no member process lived through the last two thirds to be judged")
    out["clients"] += [t.error for t in r.writers + r.readers if t.error]
    return out


def render(r, a):
    c = r.counts
    lost = len(set(c.lost) | {p for _, p in r.missing})  # creates, not member copies
    lines = [f"soak report: {a.engine}, {r.end_s:.0f}s of churn, seed {a.seed}"]
    lines.append(f"  ops: {c.ops['ok']} ok, {c.ops['fail']} fail, {c.ops['info']} info "
                 f"(unknown outcome)")
    lines.append("  faults: " + ", ".join(f"{n} {k}" for k, n in sorted(r.nemesis.counts().items())))
    lines.append(f"  acknowledged creates checked: {c.confirmed} by their delete, "
                 f"{r.final_checked} on every member at the end; {c.unconfirmed} unconfirmed "
                 f"(delete outcome unknown); lost: {lost}")
    lines.append("  last zxid per member: " + ", ".join(f"{m} {z}" for m, z in
                                                          sorted(r.zxids.items())))
    lines.append("  workload tree per member: " + ", ".join(
        f"{m} {len(t)} nodes {tree_digest(t)}" for m, t in sorted(r.trees.items())))
    lines.append(f"  samples: {r.samples}, every {r.period_s:g}s; window: the last two thirds "
                 f"({r.end_s / 3:.0f}s..{r.end_s:.0f}s); flat: growth (median of the window's "
                 f"last quarter - median of its first) <= {RSS_TOLERANCE_KIB} KiB RSS, "
                 f"{HEAP_TOLERANCE_KIB} KiB live heap (JVM), {FD_TOLERANCE} fds (less client "
                 f"connections)")
    lines.append(f"  {'process':<11}{'pid':>8}  {'lived s':<13}{'RSS KiB first/last/max':<27}"
                 f"{'fds f/l/max':<14}{'growth':<26}judged")
    for v in r.verdicts:
        g = v.get("growth", {})
        grew = ", ".join(f"{k} {x:+g}" for k, x in g.items() if x is not None)
        mark = ("ok" if not v["problems"] else "NOT FLAT") if v["judged"] else "-"
        rss = "/".join(map(str, v["rss_kib"]))
        fds = "/".join(map(str, v["fds"]))
        lines.append(f"  {v['name']:<11}{v['pid']:>8}  {v['from_s']:>5.0f}-{v['to_s']:<6.0f} "
                     f"{rss:<27}{fds:<14}{grew:<26}{mark}")
        if v.get("heap_kib"):
            lines.append(f"  {'':<11}{'':>8}  live heap KiB first/last/max: "
                         + "/".join(map(str, v["heap_kib"])))
    found = problems(r)
    for check in ("lost", "converged", "flat", "clients"):
        items = found[check]
        lines.append(f"  {check}: " + ("ok" if not items else f"FAILED ({len(items)})"))
        lines += [f"    {p}" for p in items[:20]]
    failed = [k for k, v in found.items() if v]
    lines.append("soak: PASS" if not failed else "soak: FAIL (" + ", ".join(failed) + ")")
    return "\n".join(lines)


def exit_code(r, expect):
    """0 when the run is what was expected: all checks hold (pass), or the planted bug's one
    check fails (leak: flat; loss: lost)."""
    failed = {k for k, v in problems(r).items() if v}
    if expect == "pass":
        return 0 if not failed else 1
    wanted = {"leak": "flat", "loss": "lost"}[expect]
    return 0 if wanted in failed else 1
