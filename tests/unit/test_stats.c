/*
 * Tests of the statistics: tallies and their merge, time-weighted levels, histogram quantiles,
 * Student-t quantiles against a printed t table and closed forms, confidence-interval summaries
 * and their coverage, batch means, and MSER-5 on series with a known transient.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static double std_normal(struct tsim_rng *r)
{
    static struct tsim_dist d;
    static int ready;
    if (!ready) {
        const double p[] = {0, 1};
        ready = tsim_dist_init(&d, TSIM_DIST_NORMAL, p, 2) == 0;
    }
    return tsim_dist_sample(&d, r);
}

/* ---------------------------------------------------------------------------------------------
 * Tally
 * ------------------------------------------------------------------------------------------- */

static void test_tally_basic(void)
{
    struct tsim_tally t;
    tsim_tally_init(&t);
    CHECK(t.n == 0 && tsim_tally_variance(&t) == 0.0);
    tsim_tally_add(&t, 7.0);
    CHECK(tsim_tally_variance(&t) == 0.0);
    CHECK(t.min == 7.0 && t.max == 7.0);
    tsim_tally_init(&t);
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    for (size_t i = 0; i < N_ELEMS(x); i++) tsim_tally_add(&t, x[i]);
    CHECK(t.n == 8);
    CHECK_NEAR(t.mean, 5.0, 1e-15);
    CHECK_NEAR(tsim_tally_variance(&t), 32.0 / 7.0, 1e-14);
    CHECK(t.min == 2.0 && t.max == 9.0);

    /* A large offset: a raw sum of squares would lose every digit of a variance of 1. */
    tsim_tally_init(&t);
    for (int i = 0; i < 1000; i++) tsim_tally_add(&t, 1e9 + (i % 2 ? 1.0 : -1.0));
    CHECK_NEAR(tsim_tally_variance(&t), 1000.0 / 999.0, 1e-9);
}

static void test_tally_merge(void)
{
    enum { N = 1000 };
    double x[N];
    struct tsim_rng r;
    tsim_rng_seed(&r, 21);
    for (int i = 0; i < N; i++) x[i] = 100.0 + 10.0 * std_normal(&r);
    struct tsim_tally all;
    tsim_tally_init(&all);
    for (int i = 0; i < N; i++) tsim_tally_add(&all, x[i]);
    const int cuts[] = {0, 1, 2, 500, 999, N};
    for (size_t c = 0; c < N_ELEMS(cuts); c++) {
        struct tsim_tally a, b;
        tsim_tally_init(&a);
        tsim_tally_init(&b);
        for (int i = 0; i < cuts[c]; i++) tsim_tally_add(&a, x[i]);
        for (int i = cuts[c]; i < N; i++) tsim_tally_add(&b, x[i]);
        tsim_tally_merge(&a, &b);
        CHECK(a.n == all.n);
        CHECK_NEAR(a.mean, all.mean, 1e-12 * fabs(all.mean));
        CHECK_NEAR(a.m2, all.m2, 1e-10 * all.m2);
        CHECK(a.min == all.min && a.max == all.max);
    }
    /* Three-way merge in another grouping gives the same figures. */
    struct tsim_tally p[3];
    for (int k = 0; k < 3; k++) tsim_tally_init(&p[k]);
    for (int i = 0; i < N; i++) tsim_tally_add(&p[i % 3], x[i]);
    tsim_tally_merge(&p[1], &p[2]);
    tsim_tally_merge(&p[0], &p[1]);
    CHECK(p[0].n == N);
    CHECK_NEAR(p[0].mean, all.mean, 1e-12 * fabs(all.mean));
    CHECK_NEAR(tsim_tally_variance(&p[0]), tsim_tally_variance(&all),
               1e-10 * tsim_tally_variance(&all));
}

/* ---------------------------------------------------------------------------------------------
 * Level
 * ------------------------------------------------------------------------------------------- */

