"""Machines, assemblies and operator pools of the SimPy translation (docs/semantics.md, Blocks;
Operators and shifts; Failures).

A server is a state machine: its phase (idle, setup, busy, blocked) and what stops it (down by
a failure, off its shift, waiting for operators). Its accounted state is, in this order of
precedence: off_shift, down, waiting, then its phase. Work that stops (a failure, the end of
the machine's shift) keeps the time it has left, gives back the operators it held and withdraws
a request it had made; when it can go on again it asks for them anew, at the back of the queue.
Failures run on the server's operating clock (only while it is on shift) unless their basis is
`calendar`; off shift on the operating basis a repair is frozen too, its crew sent home.
"""
import collections

from flow import (BLOCKED, BUSY, IDLE, PHASE_STATE, S_DOWN, S_OFF, S_WAITING, SETUP,
                  STATE_NAMES, Block, Entity, Level)


class Request:
    __slots__ = ("n", "fn", "arg")

    def __init__(self, n, fn, arg):
        self.n, self.fn, self.arg = n, fn, arg


class Pool:
    """`count` interchangeable operators, seized n at a time in strict FIFO order (a request at
    the head that does not fit holds back the ones behind it). Off its shift the pool's
    capacity is 0: operators at work finish the task in hand, and no new task starts."""

    def __init__(self, sim, name, count, shift):
        self.sim, self.name, self.count, self.shift = sim, name, count, shift
        self.cap = count
        self.busy = Level()
        self.waiting = Level()
        self.queue = collections.deque()

    def seize(self, n, fn, arg):
        """None when granted now; else the Request, and fn(arg) is called when it is."""
        now = self.sim.env.now
        if not self.queue and self.busy.value + n <= self.cap:
            self.busy.add(now, n)
            return None
        r = Request(n, fn, arg)
        self.queue.append(r)
        self.waiting.add(now, 1)
        return r

    def serve(self):
        q = self.queue
        while q and self.busy.value + q[0].n <= self.cap:
            r = q.popleft()
            now = self.sim.env.now
            self.waiting.add(now, -1)
            self.busy.add(now, r.n)
            r.fn(r.arg)

    def release(self, n):
        self.busy.add(self.sim.env.now, -n)
        self.serve()

    def cancel(self, r):
        self.queue.remove(r)
        self.waiting.add(self.sim.env.now, -1)
        self.serve()

    def set_shift(self, on):
        self.cap = self.count if on else 0
        if on:
            self.serve()

    def restart(self):
        now = self.sim.env.now
        self.busy.restart(now)
        self.waiting.restart(now)

    def report(self, out):
        now, start = self.sim.env.now, self.sim.stats_start
        busy = self.busy.mean(now, start)
        out["utilization"] = busy / self.count
        out["busy"] = busy
        out["waiting"] = self.waiting.mean(now, start)


class Server:
    __slots__ = ("index", "ent", "phase", "remaining", "finish", "timer", "ops", "req",
                 "down", "off", "last_product", "state", "since", "acc", "stalled",
                 "ttf", "fail_at", "fail_timer", "repairing", "repair_left", "repair_at",
                 "repair_timer", "crew", "crew_req")

    def __init__(self, index, off, now):
        self.index = index
        self.ent = None
        self.phase = IDLE
        self.remaining = self.finish = 0.0
        self.timer = None
        self.ops = False  # operators held for the phase
        self.req = None  # their request, while it waits
        self.down = False
        self.off = off
        self.last_product = None
        self.state = S_OFF if off else PHASE_STATE[IDLE]
        self.since = now
        self.acc = [0.0] * len(STATE_NAMES)
        self.stalled = False
        self.ttf = None  # time to failure left, while its clock is stopped
        self.fail_at = 0.0
        self.fail_timer = None
        self.repairing = False
        self.repair_left = self.repair_at = 0.0
        self.repair_timer = None
        self.crew = False
        self.crew_req = None

    def available(self):
        return not self.down and not self.off


