/*
 * Distributions: validation and precomputation (tsim_dist_init), draws, and theoretical moments.
 * Not the parser of distribution text (that is the model layer's, over tsim_dist_init).
 *
 * Invariants: after a successful init, `q` holds everything a draw needs beyond `p`, so a draw
 * does no setup and keeps no state in the distribution (it is const; two sims may share it). A
 * failed init leaves a constant 0. Table kinds own `x` and `c`; every other kind has them NULL.
 * Every draw consumes uniforms only from the stream it is given, so a copied stream reproduces it.
 */
#include "core/zig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Erlang draws with up to this many stages multiply uniforms: the product of 16 uniforms is at
 * least 2^-864, far above the smallest double, so its log never sees 0. Beyond, a gamma draw is
 * cheaper than k uniforms. */
#define ERLANG_PRODUCT_MAX 16

static const struct {
    const char *name;
    int nparams;
} kinds[TSIM_DIST_KIND_COUNT] = {
    [TSIM_DIST_CONSTANT] = {"constant", 1},     [TSIM_DIST_UNIFORM] = {"uniform", 2},
    [TSIM_DIST_TRIANGULAR] = {"triangular", 3}, [TSIM_DIST_EXPONENTIAL] = {"exponential", 1},
    [TSIM_DIST_NORMAL] = {"normal", 2},         [TSIM_DIST_LOGNORMAL] = {"lognormal", 2},
    [TSIM_DIST_GAMMA] = {"gamma", 2},           [TSIM_DIST_ERLANG] = {"erlang", 2},
    [TSIM_DIST_WEIBULL] = {"weibull", 2},       [TSIM_DIST_BETA] = {"beta", 4},
    [TSIM_DIST_PERT] = {"pert", 3},             [TSIM_DIST_DISCRETE] = {"discrete", 0},
    [TSIM_DIST_EMPIRICAL] = {"empirical", 0},
};

const char *tsim_dist_kind_name(enum tsim_dist_kind kind)
{
    if ((unsigned)kind >= TSIM_DIST_KIND_COUNT) return "unknown";
    return kinds[kind].name;
}

static void set_zero(struct tsim_dist *d)
{
    memset(d, 0, sizeof *d);
    d->kind = TSIM_DIST_CONSTANT;
}

/* ---------------------------------------------------------------------------------------------
 * Draws. Gamma and normal come first because several kinds are built on them.
 * ------------------------------------------------------------------------------------------- */

/*
 * Marsaglia's polar method, keeping one of the two normals it makes: the second would have to be
 * cached between draws, and a distribution is shared and const. Each normal so costs a pair of
 * uniforms (1.27 pairs on average, with rejections) instead of one.
 */
static double std_normal(struct tsim_rng *r)
{
    for (;;) {
        double u = 2.0 * tsim_rng_uniform(r) - 1.0;
        double v = 2.0 * tsim_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s < 1.0 && s > 0.0) return u * sqrt(-2.0 * log(s) / s);
    }
}

/* Gamma(shape, 1) for shape >= 1 by Marsaglia and Tsang (2000), with d = shape - 1/3 and
 * c = 1 / sqrt(9 d) precomputed. The squeeze accepts about 98% of candidates without a log. */
static double std_gamma(double dd, double c, struct tsim_rng *r)
{
    for (;;) {
        double x, v;
        do {
            x = std_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = tsim_rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return dd * v;
        if (log(u) < 0.5 * x2 + dd * (1.0 - v + log(v))) return dd * v;
    }
}

/* The (d, c) pair of Marsaglia-Tsang for `shape`; shapes below 1 draw at shape + 1 and are scaled
 * down by u^(1/shape) afterwards. */
static void gamma_setup(double shape, double *dd, double *c)
{
    double a = shape < 1.0 ? shape + 1.0 : shape;
    *dd = a - 1.0 / 3.0;
    *c = 1.0 / sqrt(9.0 * *dd);
}

/* log of a Gamma(shape, 1) draw. Logs, because for small shapes the u^(1/shape) boost underflows
 * to 0 in direct form, and a beta draw would then divide 0 by 0. */
static double log_gamma_draw(double shape, double dd, double c, struct tsim_rng *r)
{
    double g = log(std_gamma(dd, c, r));
    if (shape < 1.0) g += log(tsim_rng_uniform(r)) / shape;
    return g;
}

/* Beta(a, b) on [0, 1] as G_a / (G_a + G_b), written as a logistic of the log ratio. */
static double std_beta(double a, double b, const double *q, struct tsim_rng *r)
{
    double la = log_gamma_draw(a, q[0], q[1], r);
    double lb = log_gamma_draw(b, q[2], q[3], r);
    return 1.0 / (1.0 + exp(lb - la));
}

static double pert_alpha(const double *p) { return 1.0 + 4.0 * (p[1] - p[0]) / (p[2] - p[0]); }
static double pert_beta(const double *p) { return 1.0 + 4.0 * (p[2] - p[1]) / (p[2] - p[0]); }

static double table_discrete(const struct tsim_dist *d, double u)
{
    /* The first i with u < c[i]: zero-probability values are never chosen, and c[n-1] == 1 > u. */
    uint32_t lo = 0, hi = d->n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u < d->c[mid]) hi = mid;
        else lo = mid + 1;
    }
    return d->x[lo];
}

