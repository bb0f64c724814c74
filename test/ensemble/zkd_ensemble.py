#!/usr/bin/python3
"""A zkd ensemble of real processes on 127.0.0.1, for the ensemble tests.

    ens = Ensemble(zkd_binary, voters=3, observers=0)   # a temp dir with node<i>/zoo.cfg, myid
    ens.start_all()                  # starts every member, waits for one leader, others following
    ens.leader()                     # the id whose srvr says "Mode: leader" (None if not one)
    ens.kill9(i); ens.start(i)       # SIGKILL a member; start it again on the same data and ports
    ens.srvr(i), ens.mode(i)         # the srvr text (None when unreachable) / its Mode
    ens.wait_until(lambda: ..., what="...")
    ens.cleanup()                    # kills what runs; removes the dir unless the test failed

Each member has its own directory with a zoo.cfg written the way the ZooKeeper tutorials do a
pseudo-cluster: tickTime, initLimit, syncLimit, dataDir, clientPort, and one
server.N=127.0.0.1:quorumPort:electionPort[:observer] line per member (peerType=observer on the
observers). Ports come from the kernel (bind port 0) all at once, so parallel tests do not clash;
if a member still finds a port taken at the first start, the whole ensemble is laid out again on
new ports. Members die with the test process (PR_SET_PDEATHSIG, zkserver._die_with_parent).

Waits poll the four-letter words and never decide pass or fail on time alone: a deadline only
turns "never happened" into a failure with the members' srvr texts and logs.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import zkserver  # noqa: E402

NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n"
WAIT_S = 60.0        # a deadline for "never happened", not a timing assertion
POLL_S = 0.02
START_ATTEMPTS_MAX = 3


class EnsembleError(AssertionError):
    pass


def free_ports(n):
    """n distinct ports that were free a moment ago (held together while the kernel picks)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Member:
    def __init__(self, sid, observer, root):
        self.id = sid
        self.observer = observer
        self.dir = os.path.join(root, "node%d" % sid)
        self.data_dir = os.path.join(self.dir, "data")
        self.client_port = self.quorum_port = self.election_port = None
        self.proc = None
        self.paused = False
        self.stopped = False  # by stop(): its exit status is its answer to SIGTERM
        self.starts = 0
        self.log_path = None
        self._log = None

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.client_port

    def running(self):
        return self.proc is not None and self.proc.poll() is None


