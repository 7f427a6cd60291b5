"""Job shop with breakdowns for SimPy 3/4 (REFERENCE model (c)).

5 groups of 2 machines, one FIFO queue per group shared by its machines; Poisson arrivals at
rate 1.4 of 3 job types with their own routings; every machine fails after exponential(60) of
calendar time, busy or idle, and is repaired in exponential(5); a job in process when its
machine fails resumes its remaining work after the repair. Runs to time T. The constants,
the rule for an interrupted operation, the timed run and the printed lines are shared with
simpy_jobshop_process.py through simpy_common.py. Usage: simpy_jobshop.py [T] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import (GROUPS, ROUTES, SERVERS, SHOP_FAIL_RATE, SHOP_REPAIR_RATE, ShopBase,
                          command_line, process_through_breakdowns, report_jobshop, timed_run)


class Job:
    __slots__ = ("kind", "step", "born", "queued")

    def __init__(self, kind, born):
        self.kind = kind
        self.step = 0
        self.born = born
        self.queued = born


class Machine:
    """One server of a group: takes the head job of the group's queue while up."""

    def __init__(self, env, shop, group, rng):
        self.env = env
        self.shop = shop
        self.group = group
        self.rng = rng
        self.down = False
        self.repaired = None
        self.busy = 0.0
        self.downtime = 0.0
        self.proc = env.process(self.work())
        env.process(self.fail())

    def work(self):
        env = self.env
        queue = self.shop.queues[self.group]
        while True:
            if self.down:
                yield self.repaired
                continue
            req = queue.get()
            try:
                job = yield req
            except simpy.Interrupt:
                if not req.triggered:
                    req.cancel()
                    continue
                job = req.value
                yield self.repaired
            self.shop.wait_sum += env.now - job.queued
            self.shop.ops += 1
            remaining = ROUTES[job.kind][job.step][1] * self.rng.expovariate(1.0)
            yield from process_through_breakdowns(env, self, remaining)
            self.shop.route(job)

    def fail(self):
        env = self.env
        while True:
            yield env.timeout(self.rng.expovariate(SHOP_FAIL_RATE))
            self.down = True
            self.repaired = env.event()
            self.proc.interrupt()
            repair = self.rng.expovariate(SHOP_REPAIR_RATE)
            yield env.timeout(repair)
            self.downtime += repair
            self.down = False
            self.repaired.succeed()


class Shop(ShopBase):
    def __init__(self, env, rng):
        super().__init__(env, rng)
        self.queues = [simpy.Store(env) for _ in range(GROUPS)]
        self.machines = [Machine(env, self, g, rng) for g in range(GROUPS) for _ in range(SERVERS)]
        env.process(self.arrivals())

    def admit(self, kind):
        self.queues[ROUTES[kind][0][0]].put(Job(kind, self.env.now))

    def route(self, job):
        job.step += 1
        route = ROUTES[job.kind]
        if job.step == len(route):
            self.flow_sum += self.env.now - job.born
            self.done[job.kind] += 1
        else:
            job.queued = self.env.now
            self.queues[route[job.step][0]].put(job)


def main():
    horizon, seed = command_line(130000.0, float)
    _, shop, timing = timed_run(seed, Shop, until=horizon)
    groups = [shop.machines[g * SERVERS:(g + 1) * SERVERS] for g in range(GROUPS)]
    report_jobshop("simpy", horizon, shop, groups, timing)


if __name__ == "__main__":
    main()
