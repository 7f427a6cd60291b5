"""A twinsim model run in SimPy: a second implementation of docs/semantics.md, to compare with.

`run(model, seed, rep, horizon, warmup)` runs one replication of a model (model.Model) and returns
its KPIs by the names twinsim's JSON uses ("system.wip", "m1.states.busy", "crew.utilization").

Every delay is an event on SimPy's calendar (simpy.Environment): a part's processing, a setup, a
failure, a repair, an arrival, a delay's holding time, a shift boundary, the warm-up. The blocks
(blocks.py, station.py, on flow.py's protocol) are written from docs/semantics.md, not copied
from twinsim's C. Random draws use one Python `random.Random` per replication: they are not
twinsim's draws, so only statistics over replications can be compared (compare.py).
"""
import math
import random

import simpy

import blocks
import station
from flow import P_END, P_NORMAL, P_SHIFT, P_WARMUP, UNITS_PER_HOUR, Call, Level

TYPES = {"source": blocks.Source, "buffer": blocks.Buffer, "delay": blocks.Delay,
         "machine": station.Station, "assembly": station.Assembly, "split": blocks.Split,
         "sink": blocks.Sink}


class Sim:
    def __init__(self, model, seed, rep, horizon, warmup):
        self.model = model
        self.env = simpy.Environment()
        self.rng = random.Random("%d/%d" % (seed, rep))
        self.tpu = model.ticks_per_unit
        # The horizon and the warm-up fall on ticks, as every time in twinsim does.
        self.horizon = math.floor(horizon * self.tpu + 0.5) / self.tpu
        self.warmup = math.floor(warmup * self.tpu + 0.5) / self.tpu
        self.fg = 0  # pending calls that keep a run without a horizon going
        self.stalled = 0  # servers whose work waits for a repair, a shift or operators
        self.wip = Level()
        self.lead_sum, self.lead_n = 0.0, 0
        self.completed = self.created = 0
        self.stats_start = 0.0
        # Shifts in integer ticks, as twinsim lays them (docs/semantics.md, Time).
        tph = round(self.tpu * UNITS_PER_HOUR[model.unit])
        self.tpd = 24 * tph
        self.offset = int(model.start_clock * tph + 0.5)
        self.periods = [[(int(a * tph + 0.5), int(b * tph + 0.5)) for a, b in s]
                        for s in model.shifts]
        self.shift_on = [self.on_at(i, 0) for i in range(len(model.shifts))]
        self.pools = [station.Pool(self, name, count, shift)
                      for name, count, shift in model.pools]
        for p in self.pools:
            if p.shift is not None and not self.shift_on[p.shift]:
                p.cap = 0
        self.blocks = []
        for d in model.blocks:
            self.blocks.append(TYPES[d.kind](self, d))

    # Scheduling
    def after(self, delay, fn, arg=None, fg=True, prio=P_NORMAL):
        """Call fn(arg) after `delay`; the returned Call can be cancelled. Calls with fg=False
        (failures, repairs, shifts, the warm-up) do not by themselves keep a run without a
        horizon going."""
        c = Call(self, fn, arg, fg)
        if fg:
            self.fg += 1
        if prio == P_NORMAL:
            ev = simpy.Timeout(self.env, delay)
        else:
            ev = simpy.Event(self.env)
            ev._ok, ev._value = True, None
            self.env.schedule(ev, prio, delay)
        ev.callbacks.append(c)
        return c

    def draw(self, d):
        """A duration drawn from `d`, rounded to the tick; negative draws count as 0."""
        x = d.draw(self.rng)
        return math.floor(x * self.tpu + 0.5) / self.tpu if x > 0 else 0.0

    # Flow
    def send(self, frm, e):
        """Offer `e`, held by `frm`, to the block that refused it last or else the one the
        route picks. Refused: `e` keeps that destination and `frm` waits on it."""
        d = e.dest
        if d is None:
            d = frm.pick(e)
            if d is None:
                # A product with no branch of a route by product leaves the system there.
                self.dispose(e)
                return True
        else:
            e.dest = None
        if d.offer(e):
            return True
        e.dest = d
        d.wait_on(frm)
        return False

    def dispose(self, e):
        self.wip.add(self.env.now, -1)

    # Shifts
    def on_at(self, i, ticks):
        tod = (ticks + self.offset) % self.tpd
        return any(a <= tod < b for a, b in self.periods[i])

    def next_boundary(self, i, ticks):
        clock = ticks + self.offset
        day = clock // self.tpd
        best = None
        for k in (day, day + 1):
            for a, b in self.periods[i]:
                for edge in (a, b):
                    c = k * self.tpd + edge
                    if c > clock and (best is None or c < best):
                        best = c
        return None if best is None else best - self.offset

    def schedule_shift(self, i, ticks):
        t = self.next_boundary(i, ticks)
        if t is not None:
            self.after(t / self.tpu - self.env.now, self.shift_event, (i, t), fg=False,
                       prio=P_SHIFT)

    def shift_event(self, arg):
        i, ticks = arg
        self.schedule_shift(i, ticks)
        on = self.on_at(i, ticks)
        if on == self.shift_on[i]:
            return
        self.shift_on[i] = on
        for b in self.blocks:
            if getattr(b.d, "shift", None) == i and hasattr(b, "shift"):
                b.shift(on)
        for p in self.pools:
            if p.shift == i:
                p.set_shift(on)

    # Statistics
    def restart(self, _=None):
        """The warm-up ends: every statistic starts again now."""
        now = self.env.now
        self.stats_start = now
        self.wip.restart(now)
        self.lead_sum, self.lead_n = 0.0, 0
        self.completed = self.created = 0
        for b in self.blocks:
            b.restart()
        for p in self.pools:
            p.restart()

    def result(self):
        now = self.env.now
        window = now - self.stats_start
        out = {}
        for b in self.blocks:
            kpis = {}
            b.report(kpis, window)
            for k, v in kpis.items():
                out[b.name + "." + k] = float(v)
        for p in self.pools:
            kpis = {}
            p.report(kpis)
            for k, v in kpis.items():
                out[p.name + "." + k] = float(v)
        out["system.throughput"] = self.completed / window if window > 0 else 0.0
        out["system.lead_time"] = self.lead_sum / self.lead_n if self.lead_n else 0.0
        out["system.wip"] = self.wip.mean(now, self.stats_start)
        out["system.completed"] = float(self.completed)
        out["system.created"] = float(self.created)
        return out

    def waits_on_unavailable(self):
        """Whether a block waits for a machine with a server down or off shift."""
        return any(b.waiters and any(s.down or s.off for s in b.servers)
                   for b in self.blocks if isinstance(b, station.Station))

    def run(self):
        for i in range(len(self.periods)):
            self.schedule_shift(i, 0)
        for b in self.blocks:
            b.init()
        for b in self.blocks:
            b.start()
        if self.warmup > 0:
            self.after(self.warmup, self.restart, fg=False, prio=P_WARMUP)
        env = self.env
        if self.horizon > 0:
            end = simpy.Event(env)
            end._ok, end._value = True, None
            env.schedule(end, P_END, self.horizon)
            env.run(until=end)
        else:
            # Until no event is left that something waits for: only failures, repairs and
            # shift changes are pending, and no work or entity waits for one of them.
            while True:
                try:
                    env.step()
                except simpy.core.EmptySchedule:
                    break
                if self.fg == 0 and self.stalled == 0 and not self.waits_on_unavailable():
                    break
        return self.result()


def run(model, seed, rep, horizon, warmup):
    """The KPIs of replication `rep` of `model`, {"block.kpi": value}."""
    return Sim(model, seed, rep, horizon, warmup).run()
