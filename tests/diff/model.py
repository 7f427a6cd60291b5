"""Reads a twinsim model file (docs/model-format.md) into plain Python objects for the SimPy
translation (simpy_engine.py).

The file is valid: twinsim has loaded it first (`twinsim check`), so this reader checks nothing
and keeps only what the run needs. YAML is read with PyYAML's BaseLoader, which leaves every
scalar a string (YAML 1.1 would read 06:00 as the number 360); values are then read as the model
format defines them. A distribution call inside a flow collection (`{a: triangular(1, 2, 3)}`)
is quoted first, as twinsim's loader reads such a call as one value.
"""
import os
import re

import yaml

import dist

_CALL = re.compile(r"(%s)\(" % "|".join(dist.NAMES))


def _quote_calls(line):
    """`line` with every distribution call that starts a value (after ':', ',', '[', '{', '- '
    or at the start) and closes on the line wrapped in single quotes; quoted text and comments
    are left alone."""
    out, i, quote = [], 0, None
    prev = ""  # the last character outside blanks, outside quotes
    while i < len(line):
        ch = line[i]
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            out.append(line[i:])
            break
        m = _CALL.match(line, i)
        if m and prev in ("", ":", ",", "[", "{", "-") and (i == 0 or not line[i - 1].isalnum()):
            depth, j, q = 0, i, None
            while j < len(line):
                c = line[j]
                if q:
                    q = None if c == q else q
                elif c in "\"'":
                    q = c
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j < len(line):
                call = line[i:j + 1]
                out.append("'" + call.replace("'", "''") + "'")
                prev = "'"
                i = j + 1
                continue
        out.append(ch)
        if ch not in " \t":
            prev = ch
        i += 1
    return "".join(out)


def _clock(text):
    """Hours since midnight of "HH:MM" or "HH:MM:SS"."""
    parts = [float(x) for x in str(text).split(":")]
    return parts[0] + parts[1] / 60 + (parts[2] / 3600 if len(parts) > 2 else 0)


class Block:
    """One block: its type, name, index and parameters (absent ones at their defaults)."""

    def __init__(self, kind, name, index):
        self.kind, self.name, self.index = kind, name, index
        self.route = None  # (rule, data): see Model._route
        # source
        self.interarrival = None
        self.mix = []  # [(product, probability)]
        self.limit = 0
        self.batch = 1
        self.population = 0
        self.due = None
        # buffer
        self.capacity = 0  # 0: unlimited
        self.discipline = "fifo"
        self.drop = False  # buffer and machine: when_full drop
        # delay
        self.time = None
        # machine, assembly
        self.servers = 1
        self.process = {}  # product index -> Dist
        self.setup = None
        self.failures = None  # (between, repair, basis)
        self.scrap = 0.0
        self.need = None  # (pool index, count, set of works)
        self.shift = None  # shift index
        # assembly
        self.parts = []  # [(product, count)]
        self.out_product = None
        # split
        self.into = 1


