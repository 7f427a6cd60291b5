"""M/M/1 at rho = 0.9 for SimPy 3/4 (bench/REFERENCE model (a)).

Arrivals with mean interarrival 1/0.9 into one FIFO server with mean service 1.0; the run ends
when the last of N customers has left. Prints the KPIs and a RESULT line that bench/run.sh reads.
The constants, the timed run and the printed lines are shared with simpy_mm1_process.py through
simpy_common.py. Usage: simpy_mm1.py [N] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import MM1_ARRIVAL_RATE, MM1_SERVICE_RATE, command_line, report_mm1, timed_run


def arrivals(env, queue, n, rng):
    for _ in range(n):
        yield env.timeout(rng.expovariate(MM1_ARRIVAL_RATE))
        yield queue.put(env.now)


def server(env, queue, n, rng, stats):
    for _ in range(n):
        arrived = yield queue.get()
        stats["wait"] += env.now - arrived
        yield env.timeout(rng.expovariate(MM1_SERVICE_RATE))
        stats["done"] += 1


def main():
    n, seed = command_line(1000000)

    def build(env, rng):
        queue = simpy.Store(env)
        stats = {"wait": 0.0, "done": 0}
        env.process(arrivals(env, queue, n, rng))
        env.process(server(env, queue, n, rng, stats))
        return stats

    env, stats, timing = timed_run(seed, build)
    report_mm1("simpy", env.now, stats, timing)


if __name__ == "__main__":
    main()
