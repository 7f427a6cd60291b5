/*
 * Tests of the distributions: for every kind, the mean and variance of 1,000,000 seeded draws
 * against tsim_dist_mean / tsim_dist_variance within 5 standard errors; the theoretical moments
 * against closed forms; the shapes of kinds with a closed-form CDF by a Kolmogorov-Smirnov
 * distance; table kinds; rejection of invalid parameters with their messages; release and copy;
 * and that the hot-path exponential draw (a ziggurat) mostly takes one output of the stream.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NDRAWS 1000000

static double *draws;

static void init_ok(struct tsim_dist *d, enum tsim_dist_kind kind, const double *p, int n)
{
    int rc = tsim_dist_init(d, kind, p, n);
    if (rc != 0) fprintf(stderr, "  init failed: %s\n", tsim_errmsg());
    CHECK(rc == 0);
}

/*
 * Draw NDRAWS values and compare their mean and variance with the theory. The standard error of
 * the mean is sd / sqrt(n); that of the sample variance is sqrt((m4 - s^4) / n), with m4 the
 * sample fourth central moment. 5 standard errors: a correct sampler fails about once in
 * 1.7 million runs, and with a fixed seed the outcome is the same on every run.
 */
static void check_moments(const struct tsim_dist *d, const char *label, uint64_t seed, double lo,
                          double hi)
{
    struct tsim_rng r;
    tsim_rng_seed(&r, seed);
    double sum = 0.0, mn = INFINITY, mx = -INFINITY;
    for (int i = 0; i < NDRAWS; i++) {
        double x = tsim_dist_sample(d, &r);
        draws[i] = x;
        sum += x;
        if (x < mn) mn = x;
        if (x > mx) mx = x;
    }
    double mean = sum / NDRAWS;
    double m2 = 0.0, m4 = 0.0;
    for (int i = 0; i < NDRAWS; i++) {
        double e = draws[i] - mean, e2 = e * e;
        m2 += e2;
        m4 += e2 * e2;
    }
    m4 /= NDRAWS;
    double var = m2 / (NDRAWS - 1);
    double se_mean = sqrt(var / NDRAWS);
    double se_var = sqrt(fmax(m4 - var * var, 0.0) / NDRAWS);
    double want_mean = tsim_dist_mean(d), want_var = tsim_dist_variance(d);
    int failed_before = check_failed_;
    check_failed_ = 0;
    CHECK_NEAR(mean, want_mean, 5.0 * se_mean + 1e-12 * fabs(want_mean));
    CHECK_NEAR(var, want_var, 5.0 * se_var + 1e-12 * want_var);
    CHECK(mn >= lo);
    CHECK(mx <= hi);
    if (check_failed_) fprintf(stderr, "  (in %s)\n", label);
    check_failed_ |= failed_before;
}

static void moments_case(enum tsim_dist_kind kind, const double *p, int n, double lo, double hi)
{
    static uint64_t seed = 1000;
    struct tsim_dist d;
    init_ok(&d, kind, p, n);
    char label[128];
    int k = snprintf(label, sizeof label, "%s(", tsim_dist_kind_name(kind));
    for (int i = 0; i < n && k > 0 && (size_t)k < sizeof label; i++)
        k += snprintf(label + k, sizeof label - (size_t)k, i ? ", %g" : "%g", p[i]);
    if (k > 0 && (size_t)k < sizeof label - 1) strcat(label, ")");
    check_moments(&d, label, seed++, lo, hi);
}

