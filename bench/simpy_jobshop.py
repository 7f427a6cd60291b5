"""Job shop with breakdowns for SimPy 3/4 (REFERENCE model (c)).

5 groups of 2 machines, one FIFO queue per group shared by its machines; Poisson arrivals at
rate 1.4 of 3 job types with their own routings; every machine fails after exponential(60) of
calendar time, busy or idle, and is repaired in exponential(5); a job in process when its
machine fails resumes its remaining work after the repair. Runs to time T.
Usage: simpy_jobshop.py [T] [SEED]
"""
import random
import resource
import sys
import time

import simpy

GROUPS = 5
SERVERS = 2
MIX = (0.3, 0.5, 0.2)
ROUTES = (
    ((0, 1.0), (2, 1.2), (1, 0.9), (4, 0.8)),
    ((1, 1.1), (3, 1.3), (4, 0.9), (0, 0.8), (2, 1.0)),
    ((2, 0.9), (4, 1.0), (3, 1.4)),
)


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
            while remaining > 0.0:
                start = env.now
                try:
                    yield env.timeout(remaining)
                    self.busy += remaining
                    remaining = 0.0
                except simpy.Interrupt:
                    done = env.now - start
                    self.busy += done
                    remaining -= done
                    yield self.repaired
            self.shop.route(job)

    def fail(self):
        env = self.env
        while True:
            yield env.timeout(self.rng.expovariate(1.0 / 60.0))
            self.down = True
            self.repaired = env.event()
            self.proc.interrupt()
            repair = self.rng.expovariate(1.0 / 5.0)
            yield env.timeout(repair)
            self.downtime += repair
            self.down = False
            self.repaired.succeed()


class Shop:
    def __init__(self, env, rng):
        self.env = env
        self.rng = rng
        self.queues = [simpy.Store(env) for _ in range(GROUPS)]
        self.machines = [Machine(env, self, g, rng) for g in range(GROUPS) for _ in range(SERVERS)]
        self.wait_sum = 0.0
        self.ops = 0
        self.flow_sum = 0.0
        self.done = [0, 0, 0]
        env.process(self.arrivals())

    def arrivals(self):
        env = self.env
        rng = self.rng
        while True:
            yield env.timeout(rng.expovariate(1.4))
            u = rng.random()
            kind = 0 if u < MIX[0] else (1 if u < MIX[0] + MIX[1] else 2)
            job = Job(kind, env.now)
            self.queues[ROUTES[kind][0][0]].put(job)

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
    horizon = float(sys.argv[1]) if len(sys.argv) > 1 else 130000.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(seed)
    env = simpy.Environment()
    shop = Shop(env, rng)
    env.run(until=horizon)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    done = sum(shop.done)
    flow = shop.flow_sum / done
    wait = shop.wait_sum / shop.ops
    util = [sum(m.busy for m in shop.machines[g * SERVERS:(g + 1) * SERVERS]) / (SERVERS * horizon)
            for g in range(GROUPS)]
    down = sum(m.downtime for m in shop.machines) / (len(shop.machines) * horizon)
    print(f"simpy jobshop: jobs done {done}  to time {horizon:.0f}")
    print(f"  throughput {done / horizon:.4f} (theory 1.4)  by type "
          + " ".join(f"{d / horizon:.3f}" for d in shop.done))
    print(f"  flow time {flow:.3f}  wait per operation {wait:.3f}  downtime {down:.4f}"
          " (theory 0.0769)")
    print("  utilization G0..G4: " + " ".join(f"{u:.3f}" for u in util)
          + "  (theory 0.490 0.574 0.728 0.651 0.623)")
    print(f"RESULT engine=simpy model=jobshop wall={wall:.4f} cpu={cpu:.4f} rss_mb={rss_mb:.1f} "
          f"flow={flow:.3f} wait={wait:.3f}")


if __name__ == "__main__":
    main()
