#!/usr/bin/env python3
"""Writes the data of examples/distribution-centre.yaml: a day of a distribution centre.

  distribution-centre-stock-N.csv    the loads in aisle N's rack at time 0 (1 to 4, in the same
                                     slots): every fourth a full pallet (`pallet`), the others
                                     the aisle's own SKUs (s01, s05, ... in aisle 1: SKU i is
                                     stored in aisle (i - 1) mod 4 + 1) in turn, 12 of each
  distribution-centre-orders.csv     the crew's order lines: 48,000 less the full-pallet ones
  distribution-centre-pallets-N.csv  full-pallet orders of aisle N (1 to 4), 10 an hour
                                     (so 2,000 order lines an hour in all)
  distribution-centre-inbound.csv    inbound trucks by appointment, one every 20 minutes, with
                                     the full pallets (IN_SHARE of a truck's draw: as many as the
                                     full-pallet orders take; the SKUs come by the supply source)
  distribution-centre-outbound.csv   outbound trucks, one leaving every 30 minutes

Times are minutes from midnight. An order is due at the departure of the first outbound truck
that leaves at least 90 minutes (a full-pallet order: 20 minutes) after its release, so the
truck it is meant for is the one that loads it (`loads: orders` takes the orders due by a
truck's departure). A fixed seed makes the files the same on every run:
    python3 examples/gen-distribution-centre.py [FOLDER]   (default: this script's folder)
"""
import math
import os
import random
import sys

SEED = 20261206
DAY = 1440.0            # minutes
SKUS = 60               # products s01..s60 of the pick area
AISLES = 4              # AS/RS aisles, 40 bays x 10 levels each
BAYS, LEVELS = 40, 10
FILL = 0.6              # share of a rack's slots holding a pallet at time 0
LINES = 48000           # order lines of the day: 2,000 an hour
PALLET_ORDERS_PER_MIN = 10 / 60.0   # full-pallet orders per aisle
OUT_EVERY = 30.0        # an outbound truck leaves every 30 minutes, from 01:00 to 26:00 (the
                        # last ones take the day's last orders after the 24 hours)
OUT_FIRST = 60.0
OUT_ROOM = 480          # orders an outbound truck takes
IN_EVERY = 20.0         # an inbound truck every 20 minutes
IN_PALLETS = (26, 40)   # pallets of an inbound truck drawn, uniform: 33 on average
IN_SHARE = 0.41         # of which the truck brings this share (rounded): 955 pallets a day,
                        # about the 961 full-pallet orders


def departures():
    t = OUT_FIRST
    while t <= DAY + 120 + 1e-9:
        yield t
        t += OUT_EVERY


DEPS = list(departures())


def due_for(release, slack):
    for d in DEPS:
        if d >= release + slack:
            return d
    return None


def poisson_times(rng, rate, end):
    t = rng.expovariate(rate)
    while t < end:
        yield t
        t += rng.expovariate(rate)


def write(folder, name, header, rows):
    with open(os.path.join(folder, name), "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(SEED)

    slots = [(b, l) for l in range(1, LEVELS + 1) for b in range(1, BAYS + 1)]
    full = sorted(rng.sample(slots, int(FILL * len(slots))), key=lambda s: (s[1], s[0]))
    # every fourth load a full pallet, the others the aisle's own SKUs in turn (no draw: the
    # files after these are what they were when the racks held only pallets)
    for a in range(1, AISLES + 1):
        own = [i for i in range(1, SKUS + 1) if (i - 1) % AISLES + 1 == a]
        products = ["pallet" if k % 4 == 0 else "s%02d" % own[(k - k // 4 - 1) % len(own)]
                    for k in range(len(full))]
        write(folder, "distribution-centre-stock-%d.csv" % a, ["slot", "product", "quantity"],
              [("%d-%d" % s, p, 1) for s, p in zip(full, products)])

    pallet_lines = 0
    for a in range(1, AISLES + 1):
        rows = []
        n = 0
        for t in poisson_times(rng, PALLET_ORDERS_PER_MIN, DAY):
            due = due_for(t, 20.0)
            if due is None:
                break
            n += 1
            rows.append(("P%d%04d" % (a, n), 1, "C%03d" % rng.randint(1, 400), "pallet", 1,
                         "%.2f" % t, "%.0f" % due))
        pallet_lines += len(rows)
        write(folder, "distribution-centre-pallets-%d.csv" % a,
              ["order", "line", "customer", "product", "quantity", "release", "due"], rows)

    # The crew's orders: exactly LINES - (the full-pallet lines) lines, in orders of 1 to 5
    # lines released at the times of a Poisson process given its count (sorted uniform times).
    crew = random.Random(SEED + 1)
    sizes = []
    left = LINES - pallet_lines
    while left > 0:
        sizes.append(min(left, crew.randint(1, 5)))
        left -= sizes[-1]
    times = sorted(crew.uniform(0.0, DAY) for _ in sizes)
    rows = []
    for n, (t, size) in enumerate(zip(times, sizes), 1):
        due = due_for(t, 90.0)
        cust = "C%03d" % crew.randint(1, 400)
        for line in range(1, size + 1):
            rows.append(("O%05d" % n, line, cust, "s%02d" % crew.randint(1, SKUS),
                         crew.randint(1, 4), "%.2f" % t, "%.0f" % due))
    write(folder, "distribution-centre-orders.csv",
          ["order", "line", "customer", "product", "quantity", "release", "due"], rows)

    rows = []
    t, n = 0.0, 0
    while t < DAY - IN_EVERY:
        n += 1
        arrival = max(0.0, t + rng.uniform(-5.0, 10.0))
        rows.append(("IN%03d" % n, rng.choice(["Nordfracht", "Rheinlog", "Baltic"]),
                     "%.0f" % t, "%.1f" % arrival, "%.0f" % (t + 60),
                     max(1, int(rng.randint(*IN_PALLETS) * IN_SHARE + 0.5)), "inbound"))
        t += IN_EVERY
    write(folder, "distribution-centre-inbound.csv",
          ["truck", "carrier", "planned", "arrival", "departure", "pallets", "direction"], rows)

    rows = []
    for n, d in enumerate(DEPS, 1):
        planned = d - 60.0
        arrival = max(0.0, planned + rng.uniform(-5.0, 10.0))
        rows.append(("OUT%03d" % n, "%.0f" % planned, "%.1f" % arrival, "%.0f" % d, OUT_ROOM,
                     "outbound"))
    write(folder, "distribution-centre-outbound.csv",
          ["truck", "planned", "arrival", "departure", "pallets", "direction"], rows)


if __name__ == "__main__":
    main()
