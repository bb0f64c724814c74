#!/usr/bin/python3
"""Hostile input on the peer ports of a live 3-member ensemble under a writer.

A cluster comes up with `pseudo-cluster up 3 -d` (free base ports, its own $PSEUDO_CLUSTER_HOME)
and a kazoo writer creates sequential znodes in a thread. Then, from raw sockets on 127.0.0.1,
every kind of bad input in HOSTILE goes to the election and quorum ports of the leader and of a
follower, one connection each: garbage, a truncated hello, a truncated frame, an oversize, a
zero and a negative frame length, a hello from a sid not in the config (alone and followed by a
valid-looking message), a hello with the member's own sid, a valid hello followed by an
undecodable payload, and a notification whose sid is not its connection's — while a crowd of
silent connections, more than the member's connections_max, sits on the leader's election
port. Then:

  zkd (ZkdHostileTest)
    - each bad connection is closed by the member (the socket sees EOF / RST);
    - each member's log has exactly one line naming that connection's address (127.0.0.1:port
      of our socket), with the expected reason;
    - the writer saw no failure at all; no member changed role, no election, no exit, and the
      leader and epoch are the ones from before;
    - every member still answers srvr with its mode, and every acknowledged create is on every
      member.
  Apache ZooKeeper 3.8 (ApacheHostileTest, `--engine apache`), the same bytes: every member
  still serves and every acknowledged create is on every member. What differs, on purpose:
    - Apache's quorum port is open only on the leader (a follower dials out), so the quorum
      inputs go to the leader only; and its quorum stream has no hello (the learner sends a
      QuorumPacket first), so every input there is just a malformed packet to it;
    - its log lines are its own (and a connection it rejects may log several), so the logs are
      not checked, and a hello carrying a member's sid may replace that member's election
      connection, so roles are not checked either: only service and the data.

    hostile_peers_test.py --binary build/pseudo-cluster [ZkdHostileTest|ApacheHostileTest]
"""

import argparse
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "supervisor"))
import supervisor_test  # noqa: E402
from supervisor_test import ClusterTest, four_letter  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

PARENT = "/hostile"
PROTOCOL_VERSION = -65536
SILENT_CROWD = 16  # more than a 3-member zkd's connections_max (2 x 2 peers + 8 = 12)
DISRUPTIONS = {"role", "election", "leader", "no_leader", "quorum_lost", "exit", "signal"}


def jlong(v):
    return struct.pack(">q", v)


def jint(v):
    return struct.pack(">i", v)


def jbuf(b):
    return jint(len(b)) + b


def hello(sid, port):
    return jlong(PROTOCOL_VERSION) + jlong(sid) + jbuf(b"127.0.0.1:%d" % port)


def notification(sid, leader=1, zxid=1 << 32, epoch=1):
    # sid, state LOOKING, proposed leader, zxid, election epoch, peer epoch, version 2, no config
    return jlong(sid) + jint(0) + jlong(leader) + jlong(zxid) + jlong(epoch) + jlong(epoch) + \
        jint(2) + jbuf(b"")


def frame(payload):
    return jint(len(payload)) + payload


def zab(kind, zxid, data=b""):
    return jint(kind) + jlong(zxid) + jbuf(data)


FOLLOWERINFO = 11


