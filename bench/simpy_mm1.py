"""M/M/1 at rho = 0.9 for SimPy 3/4 (bench/REFERENCE model (a)).

Arrivals with mean interarrival 1/0.9 into one FIFO server with mean service 1.0; the run ends
when the last of N customers has left. Prints the KPIs and a RESULT line that bench/run.sh reads.
Usage: simpy_mm1.py [N] [SEED]
"""
import random
import resource
import sys
import time

import simpy


def arrivals(env, queue, n, rng):
    for _ in range(n):
        yield env.timeout(rng.expovariate(0.9))
        yield queue.put(env.now)


def server(env, queue, n, rng, stats):
    for _ in range(n):
        arrived = yield queue.get()
        stats["wait"] += env.now - arrived
        yield env.timeout(rng.expovariate(1.0))
        stats["done"] += 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(seed)
    env = simpy.Environment()
    queue = simpy.Store(env)
    stats = {"wait": 0.0, "done": 0}
    env.process(arrivals(env, queue, n, rng))
    env.process(server(env, queue, n, rng, stats))
    env.run()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    wq = stats["wait"] / stats["done"]
    print(f"simpy mm1: customers {stats['done']}  end time {env.now:.1f}")
    print(f"  Wq {wq:.4f} (theory 9.0)  throughput {stats['done'] / env.now:.4f} (theory 0.9)")
    print(f"RESULT engine=simpy model=mm1 wall={wall:.4f} cpu={cpu:.4f} rss_mb={rss_mb:.1f} "
          f"wq={wq:.4f} throughput={stats['done'] / env.now:.4f}")


if __name__ == "__main__":
    main()
