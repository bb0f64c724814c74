#!/usr/bin/python3
"""Restart preserves sessions: a kazoo client owns an ephemeral node; zkd is killed (SIGKILL,
then SIGTERM) and restarted on the same port and dataDir well within the session timeout. The
client reconnects with the same session id, was never told its session expired, still owns the
node, and can write again. When it closes its session, the ephemeral goes away.

    session_restart_test.py --zkd build/zkd
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zkd_process  # noqa: E402

from kazoo.client import KazooClient, KazooState  # noqa: E402

SESSION_TIMEOUT_S = 30.0
RECONNECT_WAIT_S = 25.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd", required=True)
    args = ap.parse_args()
    work = zkd_process.WorkDir()
    z = zkd_process.Zkd(args.zkd, work.path("data"), tick_time=2000)
    with zkd_process.Run(z, work) as run:
        z.start()
        zk = run.client(KazooClient(hosts=z.hostport, timeout=SESSION_TIMEOUT_S))
        states = []
        connected = threading.Event()

        def listener(state):
            states.append(state)
            if state == KazooState.CONNECTED:
                connected.set()
            else:
                connected.clear()

        zk.add_listener(listener)
        zk.start(timeout=30)
        connected.set()
        sid = zk.client_id[0]
        zk.create("/owned", b"mine", ephemeral=True)
        print("session 0x%x owns /owned" % sid, flush=True)

        for how in ("kill -9", "SIGTERM"):
            if how == "kill -9":
                z.kill9()
            else:
                rc = z.stop()
                assert rc == 0, "zkd exited with %s on SIGTERM" % rc
            z.start(same_port=True)
            deadline = time.monotonic() + RECONNECT_WAIT_S
            while time.monotonic() < deadline:
                if connected.is_set() and zk.connected:
                    try:
                        stat = zk.exists("/owned")
                        break
                    except Exception:  # the reconnect may still be under way
                        pass
                time.sleep(0.1)
            else:
                raise AssertionError("client did not reconnect after %s + restart" % how)
            assert KazooState.LOST not in states, "session reported lost: %s" % states
            assert zk.client_id[0] == sid, "session changed: 0x%x -> 0x%x" % (sid,
                                                                            zk.client_id[0])
            assert stat is not None, "/owned is gone after %s + restart" % how
            assert stat.ephemeralOwner == sid, "/owned owned by 0x%x" % stat.ephemeralOwner
            zk.set("/owned", how.encode())
            print("ok after %s + restart: same session 0x%x, /owned still ours, writable"
                  % (how, sid), flush=True)

        zk.stop()
        zk.close()
        other = KazooClient(hosts=z.hostport, timeout=10)
        other.start(timeout=30)
        try:
            assert other.exists("/owned") is None, "/owned survived its session's close"
        finally:
            other.stop()
            other.close()
        print("ok closed session's ephemeral removed", flush=True)
        assert z.stop() == 0
        print("ok session_restart_test", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