class Station(Block):
    """A machine: `servers` servers and no queue of its own."""

    def __init__(self, sim, d, servers=None):
        super().__init__(sim, d)
        on = d.shift is None or sim.shift_on[d.shift]
        self.servers = [Server(i, not on, 0.0) for i in range(servers or d.servers)]
        self.blocked = collections.deque()  # blocked servers, in the order they blocked
        self.scrapped = self.good = self.dropped = 0
        self.pool = sim.pools[d.need[0]] if d.need else None
        works = d.need[2] if d.need else ()
        self.ops_for = {SETUP: "setup" in works, BUSY: "process" in works}
        self.crew_for_repair = "repair" in works
        self.calendar = d.failures is not None and d.failures[2] == "calendar"

    def init(self):
        if self.d.failures:
            for s in self.servers:
                s.ttf = self.sim.draw(self.d.failures[0])
                if self.clock_runs(s):
                    self.run_clock(s)

    # State accounting
    def account(self, s):
        if s.off:
            st = S_OFF
        elif s.down:
            st = S_DOWN
        elif s.req is not None:
            st = S_WAITING
        else:
            st = PHASE_STATE[s.phase]
        if st != s.state:
            now = self.sim.env.now
            s.acc[s.state] += now - s.since
            s.since = now
            s.state = st
        # Work held that waits for a repair, a shift or operators keeps a run without a horizon
        # going (simpy_engine.Sim.run).
        stalled = s.phase in (SETUP, BUSY) and s.timer is None
        if stalled != s.stalled:
            self.sim.stalled += 1 if stalled else -1
            s.stalled = stalled

    # Work
    def free_server(self):
        """The first idle server that is up and on shift."""
        for s in self.servers:
            if s.phase == IDLE and not s.down and not s.off:
                return s
        return None

    def offer(self, e):
        s = self.free_server()
        if s is None:
            if not self.d.drop:
                return False
            self.dropped += 1
            self.sim.dispose(e)
            return True
        self.note_enter(e)
        self.start_part(s, e)
        return True

    def start_part(self, s, e):
        """A setup when the server starts a product other than the one it did last (not before
        its first part), then the processing."""
        setup = (self.d.setup is not None and s.last_product is not None
                 and s.last_product != e.product)
        s.ent = e
        s.last_product = e.product
        self.begin(s, SETUP if setup else BUSY)

    def begin(self, s, phase):
        s.phase = phase
        if phase == SETUP:
            s.remaining = self.sim.draw(self.d.setup)
        else:
            t = self.d.process.get(s.ent.product)
            s.remaining = self.sim.draw(t) if t is not None else 0.0
        self.go(s)

    def go(self, s):
        """Run the phase for its remaining time if the server is up and on shift, once it holds
        the operators the phase needs."""
        if s.down or s.off:
            self.account(s)
            return
        if self.ops_for[s.phase] and not s.ops:
            if s.req is None:
                s.req = self.pool.seize(self.d.need[1], self.granted, s)
                if s.req is None:
                    s.ops = True
            if not s.ops:
                self.account(s)
                return
        s.finish = self.sim.env.now + s.remaining
        s.timer = self.sim.after(s.remaining, self.phase_end, s)
        self.account(s)

    def granted(self, s):
        s.req = None
        s.ops = True
        self.go(s)

    def pause(self, s):
        """Stop the work in hand: keep its time left, give back its operators, withdraw its
        request for them."""
        if s.timer is not None:
            s.timer.cancel()
            s.timer = None
            s.remaining = s.finish - self.sim.env.now
        if s.ops:
            s.ops = False
            self.pool.release(self.d.need[1])
        if s.req is not None:
            r, s.req = s.req, None
            self.pool.cancel(r)

    def release_ops(self, s):
        if s.ops:
            s.ops = False
            self.pool.release(self.d.need[1])

    def phase_end(self, s):
        s.timer = None
        if s.phase == SETUP:
            if not self.ops_for[BUSY]:
                self.release_ops(s)
            self.begin(s, BUSY)
        else:
            self.finish(s)

    def finish(self, s):
        sim = self.sim
        e = s.ent
        self.release_ops(s)
        if self.d.scrap > 0 and sim.rng.random() < self.d.scrap:
            self.scrapped += 1
            self.note_leave(e)
            sim.dispose(e)
            self.server_free(s, True)
            return
        self.good += 1
        if sim.send(self, e):
            self.note_leave(e)
            self.server_free(s, True)
            return
        s.phase = BLOCKED
        self.blocked.append(s)
        self.account(s)

    def server_free(self, s, wake):
        s.ent = None
        s.phase = IDLE
        self.account(s)
        if wake and s.available():
            self.room_freed()

    def room_freed(self):
        self.wake()

    def pull(self):
        """Blocked servers hand on their parts in the order they blocked; a finished part
        leaves even while its server is down or off shift."""
        freed = False
        while self.blocked:
            s = self.blocked[0]
            e = s.ent
            if not self.sim.send(self, e):
                break
            self.blocked.popleft()
            self.note_leave(e)
            self.server_free(s, False)
            freed = freed or s.available()
        if freed:
            self.room_freed()

    # Failures and repairs
    def clock_runs(self, s):
        """Whether the server's time to failure runs now: on the operating basis only while
        it is on shift, on the calendar basis always."""
        return self.calendar or not s.off

    def run_clock(self, s):
        s.fail_at = self.sim.env.now + s.ttf
        s.fail_timer = self.sim.after(s.ttf, self.fail, s, fg=False)
        s.ttf = None

    def stop_clock(self, s):
        if s.fail_timer is not None:
            s.fail_timer.cancel()
            s.fail_timer = None
            s.ttf = s.fail_at - self.sim.env.now

    def fail(self, s):
        s.fail_timer = None
        self.pause(s)
        s.down = True
        s.repairing = True
        self.account(s)
        s.repair_left = self.sim.draw(self.d.failures[1])
        self.repair_go(s)

    def repair_go(self, s):
        """Run the repair once its crew (if any) is there; frozen off shift on the operating
        basis."""
        if s.off and not self.calendar:
            return
        if self.crew_for_repair and not s.crew:
            if s.crew_req is None:
                s.crew_req = self.pool.seize(self.d.need[1], self.crew_granted, s)
                if s.crew_req is None:
                    s.crew = True
            if not s.crew:
                return
        s.repair_at = self.sim.env.now + s.repair_left
        s.repair_timer = self.sim.after(s.repair_left, self.repaired, s, fg=False)

    def crew_granted(self, s):
        s.crew_req = None
        s.crew = True
        self.repair_go(s)

    def repair_freeze(self, s):
        if s.repair_timer is not None:
            s.repair_timer.cancel()
            s.repair_timer = None
            s.repair_left = s.repair_at - self.sim.env.now
        if s.crew:
            s.crew = False
            self.pool.release(self.d.need[1])
        if s.crew_req is not None:
            r, s.crew_req = s.crew_req, None
            self.pool.cancel(r)

    def repaired(self, s):
        """The crew goes first; then the next time to failure is drawn afresh and the
        interrupted work asks for its operators again."""
        s.repair_timer = None
        s.repairing = False
        if s.crew:
            s.crew = False
            self.pool.release(self.d.need[1])
        s.down = False
        s.ttf = self.sim.draw(self.d.failures[0])
        if self.clock_runs(s):
            self.run_clock(s)
        if s.phase in (SETUP, BUSY):
            self.go(s)
        self.account(s)
        if s.phase == IDLE and s.available():
            self.room_freed()

    # Shifts
    def shift(self, on):
        freed = False
        for s in self.servers:
            if s.off == (not on):
                continue
            if not on:
                self.pause(s)
                s.off = True
                if self.d.failures and not self.calendar:
                    self.stop_clock(s)
                    if s.repairing:
                        self.repair_freeze(s)
                self.account(s)
            else:
                s.off = False
                if self.d.failures and not self.calendar:
                    if s.repairing:
                        self.repair_go(s)
                    elif s.ttf is not None and s.fail_timer is None:
                        self.run_clock(s)
                if s.phase in (SETUP, BUSY):
                    self.go(s)
                self.account(s)
                freed = freed or (s.phase == IDLE and s.available())
        if freed:
            self.room_freed()

    # Statistics
    def restart(self):
        super().restart()
        self.scrapped = self.good = self.dropped = 0
        now = self.sim.env.now
        for s in self.servers:
            s.acc = [0.0] * len(STATE_NAMES)
            s.since = now

    def report(self, out, window):
        now = self.sim.env.now
        super().report(out, window)
        out["content"] = self.level.mean(now, self.sim.stats_start)
        out["scrapped"] = self.scrapped
        out["dropped"] = self.dropped
        tot = [0.0] * len(STATE_NAMES)
        for s in self.servers:
            for k in range(len(tot)):
                tot[k] += s.acc[k]
            tot[s.state] += now - s.since
        span = window * len(self.servers)
        share = [t / span if span > 0 else 0.0 for t in tot]
        planned = 1 - share[S_OFF]
        run = planned - share[S_DOWN] - share[STATE_NAMES.index("setup")]
        busy = share[STATE_NAMES.index("busy")]
        made = self.good + self.scrapped
        a = run / planned if planned > 0 else 0.0
        p = busy / run if run > 0 else 0.0
        q = self.good / made if made > 0 else 1.0
        out["utilization"] = busy
        out["availability"] = a
        out["performance"] = p
        out["quality"] = q
        out["oee"] = a * p * q
        for k, name in enumerate(STATE_NAMES):
            out["states." + name] = share[k]


