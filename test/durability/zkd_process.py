#!/usr/bin/python3
"""A zkd process whose data directories outlive it, for the durability tests.

zkserver.py (test/integration) gives each server a fresh temporary directory and removes it on
stop; these tests restart zkd on the same dataDir, kill it with SIGKILL, and start it on damaged
copies. So:

    work = WorkDir()                      # a temp dir, removed by work.cleanup()
    z = Zkd(binary, work.path("data"))    # zoo.cfg in its own dir; dataLogDir optional
    z.start()                             # free port, waits for srvr; ServerError if it exits
    z.kill9(); z.start()                  # same dataDir, new port
    rc, log = z.run_to_exit()             # start expecting it to refuse (recovery errors)
    z.stop()

    with Run(z, work) as run:             # zkd's log on stderr if the block raises; at its end
        zk = run.client(KazooClient(...)) # clients closed, zkd killed, work dir removed

The server dies with the test process (PR_SET_PDEATHSIG via zkserver._die_with_parent).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import zkserver  # noqa: E402

READY_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 60.0
START_ATTEMPTS_MAX = 3


class WorkDir:
    def __init__(self, prefix="zkd-dur-"):
        self.root = tempfile.mkdtemp(prefix=prefix)

    def path(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Zkd:
    def __init__(self, binary, data_dir, data_log_dir=None, cfg=None, tick_time=2000):
        self.binary = os.path.abspath(binary)
        self.data_dir = data_dir
        self.data_log_dir = data_log_dir
        self.cfg = dict(cfg or {})
        self.tick_time = tick_time
        self.dir = tempfile.mkdtemp(prefix="zkd-proc-")
        self.port = None
        self.proc = None
        self.starts = 0
        self.log_path = None
        self._log = None

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.port

    def _write_cfg(self):
        cfg = {
            "tickTime": str(self.tick_time),
            "dataDir": self.data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": "127.0.0.1",
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        }
        if self.data_log_dir:
            cfg["dataLogDir"] = self.data_log_dir
        cfg.update({k: str(v) for k, v in self.cfg.items()})
        path = os.path.join(self.dir, "zoo.cfg")
        with open(path, "w") as f:
            for k, v in cfg.items():
                f.write("%s=%s\n" % (k, v))
        return path

    def _spawn(self, same_port=False):
        if not (same_port and self.port):
            self.port = zkserver.free_port()
        cfg = self._write_cfg()
        self.starts += 1
        self.log_path = os.path.join(self.dir, "zkd.%d.log" % self.starts)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.binary, cfg], cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     preexec_fn=zkserver._die_with_parent)

    def start(self, same_port=False):
        """same_port: keep the previous port (clients reconnect to it); retried on a new one
        only if it was taken meanwhile and same_port is False."""
        last = None
        for _ in range(START_ATTEMPTS_MAX):
            self._spawn(same_port)
            try:
                self._wait_ready()
                return self
            except zkserver.ServerError as e:
                last = e
                taken = "address already in use" in self.log_text().lower()
                self._reap(signal.SIGKILL)
                if not taken:
                    break
        sys.stderr.write(self.log_text())
        raise last

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise zkserver.ServerError("zkd exited with status %d before serving" % rc)
            try:
                if "Mode: " in zkserver.four_letter_word("127.0.0.1", self.port, "srvr"):
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise zkserver.ServerError("zkd on %s not ready after %.0fs" % (self.hostport,
                                                                       READY_TIMEOUT_S))

    def run_to_exit(self):
        """Starts zkd expecting it to stop by itself; returns (status, log text)."""
        self._spawn()
        try:
            rc = self.proc.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            rc = None
        self._reap(signal.SIGKILL)
        return rc, self.log_text()

    def four_letter_word(self, word):
        return zkserver.four_letter_word("127.0.0.1", self.port, word)

    def log_text(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def kill9(self):
        self._reap(signal.SIGKILL)

    def stop(self):
        """SIGTERM; returns the exit status."""
        return self._reap(signal.SIGTERM)

    def _reap(self, sig):
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    rc = self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    rc = self.proc.wait()
            else:
                rc = self.proc.returncode
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return rc

    def cleanup(self):
        self._reap(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Run:
    """One test's zkd, work dir and kazoo clients, for a with block. An exception out of the
    block first puts zkd's log on stderr (where the failure is read); leaving the block in any way
    stops and closes every client given to client() (kazoo lets a closed client be closed again,
    so the block may close its own early), kills zkd, calls the cleanups (e.g. an umount) and
    removes the work dir, in that order."""

    def __init__(self, z, work, cleanups=()):
        self.z = z
        self.work = work
        self.cleanups = list(cleanups)
        self.clients = []

    def client(self, client):
        """Closes this (kazoo) client when the block ends; returns it."""
        self.clients.append(client)
        return client

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None and issubclass(exc_type, Exception):
                sys.stderr.write("----- last zkd log -----\n%s\n" % self.z.log_text())
        finally:
            for client in self.clients:
                client.stop()
                client.close()
            self.z.cleanup()
            for cleanup in self.cleanups:
                cleanup()
            self.work.cleanup()
        return False


def log_entries(path):
    """(offset, length, zxid) of each entry of a txn log file (format: storage/txn_log.h)."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    pos = 16
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos + 8:pos + 12], "big", signed=True)
        if length <= 0 or pos + 13 + length > len(data):
            break
        zxid = int.from_bytes(data[pos + 12 + 12:pos + 12 + 20], "big", signed=True)
        out.append((pos, length, zxid))
        pos += 13 + length
    return out


def zxid_files(dir_, prefix):
    """[(zxid, path)] of <prefix>.<hex> files in dir_, ascending."""
    out = []
    if not os.path.isdir(dir_):
        return out
    for name in os.listdir(dir_):
        if name.startswith(prefix + "."):
            try:
                out.append((int(name[len(prefix) + 1:], 16), os.path.join(dir_, name)))
            except ValueError:
                pass
    return sorted(out)