static void test_level(void)
{
    struct tsim_level l;
    tsim_level_init(&l, 0.0, 2.0);
    CHECK(tsim_level_mean(&l, 0.0) == 2.0);
    tsim_level_set(&l, 3.0, 5.0);
    tsim_level_set(&l, 4.0, 1.0);
    tsim_level_set(&l, 4.0, 1.0); /* a change at the same time adds no area */
    CHECK_NEAR(tsim_level_mean(&l, 10.0), (2.0 * 3 + 5.0 * 1 + 1.0 * 6) / 10.0, 1e-15);
    CHECK_NEAR(tsim_level_mean(&l, 4.0), (2.0 * 3 + 5.0 * 1) / 4.0, 1e-15);
    CHECK(l.max == 5.0);
    tsim_level_restart(&l, 10.0);
    CHECK(l.max == 1.0);
    CHECK(tsim_level_mean(&l, 10.0) == 1.0);
    tsim_level_set(&l, 12.0, 3.0);
    CHECK_NEAR(tsim_level_mean(&l, 14.0), (1.0 * 2 + 3.0 * 2) / 4.0, 1e-15);
    CHECK(l.max == 3.0);
}

/* ---------------------------------------------------------------------------------------------
 * Histogram
 * ------------------------------------------------------------------------------------------- */

