#!/usr/bin/python3
"""SASL DIGEST-MD5 client authentication on a real 3-member ensemble, with kazoo.

1. kazoo's own DIGEST-MD5 tests (kazoo/tests/test_sasl.py: test_connect_sasl_auth and
   test_invalid_sasl_auth of TestSASLDigestAuthentication and TestLegacySASLDigestAuthentication),
   run unchanged: their harness's `self.cluster` is our ensemble, configured as kazoo's harness
   configures Apache ZooKeeper (authProvider.1=...SASLAuthenticationProvider in zoo.cfg, and the
   same JAAS text with the users super and jaasuser). Then what kazoo's test leaves out: the
   authenticated client can read, write and re-ACL what sasl:jaasuser guards, on every member;
   an `auth` ACL entry becomes sasl:jaasuser. (The harness's clients record their session
   states: see StateRecordingClient for the kazoo race this takes out.)
2. The exchange byte by byte on a raw socket: zxid 0 in each reply, rspauth on success; a wrong
   password answered err -115 with a null token, then the connection closed. Bad input, each
   refused with AUTHFAILED for that client alone while a client that connected before keeps
   reading and writing: a wrong password, an unknown user, a mechanism the server does not
   speak (CRAM-MD5). PLAIN is not refused, as Apache does not refuse it: its initial response
   is ignored, kazoo takes the challenge for success, and the session goes on without a sasl
   id (a node with a sasl ACL answers it NoAuth).
3. zkd only: each member finds the JAAS file another way ZooKeeper users configure it (member 1
   zoo.cfg's jaasLoginConfig, member 2 java.env next to zoo.cfg, member 3 SERVER_JVMFLAGS), and
   logs the users it loaded; each refusal is logged with its reason; a missing or malformed JAAS
   file stops zkd at start with one line and exit 2.

    sasl_test.py --zkd build/zkd                # zkd
    sasl_test.py --engine apache                # Apache ZooKeeper 3.8, same checks but 3.
"""

import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_ensemble  # noqa: E402
from read_only_test import KazooCluster  # noqa: E402  (also provides pytest / mock stand-ins)

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import AuthFailedError, NoAuthError  # noqa: E402
from kazoo.handlers.threading import KazooTimeoutError  # noqa: E402
from kazoo.protocol.states import KeeperState  # noqa: E402
from puresasl.client import SASLClient  # noqa: E402
from kazoo.security import make_acl  # noqa: E402
from kazoo.tests.test_sasl import (  # noqa: E402
    TestLegacySASLDigestAuthentication, TestSASLDigestAuthentication)

# kazoo's harness writes this for ZOOKEEPER_JAAS_AUTH=digest (kazoo/testing/harness.py).
JAAS_TEXT = """
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="super_secret"
    user_jaasuser="jaas_password";
};"""
JAAS_FLAG = "-Djava.security.auth.login.config="
SASL_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"
KAZOO_TESTS = [(TestSASLDigestAuthentication, "test_connect_sasl_auth"),
               (TestSASLDigestAuthentication, "test_invalid_sasl_auth"),
               (TestLegacySASLDigestAuthentication, "test_connect_sasl_auth"),
               (TestLegacySASLDigestAuthentication, "test_invalid_sasl_auth")]
BAD_CLIENTS = [  # (what, sasl_options, zkd's logged reason)
    ("wrong password", {"mechanism": "DIGEST-MD5", "username": "jaasuser", "password": "nope"},
     "failed to SASL authenticate"),
    ("unknown user", {"mechanism": "DIGEST-MD5", "username": "mallory", "password": "x"},
     "failed to SASL authenticate"),
    ("mechanism CRAM-MD5", {"mechanism": "CRAM-MD5", "username": "jaasuser",
                            "password": "jaas_password"},
     "failed to SASL authenticate"),
]
WAIT_S = 30.0  # a deadline for "never happened", not a timing assertion


