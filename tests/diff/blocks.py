"""The blocks of the SimPy translation that hold no server: source, buffer, delay, split and
sink (docs/semantics.md, Blocks). Machines and assemblies are in station.py.
"""
import collections

from flow import Block, Entity

class Source(Block):
    def __init__(self, sim, d):
        super().__init__(sim, d)
        self.created = self.created_stat = 0
        self.held = collections.deque()
        self.blocked = False
        self.blocked_since = 0.0
        self.blocked_time = 0.0
        self.cum = []
        acc = 0.0
        for product, p in d.mix:
            acc += p
            self.cum.append((acc, product))

    def start(self):
        d = self.d
        for _ in range(d.population):
            self.held.append(self.create())
        if d.population and not self.flush():
            # Blocked by its population: the first interarrival time starts when the last of
            # it has left (pull).
            self.set_blocked(True)
            return
        if d.interarrival is not None and not self.limit_reached():
            self.sim.after(self.sim.draw(d.interarrival), self.arrival)

    def limit_reached(self):
        return self.d.limit and self.created >= self.d.limit

    def create(self):
        sim = self.sim
        if len(self.cum) == 1:
            product = self.cum[0][1]
        else:
            u = sim.rng.random()
            product = next((p for c, p in self.cum if u <= c), self.cum[-1][1])
        e = Entity(product, sim.env.now)
        if self.d.due is not None:
            e.due = sim.env.now + sim.draw(self.d.due)
        self.created += 1
        self.created_stat += 1
        return e

    def offer_one(self, e):
        """The entity enters the system when it leaves the source."""
        sim = self.sim
        e.t_created = sim.env.now
        sim.wip.add(sim.env.now, 1)
        if not sim.send(self, e):
            sim.wip.add(sim.env.now, -1)
            return False
        sim.created += 1
        self.entered += 1
        self.left += 1
        return True

    def flush(self):
        while self.held:
            if not self.offer_one(self.held[0]):
                return False
            self.held.popleft()
        return True

    def set_blocked(self, blocked):
        if blocked == self.blocked:
            return
        now = self.sim.env.now
        if blocked:
            self.blocked_since = now
        else:
            self.blocked_time += now - self.blocked_since
        self.blocked = blocked

    def arrival(self, _=None):
        self.arrive()

    def arrive(self):
        d, sim = self.d, self.sim
        while True:
            for _ in range(d.batch):
                if self.limit_reached():
                    break
                self.held.append(self.create())
            if not self.flush():
                self.set_blocked(True)
                return
            if self.limit_reached():
                return
            ia = sim.draw(d.interarrival)
            if ia > 0:
                sim.after(ia, self.arrival)
                return

    def pull(self):
        """While blocked a source creates nothing; the next interarrival time starts when the
        last held entity has left."""
        if not self.flush():
            return
        self.set_blocked(False)
        d = self.d
        if d.interarrival is None or self.limit_reached():
            return
        ia = self.sim.draw(d.interarrival)
        if ia > 0:
            self.sim.after(ia, self.arrival)
        else:
            self.arrive()

    def restart(self):
        super().restart()
        self.created_stat = 0
        self.blocked_time = 0.0
        if self.blocked:
            self.blocked_since = self.sim.env.now

    def report(self, out, window):
        now = self.sim.env.now
        out["created"] = self.created_stat
        super().report(out, window)
        b = self.blocked_time + (now - self.blocked_since if self.blocked else 0.0)
        out["blocked_time"] = b / window if window > 0 else 0.0


