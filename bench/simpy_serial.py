"""Serial line of 10 machines with blocking after service, for SimPy 3/4 (REFERENCE model (b)).

Machine 1 always has material and releases N parts; 9 buffers of capacity 5 lie between
consecutive machines; a finished part stays on its machine (which is blocked) until the next
buffer has room; every processing time is exponential with mean 1.0. The run ends when the last
part leaves machine 10. The constants, the timed run and the printed lines are shared with
simpy_serial_process.py through simpy_common.py. Usage: simpy_serial.py [N] [SEED]
"""
import sys

import simpy

sys.dont_write_bytecode = True  # no __pycache__ folder left in bench/ by the next import
from simpy_common import (CAPACITY, MACHINES, SERIAL_SERVICE_RATE, command_line, report_serial,
                          timed_run)


def machine(env, i, inbox, outbox, n, rng, stats):
    for _ in range(n):
        if inbox is None:
            start = env.now
        else:
            start = yield inbox.get()
        yield env.timeout(rng.expovariate(SERIAL_SERVICE_RATE))
        if outbox is None:
            stats["flow"] += env.now - start
            stats["done"] += 1
        else:
            t = env.now
            yield outbox.put(start)
            stats["blocked"][i] += env.now - t


def main():
    n, seed = command_line(1000000)

    def build(env, rng):
        buffers = [simpy.Store(env, capacity=CAPACITY) for _ in range(MACHINES - 1)]
        stats = {"flow": 0.0, "done": 0, "blocked": [0.0] * MACHINES}
        for i in range(MACHINES):
            inbox = buffers[i - 1] if i > 0 else None
            outbox = buffers[i] if i < MACHINES - 1 else None
            env.process(machine(env, i, inbox, outbox, n, rng, stats))
        return stats

    env, stats, timing = timed_run(seed, build)
    report_serial("simpy", env.now, stats, timing)


if __name__ == "__main__":
    main()