#define CASE(kind, lo, hi, ...)                                                      \
    do {                                                                             \
        const double p_[] = {__VA_ARGS__};                                           \
        moments_case(TSIM_DIST_##kind, p_, (int)N_ELEMS(p_), (lo), (hi));            \
    } while (0)

static void test_moments_parametric(void)
{
    CASE(CONSTANT, 3.5, 3.5, 3.5);
    CASE(UNIFORM, 2.0, 5.0, 2.0, 5.0);
    CASE(TRIANGULAR, 1.0, 6.0, 1.0, 2.0, 6.0);
    CASE(TRIANGULAR, 0.0, 1.0, 0.0, 0.0, 1.0);
    CASE(TRIANGULAR, 0.0, 1.0, 0.0, 1.0, 1.0);
    CASE(EXPONENTIAL, 0.0, INFINITY, 2.5);
    CASE(NORMAL, -INFINITY, INFINITY, 10.0, 2.0);
    CASE(LOGNORMAL, 0.0, INFINITY, 5.0, 2.0);
    CASE(LOGNORMAL, 0.0, INFINITY, 1.0, 0.25);
    CASE(GAMMA, 0.0, INFINITY, 0.3, 2.0);
    CASE(GAMMA, 0.0, INFINITY, 1.0, 1.0);
    CASE(GAMMA, 0.0, INFINITY, 4.5, 0.5);
    CASE(ERLANG, 0.0, INFINITY, 1.0, 3.0);
    CASE(ERLANG, 0.0, INFINITY, 3.0, 6.0);
    CASE(ERLANG, 0.0, INFINITY, 16.0, 4.0);
    CASE(ERLANG, 0.0, INFINITY, 40.0, 10.0);
    CASE(WEIBULL, 0.0, INFINITY, 0.8, 2.0);
    CASE(WEIBULL, 0.0, INFINITY, 2.0, 3.0);
    CASE(BETA, 0.0, 1.0, 0.5, 0.5, 0.0, 1.0);
    CASE(BETA, 10.0, 20.0, 2.0, 5.0, 10.0, 20.0);
    CASE(BETA, 0.0, 1.0, 0.2, 3.0, 0.0, 1.0);
    CASE(PERT, 0.0, 10.0, 0.0, 1.0, 10.0);
    CASE(PERT, 2.0, 4.0, 2.0, 2.0, 4.0);
    CASE(PERT, 5.0, 5.0, 5.0, 5.0, 5.0);
}

static void test_moments_tables(void)
{
    struct tsim_dist d;
    const double v[] = {1.0, 2.0, 5.0, 7.0}, pr[] = {0.2, 0.5, 0.3, 0.0};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, pr, 4) == 0);
    check_moments(&d, "discrete", 77, 1.0, 5.0);
    /* Frequencies: binomial standard error sqrt(p (1 - p) / n); a zero-probability value never. */
    for (size_t k = 0; k < N_ELEMS(v); k++) {
        int count = 0;
        for (int i = 0; i < NDRAWS; i++) count += draws[i] == v[k];
        CHECK_NEAR(count / (double)NDRAWS, pr[k], 5.0 * sqrt(pr[k] * (1 - pr[k]) / NDRAWS));
    }
    tsim_dist_release(&d);

    const double data[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, data, NULL, N_ELEMS(data)) == 0);
    check_moments(&d, "empirical", 78, 1.0, 9.0);
    tsim_dist_release(&d);

    const double one[] = {4.25};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, one, NULL, 1) == 0);
    check_moments(&d, "empirical of one point", 79, 4.25, 4.25);
    tsim_dist_release(&d);
}