class Buffer(Block):
    def __init__(self, sim, d):
        super().__init__(sim, d)
        self.queue = collections.deque()
        self.dropped = 0
        self.wait_sum, self.wait_n = 0.0, 0
        self.key = None
        if d.discipline == "priority":
            self.key = lambda e: e.product
        elif d.discipline == "edd":
            self.key = lambda e: e.due
        elif d.discipline == "spt":
            # The mean processing time of the product at the next block; without one next
            # block that processes (a single route to a machine or an assembly) every key is 0,
            # so the buffer serves in arrival order.
            means = {}
            if d.route[0] == "single":
                nxt = sim.model.blocks[d.route[1]]
                means = {p: t.mean for p, t in nxt.process.items()}
            self.key = lambda e: means.get(e.product, 0.0)

    def insert(self, e):
        q = self.queue
        if not q or self.d.discipline == "fifo":
            q.append(e)
            return
        if self.d.discipline == "lifo":
            i = 0
        else:
            k, key, i = self.key(e), self.key, 0
            while i < len(q) and key(q[i]) <= k:
                i += 1
            if i == len(q):
                q.append(e)
                return
        if i == 0:
            # A new head: only the head waits on the next block, so the old head gives up the
            # destination it was refused by; the new one picks its own when it is offered.
            q[0].dest = None
        q.insert(i, e)

    def forward(self):
        sent, sim, q = 0, self.sim, self.queue
        while q:
            e = q[0]
            t_in = e.t_in
            if not sim.send(self, e):
                break
            q.popleft()
            self.wait_sum += sim.env.now - t_in
            self.wait_n += 1
            self.note_leave(e)
            sent += 1
        return sent

    def offer(self, e):
        d = self.d
        if d.capacity and self.level.value >= d.capacity:
            if not d.drop:
                return False
            self.dropped += 1
            self.sim.dispose(e)
            return True
        was_empty = not self.queue
        self.note_enter(e)
        self.insert(e)
        if was_empty:
            self.forward()
        return True

    def pull(self):
        if self.forward():
            self.wake()

    def restart(self):
        super().restart()
        self.dropped = 0
        self.wait_sum, self.wait_n = 0.0, 0

    def report(self, out, window):
        super().report(out, window)
        out["content"] = self.level.mean(self.sim.env.now, self.sim.stats_start)
        out["dropped"] = self.dropped
        out["wait"] = self.wait_sum / self.wait_n if self.wait_n else 0.0
        out["max_content"] = self.level.max


class Delay(Block):
    """Holds every entity for a drawn time; finished entities that the next block refuses leave
    in the order they finished."""

    def __init__(self, sim, d):
        super().__init__(sim, d)
        self.done_q = collections.deque()

    def offer(self, e):
        self.note_enter(e)
        self.sim.after(self.sim.draw(self.d.time), self.done, e)
        return True

    def done(self, e):
        if self.done_q:
            self.done_q.append(e)
        elif self.sim.send(self, e):
            self.note_leave(e)
        else:
            self.done_q.append(e)

    def pull(self):
        while self.done_q:
            if not self.sim.send(self, self.done_q[0]):
                return
            self.note_leave(self.done_q.popleft())

    def report(self, out, window):
        super().report(out, window)
        out["content"] = self.level.mean(self.sim.env.now, self.sim.stats_start)


class Split(Block):
    """One entity in, `into` out (copies keep its creation time and due date); the next entity
    is taken only when every part of the last one has left."""

    def __init__(self, sim, d):
        super().__init__(sim, d)
        self.held = collections.deque()

    def offer(self, e):
        if self.held:
            return False
        sim = self.sim
        self.note_enter(e)
        self.held.append(e)
        for _ in range(self.d.into - 1):
            c = Entity(e.product, e.t_created)
            c.due = e.due
            sim.wip.add(sim.env.now, 1)
            self.level.add(sim.env.now, 1)
            self.held.append(c)
        self.flush()
        return True

    def flush(self):
        while self.held:
            if not self.sim.send(self, self.held[0]):
                return
            self.note_leave(self.held.popleft())

    def pull(self):
        self.flush()
        if not self.held:
            self.wake()


class Sink(Block):
    def __init__(self, sim, d):
        super().__init__(sim, d)
        self.lead_sum, self.lead_n = 0.0, 0

    def offer(self, e):
        sim = self.sim
        self.entered += 1
        self.left += 1
        lead = sim.env.now - e.t_created
        self.lead_sum += lead
        self.lead_n += 1
        sim.completed += 1
        sim.lead_sum += lead
        sim.lead_n += 1
        sim.dispose(e)
        return True

    def restart(self):
        super().restart()
        self.lead_sum, self.lead_n = 0.0, 0

    def report(self, out, window):
        super().report(out, window)
        out["lead_time"] = self.lead_sum / self.lead_n if self.lead_n else 0.0


