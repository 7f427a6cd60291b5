"""A seeded generator of valid random twinsim models, for the comparison with SimPy.

    python3 generate.py --seed S --count N --out DIR     # writes DIR/rand-S-I.yaml, I = 0..N-1

Model I of seed S depends on (S, I) only. A model is a line of stages (a machine with or without
a buffer before it, a delay, parallel machines behind one buffer with a routing rule, a split, a
rework loop back through a delay), fed by one source, two merging sources, or two feeder lines
into an assembly; or a closed loop of a population. It has 3 to 30 blocks, and may have products
and product mixes, per-product times, setups, failures on both bases, scrap, buffer capacities,
disciplines and drops, operator pools shared by machines, shifts on machines and pools, due
dates, batches, a warm-up, a start clock and a time unit other than minutes.

The models are stable and quick: every machine's mean processing time is set from the flow it
receives (the sources' rates through routes, rework and splits), its servers, its availability
and its share of time on shift, so that its utilization stays below about 0.75; operator pools
get operators for their load. A cycle always passes through a delay, which never refuses, so no
model deadlocks. The horizon gives the main source about 300 to 700 arrivals (three days at
least with shifts); a line's sources may have a limit, and the model then no horizon. Times that
start together (a population's) have no ties: continuous distributions only.
"""
import argparse
import math
import os
import random

SHIFTS = {  # name: (periods, share of the day on shift)
    "day": ('[["06:00", "14:00"]]', 8 / 24),
    "two": ('[["06:00", "14:00"], ["14:30", "22:00"]]', 15.5 / 24),
    "night": ('[["22:00", "06:00"]]', 8 / 24),
}
HOURS = {"day": ((6, 14),), "two": ((6, 14), (14.5, 22)), "night": ((22, 24), (0, 6))}
NEXT = "@next"


def on_share(*shifts):
    """The share of the day when every shift named (None: always) is on."""
    hours = [(0, 24)]
    for name in shifts:
        if name:
            hours = [(max(a, c), min(b, d)) for a, b in hours for c, d in HOURS[name]
                     if min(b, d) > max(a, c)]
    return sum(b - a for a, b in hours) / 24  # in a route: the entry of the stage that follows


def num(x):
    """A short decimal for a model file."""
    return "%.4g" % x


def probs_text(probs):
    """Probabilities that sum to 1 as written: all but the last rounded short, the last exact."""
    head = [float(num(p)) for p in probs[:-1]]
    return [num(p) for p in head] + ["%.12g" % (1 - sum(head))]