def hostile_inputs(port_kind, target, other):
    """(name, bytes, half_close, reason regex in the zkd log) for one port of member `target`.

    `other` is another member's sid: a hello with it passes the sid check, so what follows is
    read as frames. half_close: we stop sending (the input is cut short) instead of waiting for
    the member to close."""
    rnd = random.Random(16)
    garbage = bytes(rnd.randrange(256) for _ in range(64))
    valid = notification(other) if port_kind == "election" else zab(FOLLOWERINFO, 1 << 32,
                                                                     jlong(other))
    stranger = notification(99) if port_kind == "election" else zab(FOLLOWERINFO, 1 << 32,
                                                                      jlong(99))
    malformed = "malformed notification" if port_kind == "election" else "malformed Zab packet"
    cases = [
        ("garbage", garbage, False, r"bad hello: protocol version"),
        ("truncated hello", hello(other, 1)[:10], True, r"closed in the middle of a hello \(10 bytes"),
        ("truncated frame", hello(other, 1) + jint(len(valid)) + valid[:7], True,
         r"closed in the middle of a frame \(11 bytes"),
        ("oversize length", hello(other, 1) + jint(0x7FFFFFFF) + b"x" * 16, False,
         r"frame length 2147483647 \(limit"),
        ("zero length", hello(other, 1) + jint(0), False, r"frame length 0 \(limit"),
        ("negative length", hello(other, 1) + jint(-5), False, r"frame length -5 \(limit"),
        ("oversize address", jlong(PROTOCOL_VERSION) + jlong(other) + jint(1 << 20), False,
         r"bad hello: address length 1048576"),
        ("unknown sid", hello(99, 1), False, r"hello from sid 99, not a member"),
        ("valid message from unknown sid", hello(99, 1) + frame(stranger), False,
         r"hello from sid 99, not a member"),
        ("own sid", hello(target, 1) + frame(valid), False, r"hello from sid %d, which is this "
         r"server's own" % target),
        ("undecodable payload", hello(other, 1) + frame(b"\x00" * 5), False, malformed),
    ]
    if port_kind == "election":
        cases.append(("notification from another sid", hello(other, 1) + frame(notification(99)),
                      False, r"notification from sid 99 on the connection of sid %d" % other))
    return cases