class Assembly(Station):
    """Collects `parts` (so many of each product), one set at a time, and makes one entity of
    its product on one server; a part whose product's place is full is refused, a part of a
    product not in `parts` is dropped."""

    def __init__(self, sim, d):
        super().__init__(sim, d, servers=1)
        self.need_of = dict(d.parts)
        self.have = {p: collections.deque() for p, _ in d.parts}

    def offer(self, e):
        k = self.need_of.get(e.product, 0)
        if k == 0:
            self.dropped += 1
            self.sim.dispose(e)
            return True
        q = self.have[e.product]
        if len(q) >= k:
            return False
        self.note_enter(e)
        q.append(e)
        if self.assemble():
            # The places the set freed are offered to the waiting blocks at this instant, once
            # the sender is done with its offer.
            self.sim.after(0.0, self.server_free_event)
        return True

    def assemble(self):
        s = self.servers[0]
        if s.phase != IDLE or not s.available():
            return False
        if any(len(self.have[p]) < k for p, k in self.d.parts):
            return False
        sim = self.sim
        born, due = float("inf"), float("inf")
        for p, k in self.d.parts:
            q = self.have[p]
            for _ in range(k):
                e = q.popleft()
                born = min(born, e.t_created)
                due = min(due, e.due)
                self.note_leave(e)
                sim.dispose(e)
        n = Entity(self.d.out_product, born)
        n.due = due
        sim.wip.add(sim.env.now, 1)
        self.level.add(sim.env.now, 1)
        n.t_in = sim.env.now
        self.start_part(s, n)
        return True

    def server_free_event(self, _=None):
        self.room_freed()

    def room_freed(self):
        self.assemble()
        self.wake()
