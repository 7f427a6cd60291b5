"""What the SimPy benchmark programs share: bench/simpy_<model>.py and simpy_<model>_process.py.

Each of the three models is written twice for SimPy 3/4, in the tuned idiom and in the
process-per-entity idiom, and the two must stay the same model. This module holds what they have
in common: the models' constants (rates, the serial line's size, the job shop's groups, job mix
and routings), the job shop's arrivals, its counts and its rule for an operation that a
breakdown interrupts, the command line, the timed run, and the lines each program prints, the
RESULT line that bench/run.sh reads included. The programs import it from their own folder.
"""
import random
import resource
import sys
import time

import simpy

# M/M/1 (REFERENCE model (a)): rho = 0.9.
MM1_ARRIVAL_RATE = 0.9
MM1_SERVICE_RATE = 1.0

# Serial line (REFERENCE model (b)): 10 machines, a buffer of 5 between two of them.
MACHINES = 10
CAPACITY = 5
SERIAL_SERVICE_RATE = 1.0

# Job shop (REFERENCE model (c)): 5 groups of 2 machines, 3 job types with their share of the
# arrivals and their routing, each step a (group, mean processing time); every machine fails
# after exponential(60) of calendar time and is repaired in exponential(5).
GROUPS = 5
SERVERS = 2
MIX = (0.3, 0.5, 0.2)
ROUTES = (
    ((0, 1.0), (2, 1.2), (1, 0.9), (4, 0.8)),
    ((1, 1.1), (3, 1.3), (4, 0.9), (0, 0.8), (2, 1.0)),
    ((2, 0.9), (4, 1.0), (3, 1.4)),
)
SHOP_ARRIVAL_RATE = 1.4
SHOP_FAIL_RATE = 1.0 / 60.0
SHOP_REPAIR_RATE = 1.0 / 5.0


def job_kind(rng):
    """The type of an arriving job, drawn by the mix from one uniform number of rng."""
    u = rng.random()
    return 0 if u < MIX[0] else (1 if u < MIX[0] + MIX[1] else 2)


def process_through_breakdowns(env, machine, remaining):
    """Processes for `remaining` time on machine (its `busy` time and `repaired` event).

    A process runs it with `yield from`. When a breakdown interrupts it (simpy.Interrupt), the
    work done so far counts as busy time and the rest resumes once the machine is repaired.
    """
    while remaining > 0.0:
        start = env.now
        try:
            yield env.timeout(remaining)
            machine.busy += remaining
            remaining = 0.0
        except simpy.Interrupt:
            done = env.now - start
            machine.busy += done
            remaining -= done
            yield machine.repaired


class ShopBase:
    """What the job shops of the two idioms share: the environment and random numbers, the
    arrivals, and the counts (operations begun and their waits, jobs done by type and their flow
    times). A subclass defines admit(kind), which takes in a job of that type as it arrives, and
    starts arrivals() as a process once its machines exist."""

    def __init__(self, env, rng):
        self.env = env
        self.rng = rng
        self.wait_sum = 0.0
        self.ops = 0
        self.flow_sum = 0.0
        self.done = [0] * len(MIX)

    def arrivals(self):
        """Poisson arrivals at rate 1.4, each job's type drawn by the mix."""
        env = self.env
        rng = self.rng
        while True:
            yield env.timeout(rng.expovariate(SHOP_ARRIVAL_RATE))
            self.admit(job_kind(rng))


def command_line(default, kind=int):
    """The program's size (N, or the job shop's T) and seed: its arguments, or their defaults."""
    size = kind(sys.argv[1]) if len(sys.argv) > 1 else default
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    return size, seed


class Timing:
    """Wall and CPU seconds of a run, and the peak resident memory of the program in MB."""

    __slots__ = ("wall", "cpu", "rss_mb")

    def __init__(self, wall, cpu, rss_mb):
        self.wall = wall
        self.cpu = cpu
        self.rss_mb = rss_mb


def timed_run(seed, build, until=None):
    """Builds a model with build(env, rng) and runs it, to `until` or to its end.

    The times run from building the model to the end of the run, interpreter start-up excluded.
    Returns the environment, what build returned, and the Timing.
    """
    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(seed)
    env = simpy.Environment()
    model = build(env, rng)
    env.run(until=until)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return env, model, Timing(wall, cpu, rss_mb)


def print_result(engine, model, timing, kpis):
    """The RESULT line that bench/run.sh reads: engine, model, times, memory, then the KPIs."""
    print(f"RESULT engine={engine} model={model} wall={timing.wall:.4f} cpu={timing.cpu:.4f} "
          f"rss_mb={timing.rss_mb:.1f} {kpis}")


def report_mm1(engine, end, stats, timing):
    """The M/M/1 KPIs from stats (total wait, customers done) over a run that ended at `end`."""
    wq = stats["wait"] / stats["done"]
    thr = stats["done"] / end
    print(f"{engine} mm1: customers {stats['done']}  end time {end:.1f}")
    print(f"  Wq {wq:.4f} (theory 9.0)  throughput {thr:.4f} (theory 0.9)")
    print_result(engine, "mm1", timing, f"wq={wq:.4f} throughput={thr:.4f}")


def report_serial(engine, end, stats, timing):
    """The serial line's KPIs from stats (total flow time, parts done, time blocked on each
    machine) over a run that ended at `end`."""
    thr = stats["done"] / end
    flow = stats["flow"] / stats["done"]
    blocked = [b / end for b in stats["blocked"][: MACHINES - 1]]
    print(f"{engine} serial: parts {stats['done']}  end time {end:.1f}")
    print(f"  throughput {thr:.4f}  flow time {flow:.3f}"
          f"  in buffers and blocked {flow - MACHINES:.3f}")
    print("  blocked fraction M1..M9: " + " ".join(f"{b:.3f}" for b in blocked))
    print_result(engine, "serial", timing, f"throughput={thr:.4f} flow={flow:.3f}")


def report_jobshop(engine, horizon, shop, groups, timing):
    """The job shop's KPIs from the counts of shop (a ShopBase) and from its machines (their
    `busy` and `downtime`), one list for each group, over a run to `horizon`."""
    done = sum(shop.done)
    flow = shop.flow_sum / done
    wait = shop.wait_sum / shop.ops
    util = [sum(m.busy for m in groups[g]) / (SERVERS * horizon) for g in range(GROUPS)]
    down = sum(m.downtime for ms in groups for m in ms) / (GROUPS * SERVERS * horizon)
    print(f"{engine} jobshop: jobs done {done}  to time {horizon:.0f}")
    print(f"  throughput {done / horizon:.4f} (theory 1.4)  by type "
          + " ".join(f"{d / horizon:.3f}" for d in shop.done))
    print(f"  flow time {flow:.3f}  wait per operation {wait:.3f}  downtime {down:.4f}"
          " (theory 0.0769)")
    print("  utilization G0..G4: " + " ".join(f"{u:.3f}" for u in util)
          + "  (theory 0.490 0.574 0.728 0.651 0.623)")
    print_result(engine, "jobshop", timing, f"flow={flow:.3f} wait={wait:.3f}")
