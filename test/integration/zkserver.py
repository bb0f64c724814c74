#!/usr/bin/python3
"""Start a throw-away ZooKeeper-compatible server for one integration test.

Two kinds of server share one interface:
  zkd     our server, run as `<binary> <zoo.cfg>`
  apache  Debian's Apache ZooKeeper, run as `java -cp <jars> <main class> <zoo.cfg>`

Each server lives in a fresh temporary directory with its own zoo.cfg and a client
port picked by binding port 0 on 127.0.0.1, so tests may run in parallel (ctest -j).
The server's output goes to a log file in that directory; it is printed when the
server fails to come up, when a wrapped command fails, or on request.

Library use:
    with zkserver.Server("apache") as srv:
        run_client(srv.hostport)

Command line:
    zkserver.py run --kind apache -- ./c_client_test {hostport}
        start, run the command ({hostport} and $ZK_HOSTPORT are filled in), stop;
        exit with the command's status.
    zkserver.py serve --kind zkd --zkd build/zkd
        start, print host:port, serve until Ctrl-C (for poking at a server by hand).
"""

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

JAVA_DIR = "/usr/share/java"
# zookeeper.jar's manifest Class-Path names the rest of what the server needs
# (jute, netty, jetty, metrics, slf4j-api, ...); we add an slf4j binding that
# writes to stderr, which lands in the server log.
APACHE_JARS = ("zookeeper.jar", "zookeeper-jute.jar", "slf4j-simple.jar")
# Debian's manifest leaves out Netty jars that NettyServerCnxnFactory (TLS, tls_test.py) needs.
NETTY_JARS_NOT_IN_MANIFEST = ("netty-codec.jar", "netty-resolver.jar",
                              "netty-transport-native-unix-common.jar")
APACHE_STANDALONE_MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain"
APACHE_QUORUM_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"

READY_TIMEOUT_S = 90.0
STOP_GRACE_S = 10.0
START_ATTEMPTS_MAX = 3
FOUR_LETTER_REPLY_BYTES_MAX = 1 << 20


class ServerError(RuntimeError):
    pass


