#!/usr/bin/python3
"""`pseudo-cluster up --tls` on both engines: kazoo over TLS writes on one member and reads on
another, with the CA and client certificate `up --tls` made in <cluster dir>/tls.

    /usr/bin/python3 tls_up_test.py --binary build/pseudo-cluster TlsUpTest.test_zkd
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test as st  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402


def tls_client(port, tls_dir):
    c = KazooClient(hosts="127.0.0.1:%d" % port, timeout=st.WAIT_S, use_ssl=True,
                    ca=os.path.join(tls_dir, "ca.pem"),
                    certfile=os.path.join(tls_dir, "client.pem"),
                    keyfile=os.path.join(tls_dir, "client-key.pem"))
    c.start(timeout=st.WAIT_S)
    return c


class TlsUpTest(st.ClusterTest):
    def check(self, engine):
        c = self.cluster(engine=engine)
        c.up("--tls")
        status = c.status()
        self.assertTrue(status["cluster"]["tls"])
        ports = [n["secure_client_port"] for n in status["nodes"]]
        self.assertEqual(ports, [n["client_port"] + 100 for n in status["nodes"]])
        text = c.pc("status").stdout
        self.assertIn("tls: secureClientPort = client port + 100: " +
                      ",".join(map(str, ports)), text)
        tls_dir = os.path.join(status["cluster"]["dir"], "tls")
        writer = tls_client(ports[0], tls_dir)
        self.addCleanup(writer.stop)
        writer.create("/tls-up", b"written over tls")
        reader = tls_client(ports[-1], tls_dir)
        self.addCleanup(reader.stop)
        reader.sync("/tls-up")
        self.assertEqual(reader.get("/tls-up")[0], b"written over tls")

    def test_zkd(self):
        self.check("zkd")

    def test_apache(self):
        self.check("apache")


if __name__ == "__main__":
    st.main()