/* Theoretical moments against closed forms worked out by hand. */
static void test_theory(void)
{
    struct tsim_dist d;
    const double tri[] = {1, 2, 6};
    init_ok(&d, TSIM_DIST_TRIANGULAR, tri, 3);
    CHECK_NEAR(tsim_dist_mean(&d), 3.0, 1e-15);
    CHECK_NEAR(tsim_dist_variance(&d), (1 + 4 + 36 - 2 - 6 - 12) / 18.0, 1e-15);

    const double wb[] = {2, 3};
    init_ok(&d, TSIM_DIST_WEIBULL, wb, 2);
    CHECK_NEAR(tsim_dist_mean(&d), 3.0 * sqrt(M_PI) / 2.0, 1e-14);
    CHECK_NEAR(tsim_dist_variance(&d), 9.0 * (1.0 - M_PI / 4.0), 1e-14);

    const double pert[] = {0, 1, 10};
    init_ok(&d, TSIM_DIST_PERT, pert, 3);
    /* alpha = 1.4, beta = 4.6: mean (min + 4 mode + max) / 6 */
    CHECK_NEAR(tsim_dist_mean(&d), 14.0 / 6.0, 1e-14);
    CHECK_NEAR(tsim_dist_variance(&d), 100.0 * 1.4 * 4.6 / (36.0 * 7.0), 1e-13);

    const double ln[] = {5, 2};
    init_ok(&d, TSIM_DIST_LOGNORMAL, ln, 2);
    double s2 = log(1.0 + 4.0 / 25.0);
    CHECK_NEAR(d.q[0], log(5.0) - s2 / 2.0, 1e-15);
    CHECK_NEAR(d.q[1], sqrt(s2), 1e-15);

    const double er[] = {4, 10};
    init_ok(&d, TSIM_DIST_ERLANG, er, 2);
    CHECK_NEAR(tsim_dist_mean(&d), 10.0, 0);
    CHECK_NEAR(tsim_dist_variance(&d), 25.0, 1e-14);

    const double bt[] = {2, 5, 10, 20};
    init_ok(&d, TSIM_DIST_BETA, bt, 4);
    CHECK_NEAR(tsim_dist_mean(&d), 10.0 + 10.0 * 2.0 / 7.0, 1e-14);
    CHECK_NEAR(tsim_dist_variance(&d), 100.0 * 10.0 / (49.0 * 8.0), 1e-14);

    /* Empirical {0, 1, 3}: half U(0, 1), half U(1, 3): mean 1.25, E[X^2] = 7/3. */
    const double e3[] = {3, 0, 1};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, e3, NULL, 3) == 0);
    CHECK_NEAR(tsim_dist_mean(&d), 1.25, 1e-15);
    CHECK_NEAR(tsim_dist_variance(&d), 7.0 / 3.0 - 1.5625, 1e-15);
    CHECK(d.x[0] == 0 && d.x[1] == 1 && d.x[2] == 3);
    CHECK(d.c[0] == 0 && d.c[1] == 0.5 && d.c[2] == 1);
    tsim_dist_release(&d);

    const double dv[] = {10, 20}, dp[] = {0.25, 0.75};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, dv, dp, 2) == 0);
    CHECK_NEAR(tsim_dist_mean(&d), 17.5, 1e-14);
    CHECK_NEAR(tsim_dist_variance(&d), 100.0 * 0.25 * 0.75, 1e-12);
    CHECK(d.c[0] == 0.25 && d.c[1] == 1.0);
    tsim_dist_release(&d);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double cdf_uniform(const double *p, double x) { return (x - p[0]) / (p[1] - p[0]); }
static double cdf_triangular(const double *p, double x)
{
    if (x <= p[1]) return (x - p[0]) * (x - p[0]) / ((p[2] - p[0]) * (p[1] - p[0]));
    return 1.0 - (p[2] - x) * (p[2] - x) / ((p[2] - p[0]) * (p[2] - p[1]));
}
static double cdf_exponential(const double *p, double x) { return -expm1(-x / p[0]); }
static double cdf_normal(const double *p, double x)
{
    return 0.5 * erfc(-(x - p[0]) / (p[1] * M_SQRT2));
}
static double cdf_lognormal(const double *p, double x)
{
    double s2 = log1p(p[1] * p[1] / (p[0] * p[0])), mu = log(p[0]) - s2 / 2;
    return 0.5 * erfc(-(log(x) - mu) / (sqrt(s2) * M_SQRT2));
}
static double cdf_weibull(const double *p, double x) { return -expm1(-pow(x / p[1], p[0])); }
static double cdf_erlang2(const double *p, double x)
{
    double y = x / (p[1] / 2.0); /* k = 2: 1 - e^-y (1 + y) */
    return 1.0 - exp(-y) * (1.0 + y);
}
static double cdf_beta22(const double *p, double x) { return x * x * (3.0 - 2.0 * x); }
static double cdf_beta33(const double *p, double x)
{
    return x * x * x * (10.0 - 15.0 * x + 6.0 * x * x);
}

/*
 * Kolmogorov-Smirnov distance of 200,000 draws from the CDF; the critical value at the 0.1%
 * level is 1.95 / sqrt(n). Moments alone would pass a sampler of the wrong shape.
 */
static void ks_case(enum tsim_dist_kind kind, const double *p, int np,
                    double (*cdf)(const double *, double), const char *label)
{
    const int n = 200000;
    struct tsim_dist d;
    init_ok(&d, kind, p, np);
    struct tsim_rng r;
    tsim_rng_stream(&r, 3, 0, label);
    for (int i = 0; i < n; i++) draws[i] = tsim_dist_sample(&d, &r);
    qsort(draws, (size_t)n, sizeof *draws, cmp_double);
    double dmax = 0.0;
    for (int i = 0; i < n; i++) {
        double f = cdf(p, draws[i]);
        dmax = fmax(dmax, fmax(f - (double)i / n, (double)(i + 1) / n - f));
    }
    if (!(dmax < 1.95 / sqrt((double)n))) fprintf(stderr, "  ks %s: D = %g\n", label, dmax);
    CHECK(dmax < 1.95 / sqrt((double)n));
}

