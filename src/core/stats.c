/*
 * Statistics: tallies of observations, time-weighted levels, histograms, Student-t confidence
 * intervals, batch means and MSER-5 warm-up detection. Pure arithmetic over caller-owned structs;
 * knows nothing of sims or blocks.
 *
 * Invariants: a tally's `m2` is the sum of squared deviations from `mean` (Welford), never a raw
 * sum of squares, so variances stay accurate when the mean is large against the spread. A level's
 * `area` covers [t_start, t_last] exactly; the stretch since t_last is added only when read.
 */
#include "core/fast.h"

#include <float.h>
#include <math.h>

/* ---------------------------------------------------------------------------------------------
 * Tally
 * ------------------------------------------------------------------------------------------- */

void tsim_tally_init(struct tsim_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

void tsim_tally_add(struct tsim_tally *t, double x) { tsim__tally_add(t, x); }

double tsim_tally_variance(const struct tsim_tally *t)
{
    return t->n < 2 ? 0.0 : t->m2 / (double)(t->n - 1);
}

void tsim_tally_merge(struct tsim_tally *a, const struct tsim_tally *b)
{
    if (b->n == 0) return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double delta = b->mean - a->mean;
    a->mean += delta * (nb / n);
    a->m2 += b->m2 + delta * delta * (na * nb / n);
    a->n += b->n;
    if (b->min < a->min) a->min = b->min;
    if (b->max > a->max) a->max = b->max;
}

/* ---------------------------------------------------------------------------------------------
 * Level
 * ------------------------------------------------------------------------------------------- */

void tsim_level_init(struct tsim_level *l, double t0, double value)
{
    l->t_start = l->t_last = t0;
    l->value = value;
    l->area = 0.0;
    l->max = value;
}

void tsim_level_set(struct tsim_level *l, double t, double value) { tsim__level_set(l, t, value); }

void tsim_level_restart(struct tsim_level *l, double t)
{
    TSIM__ASSERT(t >= l->t_last, "time %g before the last change %g", t, l->t_last);
    l->t_start = l->t_last = t;
    l->area = 0.0;
    l->max = l->value;
}

double tsim_level_mean(const struct tsim_level *l, double t_now)
{
    TSIM__ASSERT(t_now >= l->t_last, "time %g before the last change %g", t_now, l->t_last);
    double span = t_now - l->t_start;
    if (span <= 0.0) return l->value;
    return (l->area + l->value * (t_now - l->t_last)) / span;
}

/* ---------------------------------------------------------------------------------------------
 * Histogram
 * ------------------------------------------------------------------------------------------- */

int tsim_hist_init(struct tsim_hist *h, double lo, double hi, uint32_t nbins)
{
    h->bins = NULL;
    h->n = h->under = h->over = 0;
    h->nbins = 0;
    h->lo = h->hi = h->width = 0.0;
    if (nbins == 0) return tsim__fail(TSIM_EINVAL, __func__, "no bins");
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return tsim__fail(TSIM_EINVAL, __func__, "empty or infinite range [%g, %g)", lo, hi);
    h->lo = lo;
    h->hi = hi;
    h->nbins = nbins;
    h->width = (hi - lo) / nbins;
    h->bins = tsim__calloc(nbins, sizeof *h->bins);
    return TSIM_OK;
}

void tsim_hist_release(struct tsim_hist *h)
{
    tsim__free(h->bins);
    h->bins = NULL;
    h->nbins = 0;
    h->n = h->under = h->over = 0;
}

void tsim_hist_add(struct tsim_hist *h, double x)
{
    if (isnan(x)) return;
    h->n++;
    if (x < h->lo) {
        h->under++;
    } else if (x >= h->hi) {
        h->over++;
    } else {
        /* Rounding can put x just below hi into bin nbins; it belongs to the last bin. */
        uint32_t i = (uint32_t)((x - h->lo) / h->width);
        if (i >= h->nbins) i = h->nbins - 1;
        h->bins[i]++;
    }
}

double tsim_hist_quantile(const struct tsim_hist *h, double p)
{
    TSIM__ASSERT(p >= 0.0 && p <= 1.0, "p %g outside [0, 1]", p);
    if (h->n == 0) return NAN;
    double target = p * (double)h->n;
    if (h->under > 0 && target <= (double)h->under) return h->lo;
    double cum = (double)h->under;
    for (uint32_t i = 0; i < h->nbins; i++) {
        double b = (double)h->bins[i];
        if (b > 0.0 && cum + b >= target) {
            double f = (target - cum) / b;
            if (f < 0.0) f = 0.0;
            return h->lo + h->width * ((double)i + f);
        }
        cum += b;
    }
    return h->hi;
}

/* ---------------------------------------------------------------------------------------------
 * Student's t quantile.
 *
 * The t distribution's tails are regularized incomplete beta functions: for t > 0 and
 * x = df / (df + t^2),  P(T > t) = I_x(df/2, 1/2) / 2  and  P(0 < T < t) = I_{1-x}(1/2, df/2) / 2.
 * The quantile is found by a bracketed Newton iteration on s = log t, evaluating whichever of the
 * two forms is small (and so accurate to full relative precision) at the current t.
 * ------------------------------------------------------------------------------------------- */

/* The continued fraction for I_x(a, b) (modified Lentz); converges fast for x < (a+1)/(a+b+2). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 100000; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        f *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double step = d * c;
        f *= step;
        if (fabs(step - 1.0) < 1e-16) break;
    }
    return f;
}

/*
 * The regularized incomplete beta function I_x(a, b) for a, b > 0, and its complement
 * 1 - I_x(a, b) in `*comp`. Whichever of the two the continued fraction computes directly is
 * accurate to full relative precision; the other is 1 minus it, and is then not small (the switch
 * sits near the mean of the beta distribution). The caller gives y = 1 - x and both logs because
 * it knows them more precisely than 1 minus the rounded x: near x = 1 that subtraction would lose
 * every digit of y, and with a large `a` any rounding of log(x) is multiplied by a.
 */
static double ibeta(double a, double b, double x, double y, double logx, double logy,
                    double *comp)
{
    if (x <= 0.0) {
        *comp = 1.0;
        return 0.0;
    }
    if (y <= 0.0) {
        *comp = 0.0;
        return 1.0;
    }
    double front = exp(a * logx + b * logy - (lgamma(a) + lgamma(b) - lgamma(a + b)));
    if (x < (a + 1.0) / (a + b + 2.0)) {
        double v = front * beta_cf(a, b, x) / a;
        *comp = 1.0 - v;
        return v;
    }
    *comp = front * beta_cf(b, a, y) / b;
    return 1.0 - *comp;
}

/* P(T > t) for t >= 0, and P(0 < T < t); the smaller of the two is accurate to full relative
 * precision. */
static void t_tails(double t, double df, double *upper, double *center)
{
    if (isinf(df)) {
        *upper = 0.5 * erfc(t / M_SQRT2);
        *center = 0.5 * erf(t / M_SQRT2);
        return;
    }
    /* x = df/(df+t^2) and 1-x = t^2/(df+t^2), each formed directly rather than by subtraction. */
    double r = t / sqrt(df);
    double x, y, lx, ly;
    if (r > 1e150) {
        x = 1.0 / (r * r);
        y = 1.0;
        lx = -2.0 * log(r);
        ly = -x;
    } else {
        x = 1.0 / (1.0 + r * r);
        y = r * r * x;
        lx = -log1p(r * r);
        ly = log(y);
    }
    double comp;
    *upper = 0.5 * ibeta(0.5 * df, 0.5, x, y, lx, ly, &comp);
    *center = 0.5 * comp;
}

/* log of t times the t density at t (the derivative of P(T > t) with respect to log t, negated). */
static double log_t_pdf_times_t(double t, double df)
{
    if (isinf(df)) return -0.5 * t * t - 0.5 * log(2.0 * M_PI) + log(t);
    double r = t / sqrt(df);
    /* log(1 + r^2), without overflowing r^2 for huge t */
    double l1 = r > 1e150 ? 2.0 * log(r) : log1p(r * r);
    return lgamma(0.5 * (df + 1.0)) - lgamma(0.5 * df) - 0.5 * log(df * M_PI) -
           0.5 * (df + 1.0) * l1 + log(t);
}

/*
 * Hill's (1970) expansion of the t quantile in powers of 1/df around the normal quantile z
 * (Abramowitz and Stegun 26.7.5). Used for large df, where lgamma(df/2) is so large that its
 * rounding error would dominate the incomplete beta's prefactor; the omitted 1/df^5 term is
 * below 1e-13 for df >= 1e4 and z < 8.
 */
static double t_quantile_large_df(double z, double df)
{
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4.0;
    double g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    double g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    double g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    double v = 1.0 / df;
    return z + v * (g1 + v * (g2 + v * (g3 + v * g4)));
}

#define S_MAX 709.78 /* log of a t just below DBL_MAX */
#define S_MIN -744.0 /* log of a t near the smallest subnormal */

/* The t > 0 with P(T > t) = tail, where center = 0.5 - tail is passed in as computed exactly. */
static double t_upper_quantile(double tail, double center, double df)
{
    /*
     * g(s) = log P(T > e^s) - log tail, or log center - log P(0 < T < e^s) where that is the
     * smaller probability: decreasing in s, with the root sought. In logs because the tails are
     * power laws in t (exactly linear in s for df = 1), where Newton on the probabilities
     * themselves would creep by a constant step per iteration.
     */
    double lo = -INFINITY, hi = INFINITY;
    double s = 0.0;
    for (int it = 0; it < 400; it++) {
        double t = exp(s);
        double up, ce;
        t_tails(t, df, &up, &ce);
        double g = up < ce ? log(up) - log(tail) : log(center) - log(ce);
        if (g == 0.0) return t;
        if (g > 0.0) lo = s;
        else hi = s;
        /* d/ds of P(T > e^s) is -t f(t); over the probability in the log form */
        double dlog = exp(log_t_pdf_times_t(t, df)) / (up < ce ? up : ce);
        double next = s + g / dlog;
        if (!(next > lo && next < hi)) {
            /* Newton left the bracket: widen an open side, else bisect. */
            if (isinf(hi)) next = s + fmax(1.0, 2.0 * fabs(s));
            else if (isinf(lo)) next = s - fmax(1.0, 2.0 * fabs(s));
            else next = 0.5 * (lo + hi);
        }
        /* Beyond the largest double (and below the smallest) the answer is the limit. */
        if (next > S_MAX) {
            if (s == S_MAX) return INFINITY;
            next = S_MAX;
        }
        if (next < S_MIN) {
            if (s == S_MIN) return 0.0;
            next = S_MIN;
        }
        if (fabs(next - s) <= 4.0 * DBL_EPSILON * fmax(1.0, fabs(s))) return exp(next);
        if (isfinite(lo) && isfinite(hi) && hi - lo <= 4.0 * DBL_EPSILON * fmax(1.0, fabs(s)))
            return exp(0.5 * (lo + hi));
        s = next;
    }
    return exp(s);
}

double tsim_t_quantile(double p, double df)
{
    if (!(df > 0.0) || !(p >= 0.0 && p <= 1.0)) return NAN;
    if (p == 0.0) return -INFINITY;
    if (p == 1.0) return INFINITY;
    if (p == 0.5) return 0.0;
    /* For p > 0.5 both 1 - p and p - 0.5 are exact in binary floating point (Sterbenz). */
    double tail = p < 0.5 ? p : 1.0 - p;
    double center = p < 0.5 ? 0.5 - p : p - 0.5;
    double sign = p < 0.5 ? -1.0 : 1.0;
    double t;
    if (!isinf(df) && df >= 1e4)
        t = t_quantile_large_df(t_upper_quantile(tail, center, INFINITY), df);
    else
        t = t_upper_quantile(tail, center, df);
    return sign * t;
}

/* ---------------------------------------------------------------------------------------------
 * Summaries over replications, batch means, MSER-5.
 * ------------------------------------------------------------------------------------------- */

void tsim_summary_of(struct tsim_summary *s, const double *x, size_t n, double level)
{
    TSIM__ASSERT(level > 0.0 && level < 1.0, "level %g outside (0, 1)", level);
    TSIM__ASSERT(n == 0 || x != NULL, "'x' is NULL");
    struct tsim_tally t;
    tsim_tally_init(&t);
    for (size_t i = 0; i < n; i++) tsim_tally_add(&t, x[i]);
    s->n = n;
    if (n == 0) {
        s->mean = s->sd = s->half_width = s->min = s->max = NAN;
        return;
    }
    s->mean = t.mean;
    s->sd = sqrt(tsim_tally_variance(&t));
    s->min = t.min;
    s->max = t.max;
    if (n < 2) {
        s->half_width = NAN;
        return;
    }
    double q = tsim_t_quantile(0.5 + 0.5 * level, (double)(n - 1));
    s->half_width = q * s->sd / sqrt((double)n);
}

int tsim_batch_means(struct tsim_summary *s, const double *x, size_t n, size_t nbatches,
                     double level)
{
    if (nbatches < 2)
        return tsim__fail(TSIM_EINVAL, __func__, "fewer than 2 batches: %zu", nbatches);
    if (n < nbatches)
        return tsim__fail(TSIM_EINVAL, __func__, "fewer observations than batches: %zu < %zu",
                          n, nbatches);
    size_t b = n / nbatches;
    double *means = tsim__malloc(nbatches * sizeof *means);
    for (size_t k = 0; k < nbatches; k++) {
        double sum = 0.0;
        for (size_t i = 0; i < b; i++) sum += x[k * b + i];
        means[k] = sum / (double)b;
    }
    tsim_summary_of(s, means, nbatches, level);
    tsim__free(means);
    return TSIM_OK;
}

/*
 * MSER(d) = sum over batches j > d of (Z_j - mean of those)^2 / (k - d)^2 (White 1997). The tail
 * tallies are built from the end backwards, so every d costs O(1) and the whole search O(n).
 */
size_t tsim_mser5(const double *x, size_t n)
{
    if (n < 10) return 0;
    size_t k = n / 5;
    double *z = tsim__malloc(k * sizeof *z);
    for (size_t j = 0; j < k; j++)
        z[j] = (x[5 * j] + x[5 * j + 1] + x[5 * j + 2] + x[5 * j + 3] + x[5 * j + 4]) / 5.0;
    size_t dmax = k / 2;
    struct tsim_tally t;
    tsim_tally_init(&t);
    for (size_t j = k; j > dmax; j--) tsim_tally_add(&t, z[j - 1]);
    size_t best = dmax;
    double best_v = t.m2 / ((double)t.n * (double)t.n);
    for (size_t d = dmax; d-- > 0;) {
        tsim_tally_add(&t, z[d]);
        double v = t.m2 / ((double)t.n * (double)t.n);
        /* <= so that ties go to the smaller truncation: delete no more than needed. */
        if (v <= best_v) {
            best_v = v;
            best = d;
        }
    }
    tsim__free(z);
    return 5 * best;
}
