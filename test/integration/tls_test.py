#!/usr/bin/python3
"""TLS on secureClientPort: kazoo over TLS against a server of either kind, and the refusals.

    /usr/bin/python3 tls_test.py --kind zkd --zkd build/zkd
    /usr/bin/python3 tls_test.py --kind apache

Makes a throw-away CA, a server certificate (127.0.0.1 / localhost) and client certificates
with the openssl CLI, starts the server with secureClientPort and ZooKeeper's ssl.* keys (PEM
stores, ssl.clientAuth=need), then checks: a TLS client creates and reads a node; a plain
client on the TLS port, a TLS client without a certificate, and one whose certificate comes
from another CA are each refused; the TLS client is still served after each refusal.
Prints `ok <name>` / `FAIL <name>: ...`; exits 1 if any check failed. Nothing is timed.
"""

import argparse
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkserver  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402

WAIT_S = 20.0
failures = 0


def ok(name):
    print("ok %s" % name, flush=True)


def fail(name, msg):
    global failures
    failures += 1
    print("FAIL %s: %s" % (name, msg), flush=True)


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def make_ca(d, name):
    key, cert = os.path.join(d, name + "-key.pem"), os.path.join(d, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + name)
    return key, cert


def make_leaf(d, name, ca, san=None):
    """A key and a certificate signed by `ca`; returns (key, cert, combined key+cert)."""
    ca_key, ca_cert = ca
    key, csr, cert = (os.path.join(d, name + s) for s in ("-key.pem", ".csr", ".pem"))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=" + name)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        if san:
            f.write("subjectAltName=%s\n" % san)
        f.write("extendedKeyUsage=serverAuth,clientAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", ext)
    combined = os.path.join(d, name + "-keystore.pem")
    with open(combined, "w") as out:
        for part in (key, cert):
            with open(part) as f:
                out.write(f.read())
    return key, cert, combined


def tls_client(port, ca, cert=None, key=None):
    c = KazooClient(hosts="127.0.0.1:%d" % port, timeout=WAIT_S, use_ssl=True, ca=ca,
                    certfile=cert, keyfile=key, connection_retry={"max_tries": 0})
    c.start(timeout=WAIT_S)
    return c


def refused(port, ctx):
    """True when the server ends a TLS connection made with `ctx` before any reply."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                s.sendall(connect_request())
                return s.recv(64) == b""
    except (ssl.SSLError, OSError):
        return True


def connect_request():
    body = struct.pack(">iqiq", 0, 0, 10000, 0) + struct.pack(">i", 16) + b"\0" * 16
    return struct.pack(">i", len(body)) + body


def zk_string(text):
    b = text.encode()
    return struct.pack(">i", len(b)) + b


def pipelined_create(port, ctx, path):
    """ConnectRequest and a create in one write, as Java's Netty client sends them; returns the
    create's error code (0: created)."""
    body = (struct.pack(">ii", 1, 1) + zk_string(path) + struct.pack(">i", 2) + b"hi" +
            struct.pack(">ii", 1, 31) + zk_string("world") + zk_string("anyone") +
            struct.pack(">i", 0))
    create = struct.pack(">i", len(body)) + body
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(connect_request() + create)
            data = b""
            frames = []
            while len(frames) < 2:
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError("closed after %d frames" % len(frames))
                data += chunk
                while len(data) >= 4 and len(data) >= 4 + struct.unpack(">i", data[:4])[0]:
                    n = struct.unpack(">i", data[:4])[0]
                    frames.append(data[4:4 + n])
                    data = data[4 + n:]
            xid, _, err = struct.unpack(">iqi", frames[1][:16])
            return err if xid == 1 else "xid %d" % xid