static void test_shapes(void)
{
    const double u[] = {2, 5}, tri[] = {1, 2, 6}, ex[] = {2.5}, no[] = {10, 2}, ln[] = {5, 2},
                 wb[] = {0.8, 2}, er[] = {2, 6}, bt[] = {2, 2, 0, 1}, pe[] = {0, 0.5, 1};
    ks_case(TSIM_DIST_UNIFORM, u, 2, cdf_uniform, "uniform");
    ks_case(TSIM_DIST_TRIANGULAR, tri, 3, cdf_triangular, "triangular");
    ks_case(TSIM_DIST_EXPONENTIAL, ex, 1, cdf_exponential, "exponential");
    ks_case(TSIM_DIST_NORMAL, no, 2, cdf_normal, "normal");
    ks_case(TSIM_DIST_LOGNORMAL, ln, 2, cdf_lognormal, "lognormal");
    ks_case(TSIM_DIST_WEIBULL, wb, 2, cdf_weibull, "weibull");
    ks_case(TSIM_DIST_ERLANG, er, 2, cdf_erlang2, "erlang");
    ks_case(TSIM_DIST_BETA, bt, 4, cdf_beta22, "beta");
    /* pert(0, 0.5, 1) is beta(3, 3); its CDF is 10x^3 - 15x^4 + 6x^5. */
    ks_case(TSIM_DIST_PERT, pe, 3, cdf_beta33, "pert");
}

/* An empirical distribution's CDF is piecewise linear through (x_i, i / (n - 1)). */
static void test_empirical_shape(void)
{
    const double data[] = {0, 10, 11, 30};
    struct tsim_dist d;
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, data, NULL, 4) == 0);
    struct tsim_rng r;
    tsim_rng_seed(&r, 11);
    const int n = 300000;
    int below10 = 0, below5 = 0, below20 = 0;
    for (int i = 0; i < n; i++) {
        double x = tsim_dist_sample(&d, &r);
        below5 += x < 5;
        below10 += x < 10;
        below20 += x < 20;
    }
    double se = 0.5 / sqrt((double)n);
    CHECK_NEAR(below5 / (double)n, 1.0 / 6.0, 5 * se);
    CHECK_NEAR(below10 / (double)n, 1.0 / 3.0, 5 * se);
    CHECK_NEAR(below20 / (double)n, 2.0 / 3.0 + (9.0 / 19.0) / 3.0, 5 * se);
    tsim_dist_release(&d);
}

struct bad_case {
    enum tsim_dist_kind kind;
    double p[4];
    int n;
    int err;
    const char *msg;
};