static void test_hist(void)
{
    struct tsim_hist h;
    CHECK(tsim_hist_init(&h, 0, 1, 0) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_hist_init: no bins");
    CHECK(tsim_hist_init(&h, 1, 1, 4) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_hist_init: empty or infinite range [1, 1)");

    CHECK(tsim_hist_init(&h, 0, 100, 10) == 0);
    CHECK(isnan(tsim_hist_quantile(&h, 0.5)));
    for (int i = 0; i < 100; i++) tsim_hist_add(&h, i + 0.5);
    CHECK(h.n == 100 && h.under == 0 && h.over == 0);
    for (uint32_t b = 0; b < 10; b++) CHECK(h.bins[b] == 10);
    CHECK_NEAR(tsim_hist_quantile(&h, 0.25), 25.0, 1e-12);
    CHECK_NEAR(tsim_hist_quantile(&h, 0.5), 50.0, 1e-12);
    CHECK_NEAR(tsim_hist_quantile(&h, 0.0), 0.0, 1e-12);
    CHECK_NEAR(tsim_hist_quantile(&h, 1.0), 100.0, 1e-12);
    tsim_hist_add(&h, NAN);
    CHECK(h.n == 100);
    tsim_hist_add(&h, nextafter(100.0, 0.0));
    CHECK(h.bins[9] == 11 && h.over == 0);
    tsim_hist_release(&h);
    CHECK(h.bins == NULL);

    /* Under- and overflow clamp. */
    CHECK(tsim_hist_init(&h, 10, 20, 5) == 0);
    for (int i = 0; i < 30; i++) tsim_hist_add(&h, 5.0);
    for (int i = 0; i < 40; i++) tsim_hist_add(&h, 15.0);
    for (int i = 0; i < 30; i++) tsim_hist_add(&h, 25.0);
    CHECK(h.under == 30 && h.over == 30 && h.bins[2] == 40);
    CHECK(tsim_hist_quantile(&h, 0.1) == 10.0);
    CHECK(tsim_hist_quantile(&h, 0.95) == 20.0);
    CHECK_NEAR(tsim_hist_quantile(&h, 0.5), 14.0 + 2.0 * 0.5, 1e-12);
    tsim_hist_release(&h);

    /* Exponential(1) draws: the histogram's quantiles approach -log(1 - p). The sample quantile's
     * standard error is sqrt(p (1 - p) / n) / f(q); 5 of them plus a bin width bound the error. */
    const int n = 200000;
    CHECK(tsim_hist_init(&h, 0, 10, 1000) == 0);
    const double ep[] = {1.0};
    struct tsim_dist d;
    CHECK(tsim_dist_init(&d, TSIM_DIST_EXPONENTIAL, ep, 1) == 0);
    struct tsim_rng r;
    tsim_rng_seed(&r, 4);
    for (int i = 0; i < n; i++) tsim_hist_add(&h, tsim_dist_sample(&d, &r));
    const double ps[] = {0.1, 0.5, 0.9, 0.99};
    for (size_t i = 0; i < N_ELEMS(ps); i++) {
        double q = -log1p(-ps[i]);
        double se = sqrt(ps[i] * (1 - ps[i]) / n) / exp(-q);
        CHECK_NEAR(tsim_hist_quantile(&h, ps[i]), q, 5 * se + h.width);
    }
    tsim_hist_release(&h);
}

/* ---------------------------------------------------------------------------------------------
 * Student's t
 * ------------------------------------------------------------------------------------------- */

/* Two-sided 95% and 99% critical values, as printed in t tables (to 9 decimals). */
static void test_t_table(void)
{
    static const struct {
        double df, t975, t995;
    } table[] = {
        {1, 12.706204736, 63.656741163}, {2, 4.302652730, 9.924843201},
        {5, 2.570581836, 4.032142984},   {9, 2.262157163, 3.249835542},
        {10, 2.228138852, 3.169272673},  {29, 2.045229642, 2.756385904},
        {30, 2.042272456, 2.749995654},  {100, 1.983971519, 2.625890521},
        {INFINITY, 1.959963985, 2.575829304},
    };
    for (size_t i = 0; i < N_ELEMS(table); i++) {
        CHECK_NEAR(tsim_t_quantile(0.975, table[i].df), table[i].t975, 1e-8);
        CHECK_NEAR(tsim_t_quantile(0.995, table[i].df), table[i].t995, 1e-8);
        CHECK_NEAR(tsim_t_quantile(0.025, table[i].df), -table[i].t975, 1e-8);
        CHECK_NEAR(tsim_t_quantile(0.005, table[i].df), -table[i].t995, 1e-8);
    }
}

/* df = 1 (Cauchy) and df = 2 have closed-form quantiles: exact checks across the whole range,
 * the far tails included, to a relative 1e-10. */
static void test_t_closed_forms(void)
{
    const double ps[] = {1e-300, 1e-15, 1e-6, 0.001, 0.1, 0.3, 0.49, 0.4999999, 0.5000001, 0.6,
                         0.8, 0.975, 0.999, 1 - 1e-9, 1 - 1e-13};
    for (size_t i = 0; i < N_ELEMS(ps); i++) {
        double p = ps[i];
        double tail = p < 0.5 ? p : 1.0 - p; /* exact for p > 0.5 */
        double sign = p < 0.5 ? -1.0 : 1.0;
        /* cot(pi tail), taken as tan(pi (1/2 - tail)) near 1/2, where 1/2 - tail is exact and
         * pi * tail would round away the digits that matter */
        double cauchy = sign * (tail < 0.25 ? 1.0 / tan(M_PI * tail) : tan(M_PI * (0.5 - tail)));
        double t2 = sign * (1.0 - 2.0 * tail) / sqrt(2.0 * tail * (1.0 - tail));
        if (ps[i] > 1e-200) /* 1/tan overflows */
            CHECK_NEAR(tsim_t_quantile(p, 1.0), cauchy, 1e-10 * fabs(cauchy));
        CHECK_NEAR(tsim_t_quantile(p, 2.0), t2, 1e-10 * fabs(t2));
    }
}

static void test_t_properties(void)
{
    CHECK(tsim_t_quantile(0.5, 7) == 0.0);
    CHECK(tsim_t_quantile(0.0, 7) == -INFINITY);
    CHECK(tsim_t_quantile(1.0, 7) == INFINITY);
    CHECK(isnan(tsim_t_quantile(1.5, 7)));
    CHECK(isnan(tsim_t_quantile(0.9, 0)));
    CHECK(isnan(tsim_t_quantile(0.9, NAN)));
    /* The normal quantile at Phi(1) and Phi(-2). */
    CHECK_NEAR(tsim_t_quantile(0.8413447460685429, INFINITY), 1.0, 1e-12);
    CHECK_NEAR(tsim_t_quantile(0.022750131948179195, INFINITY), -2.0, 1e-12);
    /* Symmetry, and monotone in p and in df (fractional df too). */
    const double dfs[] = {0.3, 1.5, 2.5, 7, 40, 999, 1e4, 1e6};
    int ok_sym = 1, ok_p = 1, ok_df = 1;
    for (size_t i = 0; i < N_ELEMS(dfs); i++) {
        double prev = -INFINITY;
        for (double p = 0.01; p < 1.0; p += 0.01) {
            double t = tsim_t_quantile(p, dfs[i]);
            if (!(t > prev)) ok_p = 0;
            prev = t;
            if (fabs(t + tsim_t_quantile(1.0 - p, dfs[i])) > 1e-9 * fmax(1.0, fabs(t))) ok_sym = 0;
            if (i > 0 && p > 0.5 && !(t < tsim_t_quantile(p, dfs[i - 1]))) ok_df = 0;
        }
    }
    CHECK(ok_sym);
    CHECK(ok_p);
    CHECK(ok_df);
    /* Continuous where the method changes for large df. */
    double below = tsim_t_quantile(0.995, 9999.999), above = tsim_t_quantile(0.995, 1e4);
    CHECK(below > above);
    CHECK_NEAR(below, above, 1e-9);
}

/* ---------------------------------------------------------------------------------------------
 * Summaries, batch means, MSER-5
 * ------------------------------------------------------------------------------------------- */

static void test_summary(void)
{
    struct tsim_summary s;
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    tsim_summary_of(&s, x, N_ELEMS(x), 0.95);
    CHECK(s.n == 8);
    CHECK_NEAR(s.mean, 5.0, 1e-15);
    CHECK_NEAR(s.sd, sqrt(32.0 / 7.0), 1e-14);
    CHECK_NEAR(s.half_width, 2.364624252 * sqrt(32.0 / 7.0) / sqrt(8.0), 1e-8);
    CHECK(s.min == 2.0 && s.max == 9.0);
    tsim_summary_of(&s, x, 1, 0.95);
    CHECK(s.n == 1 && s.mean == 2.0 && s.sd == 0.0 && isnan(s.half_width));
    tsim_summary_of(&s, NULL, 0, 0.95);
    CHECK(s.n == 0 && isnan(s.mean) && isnan(s.half_width));
}

/* 4,000 intervals from 10 normal draws each should cover the true mean 95% of the time; the
 * binomial standard error of the coverage is 0.0034, so 0.95 +- 0.017 is 5 of them. A normal
 * quantile in place of t (coverage 92%) fails this. */
static void test_summary_coverage(void)
{
    enum { REPS = 4000, N = 10 };
    struct tsim_rng r;
    tsim_rng_stream(&r, 1, 0, "coverage");
    int covered = 0;
    double x[N];
    for (int k = 0; k < REPS; k++) {
        for (int i = 0; i < N; i++) x[i] = 3.0 + 2.0 * std_normal(&r);
        struct tsim_summary s;
        tsim_summary_of(&s, x, N, 0.95);
        covered += fabs(s.mean - 3.0) <= s.half_width;
    }
    CHECK_NEAR(covered / (double)REPS, 0.95, 0.017);
}

static void test_batch_means(void)
{
    double x[105];
    for (int i = 0; i < 105; i++) x[i] = i;
    struct tsim_summary s;
    CHECK(tsim_batch_means(&s, x, 100, 10, 0.95) == 0);
    /* Batch means 4.5, 14.5, ..., 94.5: mean 49.5, sd 10 times that of 0..9, 10 sqrt(55 / 6). */
    CHECK(s.n == 10);
    CHECK_NEAR(s.mean, 49.5, 1e-12);
    CHECK_NEAR(s.sd, 10.0 * sqrt(55.0 / 6.0), 1e-12);
    CHECK(s.min == 4.5 && s.max == 94.5);
    struct tsim_summary s2;
    CHECK(tsim_batch_means(&s2, x, 105, 10, 0.95) == 0); /* the short tail is dropped */
    CHECK(s2.n == 10 && s2.mean == s.mean && s2.sd == s.sd);
    CHECK(tsim_batch_means(&s, x, 100, 1, 0.95) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_batch_means: fewer than 2 batches: 1");
    CHECK(tsim_batch_means(&s, x, 5, 10, 0.95) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_batch_means: fewer observations than batches: 5 < 10");

    /* An AR(1) series (phi 0.9) with mean 7: batches of 1,000 are nearly independent, and the
     * interval should hold 7 (the chance it misses, with a correct method, is about 5%; the fixed
     * seed makes the outcome repeatable). */
    enum { N = 200000 };
    double *y = malloc(N * sizeof *y);
    CHECK(y != NULL);
    if (!y) return;
    struct tsim_rng r;
    tsim_rng_seed(&r, 12);
    double v = 0.0;
    for (int i = 0; i < N; i++) {
        v = 0.9 * v + std_normal(&r);
        y[i] = 7.0 + v;
    }
    CHECK(tsim_batch_means(&s, y, N, 20, 0.95) == 0);
    CHECK(fabs(s.mean - 7.0) <= s.half_width);
    /* The batch means' sd is near the theory: sd(v) / sqrt(b) * sqrt((1 + phi) / (1 - phi)) =
     * sqrt(1 / 0.19) * sqrt(19) / 100 = 0.1 (within what 20 batches can tell: +-40%). */
    CHECK(s.sd > 0.06 && s.sd < 0.14);
    free(y);
}

static void test_mser5(void)
{
    static double x[2000];
    CHECK(tsim_mser5(x, 0) == 0);
    for (int i = 0; i < 9; i++) x[i] = i;
    CHECK(tsim_mser5(x, 9) == 0);

    /* A level step: 20 for the first 100 observations, then noise around 0. */
    struct tsim_rng r;
    tsim_rng_seed(&r, 31);
    for (int i = 0; i < 1000; i++) x[i] = (i < 100 ? 20.0 : 0.0) + std_normal(&r);
    size_t cut = tsim_mser5(x, 1000);
    CHECK(cut % 5 == 0);
    CHECK(cut >= 100 && cut <= 120);

    /* A decaying transient 30 e^(-i/50): it is below the noise (sd 1) after about i = 170. */
    for (int i = 0; i < 2000; i++) x[i] = 30.0 * exp(-i / 50.0) + std_normal(&r);
    cut = tsim_mser5(x, 2000);
    CHECK(cut % 5 == 0);
    CHECK(cut >= 120 && cut <= 400);

    /* No transient at all: nothing to delete in a constant series; never more than half. */
    for (int i = 0; i < 1000; i++) x[i] = 4.0;
    CHECK(tsim_mser5(x, 1000) == 0);
    for (int i = 0; i < 1000; i++) x[i] = std_normal(&r);
    CHECK(tsim_mser5(x, 1000) <= 500);
}

int main(void)
{
    RUN(test_tally_basic);
    RUN(test_tally_merge);
    RUN(test_level);
    RUN(test_hist);
    RUN(test_t_table);
    RUN(test_t_closed_forms);
    RUN(test_t_properties);
    RUN(test_summary);
    RUN(test_summary_coverage);
    RUN(test_batch_means);
    RUN(test_mser5);
    return CHECK_DONE();
}
