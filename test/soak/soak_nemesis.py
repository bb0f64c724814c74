"""A soak's nemesis: every `interval`, one fault on one member, healed after half the interval.

Faults: kill (SIGKILL, started again at the heal), pause (SIGSTOP, resumed at the heal) and
restart (stop and start at once). Kinds and members come from the seed. Member SPARED is never
killed or restarted (it is paused like the others), so at least one member process lives
through the whole run for the memory and fd checks to judge; every other member is killed
or restarted many times. The faults go through the supervisor, as `pseudo-cluster kill 3`,
`start 3`, ... would: the same requests a person makes.
"""

import random
import threading
import time

KINDS = ("kill", "pause", "restart")
SPARED = 1


class Nemesis(threading.Thread):
    def __init__(self, pc, members, interval_s, seed, stop):
        """pc(*args) runs the CLI and returns the CompletedProcess."""
        super().__init__(daemon=True, name="nemesis")
        self.pc, self.members, self.interval_s = pc, members, interval_s
        self.random = random.Random(seed)
        self.stop_event = stop
        self.log = []  # (t_s, "kill node3", ok)
        self.t0 = time.monotonic()

    def act(self, *args):
        proc = self.pc(*args)
        self.log.append((round(time.monotonic() - self.t0, 1), " ".join(args),
                         proc.returncode == 0))

    def run(self):
        next_t = time.monotonic()
        while not self.stop_event.is_set():
            kind = self.random.choice(KINDS)
            pool = [m for m in range(1, self.members + 1) if kind == "pause" or m != SPARED]
            member = str(self.random.choice(pool))
            self.act(kind, member)
            # The heal, half an interval later (at once if the run is ending).
            self.stop_event.wait(max(0.0, next_t + self.interval_s / 2 - time.monotonic()))
            if kind == "kill":
                self.act("start", member)
            elif kind == "pause":
                self.act("resume", member)
            next_t += self.interval_s
            self.stop_event.wait(max(0.0, next_t - time.monotonic()))

    def counts(self):
        done = {}
        for _, what, ok in self.log:
            key = what.split()[0] + ("" if ok else " (refused)")
            done[key] = done.get(key, 0) + 1
        return done