def plain_refused(port):
    """A plain ZooKeeper handshake on the TLS port gets no ConnectResponse, only a close."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as s:
        s.sendall(connect_request())
        try:
            data = s.recv(64)
        except ConnectionResetError:
            return True
        # Whatever a TLS server sends a non-TLS peer (an alert at most) is not a frame of 40+.
        return len(data) < 8 and s.recv(64) == b""


def still_served(name, client, path, want):
    try:
        data, _ = client.get(path)
        if data == want:
            ok(name)
        else:
            fail(name, "expected %r got %r" % (want, data))
    except Exception as e:  # noqa: BLE001
        fail(name, "%s: %s" % (type(e).__name__, e))


def run(args, d):
    ca = make_ca(d, "ca")
    other_ca = make_ca(d, "other-ca")
    _, _, server_store = make_leaf(d, "server", ca, "IP:127.0.0.1,DNS:localhost")
    client_key, client_cert, _ = make_leaf(d, "client", ca)
    stranger_key, stranger_cert, _ = make_leaf(d, "stranger", other_ca)
    secure_port = zkserver.free_port()
    cfg = {
        "secureClientPort": secure_port,
        "serverCnxnFactory": "org.apache.zookeeper.server.NettyServerCnxnFactory",
        "ssl.keyStore.location": server_store, "ssl.keyStore.type": "PEM",
        "ssl.trustStore.location": ca[1], "ssl.trustStore.type": "PEM",
        "ssl.clientAuth": "need",
    }
    with zkserver.Server(args.kind, zkd_binary=args.zkd, extra_cfg=cfg) as srv:
        try:
            client = tls_client(secure_port, ca[1], client_cert, client_key)
        except Exception as e:  # noqa: BLE001
            fail("tls_connect", "%s: %s" % (type(e).__name__, e))
            srv.print_log()
            return
        ok("tls_connect")
        client.create("/tls", b"over tls")
        still_served("tls_create_get", client, "/tls", b"over tls")

        if plain_refused(secure_port):
            ok("plain_client_refused")
        else:
            fail("plain_client_refused", "the TLS port answered a plain handshake")
        still_served("served_after_plain", client, "/tls", b"over tls")

        no_cert = ssl.create_default_context(cafile=ca[1])
        stranger = ssl.create_default_context(cafile=ca[1])
        stranger.load_cert_chain(stranger_cert, stranger_key)
        for context, name, after, why in [
                (no_cert, "no_client_cert_refused", "served_after_no_cert",
                 "a client without a certificate was served"),
                (stranger, "foreign_cert_refused", "served_after_foreign_cert",
                 "a certificate from another CA was accepted")]:
            if refused(secure_port, context):
                ok(name)
            else:
                fail(name, why)
            still_served(after, client, "/tls", b"over tls")

        piped = ssl.create_default_context(cafile=ca[1])
        piped.load_cert_chain(client_cert, client_key)
        try:
            err = pipelined_create(secure_port, piped, "/piped")
            if err == 0:
                ok("pipelined_create_after_connect")
            else:
                fail("pipelined_create_after_connect", "create answered %r" % (err,))
        except Exception as e:  # noqa: BLE001
            fail("pipelined_create_after_connect", "%s: %s" % (type(e).__name__, e))

        conf = srv.four_letter_word("conf")
        if "secureClientPort=%d\n" % secure_port in conf:
            ok("conf_shows_secure_port")
        else:
            fail("conf_shows_secure_port", "conf says %r" % conf[:200])

        # The plain port still speaks plain ZooKeeper next to the TLS one.
        plain = KazooClient(hosts=srv.hostport, timeout=WAIT_S)
        plain.start(timeout=WAIT_S)
        still_served("plain_port_sees_tls_write", plain, "/tls", b"over tls")
        plain.stop()
        client.stop()
        # Each refusal is one log line on the server (shown, not checked: Apache words it
        # differently).
        for line in srv.log_text().splitlines():
            if ("TLS" in line or "SSL" in line) and not line.lstrip().startswith("at "):
                print("server log: " + line.strip()[:200])
        if failures:
            srv.print_log()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=("zkd", "apache"), required=True)
    p.add_argument("--zkd")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="zk-tls-") as d:
        run(args, d)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