static void test_invalid(void)
{
    static const struct bad_case cases[] = {
        {TSIM_DIST_UNIFORM, {1}, 1, TSIM_EINVAL,
         "tsim_dist_init: wrong parameter count for 'uniform': 1 given, 2 expected"},
        {TSIM_DIST_UNIFORM, {3, 2}, 2, TSIM_ERANGE,
         "tsim_dist_init: a above b in 'uniform': 3 > 2"},
        {TSIM_DIST_TRIANGULAR, {0, 5, 4}, 3, TSIM_ERANGE,
         "tsim_dist_init: mode outside [min, max] in 'triangular': 5"},
        {TSIM_DIST_TRIANGULAR, {5, 5, 4}, 3, TSIM_ERANGE,
         "tsim_dist_init: min above max in 'triangular': 5 > 4"},
        {TSIM_DIST_EXPONENTIAL, {-1}, 1, TSIM_ERANGE,
         "tsim_dist_init: negative mean in 'exponential': -1"},
        {TSIM_DIST_NORMAL, {0, -1}, 2, TSIM_ERANGE, "tsim_dist_init: negative sd in 'normal': -1"},
        {TSIM_DIST_NORMAL, {NAN, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: non-finite parameter 1 of 'normal'"},
        {TSIM_DIST_LOGNORMAL, {0, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: non-positive mean in 'lognormal': 0"},
        {TSIM_DIST_GAMMA, {0, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: non-positive shape in 'gamma': 0"},
        {TSIM_DIST_GAMMA, {1, -2}, 2, TSIM_ERANGE,
         "tsim_dist_init: non-positive scale in 'gamma': -2"},
        {TSIM_DIST_ERLANG, {2.5, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: k not a whole number >= 1 in 'erlang': 2.5"},
        {TSIM_DIST_ERLANG, {0, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: k not a whole number >= 1 in 'erlang': 0"},
        {TSIM_DIST_WEIBULL, {-1, 1}, 2, TSIM_ERANGE,
         "tsim_dist_init: non-positive shape in 'weibull': -1"},
        {TSIM_DIST_BETA, {1, 0, 0, 1}, 4, TSIM_ERANGE,
         "tsim_dist_init: non-positive b in 'beta': 0"},
        {TSIM_DIST_BETA, {1, 1, 2, 1}, 4, TSIM_ERANGE,
         "tsim_dist_init: min above max in 'beta': 2 > 1"},
        {TSIM_DIST_PERT, {0, -1, 1}, 3, TSIM_ERANGE,
         "tsim_dist_init: mode outside [min, max] in 'pert': -1"},
        {TSIM_DIST_DISCRETE, {1}, 1, TSIM_EINVAL,
         "tsim_dist_init: table kind 'discrete' needs tsim_dist_init_table"},
        {TSIM_DIST_KIND_COUNT, {1}, 1, TSIM_EINVAL, "tsim_dist_init: unknown distribution kind 13"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct tsim_dist d;
        memset(&d, 0x5a, sizeof d);
        int rc = tsim_dist_init(&d, cases[i].kind, cases[i].p, cases[i].n);
        CHECK(rc == cases[i].err);
        CHECK_STR(tsim_errmsg(), cases[i].msg);
        /* A failed init leaves a constant 0, which draws 0 and owns nothing. */
        CHECK(d.kind == TSIM_DIST_CONSTANT && d.x == NULL && d.c == NULL);
        struct tsim_rng r;
        tsim_rng_seed(&r, 1);
        CHECK(tsim_dist_sample(&d, &r) == 0.0);
    }
}

static void test_invalid_tables(void)
{
    struct tsim_dist d;
    const double v[] = {1, 2, 3}, p_short[] = {0.5, 0.4, 0.1 - 2e-9}, p_neg[] = {1.5, -0.5, 0};
    const double p_ok[] = {0.5, 0.25, 0.25 + 5e-10}, bad_v[] = {1, INFINITY, 3};
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, p_short, 3) == TSIM_EINVAL);
    CHECK(strncmp(tsim_errmsg(), "tsim_dist_init_table: probabilities of 'discrete' sum to ",
                  57) == 0);
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, p_neg, 3) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_dist_init_table: invalid probability in 'discrete': -0.5");
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, p_ok, 0) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_dist_init_table: no values for 'discrete'");
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, NULL, 3) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_dist_init_table: no probabilities for 'discrete'");
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, v, p_ok, 3) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(),
              "tsim_dist_init_table: probabilities given for 'empirical', which takes none");
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_EMPIRICAL, bad_v, NULL, 3) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_dist_init_table: non-finite value in 'empirical': inf");
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_NORMAL, v, NULL, 3) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_dist_init_table: not a table kind: 'normal'");
    CHECK(d.kind == TSIM_DIST_CONSTANT && d.x == NULL);
    /* Within 1e-9 of 1 is accepted, and the last cumulative value is exactly 1. */
    CHECK(tsim_dist_init_table(&d, TSIM_DIST_DISCRETE, v, p_ok, 3) == 0);
    CHECK(d.c[2] == 1.0);
    tsim_dist_release(&d);
}

static void test_release_and_copy(void)
{
    const double v[] = {1, 2, 3}, p[] = {0.2, 0.3, 0.5};
    struct tsim_dist a, b;
    CHECK(tsim_dist_init_table(&a, TSIM_DIST_DISCRETE, v, p, 3) == 0);
    tsim_dist_copy(&b, &a);
    CHECK(b.x != a.x && b.c != a.c && b.n == 3);
    struct tsim_rng r1, r2;
    tsim_rng_seed(&r1, 5);
    r2 = r1;
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= tsim_dist_sample(&a, &r1) == tsim_dist_sample(&b, &r2);
    CHECK(same);
    tsim_dist_release(&a);
    CHECK(a.kind == TSIM_DIST_CONSTANT && a.x == NULL && a.c == NULL && a.p[0] == 0.0);
    /* The copy owns its own tables: still valid after the original is released. */
    CHECK_NEAR(tsim_dist_mean(&b), 0.2 + 0.6 + 1.5, 1e-14);
    tsim_dist_release(&b);

    const double np[] = {4, 1};
    CHECK(tsim_dist_init(&a, TSIM_DIST_NORMAL, np, 2) == 0);
    tsim_dist_release(&a); /* not a table kind: untouched */
    CHECK(a.kind == TSIM_DIST_NORMAL && a.p[0] == 4.0);
    tsim_dist_copy(&b, &a);
    CHECK(b.kind == TSIM_DIST_NORMAL && b.p[1] == 1.0 && b.x == NULL);
}

static void test_kind_names(void)
{
    static const char *names[] = {"constant", "uniform",  "triangular", "exponential", "normal",
                                  "lognormal", "gamma",   "erlang",     "weibull",     "beta",
                                  "pert",      "discrete", "empirical"};
    CHECK(N_ELEMS(names) == TSIM_DIST_KIND_COUNT);
    for (int k = 0; k < TSIM_DIST_KIND_COUNT; k++)
        CHECK_STR(tsim_dist_kind_name((enum tsim_dist_kind)k), names[k]);
    CHECK_STR(tsim_dist_kind_name(TSIM_DIST_KIND_COUNT), "unknown");
}

/*
 * A micro-check of the hot path, not a timing: the exponential ziggurat ends most draws at its
 * first comparison, after one output of the stream. Of 256 equal-area layers, a draw leaves the
 * fast path with probability sum_i (1 - x[i+1] / x[i]) / 256, 2.22% for these tables; over
 * 100,000 draws that share is checked against [1.5%, 3%], 15 standard deviations of the binomial
 * count (about 47) either side: a correct ziggurat never misses it, a wrong layer table does. Draws of every kind
 * depend only on the stream (the const distribution keeps no cache), so a copied stream repeats
 * them.
 */
static void test_hot_path_and_determinism(void)
{
    const double ex[] = {2.5};
    struct tsim_dist d;
    init_ok(&d, TSIM_DIST_EXPONENTIAL, ex, 1);
    struct tsim_rng r, c;
    tsim_rng_seed(&r, 8);
    int repeat = 1;
    long slow = 0;
    const long n = 100000;
    for (long i = 0; i < n; i++) {
        c = r;
        struct tsim_rng once = r;
        double x = tsim_dist_sample(&d, &r);
        repeat &= x == tsim_dist_sample(&d, &c) && memcmp(&r, &c, sizeof r) == 0;
        tsim_rng_next(&once);
        slow += memcmp(&r, &once, sizeof r) != 0;
    }
    CHECK(repeat);
    CHECK(slow > n * 15 / 1000 && slow < n * 30 / 1000);

    const double pn[] = {0, 1}, pg[] = {0.5, 1}, pb[] = {0.5, 2, 0, 1};
    struct tsim_dist ds[3];
    init_ok(&ds[0], TSIM_DIST_NORMAL, pn, 2);
    init_ok(&ds[1], TSIM_DIST_GAMMA, pg, 2);
    init_ok(&ds[2], TSIM_DIST_BETA, pb, 4);
    for (int k = 0; k < 3; k++) {
        struct tsim_dist before = ds[k];
        tsim_rng_seed(&r, 9);
        c = r;
        int same = 1;
        for (int i = 0; i < 1000; i++)
            same &= tsim_dist_sample(&ds[k], &r) == tsim_dist_sample(&ds[k], &c);
        CHECK(same);
        CHECK(memcmp(&before, &ds[k], sizeof before) == 0);
    }
}

int main(void)
{
    draws = malloc(NDRAWS * sizeof *draws);
    if (!draws) return 1;
    RUN(test_moments_parametric);
    RUN(test_moments_tables);
    RUN(test_theory);
    RUN(test_shapes);
    RUN(test_empirical_shape);
    RUN(test_invalid);
    RUN(test_invalid_tables);
    RUN(test_release_and_copy);
    RUN(test_kind_names);
    RUN(test_hot_path_and_determinism);
    free(draws);
    return CHECK_DONE();
}
