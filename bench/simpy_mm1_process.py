"""M/M/1 at rho = 0.9 for SimPy 3/4 in the documented idiom (REFERENCE model (a)).

The idiom SimPy's own documentation and examples teach (the bank renege and car wash examples):
a generator process creates a process per customer, and each customer requests the server, a
simpy.Resource of capacity 1, in a `with server.request() as req: yield req` block. Same model
as simpy_mm1.py (which uses a Store and one server process, the fastest idiom we know): mean
interarrival 1/0.9, mean service 1.0, the run ends when the last of N customers has left. The
constants, the timed run and the printed lines are shared with it through simpy_common.py.
Usage: simpy_mm1_process.py [N] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import MM1_ARRIVAL_RATE, MM1_SERVICE_RATE, command_line, report_mm1, timed_run


def customer(env, server, rng, stats):
    arrived = env.now
    with server.request() as req:
        yield req
        stats["wait"] += env.now - arrived
        yield env.timeout(rng.expovariate(MM1_SERVICE_RATE))
    stats["done"] += 1


def source(env, server, n, rng, stats):
    for _ in range(n):
        yield env.timeout(rng.expovariate(MM1_ARRIVAL_RATE))
        env.process(customer(env, server, rng, stats))


def main():
    n, seed = command_line(1000000)

    def build(env, rng):
        server = simpy.Resource(env, capacity=1)
        stats = {"wait": 0.0, "done": 0}
        env.process(source(env, server, n, rng, stats))
        return stats

    env, stats, timing = timed_run(seed, build)
    report_mm1("simpy-process", env.now, stats, timing)


if __name__ == "__main__":
    main()
