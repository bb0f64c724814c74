#!/usr/bin/python3
"""A stand-in for zkd that speaks only the supervisor's event contract (zkd_events.h).

Usage: fake_zkd.py <zoo.cfg>. Reads clientPort, server.N lines and dataDir/myid, writes
{"event":"state","state":"LOOKING",...}, then after a short "election" the highest voter id
LEADING and the others FOLLOWING (or OBSERVING) in epoch 1, then {"event":"serving"}, on the fd
named by $ZKD_EVENT_FD. Also writes one garbage line, which the supervisor must skip.
Answers `srvr` on clientPort. With FAKE_ZKD_REFUSE_ENSEMBLE=1 it refuses several servers the
way today's zkd does: one line on stderr, exit status 2. With FAKE_ZKD_NO_EVENTS=1 it writes no
events, so the supervisor must learn its role from `srvr`. With FAKE_ZKD_VOTES_DROPPED=N the
highest voter also reports its election facts: its own vote, N facts lost (votes_dropped), and
its decision. With FAKE_ZKD_FLOOD=N, a SIGUSR1 makes it write N state lines (LOOKING and back,
each one a timeline event), then create flood-done in its dataDir: a fast source of events.
"""

import json
import os
import signal
import socket
import sys
import time


def main():
    cfg = {}
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                cfg[key] = value
    servers = {int(k.split(".")[1]): v for k, v in cfg.items() if k.startswith("server.")}
    if servers and os.environ.get("FAKE_ZKD_REFUSE_ENSEMBLE"):
        print("zkd: ensembles are not supported yet; use one server (no server.N lines)",
              file=sys.stderr, flush=True)
        sys.exit(2)
    with open(os.path.join(cfg["dataDir"], "myid")) as f:
        myid = int(f.read().strip())
    voters = [sid for sid, v in servers.items() if not v.endswith(":observer")]
    events = os.fdopen(int(os.environ["ZKD_EVENT_FD"]), "w", buffering=1)

    quiet = bool(os.environ.get("FAKE_ZKD_NO_EVENTS"))

    def emit(obj):
        if not quiet:
            events.write(json.dumps(obj) + "\n")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(cfg["clientPort"])))
    listener.listen(8)

    emit({"event": "state", "state": "LOOKING", "epoch": 0, "zxid": "0x0", "election_ms": 0})
    if not quiet:
        events.write("this line is not JSON\n")
    time.sleep(0.3)
    if not servers:
        state = "STANDALONE"
    elif myid not in voters:
        state = "OBSERVING"
    else:
        state = "LEADING" if myid == max(voters) else "FOLLOWING"
    dropped = int(os.environ.get("FAKE_ZKD_VOTES_DROPPED", "0"))
    if dropped and state == "LEADING":
        vote = {"leader": myid, "zxid": "0x0", "round": 1, "peer_epoch": 0}
        emit({"event": "vote", **vote, "why": "start"})
        emit({"event": "votes_dropped", "count": dropped})
        emit({"event": "decision", "state": "LEADING", **vote, "by": "looking-quorum",
              "supporters": voters, "voters": len(voters), "election_ms": 300})
    emit({"event": "state", "state": state, "epoch": 1, "zxid": "0x100000000", "election_ms": 300})
    emit({"event": "serving"})
    mode = {"STANDALONE": "standalone", "LEADING": "leader", "FOLLOWING": "follower",
            "OBSERVING": "observer"}[state]
    flood = int(os.environ.get("FAKE_ZKD_FLOOD", "0"))
    flood_asked = []
    signal.signal(signal.SIGUSR1, lambda *_: flood_asked.append(1))
    listener.settimeout(0.1)
    while True:
        if flood_asked:
            flood_asked.clear()
            for i in range(flood):
                emit({"event": "state", "state": "LOOKING" if i % 2 == 0 else state,
                      "epoch": 1, "zxid": "0x100000000", "election_ms": 0})
            with open(os.path.join(cfg["dataDir"], "flood-done"), "w"):
                pass
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        conn.settimeout(None)
        with conn:
            conn.recv(16)
            conn.sendall(f"Zookeeper version: fake\nConnections: 1\nZxid: 0x100000000\n"
                         f"Mode: {mode}\nNode count: 4\n".encode())


if __name__ == "__main__":
    main()
