#!/usr/bin/env python3
"""Writes docs/pseudo-cluster.1 and docs/zkd.1 from the programs' own --help texts, so the man
pages say exactly what --help says (every command, every option) and cannot drift from it.

    scripts/man-pages.py build/pseudo-cluster build/zkd          # rewrite docs/*.1 (make man)
    scripts/man-pages.py --check build/pseudo-cluster build/zkd  # exit 1 if they are stale or
                                                                 # an option has no description
"""
import argparse
import os
import re
import subprocess
import sys

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs")


def help_text(argv):
    text = subprocess.run([*argv, "--help"], capture_output=True, text=True, check=True,
                          timeout=30).stdout
    # CLI11 names the program as it was called: the page must not depend on where it was built.
    return text.replace(argv[0], os.path.basename(argv[0]))


def section(text, title):
    """The lines of CLI11's "Title:" section, up to the next blank line."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.rstrip() == title + ":":
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            lines.append(line)
    return lines


def subcommands(text):
    return [line.split()[0] for line in section(text, "Subcommands") if line.startswith("  ")
            and not line.startswith("   ")]


def described(line):
    """Whether an option's help line says more than its names, type and check."""
    rest = re.sub(r"^\s*\S+", "", line)  # -n,--name
    rest = re.sub(r"\b[A-Z]+(:[A-Z]+)?(:\{[^}]*\})?", "", rest)  # TEXT, INT:INT, TEXT:{a,b}
    rest = re.sub(r"in \[[^\]]*\]|\bREQUIRED\b|(Excludes|Needs):.*", "", rest)
    return bool(rest.strip())


def undescribed(argv, text):
    """Options and positionals whose help carries no description (CLI11 puts it after the name,
    or on the next line, indented, when the name is long)."""
    bare = []
    for title in ("Options", "Positionals"):
        lines = section(text, title)
        for i, line in enumerate(lines):
            if not re.match(r"^  \S", line) or described(line):
                continue
            follows = lines[i + 1] if i + 1 < len(lines) else ""
            if not re.match(r"^\s{4,}\S", follows):
                bare.append(f"{' '.join(argv)}: {line.strip()}")
    return bare


def walk(argv):
    """(argv, help text) for the program and each of its subcommands, depth first."""
    text = help_text(argv)
    yield argv, text
    for sub in subcommands(text):
        yield from walk([*argv, sub])


def roff(text):
    out = []
    for line in text.rstrip("\n").splitlines():
        line = line.replace("\\", "\\e")
        out.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(out)


PSEUDO_CLUSTER_HEAD = r""".TH PSEUDO-CLUSTER 1 "" "pseudo-cluster" "User Commands"
.SH NAME
pseudo-cluster \- a ZooKeeper ensemble on one machine
.SH SYNOPSIS
.B pseudo-cluster
.I command
[\fIoptions\fR]
.SH DESCRIPTION
.B pseudo-cluster
lays out every member of a ZooKeeper ensemble the way the ZooKeeper tutorials teach (zoo.cfg,
dataDir/myid, shifted ports) on 127.0.0.1, starts them, watches their roles, and lets you kill,
pause and restart any member or cut the links between them while it records the re-elections.
The servers are either
.BR zkd (1),
installed beside it, or real Apache ZooKeeper (\fB\-\-engine apache\fR, found through the
Debian zookeeper package, /usr/share/java/zookeeper.jar). A supervisor process keeps each
cluster; the other commands talk to it over the cluster directory's control socket.
.PP
Usage errors print one line on standard error and exit with status 2; other failures exit 1.
.SH COMMANDS
The text below is each command's \fB\-\-help\fR.
"""

PSEUDO_CLUSTER_TAIL = r""".SH ENVIRONMENT
.TP
.B PSEUDO_CLUSTER_HOME
where clusters live, one directory per cluster name (default ~/.pseudo-cluster).
.TP
.B PSEUDO_CLUSTER_ZKD
another zkd binary to run instead of the one beside pseudo-cluster.
.SH FILES
.TP
.I $PSEUDO_CLUSTER_HOME/<name>/
a cluster: cluster.json, supervisor.sock, and node1, node2, ... each with zoo.cfg, data/myid,
data/version-2, datalog/version-2 and logs/.
.TP
.I /usr/share/pseudo-cluster/cluster-configs/*.ini
example cluster descriptions for \fBup \-\-config\fR and \fBexport \-\-config\fR.
.SH SEE ALSO
.BR zkd (1),
.BR zkCli.sh (1)
"""

ZKD_HEAD = r""".TH ZKD 1 "" "pseudo-cluster" "User Commands"
.SH NAME
zkd \- a ZooKeeper-compatible server
.SH SYNOPSIS
.B zkd
.I zoo.cfg
.SH DESCRIPTION
.B zkd
serves the ZooKeeper client protocol and runs ZooKeeper's election and Zab with other zkd
members, configured by the same zoo.cfg and dataDir/myid files as Apache ZooKeeper.
.BR pseudo-cluster (1)
starts it for each member of its clusters.
.SH OPTIONS
"""


def page(argv, head, tail=""):
    parts = [head]
    for cmd, text in walk(argv):
        name = " ".join([os.path.basename(cmd[0]), *cmd[1:]])
        if len(cmd) > 1:
            parts.append(f".SS {name}\n")
        parts.append(".nf\n" + roff(text) + "\n.fi\n")
    parts.append(tail)
    return "".join(parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("pseudo_cluster")
    parser.add_argument("zkd")
    args = parser.parse_args()
    pages = {"pseudo-cluster.1": page([args.pseudo_cluster], PSEUDO_CLUSTER_HEAD,
                                      PSEUDO_CLUSTER_TAIL),
             "zkd.1": page([args.zkd], ZKD_HEAD, "")}
    if not args.check:
        for name, text in pages.items():
            with open(os.path.join(DOCS, name), "w") as f:
                f.write(text)
        return 0
    problems = [p for argv in ([args.pseudo_cluster], [args.zkd]) for cmd, text in walk(argv)
                for p in undescribed(cmd, text)]
    for name, text in pages.items():
        with open(os.path.join(DOCS, name)) as f:
            if f.read() != text:
                problems.append(f"docs/{name} is not what --help says now: run `make man`")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