static double table_empirical(const struct tsim_dist *d, double u)
{
    if (d->n == 1) return d->x[0];
    /* The sorted points sit at equal probability steps 1/(n-1), so the segment is found by
     * scaling instead of searching. */
    double t = u * (double)(d->n - 1);
    uint32_t i = (uint32_t)t;
    if (i >= d->n - 1) i = d->n - 2;
    double f = t - (double)i;
    return d->x[i] + f * (d->x[i + 1] - d->x[i]);
}

double tsim_dist_sample(const struct tsim_dist *d, struct tsim_rng *r)
{
    const double *p = d->p, *q = d->q;
    switch (d->kind) {
    case TSIM_DIST_EXPONENTIAL:
        return p[0] * tsim__exp1(r);
    case TSIM_DIST_CONSTANT:
        return p[0];
    case TSIM_DIST_UNIFORM:
        return q[0] + q[1] * tsim_rng_uniform(r);
    case TSIM_DIST_TRIANGULAR: {
        double u = tsim_rng_uniform(r);
        if (u < q[3]) return p[0] + sqrt(u * q[1]);
        return p[2] - sqrt((1.0 - u) * q[2]);
    }
    case TSIM_DIST_NORMAL:
        return p[0] + p[1] * std_normal(r);
    case TSIM_DIST_LOGNORMAL:
        return exp(q[0] + q[1] * std_normal(r));
    case TSIM_DIST_GAMMA: {
        double g = std_gamma(q[0], q[1], r);
        if (p[0] < 1.0) g *= exp(log(tsim_rng_uniform(r)) * q[2]);
        return g * p[1];
    }
    case TSIM_DIST_ERLANG: {
        if (p[0] <= ERLANG_PRODUCT_MAX) {
            double prod = 1.0;
            for (int i = 0; i < (int)p[0]; i++) prod *= tsim_rng_uniform(r);
            return q[0] * log(prod);
        }
        return -q[0] * std_gamma(q[1], q[2], r);
    }
    case TSIM_DIST_WEIBULL:
        return p[1] * pow(-log(tsim_rng_uniform(r)), q[0]);
    case TSIM_DIST_BETA:
        return p[2] + (p[3] - p[2]) * std_beta(p[0], p[1], q, r);
    case TSIM_DIST_PERT:
        /* PERT shapes are >= 1, so neither draw needs the small-shape boost: pass 1 for both. */
        return p[0] + (p[2] - p[0]) * std_beta(1.0, 1.0, q, r);
    case TSIM_DIST_DISCRETE:
        return table_discrete(d, tsim_rng_uniform(r));
    case TSIM_DIST_EMPIRICAL:
        return table_empirical(d, tsim_rng_uniform(r));
    case TSIM_DIST_KIND_COUNT:
        break;
    }
    TSIM__ASSERT(0, "invalid distribution kind %d", (int)d->kind);
}

/* ---------------------------------------------------------------------------------------------
 * Initialisation: validate, then precompute q.
 * ------------------------------------------------------------------------------------------- */

/* Fail with a message and leave `d` a constant 0, as the header promises. */
#define FAIL(err, ...) (set_zero(d), tsim__fail((err), __func__, __VA_ARGS__))