class Ensemble:
    def __init__(self, binary, voters=3, observers=0, tick_time=200, init_limit=10,
                 sync_limit=5, extra_cfg=None, name="ens", engine="zkd", java_props=()):
        """engine "apache" runs Debian's Apache ZooKeeper (QuorumPeerMain) on the same layout;
        binary is then ignored. java_props ("-Dkey=value") go on Apache's java command line,
        for the settings it reads only as system properties (readonlymode.enabled)."""
        self.engine = engine
        self.java_props = list(java_props)
        self.binary = os.path.abspath(binary) if binary else None
        self.tick_time = tick_time
        self.init_limit = init_limit
        self.sync_limit = sync_limit
        self.extra_cfg = dict(extra_cfg or {})
        self.root = tempfile.mkdtemp(prefix="zkd-%s-" % name)
        self.members = {}
        for sid in range(1, voters + observers + 1):
            self.members[sid] = Member(sid, sid > voters, self.root)
        self.failed = False
        self._layout()

    # ---- layout ----
    def _layout(self):
        ports = free_ports(3 * len(self.members))
        for i, m in enumerate(self.members.values()):
            m.client_port, m.quorum_port, m.election_port = ports[3 * i:3 * i + 3]
        for m in self.members.values():
            os.makedirs(m.data_dir, exist_ok=True)
            with open(os.path.join(m.data_dir, "myid"), "w") as f:
                f.write("%d\n" % m.id)
            self._write_cfg(m)

    def server_lines(self):
        return ["server.%d=127.0.0.1:%d:%d%s" % (m.id, m.quorum_port, m.election_port,
                                                 ":observer" if m.observer else "")
                for m in self.members.values()]

    def _write_cfg(self, m):
        cfg = [
            ("tickTime", self.tick_time),
            ("initLimit", self.init_limit),
            ("syncLimit", self.sync_limit),
            ("dataDir", m.data_dir),
            ("clientPort", m.client_port),
            ("clientPortAddress", "127.0.0.1"),
            ("4lw.commands.whitelist", "*"),
            ("admin.enableServer", "false"),
        ]
        if m.observer:
            cfg.append(("peerType", "observer"))
        cfg += list(self.extra_cfg.items())
        with open(os.path.join(m.dir, "zoo.cfg"), "w") as f:
            for k, v in cfg:
                f.write("%s=%s\n" % (k, v))
            for line in self.server_lines():
                f.write(line + "\n")

    # ---- processes ----
    def start(self, sid):
        """Starts member sid (its data and ports are kept across restarts)."""
        m = self.members[sid]
        if m.running():
            raise EnsembleError("member %d is already running" % sid)
        self._close_log(m)
        m.stopped = False
        m.starts += 1
        m.log_path = os.path.join(m.dir, "%s.%d.log" % (self.engine, m.starts))
        m._log = open(m.log_path, "wb")
        m.proc = subprocess.Popen(self._command(os.path.join(m.dir, "zoo.cfg")), cwd=m.dir,
                                  stdin=subprocess.DEVNULL, stdout=m._log,
                                  stderr=subprocess.STDOUT,
                                  preexec_fn=zkserver._die_with_parent)

    def _command(self, cfg):
        if self.engine == "zkd":
            return [self.binary, cfg]
        return [shutil.which("java") or "/usr/bin/java", "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dzookeeper.jmx.log4j.disable=true"] + self.java_props + [
                "-cp", zkserver.apache_classpath(), zkserver.APACHE_QUORUM_MAIN, cfg]

    def start_all(self):
        """Starts every member and waits until the ensemble serves (one leader, every other
        member following or observing). Lays the ensemble out again on new ports if one was
        taken meanwhile."""
        for attempt in range(START_ATTEMPTS_MAX):
            for sid in self.members:
                self.start(sid)
            try:
                self.wait_serving()
                return self
            except EnsembleError:
                taken = any("address already in use" in self.log_text(sid).lower()
                            for sid in self.members)
                if not taken or attempt + 1 == START_ATTEMPTS_MAX:
                    raise
                for sid in self.members:
                    self.kill9(sid)
                self._layout()

    def pause(self, sid):
        """SIGSTOP: the process keeps its sockets but answers nothing."""
        m = self.members[sid]
        m.proc.send_signal(signal.SIGSTOP)
        m.paused = True

    def resume(self, sid):
        m = self.members[sid]
        m.proc.send_signal(signal.SIGCONT)
        m.paused = False

    def kill9(self, sid):
        m = self.members[sid]
        m.paused = False
        if m.proc is not None:
            if m.proc.poll() is None:
                m.proc.send_signal(signal.SIGKILL)
            m.proc.wait()
        self._close_log(m)

    def stop(self, sid):
        """SIGTERM; returns the exit status."""
        m = self.members[sid]
        m.stopped = True
        rc = None
        if m.proc is not None:
            if m.proc.poll() is None:
                m.proc.send_signal(signal.SIGTERM)
            try:
                rc = m.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                m.proc.kill()
                rc = m.proc.wait()
        self._close_log(m)
        return rc

    def _close_log(self, m):
        if m._log is not None:
            m._log.close()
            m._log = None

    def running(self):
        """Members whose process runs and is not paused."""
        return [sid for sid, m in self.members.items() if m.running() and not m.paused]

    def cleanup(self):
        for sid in self.members:
            self.kill9(sid)
        if self.failed:
            sys.stderr.write("ensemble files kept in %s\n" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    # ---- four-letter words ----
    def word(self, sid, word):
        """The reply to a four-letter word, or None when the member cannot be reached."""
        try:
            return zkserver.four_letter_word("127.0.0.1", self.members[sid].client_port, word)
        except OSError:
            return None

    def srvr(self, sid):
        return self.word(sid, "srvr")

    def mode(self, sid):
        """leader / follower / observer, "not serving", or None (unreachable)."""
        text = self.srvr(sid)
        if text is None:
            return None
        if text == NOT_SERVING:
            return "not serving"
        for line in text.splitlines():
            if line.startswith("Mode: "):
                return line[len("Mode: "):]
        return "no Mode line"

    def modes(self, sids=None):
        return {sid: self.mode(sid) for sid in (sids or self.running())}

    def leader(self):
        leaders = [sid for sid, mode in self.modes().items() if mode == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def followers(self):
        return [sid for sid, mode in self.modes().items() if mode == "follower"]

    def is_serving(self, sids=None):
        """One leader among sids (default: the running members), every other one following or
        observing as its role says."""
        modes = self.modes(sids)
        leaders = [sid for sid, mode in modes.items() if mode == "leader"]
        if len(leaders) != 1 or self.members[leaders[0]].observer:
            return False
        for sid, mode in modes.items():
            if sid == leaders[0]:
                continue
            if mode != ("observer" if self.members[sid].observer else "follower"):
                return False
        return True

    def wait_serving(self, sids=None):
        self.wait_until(lambda: self.is_serving(sids),
                        "one leader, the other members %s following / observing" %
                        (sids or "running"))
        return self.leader()

    def wait_until(self, predicate, what, timeout_s=WAIT_S):
        deadline = time.monotonic() + timeout_s
        while True:
            for sid, m in self.members.items():
                if (m.proc is not None and m.proc.poll() is not None and not m.stopped and
                        m.proc.returncode not in (-9, -15, 143)):
                    self.fail("member %d exited with status %s" % (sid, m.proc.returncode))
            if predicate():
                return
            if time.monotonic() > deadline:
                self.fail("never happened: %s" % what)
            time.sleep(POLL_S)

    def fail(self, message):
        self.failed = True
        self.dump()
        raise EnsembleError(message)

    def dump(self):
        for sid, m in self.members.items():
            sys.stderr.write("----- member %d (%s, %s): srvr -----\n%s\n" % (
                sid, "observer" if m.observer else "voter",
                "running" if m.running() else "not running", self.srvr(sid)))
            sys.stderr.write("----- member %d: log %s (last 60 lines) -----\n" % (sid,
                                                                                m.log_path))
            sys.stderr.write("\n".join(self.log_text(sid).splitlines()[-60:]) + "\n")
        sys.stderr.flush()

    def log_text(self, sid):
        p = self.members[sid].log_path
        if not p or not os.path.exists(p):
            return ""
        with open(p, "r", errors="replace") as f:
            return f.read()

    # ---- clients ----
    def connect_string(self, sids=None):
        return ",".join(self.members[sid].hostport for sid in (sids or self.members))

    def hostport(self, sid):
        return self.members[sid].hostport

    def session_answer(self, sid, timeout_s=10.0):
        """Sends a ConnectRequest for a new session straight on the socket: "accepted" when a
        ConnectResponse comes back, "refused" when the member closes the connection without one
        (as ZooKeeper does without a quorum), "no answer" when neither happens, None when it
        cannot be reached."""
        import struct
        body = struct.pack(">iqiqi16s?", 0, 0, 30000, 0, 16, b"\0" * 16, False)
        try:
            with socket.create_connection(("127.0.0.1", self.members[sid].client_port),
                                          timeout=timeout_s) as s:
                s.sendall(struct.pack(">i", len(body)) + body)
                try:
                    reply = s.recv(4)
                except ConnectionResetError:
                    return "refused"
                except socket.timeout:
                    return "no answer"
                return "accepted" if reply else "refused"
        except ConnectionRefusedError:
            return None


def run_checked(ensembles, body):
    """A test's main part: runs body(). An AssertionError prints FAIL and keeps the ensembles'
    files for a look; the ensembles are always stopped. Returns the exit status."""
    try:
        body()
    except AssertionError as e:
        for ens in ensembles:
            ens.failed = True
        print("FAIL: %s" % e, flush=True)
        return 1
    finally:
        for ens in ensembles:
            ens.cleanup()
    return 0