class StateRecordingClient(KazooClient):
    """A KazooClient that remembers every session state its connection set, and whose start()
    raises AuthFailedError when the session went AUTH_FAILED.

    kazoo's start() races its own connection thread: the thread reports the session up, then
    runs the SASL exchange; start() wakes on the first and checks `connected`. When the server's
    AUTHFAILED arrives first (a fast server, a loaded machine), start() raises "Connection
    time-out" instead of the AuthFailedError kazoo's test_invalid_sasl_auth expects, and the
    state is CLOSED a moment later. Recording the states makes both outcomes the same; a server
    that accepted a bad client never sets AUTH_FAILED, so nothing is hidden."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.states_seen = []
        callback = self._session_callback
        self._session_callback = lambda state: (self.states_seen.append(state), callback(state))

    def start(self, timeout=15):
        try:
            return super().start(timeout)
        except KazooTimeoutError:
            if KeeperState.AUTH_FAILED in self.states_seen:
                raise AuthFailedError()
            raise


class SaslEnsemble(zkd_ensemble.Ensemble):
    """Member 3 of a zkd ensemble gets the JAAS path in SERVER_JVMFLAGS (its own environment)."""

    def _command(self, cfg):
        cmd = super()._command(cfg)
        if self.engine == "zkd" and cfg == os.path.join(self.members[3].dir, "zoo.cfg"):
            cmd = ["env", "SERVER_JVMFLAGS=-Xmx1g %s%s" % (JAAS_FLAG, self.jaas_path)] + cmd
        return cmd


def make_ensemble(engine, zkd):
    ens = SaslEnsemble(zkd, voters=3, tick_time=2000, init_limit=4, sync_limit=2,
                       name="sasl-" + engine, engine=engine,
                       extra_cfg={"authProvider.1": SASL_PROVIDER})
    root_jaas = ens.jaas_path = os.path.join(ens.root, "jaas.conf")
    with open(root_jaas, "w") as f:
        f.write(JAAS_TEXT)
    if engine == "apache":
        ens.java_props.append(JAAS_FLAG + root_jaas)
    if engine == "zkd":
        # Member 1: zoo.cfg's own key, a path relative to zoo.cfg. Member 2: java.env.
        m1, m2 = ens.members[1], ens.members[2]
        with open(os.path.join(m1.dir, "jaas.conf"), "w") as f:
            f.write(JAAS_TEXT)
        with open(os.path.join(m1.dir, "zoo.cfg"), "a") as f:
            f.write("jaasLoginConfig=jaas.conf\n")
        with open(os.path.join(m2.dir, "java.env"), "w") as f:
            f.write('export SERVER_JVMFLAGS="$SERVER_JVMFLAGS %s%s"\n' % (JAAS_FLAG, root_jaas))
    return ens


def get_client(harness, **options):
    """The harness's _get_client (kazoo/testing/harness.py), making a StateRecordingClient."""
    options.setdefault("timeout", harness.DEFAULT_CLIENT_TIMEOUT)
    client = StateRecordingClient(harness.hosts, **options)
    harness._clients.append(client)
    return client


def kazoo_cases(cluster):
    """kazoo's test classes with `cluster` as their harness's cluster and clients that see
    AUTH_FAILED however kazoo's threads interleave (StateRecordingClient); methods unchanged."""
    cases = []
    for base, method in KAZOO_TESTS:
        on_ensemble = type(base.__name__ + "OnEnsemble", (base,),
                           {"cluster": property(lambda self: cluster),
                            "_get_client": get_client})
        cases.append(on_ensemble(method))
    return cases


def run_kazoo_tests(ens):
    suite = unittest.TestSuite(kazoo_cases(KazooCluster(ens)))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    if not result.wasSuccessful() or result.skipped:
        ens.fail("kazoo's SASL DIGEST-MD5 tests failed on %s" % ens.engine)
    print("%s: kazoo's %d SASL DIGEST-MD5 tests passed" % (ens.engine, len(KAZOO_TESTS)),
          flush=True)