def free_port():
    """A port that was free a moment ago on 127.0.0.1 (the kernel picked it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter_word(host, port, word, timeout_s=5.0):
    """Send a four-letter word and return the whole reply as text."""
    with socket.create_connection((host, port), timeout=timeout_s) as s:
        s.sendall(word.encode("ascii"))
        chunks = []
        total = 0
        while total < FOUR_LETTER_REPLY_BYTES_MAX:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
            total += len(b)
    return b"".join(chunks).decode("utf-8", "replace")


def apache_classpath():
    jars = [os.path.join(JAVA_DIR, j) for j in APACHE_JARS]
    missing = [j for j in jars if not os.path.exists(j)]
    if missing:
        raise ServerError("missing jars (is Debian's zookeeper package installed?): "
                          + ", ".join(missing))
    jars += [os.path.join(JAVA_DIR, j) for j in NETTY_JARS_NOT_IN_MANIFEST
             if os.path.exists(os.path.join(JAVA_DIR, j))]
    return ":".join(jars)


def _die_with_parent():
    # Runs in the child between fork and exec: if the test process dies (ctest
    # timeout, Ctrl-C), the kernel kills the server too, so nothing is orphaned.
    # The signal follows the *thread* that forked: start servers from a thread that
    # outlives them (the main thread), never from a short-lived helper thread.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.setsid()


class Server:
    """One server process in its own temporary directory."""

    def __init__(self, kind, zkd_binary=None, tick_time=2000, extra_cfg=None,
                 quorum_main=False, keep_dir=False, quiet=False):
        if kind not in ("apache", "zkd"):
            raise ValueError("kind must be 'apache' or 'zkd', not %r" % kind)
        if kind == "zkd" and not zkd_binary:
            raise ValueError("kind 'zkd' needs the path of the zkd binary")
        self.kind = kind
        self.zkd_binary = os.path.abspath(zkd_binary) if zkd_binary else None
        self.tick_time = tick_time
        self.extra_cfg = dict(extra_cfg or {})
        self.quorum_main = quorum_main
        self.keep_dir = keep_dir
        self.quiet = quiet
        self.dir = None
        self.port = None
        self.proc = None
        self.log_path = None
        self._log_file = None

    # ---- public ----
    @property
    def host(self):
        return "127.0.0.1"

    @property
    def hostport(self):
        return "%s:%d" % (self.host, self.port)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="zk-%s-" % self.kind)
        last_error = None
        for attempt in range(START_ATTEMPTS_MAX):
            try:
                self._start_once(attempt)
                return self
            except ServerError as e:
                last_error = e
                port_taken = self._log_mentions_port_in_use()
                self._kill()
                if not port_taken:
                    break
                # Someone grabbed the port between our probe and the server's bind.
                self._note("port %d was taken, retrying with another" % self.port)
        self.print_log()
        self._cleanup_dir()
        raise last_error

    def stop(self):
        """SIGTERM, then SIGKILL after a grace period. Returns the exit status."""
        rc = self._kill()
        self._cleanup_dir()
        return rc

    def four_letter_word(self, word):
        return four_letter_word(self.host, self.port, word)

    def log_text(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def print_log(self, stream=None):
        stream = stream or sys.stderr
        stream.write("----- %s server log (%s) -----\n" % (self.kind, self.log_path))
        stream.write(self.log_text())
        stream.write("----- end of server log -----\n")
        stream.flush()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.print_log()
        self.stop()
        return False

    # ---- internals ----
    def _note(self, msg):
        if not self.quiet:
            sys.stderr.write("zkserver: %s\n" % msg)
            sys.stderr.flush()

    def _write_config(self):
        data_dir = os.path.join(self.dir, "data")
        os.makedirs(data_dir, exist_ok=True)
        cfg = {
            "tickTime": str(self.tick_time),
            "dataDir": data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": "127.0.0.1",
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        }
        for k, v in self.extra_cfg.items():
            cfg[k] = str(v)
        path = os.path.join(self.dir, "zoo.cfg")
        with open(path, "w") as f:
            for k, v in cfg.items():
                f.write("%s=%s\n" % (k, v))
        return path

    def _command(self, cfg_path):
        if self.kind == "zkd":
            return [self.zkd_binary, cfg_path]
        main = APACHE_QUORUM_MAIN if self.quorum_main else APACHE_STANDALONE_MAIN
        return [
            shutil.which("java") or "/usr/bin/java",
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dzookeeper.admin.enableServer=false",
            "-Dzookeeper.jmx.log4j.disable=true",
            "-cp", apache_classpath(), main, cfg_path,
        ]

    def _start_once(self, attempt):
        self.port = free_port()
        cfg_path = self._write_config()
        self.log_path = os.path.join(self.dir, "server.%d.log" % attempt)
        self._log_file = open(self.log_path, "wb")
        cmd = self._command(cfg_path)
        self._note("starting %s on %s: %s" % (self.kind, self.hostport, " ".join(cmd)))
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=self._log_file, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerError("%s server exited with status %d before serving"
                                  % (self.kind, rc))
            try:
                # srvr is the one word every whitelist allows
                # (docs/four-letter-words.md, Whitelist).
                srvr = self.four_letter_word("srvr")
                if "Mode: " in srvr:
                    return
                last = "srvr answered %r" % srvr
            except OSError as e:
                last = str(e)
            time.sleep(0.1)
        raise ServerError("%s server on %s not ready after %.0fs (%s)"
                          % (self.kind, self.hostport, READY_TIMEOUT_S, last))

    def _log_mentions_port_in_use(self):
        return "Address already in use" in self.log_text() or \
               "address already in use" in self.log_text()

    def _kill(self):
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(signal.SIGTERM)
                    rc = self.proc.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    self._note("server ignored SIGTERM; sending SIGKILL")
                    self.proc.kill()
                    rc = self.proc.wait()
            else:
                rc = self.proc.returncode
            self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return rc

    def _cleanup_dir(self):
        if self.dir and not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def add_server_args(parser):
    parser.add_argument("--kind", choices=("apache", "zkd"), default="apache")
    parser.add_argument("--zkd", help="path of the zkd binary (kind zkd)")
    parser.add_argument("--tick-time", type=int, default=2000)
    parser.add_argument("--cfg", action="append", default=[], metavar="KEY=VALUE",
                        help="extra zoo.cfg line (repeatable)")
    parser.add_argument("--keep-dir", action="store_true")


def server_from_args(args, **kw):
    extra = {}
    for item in args.cfg:
        if "=" not in item:
            raise SystemExit("--cfg wants KEY=VALUE, got %r" % item)
        k, v = item.split("=", 1)
        extra[k] = v
    return Server(args.kind, zkd_binary=args.zkd, tick_time=args.tick_time,
                  extra_cfg=extra, keep_dir=args.keep_dir, **kw)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="start a server, run a command against it, stop it")
    add_server_args(run)
    run.add_argument("command", nargs=argparse.REMAINDER)
    serve = sub.add_parser("serve", help="start a server and keep it until Ctrl-C")
    add_server_args(serve)
    args = ap.parse_args(argv)

    if args.cmd == "serve":
        srv = server_from_args(args).start()
        print(srv.hostport, flush=True)
        try:
            signal.sigwait([signal.SIGINT, signal.SIGTERM])
        finally:
            srv.stop()
        return 0

    command = args.command
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        ap.error("run needs a command after --")
    srv = server_from_args(args)
    try:
        srv.start()
    except ServerError as e:
        sys.stderr.write("zkserver: %s\n" % e)
        return 2
    try:
        command = [c.replace("{hostport}", srv.hostport) for c in command]
        env = dict(os.environ, ZK_HOSTPORT=srv.hostport, ZK_SERVER_KIND=srv.kind)
        rc = subprocess.call(command, env=env)
        if rc != 0:
            srv.print_log()
        if srv.proc is not None and srv.proc.poll() is not None:
            sys.stderr.write("zkserver: the server died during the test (status %s)\n"
                             % srv.proc.returncode)
            if rc == 0:
                srv.print_log()
                rc = 3
        return rc
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
