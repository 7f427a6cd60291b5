"""Distributions and durations of twinsim model files, for the SimPy translation.

Reads the texts that docs/model-format.md defines (a bare number or duration, `name(args)` with
units on time arguments, `discrete(v: p, ...)`, `empirical("file.csv")`) and draws from them with
Python's `random`. The draws are not twinsim's (results are compared statistically); the
distributions are: same parameters, same means and shapes, same clamping of negative times.
The model files given to it are valid (twinsim checks them first), so errors here are terse.
"""
import math
import os
import re

# Seconds in each unit a duration may carry.
UNIT_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION = re.compile(r"^\s*(" + _NUMBER + r")\s*(s|min|h|d)?\s*$")

# Which arguments of each distribution are times (converted to the time unit), in order.
_TIME_ARGS = {
    "constant": (True,),
    "uniform": (True, True),
    "triangular": (True, True, True),
    "exponential": (True,),
    "normal": (True, True),
    "lognormal": (True, True),
    "gamma": (False, True),
    "erlang": (False, True),
    "weibull": (False, True),
    "beta": (False, False, True, True),
    "pert": (True, True, True),
}
NAMES = tuple(_TIME_ARGS) + ("discrete", "empirical")


def duration(text, unit):
    """A duration text ("30s", "2.5 h", "4") in `unit`."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError("not a duration: %r" % (text,))
    value = float(m.group(1))
    if m.group(2):
        value *= UNIT_SECONDS[m.group(2)] / UNIT_SECONDS[unit]
    return value


class Dist:
    """One distribution: `draw(rng)` returns a value in the model's time unit (negative draws of
    a normal are returned as they are; a time is clamped by the caller), `mean` its mean."""

    __slots__ = ("kind", "p", "values", "cum", "mean")

    def __init__(self, kind, p, values=None, cum=None):
        self.kind = kind
        self.p = p
        self.values = values
        self.cum = cum
        self.mean = self._mean()

    def _mean(self):
        k, p = self.kind, self.p
        if k == "constant":
            return p[0]
        if k == "uniform":
            return (p[0] + p[1]) / 2
        if k == "triangular":
            return (p[0] + p[1] + p[2]) / 3
        if k in ("exponential", "normal", "lognormal"):
            return p[0]
        if k == "gamma":
            return p[0] * p[1]
        if k == "erlang":
            return p[1]
        if k == "weibull":
            return p[1] * math.gamma(1 + 1 / p[0])
        if k == "beta":
            return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1])
        if k == "pert":
            return (p[0] + 4 * p[1] + p[2]) / 6
        if k == "discrete":
            prev, m = 0.0, 0.0
            for v, c in zip(self.values, self.cum):
                m += v * (c - prev)
                prev = c
            return m
        if k == "empirical":
            v = self.values
            if len(v) == 1:
                return v[0]
            # The mean of the piecewise-linear inverse CDF: each segment's midpoint, equal weights.
            return sum((v[i] + v[i + 1]) / 2 for i in range(len(v) - 1)) / (len(v) - 1)
        raise AssertionError(k)

    def draw(self, rng):
        k, p = self.kind, self.p
        if k == "exponential":
            return rng.expovariate(1.0 / p[0]) if p[0] > 0 else 0.0
        if k == "constant":
            return p[0]
        if k == "uniform":
            return p[0] + (p[1] - p[0]) * rng.random()
        if k == "triangular":
            return rng.triangular(p[0], p[2], p[1]) if p[2] > p[0] else p[0]
        if k == "normal":
            return rng.gauss(p[0], p[1])
        if k == "lognormal":
            s2 = math.log1p((p[1] / p[0]) ** 2)
            return rng.lognormvariate(math.log(p[0]) - s2 / 2, math.sqrt(s2))
        if k == "gamma":
            return rng.gammavariate(p[0], p[1])
        if k == "erlang":
            return rng.gammavariate(p[0], p[1] / p[0])
        if k == "weibull":
            return rng.weibullvariate(p[1], p[0])
        if k == "beta":
            return p[2] + (p[3] - p[2]) * rng.betavariate(p[0], p[1])
        if k == "pert":
            w = p[2] - p[0]
            if w == 0:
                return p[0]
            a = 1 + 4 * (p[1] - p[0]) / w
            b = 1 + 4 * (p[2] - p[1]) / w
            return p[0] + w * rng.betavariate(a, b)
        if k == "discrete":
            u = rng.random()
            for v, c in zip(self.values, self.cum):
                if u < c:
                    return v
            return self.values[-1]
        if k == "empirical":
            v = self.values
            if len(v) == 1:
                return v[0]
            t = rng.random() * (len(v) - 1)
            i = min(int(t), len(v) - 2)
            return v[i] + (t - i) * (v[i + 1] - v[i])
        raise AssertionError(k)


def _split_args(inner):
    """Split a call's arguments on commas outside quotes."""
    args, cur, quote = [], "", None
    for ch in inner:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            cur += ch
        elif ch == ",":
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        args.append(cur.strip())
    return args


def _empirical(path):
    """The sorted data points of an empirical file: the first column of each line that holds a
    number; blank lines, '#' lines and a header are skipped (docs/model-format.md)."""
    values = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            field = re.split(r"[,;\t]", line)[0].strip().strip('"')
            try:
                values.append(float(field))
            except ValueError:
                continue  # the header
    values.sort()
    return values


def parse(text, unit, base_dir="."):
    """The Dist that `text` (a model file's distribution) stands for, times in `unit`."""
    text = str(text).strip()
    m = re.match(r"^([a-z]+)\s*\((.*)\)\s*$", text, re.S)
    if not m:
        return Dist("constant", (duration(text, unit),))
    name, inner = m.group(1), m.group(2)
    if name == "empirical":
        path = inner.strip().strip("\"'")
        if not os.path.isabs(path):
            path = os.path.join(base_dir, path)
        return Dist("empirical", (), _empirical(path))
    if name == "discrete":
        pairs = []
        for arg in _split_args(inner):
            v, p = arg.rsplit(":", 1)
            pairs.append((duration(v, unit), float(p)))
        values, cum, c = [], [], 0.0
        for v, p in pairs:
            c += p
            values.append(v)
            cum.append(c)
        cum[-1] = 1.0
        return Dist("discrete", (), values, cum)
    args = _split_args(inner)
    kinds = _TIME_ARGS[name]
    p = tuple(duration(a, unit) if is_time else float(a) for a, is_time in zip(args, kinds))
    return Dist(name, p)
