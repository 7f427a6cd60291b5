"""Serial line of 10 machines with blocking after service, for SimPy 3/4 (REFERENCE model (b)).

Machine 1 always has material and releases N parts; 9 buffers of capacity 5 lie between
consecutive machines; a finished part stays on its machine (which is blocked) until the next
buffer has room; every processing time is exponential with mean 1.0. The run ends when the last
part leaves machine 10. Usage: simpy_serial.py [N] [SEED]
"""
import random
import resource
import sys
import time

import simpy

MACHINES = 10
CAPACITY = 5


def machine(env, i, inbox, outbox, n, rng, stats):
    for _ in range(n):
        if inbox is None:
            start = env.now
        else:
            start = yield inbox.get()
        yield env.timeout(rng.expovariate(1.0))
        if outbox is None:
            stats["flow"] += env.now - start
            stats["done"] += 1
        else:
            t = env.now
            yield outbox.put(start)
            stats["blocked"][i] += env.now - t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(seed)
    env = simpy.Environment()
    buffers = [simpy.Store(env, capacity=CAPACITY) for _ in range(MACHINES - 1)]
    stats = {"flow": 0.0, "done": 0, "blocked": [0.0] * MACHINES}
    for i in range(MACHINES):
        inbox = buffers[i - 1] if i > 0 else None
        outbox = buffers[i] if i < MACHINES - 1 else None
        env.process(machine(env, i, inbox, outbox, n, rng, stats))
    env.run()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    end = env.now
    thr = stats["done"] / end
    flow = stats["flow"] / stats["done"]
    blocked = [b / end for b in stats["blocked"][: MACHINES - 1]]
    print(f"simpy serial: parts {stats['done']}  end time {end:.1f}")
    print(f"  throughput {thr:.4f}  flow time {flow:.3f}"
          f"  in buffers and blocked {flow - MACHINES:.3f}")
    print("  blocked fraction M1..M9: " + " ".join(f"{b:.3f}" for b in blocked))
    print(f"RESULT engine=simpy model=serial wall={wall:.4f} cpu={cpu:.4f} rss_mb={rss_mb:.1f} "
          f"throughput={thr:.4f} flow={flow:.3f}")


if __name__ == "__main__":
    main()
