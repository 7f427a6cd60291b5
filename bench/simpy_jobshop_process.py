"""Job shop with breakdowns for SimPy 3/4 in the documented idiom (REFERENCE model (c)).

A process per job, as SimPy's documentation teaches: a generator process creates the jobs, and
each job, step by step along its routing, requests its group of 2 machines (a
simpy.PriorityResource of capacity 2, FIFO among jobs) in a `with group.request() as req` block,
takes an up, idle machine of the group and is processed there. Each machine has a breakdown
process, as in SimPy's machine-shop example: after exponential(60) of calendar time it fails and
interrupts the job in process on it (simpy.Interrupt), which stays and resumes its remaining
work after the repair, exponential(5); a machine that fails idle takes one of its group's places
by a request with priority -1 (ahead of every job) so that no job is given it while it is down.

Why not simpy.PreemptiveResource: it preempts the group's most recent user, not the job on the
machine that failed, and a machine that fails idle while the other is busy would let that job go
on as if on the idle machine; both would change the model. Same model as simpy_jobshop.py (a
Store per group and one process per machine, the fastest idiom we know); the constants, the
rule for an interrupted operation, the timed run and the printed lines are shared with it
through simpy_common.py. Runs to time T. Usage: simpy_jobshop_process.py [T] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import (GROUPS, ROUTES, SERVERS, SHOP_FAIL_RATE, SHOP_REPAIR_RATE, ShopBase,
                          command_line, process_through_breakdowns, report_jobshop, timed_run)


class Machine:
    """One machine of a group: the job process on it (or None), and its up/down state."""

    __slots__ = ("job", "down", "repaired", "busy", "downtime")

    def __init__(self):
        self.job = None
        self.down = False
        self.repaired = None
        self.busy = 0.0
        self.downtime = 0.0


class Shop(ShopBase):
    def __init__(self, env, rng):
        super().__init__(env, rng)
        self.groups = [simpy.PriorityResource(env, capacity=SERVERS) for _ in range(GROUPS)]
        self.machines = [[Machine() for _ in range(SERVERS)] for _ in range(GROUPS)]
        for g in range(GROUPS):
            for m in self.machines[g]:
                env.process(self.breakdowns(g, m))
        env.process(self.arrivals())

    def admit(self, kind):
        self.env.process(self.job(kind))

    def job(self, kind):
        env = self.env
        born = env.now
        me = env.active_process
        for group, mean in ROUTES[kind]:
            queued = env.now
            with self.groups[group].request() as req:
                yield req
                self.wait_sum += env.now - queued
                self.ops += 1
                # A place in the group means a machine of it is up and idle.
                machine = next(m for m in self.machines[group] if m.job is None and not m.down)
                machine.job = me
                remaining = mean * self.rng.expovariate(1.0)
                yield from process_through_breakdowns(env, machine, remaining)
                machine.job = None
        self.flow_sum += env.now - born
        self.done[kind] += 1

    def breakdowns(self, group, machine):
        env = self.env
        rng = self.rng
        while True:
            yield env.timeout(rng.expovariate(SHOP_FAIL_RATE))
            repair = rng.expovariate(SHOP_REPAIR_RATE)
            machine.down = True
            machine.repaired = env.event()
            if machine.job is not None:
                machine.job.interrupt()
                yield env.timeout(repair)
                machine.downtime += repair
                machine.down = False
                machine.repaired.succeed()
            else:
                with self.groups[group].request(priority=-1) as req:
                    yield req
                    yield env.timeout(repair)
                    machine.downtime += repair
                    machine.down = False
                    machine.repaired.succeed()


def main():
    horizon, seed = command_line(130000.0, float)
    _, shop, timing = timed_run(seed, Shop, until=horizon)
    report_jobshop("simpy-process", horizon, shop, shop.machines, timing)


if __name__ == "__main__":
    main()
