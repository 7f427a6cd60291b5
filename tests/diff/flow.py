"""What every block of the SimPy translation shares: entities, cancellable calls on SimPy's
calendar, counts over time, and the flow protocol of docs/semantics.md (push with blocking after
service: a refused entity keeps the destination that refused it and its block waits there; a
block that gains room lets the blocks waiting on it retry, in the order they were refused).
"""
IDLE, SETUP, BUSY, BLOCKED = range(4)
STATE_NAMES = ("idle", "busy", "blocked", "down", "setup", "off_shift", "waiting")
S_IDLE, S_BUSY, S_BLOCKED, S_DOWN, S_SETUP, S_OFF, S_WAITING = range(7)
PHASE_STATE = {IDLE: S_IDLE, SETUP: S_SETUP, BUSY: S_BUSY, BLOCKED: S_BLOCKED}
UNITS_PER_HOUR = {"s": 3600.0, "min": 60.0, "h": 1.0, "d": 1.0 / 24}

# SimPy orders events at one time by (priority, scheduling order). Shift boundaries come before
# everything else at their time, the warm-up and the end of the run after everything.
P_SHIFT, P_NORMAL, P_WARMUP, P_END = -1, 1, 2, 3


class Entity:
    __slots__ = ("product", "t_created", "t_in", "due", "dest")

    def __init__(self, product, now):
        self.product = product
        self.t_created = now
        self.t_in = now
        self.due = float("inf")
        self.dest = None


class Call:
    """A scheduled call that can be cancelled: SimPy events cannot be taken back, so a
    cancelled one runs and does nothing."""

    __slots__ = ("fn", "arg", "sim", "fg")

    def __init__(self, sim, fn, arg, fg):
        self.sim, self.fn, self.arg, self.fg = sim, fn, arg, fg

    def __call__(self, _event):
        fn = self.fn
        if fn is None:
            return
        self.fn = None
        if self.fg:
            self.sim.fg -= 1
        fn(self.arg)

    def cancel(self):
        if self.fn is not None and self.fg:
            self.sim.fg -= 1
        self.fn = None


class Level:
    """A count over time: its time integral since the statistics started."""

    __slots__ = ("value", "area", "t_last", "max")

    def __init__(self):
        self.value, self.area, self.t_last, self.max = 0, 0.0, 0.0, 0

    def add(self, now, delta):
        self.area += self.value * (now - self.t_last)
        self.t_last = now
        self.value += delta
        if self.value > self.max:
            self.max = self.value

    def restart(self, now):
        self.area, self.t_last, self.max = 0.0, now, self.value

    def mean(self, now, start):
        if now <= start:
            return float(self.value)
        return (self.area + self.value * (now - self.t_last)) / (now - start)


class Block:
    """What every block has: counts, content over time, the blocks waiting on it, its route."""

    def __init__(self, sim, d):
        self.sim, self.d, self.name = sim, d, d.name
        self.entered = self.left = 0
        self.level = Level()
        self.waiters = []
        self.rr = 0

    # Bookkeeping
    def note_enter(self, e):
        self.entered += 1
        self.level.add(self.sim.env.now, 1)
        e.t_in = self.sim.env.now

    def note_leave(self, e):
        self.left += 1
        self.level.add(self.sim.env.now, -1)

    @property
    def content(self):
        return self.level.value

    def restart(self):
        self.entered = self.left = 0
        self.level.restart(self.sim.env.now)

    def report(self, out, window):
        out["entered"] = self.entered
        out["left"] = self.left
        out["throughput"] = self.left / window if window > 0 else 0.0

    # Flow
    def pick(self, e):
        """The destination of `e` by the route (docs/semantics.md, Flow); None: no branch."""
        rule, data = self.d.route
        blocks = self.sim.blocks
        if rule == "single":
            return blocks[data]
        if rule == "probability":
            u = self.sim.rng.random()
            acc = 0.0
            for target, p in data[:-1]:
                acc += p
                if u <= acc:
                    return blocks[target]
            return blocks[data[-1][0]]
        if rule == "product":
            t = data.get(e.product)
            return None if t is None else blocks[t]
        if rule == "shortest_queue":
            best = None
            for t in data:
                if best is None or blocks[t].content < best.content:
                    best = blocks[t]
            return best
        if rule == "round_robin":
            t = data[self.rr % len(data)]
            self.rr += 1
            return blocks[t]
        raise AssertionError(rule)

    def wait_on(self, up):
        if up not in self.waiters:
            self.waiters.append(up)

    def wake(self):
        """This block has room: each block waiting on it gets a turn, in the order they were
        refused. One refused again keeps its place ahead of blocks refused for the first time
        during this wake."""
        if not self.waiters:
            return
        turn, self.waiters = self.waiters, []
        for up in turn:
            if up not in self.waiters:
                up.pull()
        if self.waiters:
            again = [u for u in turn if u in self.waiters]
            self.waiters = again + [u for u in self.waiters if u not in again]

    def init(self):
        """Before anything moves: set up, schedule first events."""

    def start(self):
        """Once every block is set up: send what exists at time 0."""

    def pull(self):
        """A block this one waits on has room."""