def check_bad_clients(ens):
    """Each bad client gets AUTHFAILED; a client connected before keeps being served."""
    bystander = KazooClient(hosts=ens.connect_string(), timeout=15)
    bystander.start(timeout=WAIT_S)
    try:
        for i, (what, options, _) in enumerate(BAD_CLIENTS):
            bad = StateRecordingClient(hosts=ens.connect_string(), timeout=15,
                                       sasl_options=dict(options))
            try:
                # kazoo reports the session up before the SASL exchange ends, then AUTH_FAILED,
                # then CLOSED at once.
                bad.start_async()
                ens.wait_until(lambda: KeeperState.AUTH_FAILED in bad.states_seen,
                               "%s: %s refused (kazoo state AUTH_FAILED)" % (ens.engine, what),
                               timeout_s=WAIT_S)
            finally:
                bad.stop()
                bad.close()
            bystander.create("/after_bad_%d" % i, what.encode())
            assert bystander.get("/after_bad_%d" % i)[0] == what.encode()
            print("%s: %s refused with AUTHFAILED; the other client is still served" %
                  (ens.engine, what), flush=True)
    finally:
        bystander.stop()
        bystander.close()


def check_sasl_id_grants_access(ens):
    """What kazoo's test leaves out: the authenticated session can use what sasl:jaasuser guards,
    on every member (a follower forwards the session's sasl id with its writes)."""
    options = {"mechanism": "DIGEST-MD5", "username": "jaasuser", "password": "jaas_password"}
    for sid in ens.members:
        c = KazooClient(hosts=ens.hostport(sid), timeout=15, sasl_options=dict(options))
        c.start(timeout=WAIT_S)
        try:
            path = "/guarded_%d" % sid
            c.create(path, b"mine", acl=[make_acl("sasl", "jaasuser", all=True)])
            c.set(path, b"changed")
            assert c.get(path)[0] == b"changed", "member %d: jaasuser cannot read" % sid
            c.set_acls(path, [make_acl("auth", "", read=True, admin=True, delete=True)])
            acl = c.get_acls(path)[0]
            assert [(a.id.scheme, a.id.id) for a in acl] == [("sasl", "jaasuser")], (
                "member %d: an auth ACL became %s" % (sid, acl))
            c.delete(path)
        finally:
            c.stop()
            c.close()
    print("%s: jaasuser reads, writes and re-ACLs sasl:jaasuser nodes on every member; an auth "
          "ACL becomes sasl:jaasuser" % ens.engine, flush=True)


def read_frame(sock):
    """One length-prefixed frame, or None when the server closed the connection."""
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack(">i", data[:4])[0]:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data[4:]


def raw_exchange(ens, sid, username, password):
    """A DIGEST-MD5 exchange on a raw socket (puresasl computes the responses): the replies as
    (xid, zxid, err, body) and whether the server then closed the connection."""
    sock = socket.create_connection(("127.0.0.1", ens.members[sid].client_port), timeout=WAIT_S)
    try:
        connect = struct.pack(">iqiqi16s?", 0, 0, 30000, 0, 16, b"\0" * 16, False)
        sock.sendall(struct.pack(">i", len(connect)) + connect)
        assert read_frame(sock) is not None, "no ConnectResponse"
        client = SASLClient("zk-sasl-md5", service="zookeeper", mechanism="DIGEST-MD5",
                            username=username, password=password)
        token, replies = b"", []
        for xid in (1, 2):
            request = struct.pack(">iii", xid, 102, len(token)) + token
            sock.sendall(struct.pack(">i", len(request)) + request)
            frame = read_frame(sock)
            if frame is None:
                break
            replies.append(struct.unpack(">iqi", frame[:16]) + (frame[16:],))
            if replies[-1][2] != 0:
                break
            token = client.process(frame[20:]) or b""
        closed = replies[-1][2] != 0 and read_frame(sock) is None
        return replies, closed
    finally:
        sock.close()


def check_raw_exchange(ens):
    """The bytes ZooKeeper sends: zxid 0 in every reply; success: err 0 and rspauth in the
    token; a wrong password: err -115 (AUTHFAILED), a null token (-1), the connection closed."""
    replies, _ = raw_exchange(ens, 1, "jaasuser", "jaas_password")
    assert [r[:3] for r in replies] == [(1, 0, 0), (2, 0, 0)], replies
    assert b"rspauth=" in replies[1][3], replies
    replies, closed = raw_exchange(ens, 2, "jaasuser", "nope")
    assert [r[:3] for r in replies] == [(1, 0, 0), (2, 0, -115)], replies
    assert replies[1][3] == b"\xff\xff\xff\xff" and closed, (replies, closed)
    print("%s: raw exchange: challenge, rspauth (zxid 0); a wrong password gets err -115, a "
          "null token, the connection closed" % ens.engine, flush=True)