int tsim_dist_init(struct tsim_dist *d, enum tsim_dist_kind kind, const double *params,
                   int nparams)
{
    TSIM__ASSERT(d != NULL, "'d' is NULL");
    if ((unsigned)kind >= TSIM_DIST_KIND_COUNT)
        return FAIL(TSIM_EINVAL, "unknown distribution kind %d", (int)kind);
    const char *name = kinds[kind].name;
    if (kind == TSIM_DIST_DISCRETE || kind == TSIM_DIST_EMPIRICAL)
        return FAIL(TSIM_EINVAL, "table kind '%s' needs tsim_dist_init_table", name);
    if (nparams != kinds[kind].nparams)
        return FAIL(TSIM_EINVAL, "wrong parameter count for '%s': %d given, %d expected", name,
                    nparams, kinds[kind].nparams);
    TSIM__ASSERT(params != NULL, "'params' is NULL");
    for (int i = 0; i < nparams; i++) {
        if (!isfinite(params[i]))
            return FAIL(TSIM_ERANGE, "non-finite parameter %d of '%s'", i + 1, name);
    }

    double p[4] = {0, 0, 0, 0};
    memcpy(p, params, (size_t)nparams * sizeof *p);
    double q[4] = {0, 0, 0, 0};
    switch (kind) {
    case TSIM_DIST_CONSTANT:
        break;
    case TSIM_DIST_UNIFORM:
        if (p[0] > p[1]) return FAIL(TSIM_ERANGE, "a above b in '%s': %g > %g", name, p[0], p[1]);
        q[0] = p[0];
        q[1] = p[1] - p[0];
        break;
    case TSIM_DIST_TRIANGULAR:
    case TSIM_DIST_PERT:
        if (p[0] > p[2])
            return FAIL(TSIM_ERANGE, "min above max in '%s': %g > %g", name, p[0], p[2]);
        if (p[1] < p[0] || p[1] > p[2])
            return FAIL(TSIM_ERANGE, "mode outside [min, max] in '%s': %g", name, p[1]);
        if (kind == TSIM_DIST_TRIANGULAR) {
            double w = p[2] - p[0];
            q[1] = w * (p[1] - p[0]);
            q[2] = w * (p[2] - p[1]);
            q[3] = w > 0.0 ? (p[1] - p[0]) / w : 1.0;
        } else if (p[2] > p[0]) {
            gamma_setup(pert_alpha(p), &q[0], &q[1]);
            gamma_setup(pert_beta(p), &q[2], &q[3]);
        } else {
            /* min == max: any shape gives the constant; keep the draw well defined. */
            gamma_setup(3.0, &q[0], &q[1]);
            gamma_setup(3.0, &q[2], &q[3]);
        }
        break;
    case TSIM_DIST_EXPONENTIAL:
        if (p[0] < 0.0) return FAIL(TSIM_ERANGE, "negative mean in '%s': %g", name, p[0]);
        break;
    case TSIM_DIST_NORMAL:
        if (p[1] < 0.0) return FAIL(TSIM_ERANGE, "negative sd in '%s': %g", name, p[1]);
        break;
    case TSIM_DIST_LOGNORMAL: {
        if (p[0] <= 0.0) return FAIL(TSIM_ERANGE, "non-positive mean in '%s': %g", name, p[0]);
        if (p[1] < 0.0) return FAIL(TSIM_ERANGE, "negative sd in '%s': %g", name, p[1]);
        double cv = p[1] / p[0];
        double s2 = log1p(cv * cv);
        q[0] = log(p[0]) - 0.5 * s2;
        q[1] = sqrt(s2);
        break;
    }
    case TSIM_DIST_GAMMA:
    case TSIM_DIST_WEIBULL:
        if (p[0] <= 0.0) return FAIL(TSIM_ERANGE, "non-positive shape in '%s': %g", name, p[0]);
        if (p[1] <= 0.0) return FAIL(TSIM_ERANGE, "non-positive scale in '%s': %g", name, p[1]);
        if (kind == TSIM_DIST_WEIBULL) {
            q[0] = 1.0 / p[0];
        } else {
            gamma_setup(p[0], &q[0], &q[1]);
            q[2] = 1.0 / p[0];
        }
        break;
    case TSIM_DIST_ERLANG:
        if (p[0] < 1.0 || p[0] != floor(p[0]) || p[0] > 1e9)
            return FAIL(TSIM_ERANGE, "k not a whole number >= 1 in '%s': %g", name, p[0]);
        if (p[1] < 0.0) return FAIL(TSIM_ERANGE, "negative mean in '%s': %g", name, p[1]);
        q[0] = -p[1] / p[0];
        if (p[0] > ERLANG_PRODUCT_MAX) gamma_setup(p[0], &q[1], &q[2]);
        break;
    case TSIM_DIST_BETA:
        if (p[0] <= 0.0) return FAIL(TSIM_ERANGE, "non-positive a in '%s': %g", name, p[0]);
        if (p[1] <= 0.0) return FAIL(TSIM_ERANGE, "non-positive b in '%s': %g", name, p[1]);
        if (p[2] > p[3])
            return FAIL(TSIM_ERANGE, "min above max in '%s': %g > %g", name, p[2], p[3]);
        gamma_setup(p[0], &q[0], &q[1]);
        gamma_setup(p[1], &q[2], &q[3]);
        break;
    case TSIM_DIST_DISCRETE:
    case TSIM_DIST_EMPIRICAL:
    case TSIM_DIST_KIND_COUNT:
        break;
    }
    memset(d, 0, sizeof *d);
    d->kind = kind;
    memcpy(d->p, p, sizeof p);
    memcpy(d->q, q, sizeof q);
    return TSIM_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int tsim_dist_init_table(struct tsim_dist *d, enum tsim_dist_kind kind, const double *values,
                         const double *probs, uint32_t n)
{
    TSIM__ASSERT(d != NULL, "'d' is NULL");
    if (kind != TSIM_DIST_DISCRETE && kind != TSIM_DIST_EMPIRICAL)
        return FAIL(TSIM_EINVAL, "not a table kind: '%s'", tsim_dist_kind_name(kind));
    const char *name = kinds[kind].name;
    if (n == 0) return FAIL(TSIM_EINVAL, "no values for '%s'", name);
    TSIM__ASSERT(values != NULL, "'values' is NULL");
    if (kind == TSIM_DIST_EMPIRICAL && probs)
        return FAIL(TSIM_EINVAL, "probabilities given for '%s', which takes none", name);
    if (kind == TSIM_DIST_DISCRETE && !probs)
        return FAIL(TSIM_EINVAL, "no probabilities for '%s'", name);
    double sum = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return FAIL(TSIM_EINVAL, "non-finite value in '%s': %g", name, values[i]);
        if (probs) {
            if (!isfinite(probs[i]) || probs[i] < 0.0)
                return FAIL(TSIM_EINVAL, "invalid probability in '%s': %g", name, probs[i]);
            sum += probs[i];
        }
    }
    if (probs && fabs(sum - 1.0) > 1e-9)
        return FAIL(TSIM_EINVAL, "probabilities of '%s' sum to %.12g, not 1", name, sum);

    set_zero(d);
    d->kind = kind;
    d->n = n;
    d->x = tsim__malloc(n * sizeof *d->x);
    d->c = tsim__malloc(n * sizeof *d->c);
    memcpy(d->x, values, n * sizeof *d->x);
    if (kind == TSIM_DIST_DISCRETE) {
        /* Dividing by the sum makes the last cumulative value 1 up to rounding; it is then set to
         * exactly 1 so that every uniform below 1 finds a value. */
        double acc = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            acc += probs[i];
            d->c[i] = acc / sum;
        }
        d->c[n - 1] = 1.0;
    } else {
        qsort(d->x, n, sizeof *d->x, cmp_double);
        for (uint32_t i = 0; i < n; i++) d->c[i] = n > 1 ? (double)i / (double)(n - 1) : 1.0;
    }
    return TSIM_OK;
}

