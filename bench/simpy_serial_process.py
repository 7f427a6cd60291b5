"""Serial line with blocking after service for SimPy 3/4 in the documented idiom (REFERENCE (b)).

A process per part, as SimPy's documentation teaches: each machine is a simpy.Resource of
capacity 1 and each buffer a simpy.Resource of capacity 5 whose units are its places. A part
holds machine i while it is processed; then, blocking after service, it requests a place in
buffer i and releases machine i only once it has one; it gives the place back when machine i+1
takes it. Machine 1 always has material: a generator process requests machine 1 for the next
part as soon as it is free and starts that part's process with the machine in hand, N times.
Every processing time is exponential with mean 1.0; the run ends when the last part leaves
machine 10. Same model as simpy_serial.py (a Store per buffer and one process per machine, the
fastest idiom we know); the constants, the timed run and the printed lines are shared with it
through simpy_common.py. Usage: simpy_serial_process.py [N] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import (CAPACITY, MACHINES, SERIAL_SERVICE_RATE, command_line, report_serial,
                          timed_run)


def part(env, machines, buffers, held, rng, stats):
    """One part from machine 1, whose request `held` the source has been granted, to the exit."""
    start = env.now
    last = MACHINES - 1
    for i in range(MACHINES):
        yield env.timeout(rng.expovariate(SERIAL_SERVICE_RATE))
        if i == last:
            machines[i].release(held)
            break
        t = env.now
        place = buffers[i].request()
        yield place
        stats["blocked"][i] += env.now - t
        machines[i].release(held)
        held = machines[i + 1].request()
        yield held
        buffers[i].release(place)
    stats["flow"] += env.now - start
    stats["done"] += 1


def source(env, machines, buffers, n, rng, stats):
    for _ in range(n):
        req = machines[0].request()
        yield req
        env.process(part(env, machines, buffers, req, rng, stats))


def main():
    n, seed = command_line(1000000)

    def build(env, rng):
        machines = [simpy.Resource(env, capacity=1) for _ in range(MACHINES)]
        buffers = [simpy.Resource(env, capacity=CAPACITY) for _ in range(MACHINES - 1)]
        stats = {"flow": 0.0, "done": 0, "blocked": [0.0] * MACHINES}
        env.process(source(env, machines, buffers, n, rng, stats))
        return stats

    env, stats, timing = timed_run(seed, build)
    report_serial("simpy-process", env.now, stats, timing)


if __name__ == "__main__":
    main()