class Gen:
    def __init__(self, seed, index):
        self.rng = random.Random("%d/%d" % (seed, index))
        self.seed, self.index = seed, index

    def reset(self):
        self.blocks = []  # [[type, name, [(key, value text)]]], in file order
        self.routes = {}  # name -> route text, with NEXT while the next stage is not built
        self.counter = {}
        self.products, self.shifts, self.pools = [], [], []  # pools: [name, count, shift, load]

    # Names and values
    def name(self, prefix):
        self.counter[prefix] = self.counter.get(prefix, 0) + 1
        return "%s%d" % (prefix, self.counter[prefix])

    def t(self, minutes):
        """A time argument: minutes, with the unit written when the model's is another."""
        return num(minutes) + ("min" if self.unit != "min" else "")

    def dist(self, mean, smooth=False):
        """A distribution of mean about `mean` minutes. smooth: no constant or discrete."""
        r, t = self.rng, self.t
        kinds = ["exponential", "uniform", "triangular", "normal", "lognormal", "gamma",
                 "erlang", "weibull", "beta", "pert"]
        if not smooth:
            kinds += ["constant", "discrete"]
        k, m = r.choice(kinds), mean
        if k == "exponential":
            return "exponential(%s)" % t(m)
        if k == "uniform":
            return "uniform(%s, %s)" % (t(0.5 * m), t(1.5 * m))
        if k == "triangular":
            return "triangular(%s, %s, %s)" % (t(0.4 * m), t(0.8 * m), t(1.8 * m))
        if k == "normal":
            return "normal(%s, %s)" % (t(m), t(0.25 * m))
        if k == "lognormal":
            return "lognormal(%s, %s)" % (t(m), t(r.choice((0.3, 0.6, 1.0)) * m))
        if k == "gamma":
            shape = r.choice((0.7, 2, 3.5))
            return "gamma(%s, %s)" % (num(shape), t(m / shape))
        if k == "erlang":
            return "erlang(%d, %s)" % (r.choice((2, 3)), t(m))
        if k == "weibull":
            shape = r.choice((0.8, 1.5, 3))
            return "weibull(%s, %s)" % (num(shape), t(m / math.gamma(1 + 1 / shape)))
        if k == "beta":
            return "beta(2, 3, %s, %s)" % (t(0.5 * m), t(1.75 * m))
        if k == "pert":
            return "pert(%s, %s, %s)" % (t(0.5 * m), t(0.9 * m), t(1.7 * m))
        if k == "constant":
            return t(m)
        return "discrete(%s: 0.3, %s: 0.5, %s: 0.2)" % (t(0.5 * m), t(m), t(1.75 * m))

    def add(self, kind, name, params, route=None):
        self.blocks.append([kind, name, params])
        if route is not None:
            self.routes[name] = route
        return name

    def params_of(self, name):
        return next(b[2] for b in self.blocks if b[1] == name)

    # Blocks
    def machine(self, flow, route=NEXT, rho=None, closed=False):
        """A machine sized for `flow` ({product: rate per minute}); returns its name and the
        flow of good parts that leaves it."""
        r = self.rng
        lam = sum(flow.values())
        name = self.name("m")
        params = []
        servers = r.choice((1, 1, 1, 2, 3))
        if servers > 1:
            params.append(("servers", str(servers)))
        share = 1.0  # of the time the machine can work: availability x time on shift
        shift = None
        if self.shifts and r.random() < 0.3:
            shift = r.choice(self.shifts)
            params.append(("shift", shift))
        fail = r.random() < 0.4
        if fail:
            mttr = r.uniform(2, 30)
            mtbf = mttr * r.uniform(5, 25)
            share *= mtbf / (mtbf + mttr)
        products = [p for p in flow if flow[p] > 0]
        setup = len(products) > 1 and r.random() < 0.35
        change = 1 - sum((v / lam) ** 2 for v in flow.values()) if setup else 0.0
        pool, works = None, []
        if self.pools and r.random() < 0.45:
            pool = r.choice(self.pools)
            works = [w for w in ("setup", "process", "repair")
                     if (w != "setup" or setup) and (w != "repair" or fail) and r.random() < 0.6]
            if on_share(shift, pool[2]) == 0:
                works = []  # a crew never there while the machine works would stop it for good
        # Work goes on while the machine's shift is on, and its crew's too if it needs one.
        share *= on_share(shift, pool[2] if ("process" in works or "setup" in works) else None)
        rho = rho or r.uniform(0.3, 0.72)
        # Mean time per part, its share of setups included (setup = 0.3 x processing).
        s = rho * servers * share / lam / (1 + 0.3 * change)
        if len(self.products) > 1 and r.random() < 0.4:
            per = ["%s: %s" % (p, self.dist(s * r.uniform(0.7, 1.3))) for p in self.products]
            params.append(("process", "{%s}" % ", ".join(per)))
        else:
            params.append(("process", self.dist(s)))
        if setup:
            params.append(("setup", self.dist(0.3 * s)))
        if fail:
            basis = r.choice(("", "", "operating", "calendar"))
            params.append(("failures", "{between: %s, repair: %s%s}" % (
                self.dist(mtbf, smooth=True), self.dist(mttr),
                ", basis: " + basis if basis else "")))
        if works:
            params.append(("needs", "{%s: 1, for: [%s]}" % (pool[0], ", ".join(works))))
            if "process" in works:
                pool[3] += lam * s
            if "setup" in works:
                pool[3] += lam * change * 0.3 * s
            if "repair" in works:
                pool[3] += servers * mttr / (mtbf + mttr)
        scrap = 0.0
        if not closed and r.random() < 0.2:
            scrap = r.choice((0.02, 0.05, 0.1))
            params.append(("scrap", num(scrap)))
        self.add("machine", name, params, route)
        return name, {p: v * (1 - scrap) for p, v in flow.items()}

    def buffer(self, route, unlimited=False, discipline=True, name=None):
        r = self.rng
        name = name or self.name("b")
        params = []
        if not unlimited and r.random() < 0.5:
            params.append(("capacity", str(r.choice((1, 2, 3, 5, 10, 20)))))
            if r.random() < 0.1:
                params.append(("when_full", "drop"))
        if discipline and r.random() < 0.4:
            params.append(("discipline", r.choice(["lifo", "priority", "spt"]
                                                  + (["edd"] if self.due else []))))
        return self.add("buffer", name, params, route)

    # Stages: each takes the flow it receives and returns (its entry block, the flow out).
    def stage_station(self, flow):
        r = self.rng
        if r.random() < 0.25:  # a machine without a buffer, which may drop what it can't take
            m, out = self.machine(flow)
            if r.random() < 0.15:
                self.params_of(m).append(("when_full", "drop"))
            return m, out
        if r.random() < 0.3:  # a rework loop: back to the buffer through a delay
            p = r.choice((0.05, 0.1, 0.2))
            inflow = {k: v / (1 - p) for k, v in flow.items()}
            b, d = self.name("b"), self.name("d")
            m, out = self.machine(inflow, route="{%s: %s, %s: %s}" % (NEXT, num(1 - p), d, num(p)))
            self.add("delay", d, [("time", self.dist(r.uniform(1, 10)))], b)
            self.buffer(m, unlimited=True, name=b)
            return b, {k: v * (1 - p) for k, v in out.items()}
        b = self.name("b")
        m, out = self.machine(flow)
        self.buffer(m, name=b)
        return b, out

    def stage_delay(self, flow):
        return self.add("delay", self.name("d"), [("time", self.dist(self.rng.uniform(0.5, 8)))],
                        NEXT), flow

    def stage_parallel(self, flow):
        r = self.rng
        k = r.choice((2, 2, 3))
        products = [p for p in self.products if flow.get(p, 0) > 0]
        rules = ["probability", "shortest_queue", "round_robin"]
        if len(products) >= 2:
            rules.append("product")
        rule = r.choice(rules)
        b = self.name("b")
        out = {p: 0.0 for p in flow}
        if rule == "product":
            branches = []
            for g in [products[i::k] for i in range(k)]:
                if g:
                    m, o = self.machine({p: flow[p] for p in g})
                    branches += ["%s: %s" % (p, m) for p in g]
                    for p, v in o.items():
                        out[p] += v
            if r.random() < 0.1:
                branches.pop()  # that product is dropped where it is routed (a warning)
            self.buffer("{by: product, %s}" % ", ".join(branches), name=b)
            return b, out
        weights = [r.uniform(0.5, 1.5) for _ in range(k)]
        texts = probs_text([w / sum(weights) for w in weights])
        probs = [float(x) for x in texts]
        names = []
        for p in probs:
            # Shortest queue and round robin share about evenly: sized with a margin.
            share = p if rule == "probability" else 1.4 / k
            m, o = self.machine({q: v * share for q, v in flow.items()}, rho=r.uniform(0.3, 0.6))
            names.append(m)
            for q in o:
                out[q] += o[q] / share * (p if rule == "probability" else 1 / k)
        if rule == "probability":
            route = "{%s}" % ", ".join("%s: %s" % mp for mp in zip(names, texts))
        else:
            route = "{rule: %s, among: [%s]}" % (rule, ", ".join(names))
        self.buffer(route, name=b)
        return b, out

    def stage_split(self, flow):
        into = self.rng.choice((2, 3))
        s = self.add("split", self.name("sp"), [("into", str(into))], NEXT)
        return s, {p: v * into for p, v in flow.items()}

    def line(self, flow, stages):
        """Stages one after another: (first entry or None, the flow out). The last stage's
        exits route to NEXT; so must nothing else when a line starts."""
        first, split = None, False
        for _ in range(stages):
            pending = [n for n, t in self.routes.items() if NEXT in t]
            kind = self.rng.choices(("station", "delay", "parallel", "split"), (6, 1, 2, 1))[0]
            if kind == "split" and split:
                kind = "station"
            split = split or kind == "split"
            entry, flow = getattr(self, "stage_" + kind)(flow)
            self.link(pending, entry)
            first = first or entry
        return first, flow

    def link(self, names, target):
        for n in names:
            self.routes[n] = self.routes[n].replace(NEXT, target)

    def link_all(self, target):
        self.link([n for n, t in self.routes.items() if NEXT in t], target)

    def source(self, mix, rate, route, limit=0):
        r = self.rng
        params = []
        if limit:
            params.append(("limit", str(limit)))
        batch = r.choice((1, 1, 1, 2))
        params.append(("interarrival", self.dist(batch / rate, smooth=True)))
        if batch > 1:
            params.append(("batch", str(batch)))
        if len(mix) > 1:
            params.append(("product", "{%s}" % ", ".join(
                "%s: %s" % kv for kv in zip(mix, probs_text(list(mix.values()))))))
        elif self.products:
            params.append(("product", next(iter(mix))))
        if self.due:
            params.append(("due", self.dist(r.uniform(20, 200), smooth=True)))
        return self.add("source", self.name("src"), params, route)

    # Whole models
    def build(self):
        """The model's text; tried again with the stream's next draws until it has 3 to 30
        blocks."""
        while True:
            self.reset()
            text = self.attempt()
            if 3 <= len(self.blocks) <= 30:
                return text

    def attempt(self):
        r = self.rng
        self.unit = r.choices(("min", "s", "h"), (8, 1, 1))[0]
        shape = r.choices(("line", "merge", "assembly", "closed"), (6, 2, 2, 1.5))[0]
        if shape == "assembly":
            self.products = ["pa", "pb", "unit"]
        elif r.random() < 0.6:
            self.products = ["p%d" % i for i in range(r.choice((2, 3)))]
        if r.random() < 0.35:
            self.shifts = r.sample(sorted(SHIFTS), r.choice((1, 2)))
        if r.random() < 0.45:
            for i in range(r.choice((1, 2))):
                shift = r.choice(self.shifts) if self.shifts and r.random() < 0.4 else None
                self.pools.append(["crew%d" % (i + 1), 1, shift, 0.0])
        self.due = r.random() < 0.3
        stages = r.choice((1, 2, 3, 3, 4, 5, 6, 8))
        rate = 1 / r.uniform(1, 4)  # arrivals per minute of the main source
        if self.shifts:
            rate /= 3  # days of running cost more arrivals
        names = self.products or ["_"]
        w = [r.uniform(0.2, 1) for _ in names]
        probs = [float(num(x / sum(w))) for x in w[:-1]]
        mix = dict(zip(names, probs + [1 - sum(probs)]))
        self.horizon = r.uniform(300, 700) / rate
        if self.shifts:
            self.horizon = max(self.horizon, 3 * 1440.0)
        if shape == "closed":
            self.closed(mix, rate)
        elif shape == "assembly":
            self.assembly(rate, stages)
        else:
            n = 2 if shape == "merge" else 1
            first, _ = self.line({p: v * rate * n for p, v in mix.items()}, stages)
            self.link_all(self.sink())
            # Now and then limited sources, and then maybe no horizon: the run ends when the
            # last part is done.
            limited = r.random() < 0.15
            for _ in range(n):
                limit = max(5, int(rate * self.horizon * r.uniform(0.3, 0.9))) if limited else 0
                self.source(mix, rate, first, limit)
            if limited and r.random() < 0.5:
                self.horizon = 0
        for pool in self.pools:
            share = SHIFTS[pool[2]][1] if pool[2] else 1.0
            pool[1] = min(6, max(1, math.ceil(pool[3] / (0.6 * share))))
        return self.text()

    def sink(self):
        return self.add("sink", self.name("k"), [])

    def assembly(self, rate, stages):
        """Two feeder lines into finite buffers before an assembly of one pa and kb pb: the
        faster feeder blocks."""
        r = self.rng
        kb = r.choice((1, 2, 3))
        ra, rb = rate * r.uniform(1.0, 1.2), kb * rate * r.uniform(1.0, 1.2)
        a = self.name("a")
        first, _ = self.line({"unit": rate}, max(1, stages // 2))
        self.link_all(self.sink())
        params = [("parts", "{pa: 1, pb: %d}" % kb), ("product", "unit"),
                  ("process", self.dist(0.6 / rate))]
        if r.random() < 0.3:
            mttr = r.uniform(2, 20)
            params.append(("failures", "{between: %s, repair: %s}" % (
                self.dist(mttr * 20, smooth=True), self.dist(mttr))))
        if self.pools and r.random() < 0.4:
            pool = r.choice(self.pools)
            params.append(("needs", "{%s: 1, for: process}" % pool[0]))
            pool[3] += 0.6
        self.add("assembly", a, params, first)
        for product, rate_in in (("pa", ra), ("pb", rb)):
            buf = self.buffer(a, discipline=False)
            params = self.params_of(buf)
            params[:] = [("capacity", str(r.choice((2, 5, 10))))]
            entry, _ = self.line({product: rate_in}, r.choice((0, 1, 2)))
            self.link_all(buf)
            self.source({product: 1.0}, rate_in, entry or buf)

    def closed(self, mix, rate):
        """A closed loop: a population circulates through a machine and a delay for ever."""
        r = self.rng
        n = r.choice((3, 5, 10, 20))
        b, d = self.name("b"), self.name("d")
        m, _ = self.machine({p: v * rate for p, v in mix.items()}, route=d, closed=True)
        self.add("delay", d, [("time", self.dist(0.7 * n / rate, smooth=True))], b)
        self.buffer(m, unlimited=True, name=b)
        params = [("population", str(n))]
        if len(mix) > 1:
            params.append(("product", "{%s}" % ", ".join(
                "%s: %s" % kv for kv in zip(mix, probs_text(list(mix.values()))))))
        elif self.products:
            params.append(("product", next(iter(mix))))
        self.add("source", self.name("src"), params, b)

    def text(self):
        r = self.rng
        lines = ["# Random model %d of seed %d (tests/diff/generate.py)." % (self.index, self.seed),
                 "name: rand-%d-%d" % (self.seed, self.index)]
        if self.unit != "min":
            lines.append("time_unit: %s" % self.unit)
        run = ["horizon: %s" % self.t(self.horizon)] if self.horizon else ["replications: 10"]
        if self.horizon and r.random() < 0.5:
            run.append("warmup: %s" % self.t(0.1 * self.horizon))
        if self.shifts and r.random() < 0.5:
            run.append('start: "%s"' % r.choice(("06:00", "13:30", "22:00")))
        lines.append("run: {%s}" % ", ".join(run))
        if self.products:
            lines.append("products: [%s]" % ", ".join(self.products))
        if self.shifts:
            lines.append("shifts:")
            lines += ["  - {name: %s, periods: %s}" % (s, SHIFTS[s][0]) for s in self.shifts]
        if self.pools:
            lines.append("operators:")
            for name, count, shift, _ in self.pools:
                lines.append("  - {name: %s, count: %d%s}" % (
                    name, count, ", shift: %s" % shift if shift else ""))
        lines.append("blocks:")
        for kind, name, params in self.blocks:
            lines.append("  - %s: %s" % (kind, name))
            lines += ["    %s: %s" % kv for kv in params]
            if name in self.routes:
                lines.append("    to: %s" % self.routes[name])
        return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--out", required=True)
    opts = ap.parse_args()
    os.makedirs(opts.out, exist_ok=True)
    for i in range(opts.first, opts.first + opts.count):
        path = os.path.join(opts.out, "rand-%d-%d.yaml" % (opts.seed, i))
        with open(path, "w") as f:
            f.write(Gen(opts.seed, i).build())
        print(path)


if __name__ == "__main__":
    main()