class Model:
    """A model file: products, shifts (periods in hours), operator pools, blocks, run settings."""

    def __init__(self, path):
        self.path = path
        base = os.path.dirname(os.path.abspath(path))
        with open(path, encoding="utf-8") as f:
            text = "\n".join(_quote_calls(line) for line in f.read().split("\n"))
        doc = yaml.load(text, Loader=yaml.BaseLoader)
        self.name = doc.get("name") or os.path.basename(path).split(".")[0]
        self.unit = doc.get("time_unit", "min")
        u = self.unit
        res = dist.duration(doc["resolution"], u) if "resolution" in doc else 1e-6
        self.ticks_per_unit = 1.0 / res
        run = doc.get("run", {}) or {}
        self.horizon = dist.duration(run["horizon"], u) if "horizon" in run else 0.0
        w = run.get("warmup", "0")
        self.warmup_auto = w == "auto"
        self.warmup = 0.0 if self.warmup_auto else dist.duration(w, u)
        self.replications = int(run.get("replications", 10))
        self.seed = int(run.get("seed", 1))
        self.start_clock = _clock(run["start"]) if "start" in run else 0.0
        self.products = list(doc.get("products", []) or [])
        pidx = {p: i for i, p in enumerate(self.products)}
        self.shifts, sidx = [], {}
        for s in doc.get("shifts", []) or []:
            periods = []
            for a, b in s["periods"]:
                a, b = _clock(a), _clock(b)
                periods += [(a, b)] if a < b else [(a, 24.0), (0.0, b)]
            sidx[s["name"]] = len(self.shifts)
            self.shifts.append([p for p in periods if p[1] > p[0]])
        self.pools, oidx = [], {}
        for o in doc.get("operators", []) or []:
            oidx[o["name"]] = len(self.pools)
            self.pools.append((o["name"], int(o["count"]),
                               sidx[o["shift"]] if "shift" in o else None))
        self.blocks, bidx = [], {}
        kinds = ("source", "buffer", "delay", "machine", "assembly", "split", "sink")
        raw = doc["blocks"]
        for i, item in enumerate(raw):
            kind = next(k for k in kinds if k in item)
            b = Block(kind, item[kind], i)
            bidx[b.name] = i
            self.blocks.append(b)
        for b, item in zip(self.blocks, raw):
            self._block(b, item, pidx, sidx, oidx, base)
            if "to" in item:
                b.route = self._route(item["to"], bidx, pidx)

    def dist(self, text, base):
        return dist.parse(text, self.unit, base)

    def _block(self, b, item, pidx, sidx, oidx, base):
        d = lambda key: self.dist(item[key], base)  # noqa: E731
        if "interarrival" in item:
            b.interarrival = d("interarrival")
        if "product" in item:
            v = item["product"]
            if b.kind == "source":
                b.mix = ([(pidx[k], float(p)) for k, p in v.items()] if isinstance(v, dict)
                         else [(pidx[v], 1.0)])
            else:
                b.out_product = pidx[v]
        if b.kind == "source" and not b.mix:
            b.mix = [(0, 1.0)]
        b.limit = int(item.get("limit", 0))
        b.batch = int(item.get("batch", 1))
        b.population = int(item.get("population", 0))
        if "due" in item:
            b.due = d("due")
        cap = item.get("capacity", "unlimited")
        b.capacity = 0 if cap == "unlimited" else int(cap)
        b.discipline = item.get("discipline", "fifo")
        b.drop = item.get("when_full", "block") == "drop"
        if "time" in item:
            b.time = d("time")
        b.servers = int(item.get("servers", 1))
        if "process" in item:
            v = item["process"]
            n = max(1, len(self.products))
            if isinstance(v, dict):
                b.process = {pidx[k]: self.dist(t, base) for k, t in v.items()}
            else:
                one = self.dist(v, base)
                b.process = {p: one for p in range(n)}
        if "setup" in item:
            b.setup = d("setup")
        if "failures" in item:
            f = item["failures"]
            b.failures = (self.dist(f["between"], base), self.dist(f["repair"], base),
                          f.get("basis", "operating"))
        b.scrap = float(item.get("scrap", 0))
        if "needs" in item:
            n = item["needs"]
            works = n.get("for", "process")
            works = set(works) if isinstance(works, list) else {works}
            pool = next(k for k in n if k != "for")
            b.need = (oidx[pool], int(n[pool]), works)
        if "shift" in item:
            b.shift = sidx[item["shift"]]
        if "parts" in item:
            b.parts = [(pidx[k], int(c)) for k, c in item["parts"].items()]
            if b.out_product is None:
                b.out_product = b.parts[0][0]
        b.into = int(item.get("into", 1))

    @staticmethod
    def _route(v, bidx, pidx):
        """(rule, data): ("single", target), ("probability", [(target, p)]), ("product",
        {product: target}), ("shortest_queue" | "round_robin", [targets])."""
        if not isinstance(v, dict):
            return ("single", bidx[v])
        if "rule" in v:
            return (v["rule"], [bidx[x] for x in v["among"]])
        if "by" in v:
            return ("product", {pidx[k]: bidx[t] for k, t in v.items() if k != "by"})
        return ("probability", [(bidx[k], float(p)) for k, p in v.items()])