def check_plain_gets_no_id(ens):
    """PLAIN: connected, but without a sasl id."""
    plain = KazooClient(hosts=ens.connect_string(), timeout=15,
                        sasl_options={"mechanism": "PLAIN", "username": "jaasuser",
                                      "password": "jaas_password"})
    plain.start(timeout=WAIT_S)
    try:
        plain.create("/plain", b"x", acl=[make_acl("sasl", "jaasuser", all=True)])
        try:
            plain.get("/plain")
            ens.fail("%s: a PLAIN client was authenticated as jaasuser" % ens.engine)
        except NoAuthError:
            pass
        plain.delete("/plain")
    finally:
        plain.stop()
        plain.close()
    print("%s: a PLAIN client goes on without a sasl id (NoAuth on sasl:jaasuser)" % ens.engine,
          flush=True)


def check_zkd_logs(ens):
    for sid in ens.members:
        log = ens.log_text(sid)
        if "SASL DIGEST-MD5 on, 2 user(s)" not in log:
            ens.fail("member %d did not load the JAAS users" % sid)
    print("zkd: every member loaded 2 SASL users (zoo.cfg key, java.env, SERVER_JVMFLAGS)",
          flush=True)
    logs = "".join(ens.log_text(sid) for sid in ens.members)
    for what, _, reason in BAD_CLIENTS:
        if reason not in logs:
            ens.fail("no member logged the refusal of %s (%r)" % (what, reason))


def check_bad_jaas(zkd):
    """A JAAS file zkd cannot use stops it before it serves: one line, exit 2."""
    root = zkd_ensemble.tempfile.mkdtemp(prefix="zkd-sasl-bad-")
    port = zkd_ensemble.free_ports(1)[0]
    with open(os.path.join(root, "broken.conf"), "w") as f:
        f.write('Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n'
                '  user_bob "x";\n};\n')
    cases = [("missing.conf", "jaasLoginConfig: cannot read the JAAS file %s/missing.conf" % root),
             ("broken.conf", "%s/broken.conf:3: expected '=' after option user_bob" % root)]
    for name, expected in cases:
        cfg = os.path.join(root, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write("tickTime=2000\ndataDir=%s/data\nclientPort=%d\nclientPortAddress=127.0.0.1\n"
                    "jaasLoginConfig=%s\n" % (root, port, name))
        p = subprocess.run([zkd, cfg], capture_output=True, text=True, timeout=WAIT_S)
        lines = p.stderr.strip().splitlines()
        if p.returncode != 2 or len(lines) != 1 or expected not in lines[0]:
            raise AssertionError("zkd with %s: exit %d, stderr %r; expected exit 2 and one line "
                                 "with %r" % (name, p.returncode, p.stderr, expected))
        print("zkd: %s refused at start: %s" % (name, lines[0]), flush=True)
    shutil.rmtree(root, ignore_errors=True)


def run_engine(engine, zkd):
    ens = make_ensemble(engine, zkd)

    def body():
        ens.start_all()
        run_kazoo_tests(ens)
        check_sasl_id_grants_access(ens)
        check_raw_exchange(ens)
        check_bad_clients(ens)
        check_plain_gets_no_id(ens)
        if engine == "zkd":
            check_zkd_logs(ens)
            check_bad_jaas(zkd)

    return zkd_ensemble.run_checked([ens], body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd")
    ap.add_argument("--engine", choices=("zkd", "apache"), default="zkd")
    args = ap.parse_args()
    if args.engine == "zkd" and not args.zkd:
        ap.error("--zkd is required")
    status = run_engine(args.engine, os.path.abspath(args.zkd) if args.zkd else None)
    if status == 0:
        print("SASL checks passed on %s" % args.engine, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