def send_hostile(port, data, half_close, timeout=20.0):
    """Sends `data` on a new connection; returns (our address, closed by the member?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        local = "127.0.0.1:%d" % s.getsockname()[1]
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        try:
            while s.recv(4096):
                pass  # a member never answers a stranger; anything read is just drained
            closed = True
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            closed = False
        return local, closed
    finally:
        s.close()


class Writer(threading.Thread):
    """Creates PARENT/w- sequential znodes until stopped; keeps what was acknowledged."""

    def __init__(self, hosts):
        super().__init__(daemon=True)
        self.zk = KazooClient(hosts=hosts, timeout=10)
        self.zk.start(timeout=30)
        self.zk.ensure_path(PARENT)
        self.acked = []
        self.failures = []
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.acked.append(self.zk.create(PARENT + "/w-", b"x", sequence=True))
            except Exception as e:  # noqa: BLE001 - every failure is recorded and judged
                self.failures.append(repr(e))
                time.sleep(0.2)
            time.sleep(0.01)

    def finish(self):
        self.stop_flag.set()
        self.join(60)
        self.zk.stop()
        self.zk.close()


def node_ports(c, sid):
    """(election, quorum) ports member `sid` listens on, from its own zoo.cfg server.<sid> line."""
    cfg = os.path.join(c.home, "default", "node%d" % sid, "zoo.cfg")
    with open(cfg) as f:
        m = re.search(r"^server\.%d=[^:]+:(\d+):(\d+)" % sid, f.read(), re.M)
    return int(m.group(2)), int(m.group(1))


def server_log(c, sid):
    with open(os.path.join(c.home, "default", "node%d" % sid, "logs", "server.log"),
              errors="replace") as f:
        return f.read()


class HostileBase(ClusterTest):
    engine = "zkd"
    check_logs = True

    def run_hostile(self):
        c = self.cluster()
        c.up()
        status = c.status()
        leader, epoch = status["cluster"]["leader"], status["cluster"]["epoch"]
        follower = min(n["id"] for n in status["nodes"] if n["id"] != leader)
        hosts = ",".join("127.0.0.1:%d" % (c.bases[0] + i) for i in range(3))
        writer = Writer(hosts)
        writer.start()
        c.wait_for("the writer's first creates", lambda: len(writer.acked) >= 5)
        events_before = len(c.events())

        sent = []  # (sid, port kind, case, our address, reason)
        # First a crowd of strangers that connect to the leader's election port and say
        # nothing, more than its connections_max: they stay open while everything below
        # happens (members must still get in), until zkd closes each one.
        leader_election = node_ports(c, leader)[0]
        silent = [socket.create_connection(("127.0.0.1", leader_election), timeout=20)
                  for _ in range(SILENT_CROWD)]
        for sid in (leader, follower):
            election_port, quorum_port = node_ports(c, sid)
            other = next(i for i in (1, 2, 3) if i != sid)
            ports = [("election", election_port)]
            if self.engine == "zkd" or sid == leader:
                ports.append(("quorum", quorum_port))
            for kind, port in ports:
                for name, data, half_close, reason in hostile_inputs(kind, sid, other):
                    # Apache may keep a stranger's connection open: do not wait long for it.
                    local, closed = send_hostile(port, data, half_close,
                                                 20.0 if self.engine == "zkd" else 2.0)
                    if self.engine == "zkd":
                        self.assertTrue(closed, "node%d kept the %s connection open after %s"
                                        % (sid, kind, name))
                    sent.append((sid, kind, name, local, reason))
        for sock in silent:
            local = "127.0.0.1:%d" % sock.getsockname()[1]
            closed = False
            if self.engine == "zkd":
                try:
                    closed = sock.recv(4096) == b""
                except ConnectionResetError:
                    closed = True
                except socket.timeout:
                    closed = False
                self.assertTrue(closed, "node%d kept a silent connection open" % leader)
            sock.close()
            sent.append((leader, "election", "silent", local,
                         r"no hello (within hello_timeout_ms|yet, and connections_max)"))
        acked_during = len(writer.acked)
        c.wait_for("the writer to go on after the hostile input",
                   lambda: len(writer.acked) >= acked_during + 5)
        writer.finish()

        for sid in (1, 2, 3):
            port = c.bases[0] + sid - 1
            c.wait_for("node%d to serve" % sid,
                       lambda port=port: re.search(r"Mode: (leader|follower)", four_letter(port)))
        self.check_data(c, writer.acked)
        if self.engine == "zkd":
            self.assertEqual(writer.failures, [], "the writer saw failures")
            status = c.status()
            self.assertEqual((status["cluster"]["leader"], status["cluster"]["epoch"]),
                             (leader, epoch), "the leader or epoch changed")
            disruptions = [e for e in c.events()[events_before:] if e["kind"] in DISRUPTIONS]
            self.assertEqual(disruptions, [], "the hostile input disturbed the ensemble")
            self.check_log_lines(c, sent)
        sys.stderr.write("hostile: %d bad connections to node%d (leader) and node%d; the writer "
                         "had %d creates acknowledged, %d failures\n"
                         % (len(sent), leader, follower, len(writer.acked), len(writer.failures)))
        return sent

    def check_data(self, c, acked):
        self.assertGreater(len(acked), 10)
        names = {p.rsplit("/", 1)[1] for p in acked}
        for sid in (1, 2, 3):
            zk = KazooClient(hosts="127.0.0.1:%d" % (c.bases[0] + sid - 1), timeout=10)
            zk.start(timeout=30)
            try:
                zk.sync(PARENT)
                missing = names - set(zk.get_children(PARENT))
            finally:
                zk.stop()
                zk.close()
            self.assertEqual(missing, set(), "node%d lacks acknowledged creates" % sid)

    def check_log_lines(self, c, sent):
        for sid, kind, name, local, reason in sent:
            lines = [l for l in server_log(c, sid).splitlines() if local in l]
            self.assertEqual(len(lines), 1, "node%d, %s port, %s from %s: want one log line, got:"
                             "\n%s" % (sid, kind, name, local, "\n".join(lines)))
            self.assertRegex(lines[0], r"closing %s connection from %s: %s"
                             % (kind, re.escape(local), reason))


class ZkdHostileTest(HostileBase):
    engine = "zkd"

    def test_hostile_peer_input_is_refused_and_the_ensemble_keeps_serving(self):
        self.run_hostile()


class ApacheHostileTest(HostileBase):
    engine = "apache"

    def test_hostile_peer_input_leaves_apache_serving(self):
        self.run_hostile()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    supervisor_test.BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0]] + rest)