void tsim_dist_release(struct tsim_dist *d)
{
    if (d->kind != TSIM_DIST_DISCRETE && d->kind != TSIM_DIST_EMPIRICAL) return;
    tsim__free(d->x);
    tsim__free(d->c);
    set_zero(d);
}

void tsim_dist_copy(struct tsim_dist *dst, const struct tsim_dist *src)
{
    *dst = *src;
    if (src->x) {
        dst->x = tsim__malloc(src->n * sizeof *dst->x);
        memcpy(dst->x, src->x, src->n * sizeof *dst->x);
    }
    if (src->c) {
        dst->c = tsim__malloc(src->n * sizeof *dst->c);
        memcpy(dst->c, src->c, src->n * sizeof *dst->c);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Theoretical moments.
 * ------------------------------------------------------------------------------------------- */

static double discrete_prob(const struct tsim_dist *d, uint32_t i)
{
    return d->c[i] - (i ? d->c[i - 1] : 0.0);
}

/* The empirical distribution is a mixture of n-1 uniforms of weight 1/(n-1) on [x_i, x_i+1]. */
static void empirical_moments(const struct tsim_dist *d, double *mean, double *var)
{
    if (d->n == 1) {
        *mean = d->x[0];
        *var = 0.0;
        return;
    }
    double m = 0.0;
    for (uint32_t i = 0; i + 1 < d->n; i++) m += 0.5 * (d->x[i] + d->x[i + 1]);
    m /= (double)(d->n - 1);
    /* Second moment about m, segment by segment, to avoid cancellation when m is large. */
    double s = 0.0;
    for (uint32_t i = 0; i + 1 < d->n; i++) {
        double a = d->x[i] - m, b = d->x[i + 1] - m;
        s += (a * a + a * b + b * b) / 3.0;
    }
    *mean = m;
    *var = s / (double)(d->n - 1);
}

static void moments(const struct tsim_dist *d, double *mean, double *var)
{
    const double *p = d->p;
    switch (d->kind) {
    case TSIM_DIST_CONSTANT:
        *mean = p[0];
        *var = 0.0;
        return;
    case TSIM_DIST_UNIFORM:
        *mean = 0.5 * (p[0] + p[1]);
        *var = (p[1] - p[0]) * (p[1] - p[0]) / 12.0;
        return;
    case TSIM_DIST_TRIANGULAR:
        *mean = (p[0] + p[1] + p[2]) / 3.0;
        *var = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] - p[0] * p[1] - p[0] * p[2] -
                p[1] * p[2]) / 18.0;
        return;
    case TSIM_DIST_EXPONENTIAL:
        *mean = p[0];
        *var = p[0] * p[0];
        return;
    case TSIM_DIST_NORMAL:
    case TSIM_DIST_LOGNORMAL:
        *mean = p[0];
        *var = p[1] * p[1];
        return;
    case TSIM_DIST_GAMMA:
        *mean = p[0] * p[1];
        *var = p[0] * p[1] * p[1];
        return;
    case TSIM_DIST_ERLANG:
        *mean = p[1];
        *var = p[1] * p[1] / p[0];
        return;
    case TSIM_DIST_WEIBULL: {
        double g1 = tgamma(1.0 + 1.0 / p[0]), g2 = tgamma(1.0 + 2.0 / p[0]);
        *mean = p[1] * g1;
        *var = p[1] * p[1] * (g2 - g1 * g1);
        return;
    }
    case TSIM_DIST_BETA:
    case TSIM_DIST_PERT: {
        double lo = d->kind == TSIM_DIST_BETA ? p[2] : p[0];
        double w = d->kind == TSIM_DIST_BETA ? p[3] - p[2] : p[2] - p[0];
        if (w == 0.0) {
            *mean = lo;
            *var = 0.0;
            return;
        }
        double a = d->kind == TSIM_DIST_BETA ? p[0] : pert_alpha(p);
        double b = d->kind == TSIM_DIST_BETA ? p[1] : pert_beta(p);
        *mean = lo + w * a / (a + b);
        *var = w * w * a * b / ((a + b) * (a + b) * (a + b + 1.0));
        return;
    }
    case TSIM_DIST_DISCRETE: {
        double m = 0.0, s = 0.0;
        for (uint32_t i = 0; i < d->n; i++) m += discrete_prob(d, i) * d->x[i];
        for (uint32_t i = 0; i < d->n; i++) {
            double e = d->x[i] - m;
            s += discrete_prob(d, i) * e * e;
        }
        *mean = m;
        *var = s;
        return;
    }
    case TSIM_DIST_EMPIRICAL:
        empirical_moments(d, mean, var);
        return;
    case TSIM_DIST_KIND_COUNT:
        break;
    }
    TSIM__ASSERT(0, "invalid distribution kind %d", (int)d->kind);
}

double tsim_dist_mean(const struct tsim_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return m;
}

double tsim_dist_variance(const struct tsim_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return v;
}
