"""Summaries over replications and Student's t quantiles, without SciPy (Debian's python3 has
none by default): the t distribution's CDF through the regularized incomplete beta function
(continued fraction, modified Lentz), its quantile by bisection."""
import math


def summary(values):
    """(mean, sample sd, n) of a list of numbers."""
    n = len(values)
    if n == 0:
        return (float("nan"), float("nan"), 0)
    mean = math.fsum(values) / n
    if n < 2:
        return (mean, 0.0, n)
    var = math.fsum((x - mean) ** 2 for x in values) / (n - 1)
    return (mean, math.sqrt(var), n)


def _betacf(a, b, x):
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_sf(t, df):
    """P(T > t) for Student's t with `df` degrees of freedom, t >= 0."""
    if math.isinf(df):
        return 0.5 * math.erfc(t / math.sqrt(2.0))
    return 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(p, df):
    """The p-quantile of Student's t (0.5 <= p < 1), by bisection on t_sf to 1e-12."""
    q = 1.0 - p
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > q:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_sf(mid, df) > q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2
